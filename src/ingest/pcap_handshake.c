/*
 * The handshake tracker: see pcap_handshake.h for the per-flow states.
 *
 * Cost model (the reason for the shape of hs_tracker_segment): most packets of
 * a capture belong to flows that are already DONE (bulk data after the
 * handshake, or non-TLS traffic). For those the work is one decode, one hash of
 * the 5-tuple and one chain walk; their payload bytes are never read. Only the
 * first bytes of each direction of a TLS flow are copied, into buffers that are
 * allocated when a flow's first payload arrives and recycled when it is done.
 */
#include "ingest/pcap_handshake.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls/version.h"

enum { FS_NEW = 1, FS_TLS = 2, FS_DONE = 3 };
#define CLIENT_UNKNOWN 2

struct hs_flow {
    struct reasm r[2];            /* per endpoint of the flow key */
    struct client_hello_info ch;
    struct server_reply sr;
    int have_ch;
    int emitted;                  /* the handshake went out: nothing is pending */
    int reply_status;             /* REPLY_NEED_MORE until decisive */
    int64_t ch_time_us;
    struct hs_flow *next_free;
};

int hs_tracker_init(struct hs_tracker *t, const struct hs_config *cfg, hs_emit_fn emit, void *ctx)
{
    memset(t, 0, sizeof *t);
    if (cfg)
        t->cfg = *cfg;
    if (!t->cfg.max_flows)
        t->cfg.max_flows = HS_DEFAULT_MAX_FLOWS;
    if (!t->cfg.dir_cap)
        t->cfg.dir_cap = HS_DEFAULT_DIR_CAP;
    if (t->cfg.idle_timeout_us <= 0)
        t->cfg.idle_timeout_us = HS_DEFAULT_IDLE_US;
    t->emit = emit;
    t->ctx = ctx;
    t->next_sweep_us = INT64_MIN;
    t->last_evict_us = INT64_MIN;
    return flow_table_init(&t->flows, t->cfg.max_flows);
}

/* ---- per-flow handshake state ------------------------------------------- */

static struct hs_flow *hs_get(struct hs_tracker *t)
{
    struct hs_flow *h = t->free_hs;
    if (h)
        t->free_hs = h->next_free;
    else if (!(h = malloc(sizeof *h)))
        return NULL;
    reasm_init(&h->r[0], t->cfg.dir_cap);
    reasm_init(&h->r[1], t->cfg.dir_cap);
    h->have_ch = 0;
    h->emitted = 0;
    h->reply_status = REPLY_NEED_MORE;
    h->ch_time_us = 0;
    return h;
}

static void hs_put(struct hs_tracker *t, struct hs_flow *h)
{
    reasm_release(&h->r[0]);
    reasm_release(&h->r[1]);
    h->next_free = t->free_hs;
    t->free_hs = h;
}

static void emit(struct hs_tracker *t, struct flow *f, struct hs_flow *h, enum hs_outcome o)
{
    struct pcap_handshake hs;
    int c = f->client == 1 ? 1 : 0;
    hs.time_us = h->ch_time_us;
    hs.family = f->key.family;
    memcpy(hs.client_addr, f->key.addr[c], 16);
    memcpy(hs.server_addr, f->key.addr[1 - c], 16);
    hs.client_port = f->key.port[c];
    hs.server_port = f->key.port[1 - c];
    hs.ch = &h->ch;
    hs.sr = o == HS_NO_REPLY ? NULL : &h->sr;
    hs.outcome = o;
    h->emitted = 1;
    t->stats.handshakes++;
    if (t->emit)
        t->emit(t->ctx, &hs);
}

/* The flow is finished with: emit what is pending, free its buffers. */
static void flow_finish(struct hs_tracker *t, struct flow *f)
{
    struct hs_flow *h = f->user;
    if (f->state == FS_TLS && h && !h->emitted) {
        if (h->have_ch)
            emit(t, f, h, HS_NO_REPLY);
        else
            t->stats.hello_incomplete++;
    } else if (f->state == FS_NEW && h && (h->r[0].hi || h->r[1].hi)) {
        t->stats.hello_incomplete++; /* bytes came, but never the first ones: undecided */
    }
    if (h)
        hs_put(t, h);
    f->user = NULL;
    f->state = FS_DONE;
}

