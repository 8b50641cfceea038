/*
 * AWS Elastic Load Balancing access logs: Application (ALB), Classic (CLB)
 * and Network (NLB) load balancers. Space-separated fields, quoted strings
 * count as one field; AWS appends new fields at the end over time, so extra
 * trailing fields are ignored. Client "ip:port" is written without brackets
 * for IPv6 and is split at the last colon. Positions (1-based):
 *
 *   ALB: 1 type, 2 time, 4 client:port, 14 "user_agent", 15 ssl_cipher,
 *        16 ssl_protocol, 19 "domain_name" (SNI)
 *   CLB: 1 time, 3 client:port, 13 "user_agent", 14 ssl_cipher, 15 ssl_protocol
 *   NLB: 1 "tls", 2 version, 3 time, 6 client:port, 9 tls_handshake_time,
 *        15 tls_cipher, 16 tls_protocol_version ("tlsv12"), 18 domain_name
 */
#include <string.h>

#include "ingest/logfmt_families.h"
#include "tls/version.h"

#define AWS_MAX_FIELDS 20

struct span {
    const char *p;
    size_t n;
};

/* Splits up to max fields; returns how many (more may follow), -1 on an unterminated quote. */
static int split_fields(const char *line, size_t len, struct span *f, int max)
{
    const char *p = line, *e = line + len;
    int n = 0;
    while (p < e && n < max) {
        if (*p == '"') {
            const char *q = p + 1;
            for (;;) {
                q = memchr(q, '"', (size_t)(e - q));
                if (!q)
                    return -1;
                if (q + 1 == e || q[1] == ' ')
                    break;
                q++;
            }
            f[n].p = p + 1;
            f[n].n = (size_t)(q - p - 1);
            n++;
            p = q + 1;
        } else {
            const char *q = memchr(p, ' ', (size_t)(e - p));
            if (!q)
                q = e;
            f[n].p = p;
            f[n].n = (size_t)(q - p);
            n++;
            p = q;
        }
        if (p < e) {
            if (*p != ' ')
                return -1;
            p++;
        }
    }
    return n;
}

static int is(const struct span *s, const char *w) { return s->n == strlen(w) && memcmp(s->p, w, s->n) == 0; }

static int alb_type_ok(const struct span *s)
{
    return is(s, "http") || is(s, "https") || is(s, "h2") || is(s, "grpcs") || is(s, "grpc") || is(s, "ws") ||
           is(s, "wss");
}

static int looks_iso(const struct span *s) { return s->n >= 19 && s->p[4] == '-' && s->p[10] == 'T'; }

static void put(struct logfmt_fields *f, int field, const struct span *s)
{
    f->p[field] = s->p;
    f->n[field] = s->n;
}

int aws_parse_line(struct logfmt_parser *p, const char *line, size_t len, struct observation *obs,
                   struct logfmt_scratch *s)
{
    struct span fs[AWS_MAX_FIELDS];
    struct logfmt_fields f;
    logfmt_fields_reset(&f);
    int n = split_fields(line, len, fs, AWS_MAX_FIELDS);
    if (n < 0) {
        p->why = "unterminated quoted field";
        return LOGFMT_BAD;
    }
    int failed_handshake = 0;
    switch (p->kind) {
    case LOGFMT_ALB:
        if (n < 16 || !alb_type_ok(&fs[0]) || !looks_iso(&fs[1])) {
            p->why = n < 16 ? "fewer than 16 fields (ALB)" : "not an ALB entry (type, time)";
            return LOGFMT_BAD;
        }
        put(&f, TF_TIME_ISO, &fs[1]);
        put(&f, TF_CLIENT_ADDR, &fs[3]);
        put(&f, TF_USER_AGENT, &fs[13]);
        put(&f, TF_CIPHER, &fs[14]);
        put(&f, TF_PROTOCOL, &fs[15]);
        if (n >= 19)
            put(&f, TF_SNI, &fs[18]);
        break;
    case LOGFMT_CLB:
        if (n < 15 || !looks_iso(&fs[0])) {
            p->why = n < 15 ? "fewer than 15 fields (Classic ELB)" : "not a Classic ELB entry (time)";
            return LOGFMT_BAD;
        }
        put(&f, TF_TIME_ISO, &fs[0]);
        put(&f, TF_CLIENT_ADDR, &fs[2]);
        put(&f, TF_USER_AGENT, &fs[12]);
        put(&f, TF_CIPHER, &fs[13]);
        put(&f, TF_PROTOCOL, &fs[14]);
        break;
    case LOGFMT_NLB:
        if (n < 16 || !is(&fs[0], "tls") || !looks_iso(&fs[2])) {
            p->why = n < 16 ? "fewer than 16 fields (NLB)" : "not an NLB TLS entry (type, time)";
            return LOGFMT_BAD;
        }
        put(&f, TF_TIME_ISO, &fs[2]);
        put(&f, TF_CLIENT_ADDR, &fs[5]);
        put(&f, TF_CIPHER, &fs[14]);
        put(&f, TF_PROTOCOL, &fs[15]);
        if (n >= 18)
            put(&f, TF_SNI, &fs[17]);
        /* one row per TLS connection: no handshake time means it did not complete */
        failed_handshake = is(&fs[8], "-");
        break;
    default:
        p->why = "not an AWS format";
        return LOGFMT_BAD;
    }
    int r = logfmt_fields_to_obs(p, &f, ESC_NONE, obs, s);
    if (!obs->client_ip) {
        p->why = "the client address is empty";
        return LOGFMT_BAD;
    }
    if (p->kind == LOGFMT_NLB && (failed_handshake || r == LOGFMT_PLAIN)) {
        obs->success = 0;
        obs->status = "handshake not completed";
        return LOGFMT_OK;
    }
    return r;
}
