/*
 * tls_hello_probe: a debugging aid for the TLS engine. Builds one ClientHello
 * with client_hello_build(), sends it over a blocking socket, reads until
 * server_reply_parse()/server_flight_parse() decides, and prints the result
 * as "key: value" lines. No event loop, no retries: one hello, one answer.
 *
 *   tls_hello_probe --version tls1.2 [--min tls1.0] [--sni NAME] [--suites LIST]
 *                   [--groups LIST] [--fallback] [--flight] [--timeout SECS]
 *                   [--emit FILE] [--dump-reply FILE] HOST PORT
 *   tls_hello_probe --version tls1.3 --emit hello.bin    (write the hello, no network)
 *   tls_hello_probe --parse captured.bin                 (a client's hello: SNI, JA3, JA4)
 *
 * LIST is comma-separated: hex codes (0xc02f) or IANA/OpenSSL suite names,
 * group names (x25519, secp256r1). Exit: 0 decided, 2 usage, 3 network error.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "tls/certificate.h"
#include "tls/client_hello.h"
#include "tls/client_hello_parse.h"
#include "tls/registry.h"
#include "tls/server_reply.h"
#include "tls/fingerprint.h"
#include "tls/version.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: tls_hello_probe --version V [--min V] [--sni NAME] [--suites LIST] [--groups LIST]\n"
               "                       [--fallback] [--flight] [--timeout SECS] [--emit FILE] [--dump-reply FILE]\n"
               "                       [HOST PORT]\n"
               "       tls_hello_probe --parse FILE\n");
}

static int parse_list(const char *arg, uint16_t *out, size_t cap, int groups, size_t *n)
{
    char *copy = strdup(arg), *save = NULL, *tok;
    *n = 0;
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        long v = -1;
        if (strncmp(tok, "0x", 2) == 0 || strncmp(tok, "0X", 2) == 0) {
            v = strtol(tok, NULL, 16);
        } else if (groups) {
            const struct named_group *g = group_by_name(tok);
            v = g ? g->code : -1;
        } else {
            const struct cipher_suite *cs = cipher_suite_by_name(tok);
            v = cs ? cs->code : -1;
        }
        if (v < 0 || v > 0xffff || *n >= cap) {
            fprintf(stderr, "tls_hello_probe: unknown %s '%s'\n", groups ? "group" : "cipher suite", tok);
            free(copy);
            return -1;
        }
        out[(*n)++] = (uint16_t)v;
    }
    free(copy);
    return 0;
}

static int connect_to(const char *host, const char *port, int timeout)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
    int fd = -1, rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "tls_hello_probe: %s: %s\n", host, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        struct timeval tv = { .tv_sec = timeout };
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        fprintf(stderr, "tls_hello_probe: cannot connect to %s port %s: %s\n", host, port, strerror(errno));
    return fd;
}

static void print_reply(const struct server_reply *r, int flight)
{
    printf("status: %s\n", server_reply_status_name(r->status));
    if (r->status == REPLY_NOT_TLS || r->status == REPLY_MALFORMED)
        printf("reason: %s\noffset: %zu\n", r->reason, r->offset);
    if (r->have_alert)
        printf("alert: %u %u %s\n", r->alert_level, r->alert_description,
               tls_alert_name(r->alert_description) ? tls_alert_name(r->alert_description) : "unknown");
    if (r->status == REPLY_SSL2)
        printf("ssl2_version: 0x%04x\nssl2_ciphers: %u\nssl2_error: %d\n", r->ssl2_version, r->ssl2_n_ciphers,
               r->ssl2_error);
    if (r->have_server_hello) {
        const struct cipher_suite *cs = cipher_suite_lookup(r->cipher_suite);
        char ja3s[33] = "", ja3s_full[1024] = "", j4s[JA4_STR_MAX] = "";
        printf("record_version: 0x%04x\nserver_version: 0x%04x\n", r->record_version, r->server_version);
        printf("version: %s\n", r->selected_version >= 0 ? tls_version_name(r->selected_version) : "unknown");
        printf("cipher: 0x%04X %s %s\n", r->cipher_suite, cs ? cs->iana : "unknown",
               cs && cs->openssl ? cs->openssl : "-");
        if (r->selected_group) {
            const struct named_group *g = group_lookup(r->selected_group);
            printf("group: 0x%04x %s\n", r->selected_group, g ? g->name : "unknown");
        }
        printf("extensions:");
        for (size_t i = 0; i < r->n_extensions; i++)
            printf(" %u", r->extensions[i]);
        printf("\nrenegotiation_info: %d\n", r->renegotiation_info);
        ja3s_hash(r, ja3s);
        ja3s_string(r, ja3s_full, sizeof ja3s_full);
        ja4s(r, 't', j4s);
        printf("ja3s_full: %s\nja3s: %s\nja4s: %s\n", ja3s_full, ja3s, j4s);
    }
    if (flight && r->have_server_hello) {
        printf("certificates: %zu\n", r->n_certs);
        for (size_t i = 0; i < r->n_certs; i++) {
            struct cert_info ci;
            struct tr_error err;
            if (cert_info_from_der(r->certs[i].data, r->certs[i].len, &ci, &err) == 0)
                printf("cert[%zu]: subject=%s issuer=%s key=%s/%d sig=%s sha256=%s\n", i, ci.subject,
                       ci.issuer, ci.key_type, ci.key_bits, ci.sig_alg, ci.sha256);
            else
                printf("cert[%zu]: %s\n", i, err.msg);
        }
        if (r->have_server_key_exchange) {
            const struct named_group *g = group_lookup(r->ske.group);
            printf("ske_kind: %d\nske_group: %s\nske_dh_bits: %u\nske_sig_scheme: 0x%04x\n", r->ske.kind,
                   r->ske.group ? (g ? g->name : "unknown") : "-", r->ske.dh_p_bits, r->ske.sig_scheme);
        }
    }
}

/* What a passive observer (serve, pcap, tshark) computes from our own hello. */
static void print_hello_fingerprints(const uint8_t *hello, size_t len)
{
    static struct client_hello_info ch;
    char s[JA3_STR_MAX], h[33], j[JA4_STR_MAX];
    struct tr_error err;
    size_t used;
    if (client_hello_from_records(hello, len, &ch, &used, &err) != CH_OK) {
        fprintf(stderr, "tls_hello_probe: own hello does not parse: %s\n", err.msg);
        return;
    }
    if (ja3_string(&ch, s, sizeof s) == 0 && ja3_hash(&ch, h) == 0)
        printf("ja3_full: %s\nja3: %s\n", s, h);
    if (ja4(&ch, 't', j) == 0)
        printf("ja4: %s\n", j);
}

