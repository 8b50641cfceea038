/*
 * gen_pcap: writes a large capture of mixed traffic for the `tlsready pcap`
 * benchmark: TLS handshakes among bulk data, synthetic but valid.
 *
 *   gen_pcap SEED.pcap OUT.pcap SIZE_MB [SEED_RNG]
 *
 * The handshake bytes are real: SEED.pcap is a small capture of real clients
 * and servers (bench/pcap/run.sh records openssl, gnutls-cli and curl on
 * loopback). Each TCP connection in it with a SYN becomes a template: the
 * client's bytes before the server's first reply (the ClientHello) and the
 * server's bytes before the client speaks again (ServerHello ... or an alert).
 * The output replays the templates with varied addresses and ports as complete
 * TCP connections (handshake, Ethernet-sized segments, FINs), interleaved with
 * long bulk transfers (TLS application data after a handshake) and plain
 * non-TLS connections, until SIZE_MB megabytes are written. Timestamps span
 * about a day and cross midnight UTC. Deterministic for a given SEED_RNG.
 *
 * On stderr at the end: flows, handshakes per template (the expected answer).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/pcap_decode.h"
#include "ingest/pcap_source.h"

#define MAX_TEMPLATES 32
#define TEMPLATE_MAX 65536
#define MSS 1448
#define ACTIVE 256        /* connections in flight at once */

struct template {
    uint8_t key[40];      /* addresses + ports of the seed connection */
    int dir_client;       /* the SYN sender: 0 = key's src */
    uint8_t cli[TEMPLATE_MAX], srv[TEMPLATE_MAX];
    uint32_t ncli, nsrv;
    int phase;            /* 0 collecting client, 1 collecting server, 2 done */
    uint8_t c_src[16];    /* the client's address as seen */
    uint16_t c_port;
    uint64_t used;
};

static struct template tpl[MAX_TEMPLATES];
static int ntpl;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* ---- reading the seed ---------------------------------------------------- */

static struct template *seed_find(const struct tcp_segment *s, int *from_client)
{
    for (int i = 0; i < ntpl; i++) {
        struct template *t = &tpl[i];
        if (t->c_port == s->sport && memcmp(t->c_src, s->src, 16) == 0) {
            *from_client = 1;
            return t;
        }
        if (t->c_port == s->dport && memcmp(t->c_src, s->dst, 16) == 0) {
            *from_client = 0;
            return t;
        }
    }
    return NULL;
}

static int read_seed(const char *path)
{
    struct pcap_source src;
    struct tr_error err;
    if (pcap_source_open_file(&src, path, NULL, &err) < 0) {
        fprintf(stderr, "gen_pcap: %s\n", err.msg);
        return -1;
    }
    int64_t ts;
    const uint8_t *d = NULL;
    uint32_t cap = 0, wire = 0;
    while (pcap_source_next(&src, &ts, &d, &cap, &wire, &err) == SRC_PACKET) {
        struct tcp_segment s;
        if (pcap_decode(src.linktype, d, cap, &s) != PKT_TCP)
            continue;
        int from_client;
        struct template *t = seed_find(&s, &from_client);
        if (!t) {
            if ((s.flags & (TCP_SYN | TCP_ACK)) != TCP_SYN || ntpl == MAX_TEMPLATES)
                continue;
            t = &tpl[ntpl++];
            memset(t, 0, sizeof *t);
            memcpy(t->c_src, s.src, 16);
            t->c_port = s.sport;
            continue;
        }
        if (!s.payload_len || t->phase == 2)
            continue;
        if (from_client) {
            if (t->phase == 1)
                t->phase = 2;
            else if (t->ncli + s.payload_len <= TEMPLATE_MAX) {
                memcpy(t->cli + t->ncli, s.payload, s.payload_len);
                t->ncli += s.payload_len;
            }
        } else if (t->ncli) {
            t->phase = 1;
            if (t->nsrv + s.payload_len <= TEMPLATE_MAX) {
                memcpy(t->srv + t->nsrv, s.payload, s.payload_len);
                t->nsrv += s.payload_len;
            }
        }
    }
    pcap_source_close(&src);
    int n = 0;
    for (int i = 0; i < ntpl; i++)
        if (tpl[i].ncli && tpl[i].nsrv && tpl[i].cli[0] == 0x16)
            tpl[n++] = tpl[i];
    ntpl = n;
    return n ? 0 : -1;
}

/* ---- writing ------------------------------------------------------------- */

static FILE *out;
static uint64_t written, packets;
static int64_t now_us;

static void put32le(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }

struct conn {
    int kind;             /* 0 handshake, 1 bulk after a handshake, 2 plain TCP */
    int v6;
    uint8_t c[16], s[16];
    uint16_t cport, sport;
    uint32_t cseq, sseq;
    int step;             /* position in the script */
    uint32_t off;         /* bytes of the current payload sent */
    int bulk_left;
    struct template *t;
};

