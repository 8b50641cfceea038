/*
 * tls_engine_bench: single-thread throughput of the TLS engine's hot paths
 * (what the scanner and the passive side run per connection). Prints one
 * "name ops/s ns/op" line per operation. Inputs are the fuzz seeds:
 *
 *   tls_engine_bench fuzz/corpus/server_reply/flight_tls12_ecdhe.bin \
 *                    fuzz/corpus/certificate/rsa2048_selfsigned.der [SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tls/certificate.h"
#include "tls/client_hello.h"
#include "tls/client_hello_parse.h"
#include "tls/fingerprint.h"
#include "tls/server_reply.h"
#include "tls/version.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc(1 << 20);
    *len = f && buf ? fread(buf, 1, 1 << 20, f) : 0;
    if (f)
        fclose(f);
    if (*len == 0) {
        fprintf(stderr, "tls_engine_bench: cannot read %s\n", path);
        exit(2);
    }
    return buf;
}

struct ctx {
    const uint8_t *reply, *cert, *hello;
    size_t reply_len, cert_len, hello_len;
    uint8_t *scratch;
    volatile size_t sink;
};

static void op_build12(struct ctx *c)
{
    struct client_hello_config cfg;
    struct tr_error err;
    uint8_t small[2048];
    struct tr_buf b;
    client_hello_config_init(&cfg, TLSV_TLS12, TLSV_TLS10);
    cfg.sni = "www.example.com";
    tr_buf_init(&b, small, sizeof small);
    client_hello_build(&b, &cfg, &err);
    c->sink += b.len;
    tr_buf_free(&b);
}

static void op_build13(struct ctx *c)
{
    static const uint8_t key[32] = { 9 };
    struct client_hello_config cfg;
    struct tr_error err;
    uint8_t small[2048];
    struct tr_buf b;
    client_hello_config_init(&cfg, TLSV_TLS13, TLSV_TLS13);
    cfg.sni = "www.example.com";
    cfg.x25519_public = key;
    tr_buf_init(&b, small, sizeof small);
    client_hello_build(&b, &cfg, &err);
    c->sink += b.len;
    tr_buf_free(&b);
}

static void op_reply(struct ctx *c)
{
    struct server_reply r;
    c->sink += (size_t)server_reply_parse(c->reply, c->reply_len, &r) + r.cipher_suite;
}

static void op_flight(struct ctx *c)
{
    struct server_reply r;
    c->sink += (size_t)server_flight_parse(c->reply, c->reply_len, c->scratch, SERVER_FLIGHT_SCRATCH, &r) + r.n_certs;
}

static void op_hello_fp(struct ctx *c)
{
    static struct client_hello_info ch;
    struct tr_error err;
    char h[33], j[JA4_STR_MAX];
    size_t used;
    if (client_hello_from_records(c->hello, c->hello_len, &ch, &used, &err) == CH_OK &&
        ja3_hash(&ch, h) == 0 && ja4(&ch, 't', j) == 0)
        c->sink += (size_t)h[0] + (size_t)j[0];
}

static void op_cert(struct ctx *c)
{
    static struct cert_info ci;
    struct tr_error err;
    c->sink += (size_t)cert_info_from_der(c->cert, c->cert_len, &ci, &err) + (size_t)ci.key_bits;
}

int main(int argc, char **argv)
{
    static const struct { const char *name; void (*fn)(struct ctx *); } ops[] = {
        { "client_hello_build_tls12_default", op_build12 },
        { "client_hello_build_tls13", op_build13 },
        { "server_reply_parse_server_hello", op_reply },
        { "server_flight_parse_tls12_flight", op_flight },
        { "client_hello_parse_ja3_ja4", op_hello_fp },
        { "cert_info_from_der_rsa2048", op_cert },
    };
    struct ctx c = { 0 };
    double secs = argc > 3 ? atof(argv[3]) : 1.0;
    if (argc < 3) {
        fprintf(stderr, "usage: tls_engine_bench REPLY.bin CERT.der [SECONDS]\n");
        return 2;
    }
    c.reply = slurp(argv[1], &c.reply_len);
    c.cert = slurp(argv[2], &c.cert_len);
    c.scratch = malloc(SERVER_FLIGHT_SCRATCH);
    /* the passive side's input: our own TLS 1.3 hello (with the tls1.2 fallback list) */
    struct client_hello_config cfg;
    struct tr_error err;
    struct tr_buf hb;
    static const uint8_t key[32] = { 7 };
    static const char *const alpn[] = { "h2", "http/1.1" };
    client_hello_config_init(&cfg, TLSV_TLS13, TLSV_TLS12);
    cfg.sni = "www.example.com";
    cfg.x25519_public = key;
    cfg.alpn = alpn;
    cfg.n_alpn = 2;
    tr_buf_init(&hb, NULL, 0);
    if (c.scratch == NULL || client_hello_build(&hb, &cfg, &err) != 0)
        return 3;
    c.hello = hb.base;
    c.hello_len = hb.len;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        long n = 0;
        double t0 = now(), t;
        do {
            for (int k = 0; k < 100; k++)
                ops[i].fn(&c);
            n += 100;
            t = now() - t0;
        } while (t < secs);
        printf("%-36s %12.0f ops/s %10.0f ns/op\n", ops[i].name, (double)n / t, t * 1e9 / (double)n);
    }
    tr_buf_free(&hb);
    free(c.scratch);
    free((void *)c.reply);
    free((void *)c.cert);
    return c.sink == 0xdeadbeef;
}