static void on_expire(void *ctx, struct flow *f)
{
    struct hs_tracker *t = ctx;
    flow_finish(t, f);
    t->stats.flows_expired++;
}

/* ---- content sniffing ---------------------------------------------------- */

enum { SNIFF_NO = 0, SNIFF_YES = 1, SNIFF_MORE = -1 };

/* A TLS record header (RFC 5246 6.2.1) whose type is one of `types`. */
static int sniff_record(const uint8_t *p, uint32_t n, int want_hs_type, int allow_alert)
{
    if (n < 1)
        return SNIFF_MORE;
    if (!(p[0] == 0x16 || (allow_alert && p[0] == 0x15)))
        return SNIFF_NO;
    if (n < 3)
        return n >= 2 && p[1] != 0x03 ? SNIFF_NO : SNIFF_MORE;
    if (p[1] != 0x03 || p[2] > 0x04)
        return SNIFF_NO;
    if (n < 5)
        return SNIFF_MORE;
    uint32_t len = (uint32_t)p[3] << 8 | p[4];
    if (len == 0 || len > TLS_RECORD_MAX_LEN)
        return SNIFF_NO;
    if (p[0] == 0x15)
        return len == 2 ? SNIFF_YES : SNIFF_NO;
    if (n < 6)
        return SNIFF_MORE;
    return want_hs_type < 0 || p[5] == want_hs_type ? SNIFF_YES : SNIFF_NO;
}

/* An SSLv2-compatible CLIENT-HELLO (RFC 5246 E.2): 2-byte header with the high bit, type 1, version 0x0002 or 0x03xx. */
static int sniff_ssl2_hello(const uint8_t *p, uint32_t n, int msg_type)
{
    if (n < 1)
        return SNIFF_MORE;
    if (!(p[0] & 0x80))
        return SNIFF_NO;
    if (n < 5)
        return SNIFF_MORE;
    uint32_t len = (uint32_t)(p[0] & 0x7f) << 8 | p[1];
    if (len < 9 || p[2] != msg_type)
        return SNIFF_NO;
    if (msg_type == 4)  /* SERVER-HELLO: session_id_hit, cert_type, then the version */
        return SNIFF_YES;
    return (p[3] == 0x03 || (p[3] == 0x00 && p[4] == 0x02)) ? SNIFF_YES : SNIFF_NO;
}

static int sniff_client(const uint8_t *p, uint32_t n)
{
    if (n >= 1 && (p[0] & 0x80))
        return sniff_ssl2_hello(p, n, 1);
    return sniff_record(p, n, 1, 0);
}

static int sniff_server(const uint8_t *p, uint32_t n)
{
    if (n >= 1 && (p[0] & 0x80))
        return sniff_ssl2_hello(p, n, 4);
    return sniff_record(p, n, -1, 1);
}

/* ---- the state machine ---------------------------------------------------- */

/*
 * A TLS 1.2 server often sends ServerHello, Certificate, ... in one record of
 * up to 16 KB, and the reply parser reads whole records. When the first
 * record's first message is a complete ServerHello, parse a copy of just that
 * message in a record of its own: the answer comes without waiting for (or
 * keeping) the certificates, whatever --flow-bytes is.
 */
#define SH_SHORTCUT_MAX 2048