/* --parse FILE: a client's first bytes (as captured) through the passive side's parser. */
static int parse_file(const char *path)
{
    static uint8_t buf[1 << 17];
    static struct client_hello_info ch;
    char s[JA3_STR_MAX], h[33], j[JA4_STR_MAX];
    struct tr_error err;
    size_t used, n;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "tls_hello_probe: cannot open %s\n", path);
        return 2;
    }
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    int st = client_hello_from_records(buf, n, &ch, &used, &err);
    if (st != CH_OK) {
        printf("status: %s\n", st == CH_NEED_MORE ? "NEED_MORE" : "ERROR");
        if (st == CH_ERROR)
            printf("reason: %s\n", err.msg);
        return 0;
    }
    printf("status: OK\nconsumed: %zu\nsni: %s\nmax_offered: %s\nsuites: %zu\nextensions: %zu\n", used, ch.sni,
           ch.max_offered >= 0 ? tls_version_name(ch.max_offered) : "unknown", ch.n_suites, ch.n_extensions);
    printf("alpn:");
    for (size_t i = 0; i < ch.n_alpn; i++)
        printf(" %s", ch.alpn[i]);
    printf("\n");
    if (ja3_string(&ch, s, sizeof s) == 0 && ja3_hash(&ch, h) == 0)
        printf("ja3_full: %s\nja3: %s\n", s, h);
    if (ja4(&ch, 't', j) == 0)
        printf("ja4: %s\n", j);
    if (ja4_raw(&ch, 't', s, sizeof s) == 0)
        printf("ja4_r: %s\n", s);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "version", required_argument, NULL, 'v' }, { "min", required_argument, NULL, 'm' },
        { "sni", required_argument, NULL, 's' },     { "suites", required_argument, NULL, 'c' },
        { "groups", required_argument, NULL, 'g' },  { "fallback", no_argument, NULL, 'f' },
        { "flight", no_argument, NULL, 'F' },        { "timeout", required_argument, NULL, 't' },
        { "emit", required_argument, NULL, 'e' },    { "help", no_argument, NULL, 'h' },
        { "dump-reply", required_argument, NULL, 'd' },
        { "parse", required_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 },
    };
    static uint16_t suites[1024], groups[64];
    static uint8_t rx[SERVER_FLIGHT_SCRATCH], scratch[SERVER_FLIGHT_SCRATCH];
    struct client_hello_config cfg;
    int version = TLSV_TLS12, min = -1, flight = 0, fallback = 0, timeout = 5, c;
    size_t n_suites = 0, n_groups = 0;
    const char *sni = NULL, *emit = NULL, *dump = NULL, *parse = NULL;
    uint8_t key[32];
    struct tr_error err;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'v': version = tls_version_parse_option(optarg); break;
        case 'm': min = tls_version_parse_option(optarg); if (min < 0) min = -2; break;
        case 's': sni = optarg; break;
        case 'c': if (parse_list(optarg, suites, 1024, 0, &n_suites) != 0) return 2; break;
        case 'g': if (parse_list(optarg, groups, 64, 1, &n_groups) != 0) return 2; break;
        case 'f': fallback = 1; break;
        case 'F': flight = 1; break;
        case 't': timeout = atoi(optarg); break;
        case 'e': emit = optarg; break;
        case 'd': dump = optarg; break;
        case 'p': parse = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (parse)
        return parse_file(parse);
    if (version < 0 || min == -2 || (emit == NULL && argc - optind != 2)) {
        usage(stderr);
        return 2;
    }
    client_hello_config_init(&cfg, version, min >= 0 ? min : version);
    cfg.fallback_scsv = fallback;
    cfg.sni = sni;
    if (n_suites) {
        cfg.suites = suites;
        cfg.n_suites = n_suites;
    }
    if (n_groups) {
        cfg.groups = groups;
        cfg.n_groups = n_groups;
    }
    if (RAND_bytes(cfg.random, 32) != 1)
        return 3;
    if (version == TLSV_TLS13) {
        if (x25519_keypair(key, &err) != 0) {
            fprintf(stderr, "tls_hello_probe: %s\n", err.msg);
            return 3;
        }
        cfg.x25519_public = key;
    }
    struct tr_buf hello;
    tr_buf_init(&hello, NULL, 0);
    if (client_hello_build(&hello, &cfg, &err) != 0) {
        fprintf(stderr, "tls_hello_probe: %s\n", err.msg);
        return 2;
    }
    if (emit) {
        FILE *f = fopen(emit, "wb");
        int bad = f == NULL || fwrite(hello.base, 1, hello.len, f) != hello.len;
        if (f && fclose(f) != 0)
            bad = 1;
        if (bad) {
            tr_buf_free(&hello);
            fprintf(stderr, "tls_hello_probe: cannot write %s\n", emit);
            return 3;
        }
        print_hello_fingerprints(hello.base, hello.len);
        tr_buf_free(&hello);
        return 0;
    }
    int fd = connect_to(argv[optind], argv[optind + 1], timeout);
    if (fd < 0 || send(fd, hello.base, hello.len, MSG_NOSIGNAL) != (ssize_t)hello.len) {
        tr_buf_free(&hello);
        if (fd >= 0)
            close(fd);
        return 3;
    }
    printf("hello_bytes: %zu\n", hello.len);
    tr_buf_free(&hello);

    struct server_reply r;
    size_t have = 0;
    int st = REPLY_NEED_MORE;
    while (st == REPLY_NEED_MORE && have < sizeof rx) {
        ssize_t got = recv(fd, rx + have, sizeof rx - have, 0);
        if (got <= 0) {
            printf("status: %s\n", got == 0 ? "CLOSED" : "TIMEOUT");
            printf("bytes_received: %zu\n", have);
            close(fd);
            return 0;
        }
        have += (size_t)got;
        st = flight ? server_flight_parse(rx, have, scratch, sizeof scratch, &r) : server_reply_parse(rx, have, &r);
    }
    close(fd);
    if (dump) {
        FILE *f = fopen(dump, "wb");
        int bad = f == NULL || fwrite(rx, 1, have, f) != have;
        if (f && fclose(f) != 0)
            bad = 1;
        if (bad) {
            fprintf(stderr, "tls_hello_probe: cannot write %s\n", dump);
            return 3;
        }
    }
    print_reply(&r, flight);
    return 0;
}
