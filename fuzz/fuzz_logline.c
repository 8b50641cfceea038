/*
 * libFuzzer target for the access-log parsers: the first byte picks a format
 * (or, with the high bit set, makes the first line a custom format string
 * for the nginx/Apache/HAProxy/Envoy compilers); every following line goes
 * through the parser, the User-Agent classifier and format detection. The
 * whole input is also read as an nginx configuration.
 * Each line is also parsed as spans (what `logs` counts) and fed to a
 * combiner small enough to flush often; a line that both paths accept must
 * give the same version and client (the spans unescaped), or the target aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/aggregate.h"
#include "ingest/logfmt_combine.h"
#include "ingest/logfmt_core.h"
#include "ingest/useragent.h"
#include "tls/version.h"

/* Both paths accepted the line: they must agree. */
static void same_request(const struct observation *o, const struct logfmt_request *r)
{
    static char buf[LOGFMT_SCRATCH + 70000];
    if (o->version != r->version)
        abort();
    if (o->client_ip && r->client_ip.p && r->client_ip.n < sizeof buf) {
        logfmt_unescape(buf, r->client_ip.p, r->client_ip.n, r->escape);
        if (strcmp(buf, o->client_ip) != 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct logfmt_scratch scratch, scratch2;
    static struct tpl tpl;
    if (size < 1)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    struct tr_error err;
    struct logfmt_parser p;
    uint8_t sel = data[0];
    int kind = 1 + (sel & 0x7f) % (LOGFMT_KIND_COUNT - 1);

    char fmt[1024];
    int esc;
    nginx_conf_find_format(text, len, NULL, fmt, sizeof fmt, &esc, &err);

    const char *lines[16];
    size_t lens[16];
    int n = 0;
    const char *q = text, *e = text + len;
    if (sel & 0x80) {
        const char *nl = memchr(q, '\n', (size_t)(e - q));
        size_t fl = (size_t)((nl ? nl : e) - q);
        if (fl >= sizeof fmt)
            fl = sizeof fmt - 1;
        memcpy(fmt, q, fl);
        fmt[fl] = 0;
        q = nl ? nl + 1 : e;
        int rc;
        switch (sel & 3) {
        case 0: rc = tpl_compile_nginx(&tpl, fmt, (sel >> 2) & 1 ? ESC_JSON : ESC_NGINX, &err); break;
        case 1: rc = tpl_compile_apache(&tpl, fmt, &err); break;
        case 2: rc = tpl_compile_haproxy(&tpl, fmt, &err); break;
        default: rc = tpl_compile_envoy(&tpl, fmt, &err); break;
        }
        if (rc != 0)
            return 0;
        logfmt_parser_init_tpl(&p, &tpl);
    } else if (logfmt_parser_init(&p, kind, &err) != 0) {
        return 0;
    }
    struct agg_config cfg = {
        .dims = AGG_DIM_BIT(AGG_CLIENT_IP) | AGG_DIM_BIT(AGG_USER_AGENT) | AGG_DIM_BIT(AGG_SERVER) |
                AGG_DIM_BIT(AGG_DAY) | AGG_DIM_BIT(AGG_CIPHER),
        .min_version = TLSV_TLS12,
        .pairs = { { AGG_SERVER, AGG_CLIENT_IP, 1 } },
        .n_pairs = 1,
    };
    struct aggregate *agg = aggregate_new(&cfg);
    struct ua_cache *uac = ua_cache_new(16);
    struct combiner *comb = agg && uac ? combiner_new(8, agg, uac, sel & 0x40) : NULL;
    struct logfmt_parser p2 = p;
    while (q < e) {
        const char *nl = memchr(q, '\n', (size_t)(e - q));
        size_t ll = (size_t)((nl ? nl : e) - q);
        struct observation obs;
        int r = logfmt_parse(&p, q, ll, &obs, &scratch);
        struct logfmt_request req;
        int r2 = logfmt_parse_request(&p2, q, ll, &req, &scratch2);
        if (r == LOGFMT_OK && r2 == LOGFMT_OK)
            same_request(&obs, &req);
        if (r2 == LOGFMT_OK && comb)
            combiner_add(comb, &req);
        if (r == LOGFMT_OK && obs.user_agent) {
            char fam[64];
            useragent_family(obs.user_agent, strlen(obs.user_agent), fam, sizeof fam);
        }
        char fam2[32];
        useragent_family(q, ll, fam2, sizeof fam2);
        if (n < 16) {
            lines[n] = q;
            lens[n++] = ll;
        }
        q = nl ? nl + 1 : e;
    }
    if (n > 0)
        logfmt_detect(lines, lens, n, &err);
    if (comb)
        combiner_flush(comb);
    combiner_free(comb);
    ua_cache_free(uac);
    aggregate_free(agg);
    return 0;
}