static int reply_shortcut(const uint8_t *p, uint32_t n, struct server_reply *sr)
{
    if (n < 9 || p[0] != 0x16 || p[5] != 2)
        return REPLY_NEED_MORE;
    uint32_t rlen = (uint32_t)p[3] << 8 | p[4];
    uint32_t mlen = (uint32_t)p[6] << 16 | (uint32_t)p[7] << 8 | p[8];
    if (4 + mlen > rlen || 9 + mlen > n || 9 + mlen > SH_SHORTCUT_MAX || 4 + mlen == rlen)
        return REPLY_NEED_MORE; /* spans records, not all here yet, too big, or already alone */
    uint8_t rec[SH_SHORTCUT_MAX];
    memcpy(rec, p, 9 + mlen);
    rec[3] = (uint8_t)((4 + mlen) >> 8);
    rec[4] = (uint8_t)(4 + mlen);
    int st = server_reply_parse(rec, 9 + mlen, sr);
    return st == REPLY_SERVER_HELLO || st == REPLY_HELLO_RETRY ? st : REPLY_NEED_MORE;
}

/* Tries to complete the reply; emits and finishes the flow when decisive. */
static void try_reply(struct hs_tracker *t, struct flow *f, struct hs_flow *h)
{
    struct reasm *r = &h->r[f->client == 1 ? 0 : 1];
    if (!h->have_ch || r->contig == 0)
        return;
    int st = server_reply_parse(r->data, r->contig, &h->sr);
    if (st == REPLY_NEED_MORE)
        st = reply_shortcut(r->data, r->contig, &h->sr);
    if (st == REPLY_NEED_MORE) {
        if ((r->clipped && r->contig >= r->cap) || r->failed) {
            emit(t, f, h, HS_BAD_REPLY);
            flow_finish(t, f);
        }
        return;
    }
    enum hs_outcome o;
    switch (st) {
    case REPLY_SERVER_HELLO: o = HS_SERVER_HELLO; break;
    case REPLY_HELLO_RETRY: o = HS_HELLO_RETRY; break;
    case REPLY_ALERT: o = HS_ALERT; break;
    case REPLY_SSL2: o = HS_SSL2; break;
    default: o = HS_BAD_REPLY; break;
    }
    h->reply_status = st;
    emit(t, f, h, o);
    flow_finish(t, f);
}

static void try_hello(struct hs_tracker *t, struct flow *f, struct hs_flow *h, int64_t ts_us)
{
    struct reasm *r = &h->r[f->client == 1 ? 1 : 0];
    if (h->have_ch || r->contig == 0)
        return;
    size_t consumed = 0;
    struct tr_error err;
    int st = client_hello_from_records(r->data, r->contig, &h->ch, &consumed, &err);
    if (st == CH_NEED_MORE) {
        if ((r->clipped && r->contig >= r->cap) || r->failed) {
            t->stats.hello_incomplete++;
            flow_finish(t, f);
        }
        return;
    }
    if (st != CH_OK) {
        t->stats.hello_errors++;
        flow_finish(t, f);
        return;
    }
    h->have_ch = 1;
    h->ch_time_us = ts_us;
    reasm_fix_base(r);
    reasm_release(r); /* the hello is parsed; its bytes are no longer needed */
    r->failed = 1;    /* and later client bytes are not kept */
    try_reply(t, f, h);
}

/* First payload bytes of direction `dir` are in: TLS or not? Also settles the client. */
static int decide(struct flow *f, struct hs_flow *h, int dir)
{
    struct reasm *r = &h->r[dir];
    if (f->client == CLIENT_UNKNOWN) {
        int c = sniff_client(r->data, r->contig);
        if (c == SNIFF_YES) {
            f->client = (uint8_t)dir;
            return SNIFF_YES;
        }
        int s = sniff_server(r->data, r->contig);
        if (s == SNIFF_YES && (r->data[0] != 0x16 || r->data[5] == 2)) {
            f->client = (uint8_t)(1 - dir);
            return SNIFF_YES;
        }
        return c == SNIFF_MORE || s == SNIFF_MORE ? SNIFF_MORE : SNIFF_NO;
    }
    return f->client == dir ? sniff_client(r->data, r->contig) : sniff_server(r->data, r->contig);
}