static uint16_t csum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void emit(struct conn *c, int from_client, uint8_t flags, const uint8_t *pl, uint32_t n)
{
    static uint8_t f[16 + 14 + 40 + 20 + 65536];
    uint8_t *e = f + 16;
    memset(e, 0, 14);
    e[5] = 1; e[11] = 2;
    uint8_t *ip = e + 14;
    size_t iplen;
    const uint8_t *src = from_client ? c->c : c->s, *dst = from_client ? c->s : c->c;
    if (c->v6) {
        e[12] = 0x86; e[13] = 0xdd;
        memset(ip, 0, 40);
        ip[0] = 0x60;
        ip[4] = (uint8_t)((20 + n) >> 8); ip[5] = (uint8_t)(20 + n);
        ip[6] = 6; ip[7] = 64;
        memcpy(ip + 8, src, 16);
        memcpy(ip + 24, dst, 16);
        iplen = 40;
    } else {
        e[12] = 0x08;
        memset(ip, 0, 20);
        ip[0] = 0x45;
        ip[2] = (uint8_t)((40 + n) >> 8); ip[3] = (uint8_t)(40 + n);
        ip[6] = 0x40; ip[8] = 64; ip[9] = 6;
        memcpy(ip + 12, src, 4);
        memcpy(ip + 16, dst, 4);
        uint16_t k = csum(ip, 20);
        ip[10] = (uint8_t)(k >> 8); ip[11] = (uint8_t)k;
        iplen = 20;
    }
    uint8_t *tcp = ip + iplen;
    memset(tcp, 0, 20);
    uint16_t sp = from_client ? c->cport : c->sport, dp = from_client ? c->sport : c->cport;
    uint32_t seq = from_client ? c->cseq : c->sseq, ack = from_client ? c->sseq : c->cseq;
    tcp[0] = (uint8_t)(sp >> 8); tcp[1] = (uint8_t)sp;
    tcp[2] = (uint8_t)(dp >> 8); tcp[3] = (uint8_t)dp;
    tcp[4] = (uint8_t)(seq >> 24); tcp[5] = (uint8_t)(seq >> 16); tcp[6] = (uint8_t)(seq >> 8); tcp[7] = (uint8_t)seq;
    tcp[8] = (uint8_t)(ack >> 24); tcp[9] = (uint8_t)(ack >> 16); tcp[10] = (uint8_t)(ack >> 8); tcp[11] = (uint8_t)ack;
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    tcp[14] = 0xff; tcp[15] = 0xff;
    memcpy(tcp + 20, pl, n);
    uint32_t len = (uint32_t)(14 + iplen + 20 + n);
    now_us += 1 + (int64_t)(rnd() % 18000); /* ~9 ms apart: a 1 GB capture spans about 5 hours */
    put32le(f, (uint32_t)(now_us / 1000000));
    put32le(f + 4, (uint32_t)(now_us % 1000000));
    put32le(f + 8, len);
    put32le(f + 12, len);
    fwrite(f, 1, 16 + len, out);
    written += 16 + len;
    packets++;
    uint32_t adv = n + ((flags & (TCP_SYN | TCP_FIN)) ? 1 : 0);
    if (from_client)
        c->cseq += adv;
    else
        c->sseq += adv;
}

static uint64_t flows_by_kind[3];

static void conn_new(struct conn *c)
{
    memset(c, 0, sizeof *c);
    uint64_t r = rnd() % 1000;
    c->kind = r < 3 ? 1 : r < 100 ? 2 : 0;
    c->v6 = rnd() % 10 == 0;
    uint32_t client = (uint32_t)rnd(), server = (uint32_t)(rnd() % 64);
    if (c->v6) {
        c->c[0] = 0x20; c->c[1] = 0x01; c->c[2] = 0x0d; c->c[3] = 0xb8;
        memcpy(c->c + 12, &client, 4);
        memcpy(c->s, c->c, 4);
        c->s[15] = (uint8_t)(server + 1);
        c->c[15] |= 1;
    } else {
        c->c[0] = 10; c->c[1] = (uint8_t)(client >> 16); c->c[2] = (uint8_t)(client >> 8); c->c[3] = (uint8_t)(client | 1);
        c->s[0] = 192; c->s[1] = 0; c->s[2] = 2; c->s[3] = (uint8_t)(server + 1);
    }
    c->cport = (uint16_t)(32768 + rnd() % 28232); /* the Linux ephemeral range */
    c->sport = (uint16_t)(server % 4 == 0 ? 8443 : 443);
    c->cseq = (uint32_t)rnd();
    c->sseq = (uint32_t)rnd();
    c->t = &tpl[rnd() % (uint64_t)ntpl];
    c->bulk_left = c->kind == 1 ? 400 + (int)(rnd() % 800) : c->kind == 0 ? (int)(rnd() % 4) : 8 + (int)(rnd() % 16);
    flows_by_kind[c->kind]++;
    if (c->kind != 2)
        c->t->used++;
}

/* Sends a buffer as MSS-sized segments, one per call; returns 1 when all sent. */
static int send_part(struct conn *c, int from_client, const uint8_t *p, uint32_t n)
{
    uint32_t k = n - c->off > MSS ? MSS : n - c->off;
    emit(c, from_client, TCP_ACK | TCP_PSH, p + c->off, k);
    c->off += k;
    if (c->off < n)
        return 0;
    c->off = 0;
    return 1;
}

/* One packet of connection c; returns 0 when the connection is over. */
static int conn_step(struct conn *c)
{
    static uint8_t bulk[MSS];
    static const char http[] = "GET /index.html HTTP/1.1\r\nHost: plain.example\r\nUser-Agent: gen\r\n\r\n";
    switch (c->step) {
    case 0: emit(c, 1, TCP_SYN, NULL, 0); c->step++; return 1;
    case 1: emit(c, 0, TCP_SYN | TCP_ACK, NULL, 0); c->step++; return 1;
    case 2: emit(c, 1, TCP_ACK, NULL, 0); c->step = c->kind == 2 ? 5 : 3; return 1;
    case 3: if (send_part(c, 1, c->t->cli, c->t->ncli)) c->step++; return 1;
    case 4: if (send_part(c, 0, c->t->srv, c->t->nsrv)) c->step++; return 1;
    case 5:
        if (c->bulk_left-- <= 0) {
            c->step++;
            return 1;
        }
        if (c->kind == 2) {
            emit(c, c->bulk_left & 1, TCP_ACK | TCP_PSH, (const uint8_t *)http, sizeof http - 1);
        } else {
            bulk[0] = 0x17; bulk[1] = 3; bulk[2] = 3;
            bulk[3] = (MSS - 5) >> 8; bulk[4] = (MSS - 5) & 0xff;
            for (int i = 5; i < MSS; i += 8)
                bulk[i] = (uint8_t)rnd();
            emit(c, c->kind == 1 ? 0 : c->bulk_left & 1, TCP_ACK, bulk, MSS);
        }
        return 1;
    case 6: emit(c, 1, TCP_FIN | TCP_ACK, NULL, 0); c->step++; return 1;
    case 7: emit(c, 0, TCP_FIN | TCP_ACK, NULL, 0); c->step++; return 1;
    default: emit(c, 1, TCP_ACK, NULL, 0); return 0;
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: gen_pcap SEED.pcap OUT.pcap SIZE_MB [SEED_RNG]\n");
        return 2;
    }
    if (argc > 4)
        rng_state ^= strtoull(argv[4], NULL, 10) * 0x2545f4914f6cdd1dull;
    if (read_seed(argv[1]) < 0) {
        fprintf(stderr, "gen_pcap: no TLS connection with a SYN in %s\n", argv[1]);
        return 2;
    }
    uint64_t target = strtoull(argv[3], NULL, 10) << 20;
    out = fopen(argv[2], "wb");
    if (!out) {
        perror(argv[2]);
        return 2;
    }
    setvbuf(out, NULL, _IOFBF, 1 << 22);
    uint8_t gh[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
    put32le(gh + 16, 65535);
    put32le(gh + 20, 1); /* Ethernet */
    fwrite(gh, 1, sizeof gh, out);
    written = sizeof gh;
    now_us = 1772402400LL * 1000000; /* 2026-03-01T22:00:00Z */
    static struct conn act[ACTIVE];
    for (int i = 0; i < ACTIVE; i++)
        conn_new(&act[i]);
    while (written < target) {
        struct conn *c = &act[rnd() % ACTIVE];
        if (!conn_step(c))
            conn_new(c);
    }
    /* finish every connection in flight, so the capture holds whole connections only */
    static uint8_t over[ACTIVE];
    for (int left = ACTIVE; left > 0;)
        for (int i = 0; i < ACTIVE; i++)
            if (!over[i] && !conn_step(&act[i])) {
                over[i] = 1;
                left--;
            }
    if (fclose(out) != 0) {
        perror(argv[2]);
        return 2;
    }
    fprintf(stderr, "gen_pcap: %llu bytes, %llu packets; flows: %llu handshake-only, %llu bulk, %llu plain\n",
            (unsigned long long)written, (unsigned long long)packets, (unsigned long long)flows_by_kind[0],
            (unsigned long long)flows_by_kind[1], (unsigned long long)flows_by_kind[2]);
    for (int i = 0; i < ntpl; i++)
        fprintf(stderr, "gen_pcap: template %d: client %u bytes, server %u bytes, used %llu times\n", i, tpl[i].ncli,
                tpl[i].nsrv, (unsigned long long)tpl[i].used);
    return 0;
}