static void flow_payload(struct hs_tracker *t, struct flow *f, int dir, int64_t ts_us, const struct tcp_segment *s)
{
    struct hs_flow *h = f->user;
    /* data on a SYN (TCP Fast Open) starts after the SYN's own sequence number */
    uint32_t seq = s->seq + ((s->flags & TCP_SYN) ? 1 : 0);
    if (!h && s->payload_len >= 6 && (!f->syn_seen[dir] || seq == f->isn[dir] + 1)) {
        /* the stream's first bytes, whole in this segment: most non-TLS flows
         * are turned away here, before any buffer is allocated */
        int d;
        if (f->client == CLIENT_UNKNOWN)
            d = sniff_client(s->payload, s->payload_len) == SNIFF_YES ||
                        sniff_server(s->payload, s->payload_len) == SNIFF_YES
                    ? SNIFF_YES
                    : SNIFF_NO;
        else
            d = f->client == dir ? sniff_client(s->payload, s->payload_len) : sniff_server(s->payload, s->payload_len);
        if (d == SNIFF_NO) {
            f->state = FS_DONE;
            return;
        }
    }
    if (!h) {
        if (!(h = hs_get(t))) {
            f->state = FS_DONE;
            return;
        }
        f->user = h;
        for (int d = 0; d < 2; d++)
            if (f->syn_seen[d])
                reasm_syn(&h->r[d], f->isn[d]);
    }
    struct reasm *r = &h->r[dir];
    uint32_t before = r->contig;
    reasm_add(r, seq, s->payload, s->payload_len);
    if (f->state == FS_NEW || f->client == CLIENT_UNKNOWN) {
        int d = decide(f, h, dir);
        if (d == SNIFF_NO) {
            f->state = FS_DONE; /* not TLS: nothing to count */
            flow_finish(t, f);
            return;
        }
        if (d == SNIFF_MORE && ((r->clipped && r->hi >= r->cap) || r->failed)) {
            flow_finish(t, f);
            return;
        }
        if (d == SNIFF_MORE)
            return;
        if (f->state == FS_NEW) {
            f->state = FS_TLS;
            t->stats.flows_tls++;
        }
        before = 0;
    }
    if (r->contig == before && !(r->clipped && r->hi >= r->cap))
        return; /* nothing new to parse */
    if (dir == f->client || (f->client == CLIENT_UNKNOWN && dir == 0))
        try_hello(t, f, h, ts_us);
    else
        try_reply(t, f, h);
}

void hs_tracker_segment(struct hs_tracker *t, int64_t ts_us, const struct tcp_segment *s)
{
    struct flow_key k;
    int dir;
    flow_key_of(s, &k, &dir);
    uint32_t hash = flow_key_hash(&k);
    t->now_us = ts_us;
    if (ts_us >= t->next_sweep_us) {
        if (t->next_sweep_us != INT64_MIN)
            flow_table_expire(&t->flows, ts_us - t->cfg.idle_timeout_us, on_expire, t);
        int64_t step = t->cfg.idle_timeout_us / 4;
        t->next_sweep_us = ts_us + (step > 1000000 ? step : 1000000);
    }
    struct flow *f = flow_find(&t->flows, &k, hash);
    if (f && (s->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && !(f->syn_seen[dir] && f->isn[dir] == s->seq)) {
        /* a new connection on the same 5-tuple (port reuse): the old one is over */
        flow_finish(t, f);
        flow_remove(&t->flows, f);
        f = NULL;
    }
    if (f) {
        f->last_us = ts_us;
        if (f->state == FS_DONE) {
            /* the fast path: no payload byte of a finished flow is touched */
            if ((s->flags & TCP_RST) || ((f->closed |= (uint8_t)((s->flags & TCP_FIN) ? 1 << dir : 0)) == 3))
                flow_remove(&t->flows, f);
            return;
        }
    } else {
        /* a bare ACK or FIN of a flow we never saw start tells nothing */
        if ((s->flags & TCP_RST) || (!(s->flags & TCP_SYN) && s->payload_len == 0))
            return;
        f = flow_add(&t->flows, &k, hash, FS_NEW);
        if (!f && ts_us != t->last_evict_us) {
            /* full: forget finished flows (nothing is pending on them) and
             * expire those idle for a quarter of the timeout; at most once per
             * capture timestamp, so a table full of live handshakes costs one
             * scan, not one per packet */
            t->last_evict_us = ts_us;
            flow_table_evict_state(&t->flows, FS_DONE);
            flow_table_expire(&t->flows, ts_us - t->cfg.idle_timeout_us / 4, on_expire, t);
            f = flow_add(&t->flows, &k, hash, FS_NEW);
        }
        if (!f) {
            t->stats.flows_dropped++;
            return;
        }
        t->stats.flows++;
        if (t->flows.count > t->stats.max_flows_seen)
            t->stats.max_flows_seen = t->flows.count;
        f->first_us = f->last_us = ts_us;
        f->client = CLIENT_UNKNOWN;
    }
    if (s->flags & TCP_SYN) {
        if (!f->syn_seen[dir]) {
            f->syn_seen[dir] = 1;
            f->isn[dir] = s->seq;
            if (f->user)
                reasm_syn(&((struct hs_flow *)f->user)->r[dir], s->seq);
        }
        if (f->client == CLIENT_UNKNOWN)
            f->client = (uint8_t)((s->flags & TCP_ACK) ? 1 - dir : dir);
    }
    if (s->payload_len > 0)
        flow_payload(t, f, dir, ts_us, s);
    if (f->state == FS_DONE)
        return;
    if (s->flags & (TCP_FIN | TCP_RST)) {
        f->closed |= (uint8_t)(1 << dir);
        /* the server closing, a reset or both FINs: no reply will come */
        if ((s->flags & TCP_RST) || f->closed == 3 || (f->client != CLIENT_UNKNOWN && dir != f->client))
            flow_finish(t, f);
    }
}

void hs_tracker_frame(struct hs_tracker *t, int linktype, int64_t ts_us, const uint8_t *frame, uint32_t caplen)
{
    struct tcp_segment s;
    enum pkt_status st = pcap_decode(linktype, frame, caplen, &s);
    t->stats.frames++;
    t->stats.frame_bytes += caplen;
    t->stats.status[st]++;
    if (st == PKT_TCP)
        hs_tracker_segment(t, ts_us, &s);
}

static void finish_visit(void *ctx, struct flow *f) { flow_finish(ctx, f); }

void hs_tracker_finish(struct hs_tracker *t)
{
    flow_table_each(&t->flows, finish_visit, t);
}

void hs_tracker_release(struct hs_tracker *t)
{
    flow_table_each(&t->flows, finish_visit, t);
    while (t->free_hs) {
        struct hs_flow *h = t->free_hs;
        t->free_hs = h->next_free;
        free(h);
    }
    flow_table_release(&t->flows);
}

const char *pcap_format_addr(uint8_t family, const uint8_t addr[16], char *buf, size_t cap)
{
    if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf, (socklen_t)cap))
        snprintf(buf, cap, "?");
    return buf;
}

const char *pcap_format_endpoint(uint8_t family, const uint8_t addr[16], uint16_t port, char *buf, size_t cap)
{
    char a[INET6_ADDRSTRLEN];
    pcap_format_addr(family, addr, a, sizeof a);
    if (family == 6)
        snprintf(buf, cap, "[%s]:%u", a, port);
    else
        snprintf(buf, cap, "%s:%u", a, port);
    return buf;
}

const char *hs_outcome_name(enum hs_outcome o)
{
    switch (o) {
    case HS_SERVER_HELLO: return "server_hello";
    case HS_HELLO_RETRY: return "hello_retry";
    case HS_ALERT: return "alert";
    case HS_SSL2: return "ssl2";
    case HS_NO_REPLY: return "no_reply";
    case HS_BAD_REPLY: return "bad_reply";
    }
    return "?";
}
