/*
 * JSON-lines access logs: Caddy's (logger "http.log.access") and the lines
 * `tlsready serve --log` writes. A small bounded walker visits every scalar
 * with its dotted key path ("request.tls.version"); the parser keeps the
 * few paths it knows. Values are views into the line (strings still escaped).
 *
 *   Caddy: request.remote_ip (the TLS peer), request.client_ip,
 *          request.headers.User-Agent[0], request.host, request.tls.version
 *          (769..772), request.tls.cipher_suite (IANA number),
 *          request.tls.server_name, ts (epoch seconds). No "tls" on plain HTTP.
 *   serve: time, client ("ip:port"), sni, negotiated, max_offered, ja3, ja4,
 *          outcome ("accepted" / "refused..."), user_agent, cipher.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/logfmt_families.h"
#include "tls/registry.h"
#include "tls/version.h"

#define JPATH_MAX 96
#define JDEPTH_MAX 12

struct jval {
    const char *p;
    size_t n;
    int is_string;
    int present;
};

enum jkey {
    J_REMOTE_IP, J_CLIENT_IP, J_UA, J_HOST, J_TLS_VERSION, J_TLS_CIPHER, J_TLS_SNI, J_TS, J_HAS_TLS,
    J_TIME, J_CLIENT, J_SNI, J_NEGOTIATED, J_MAX_OFFERED, J_JA3, J_JA4, J_OUTCOME, J_SERVE_UA, J_CIPHER,
    J_LOGGER, J_REASON,
    J_COUNT
};

static const char *const jpaths[J_COUNT] = {
    [J_REMOTE_IP] = "request.remote_ip",
    [J_CLIENT_IP] = "request.client_ip",
    [J_UA] = "request.headers.User-Agent",
    [J_HOST] = "request.host",
    [J_TLS_VERSION] = "request.tls.version",
    [J_TLS_CIPHER] = "request.tls.cipher_suite",
    [J_TLS_SNI] = "request.tls.server_name",
    [J_TS] = "ts",
    [J_HAS_TLS] = "request.tls.resumed",
    [J_TIME] = "time",
    [J_CLIENT] = "client",
    [J_SNI] = "sni",
    [J_NEGOTIATED] = "negotiated",
    [J_MAX_OFFERED] = "max_offered",
    [J_JA3] = "ja3",
    [J_JA4] = "ja4",
    [J_OUTCOME] = "outcome",
    [J_SERVE_UA] = "user_agent",
    [J_CIPHER] = "cipher",
    [J_LOGGER] = "logger",
    [J_REASON] = "refused_reason",
};

struct jwalk {
    const char *e;
    char path[JPATH_MAX];
    size_t plen;
    struct jval v[J_COUNT];
    int bad;
};

static const char *ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

/* End of a string starting at p (p at the opening quote); NULL if unterminated. */
static const char *str_end(const char *p, const char *e)
{
    for (p++; p < e; p++) {
        if (*p == '\\') {
            p++;
            continue;
        }
        if (*p == '"')
            return p + 1;
    }
    return NULL;
}

static void visit(struct jwalk *w, const char *p, size_t n, int is_string)
{
    for (int k = 0; k < J_COUNT; k++)
        if (!w->v[k].present && strlen(jpaths[k]) == w->plen && memcmp(jpaths[k], w->path, w->plen) == 0) {
            w->v[k] = (struct jval){ p, n, is_string, 1 };
            return;
        }
}

static const char *value(struct jwalk *w, const char *p, int depth);

/*
 * After a member or an element: a ',' moves *pp past it and gives 1 (another
 * follows), `close` moves *pp past it and gives 0 (the end), anything else -1.
 */
static int next_item(struct jwalk *w, const char **pp, char close)
{
    const char *p = ws(*pp, w->e);
    if (p < w->e && *p == ',') {
        *pp = ws(p + 1, w->e);
        return 1;
    }
    if (p < w->e && *p == close) {
        *pp = p + 1;
        return 0;
    }
    return -1;
}

static const char *object(struct jwalk *w, const char *p, int depth)
{
    p = ws(p + 1, w->e);
    if (p < w->e && *p == '}')
        return p + 1;
    for (;;) {
        if (p >= w->e || *p != '"')
            return NULL;
        const char *ke = str_end(p, w->e);
        if (!ke)
            return NULL;
        size_t saved = w->plen, kn = (size_t)(ke - p - 2);
        if (w->plen + kn + 1 < sizeof w->path) {
            if (w->plen)
                w->path[w->plen++] = '.';
            memcpy(w->path + w->plen, p + 1, kn);
            w->plen += kn;
        } else {
            w->plen = sizeof w->path; /* too deep to match anything */
        }
        p = ws(ke, w->e);
        if (p >= w->e || *p != ':')
            return NULL;
        p = value(w, ws(p + 1, w->e), depth + 1);
        w->plen = saved;
        if (!p)
            return NULL;
        int more = next_item(w, &p, '}');
        if (more <= 0)
            return more == 0 ? p : NULL;
    }
}

static const char *array(struct jwalk *w, const char *p, int depth)
{
    p = ws(p + 1, w->e);
    if (p < w->e && *p == ']')
        return p + 1;
    size_t saved = w->plen;
    for (int i = 0;; i++) {
        if (i > 0)
            w->plen = sizeof w->path; /* only the first element keeps the path */
        p = value(w, p, depth + 1);
        w->plen = saved;
        if (!p)
            return NULL;
        int more = next_item(w, &p, ']');
        if (more <= 0)
            return more == 0 ? p : NULL;
    }
}

static const char *value(struct jwalk *w, const char *p, int depth)
{
    if (p >= w->e || depth > JDEPTH_MAX)
        return NULL;
    if (*p == '{')
        return object(w, p, depth);
    if (*p == '[')
        return array(w, p, depth);
    if (*p == '"') {
        const char *e = str_end(p, w->e);
        if (e)
            visit(w, p + 1, (size_t)(e - p - 2), 1);
        return e;
    }
    const char *q = p;
    while (q < w->e && *q != ',' && *q != '}' && *q != ']' && *q != ' ' && *q != '\t')
        q++;
    if (q == p)
        return NULL;
    visit(w, p, (size_t)(q - p), 0);
    return q;
}

static const char *take(const struct jval *v, struct logfmt_scratch *s)
{
    if (!v->present || v->n == 0 || (!v->is_string && v->n == 4 && memcmp(v->p, "null", 4) == 0))
        return NULL;
    return logfmt_scratch_put(s, v->p, v->n, v->is_string ? ESC_JSON : ESC_NONE);
}

static int64_t epoch_number(const struct jval *v)
{
    char buf[32];
    if (!v->present || v->is_string || v->n == 0 || v->n >= sizeof buf)
        return OBS_TIME_UNKNOWN;
    memcpy(buf, v->p, v->n);
    buf[v->n] = 0;
    char *end;
    double d = strtod(buf, &end);
    if (*end || d < 0 || d > 4e12)
        return OBS_TIME_UNKNOWN;
    return (int64_t)d;
}

static int parse_caddy(struct logfmt_parser *lp, struct jwalk *w, struct observation *obs, struct logfmt_scratch *s)
{
    const struct jval *ip = w->v[J_REMOTE_IP].present ? &w->v[J_REMOTE_IP] : &w->v[J_CLIENT_IP];
    obs->client_ip = take(ip, s);
    if (!obs->client_ip) {
        lp->why = "no request.remote_ip (not a Caddy access log entry)";
        return LOGFMT_BAD;
    }
    obs->time = epoch_number(&w->v[J_TS]);
    obs->user_agent = take(&w->v[J_UA], s);
    obs->server = take(&w->v[J_TLS_SNI], s);
    if (!obs->server) {
        const struct jval *h = &w->v[J_HOST];
        if (h->present && h->is_string)
            obs->server = logfmt_scratch_put(s, h->p, logfmt_addr_host_len(h->p, h->n), ESC_JSON);
    }
    obs->success = 1;
    const struct jval *v = &w->v[J_TLS_VERSION];
    if (!v->present)
        return LOGFMT_PLAIN;
    obs->version = logfmt_version(v->p, v->n);
    if (obs->version == TLSV_NONE)
        obs->version = TLSV_UNKNOWN;
    const struct jval *c = &w->v[J_TLS_CIPHER];
    if (c->present && !c->is_string && c->n < 8) {
        char num[8], hex[8];
        memcpy(num, c->p, c->n);
        num[c->n] = 0;
        uint16_t code = (uint16_t)(strtoul(num, NULL, 10) & 0xffff);
        const struct cipher_suite *cs = cipher_suite_lookup(code);
        snprintf(hex, sizeof hex, "0x%04X", code);
        const char *name = cs && cs->iana ? cs->iana : hex;
        obs->cipher = logfmt_scratch_put(s, name, strlen(name), ESC_NONE);
    }
    return LOGFMT_OK;
}

static int parse_serve(struct logfmt_parser *lp, struct jwalk *w, struct observation *obs, struct logfmt_scratch *s)
{
    const struct jval *c = &w->v[J_CLIENT];
    if (!c->present || !c->is_string || !w->v[J_OUTCOME].present) {
        lp->why = "no \"client\" or \"outcome\" (not a tlsready serve log line)";
        return LOGFMT_BAD;
    }
    size_t hl = logfmt_addr_host_len(c->p, c->n);
    const char *h = c->p;
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']')
        h++, hl -= 2;
    obs->client_ip = logfmt_scratch_put(s, h, hl, ESC_JSON);
    const struct jval *t = &w->v[J_TIME];
    obs->time = t->is_string ? logfmt_time_iso(&lp->tc, t->p, t->n) : epoch_number(t);
    obs->server = take(&w->v[J_SNI], s);
    obs->user_agent = take(&w->v[J_SERVE_UA], s);
    obs->cipher = take(&w->v[J_CIPHER], s);
    obs->fingerprint = take(w->v[J_JA4].present ? &w->v[J_JA4] : &w->v[J_JA3], s);
    const struct jval *o = &w->v[J_OUTCOME];
    obs->success = o->n >= 8 && memcmp(o->p, "accepted", 8) == 0 ? 1 : 0;
    if (!obs->success) {
        obs->status = take(&w->v[J_REASON], s);
        if (!obs->status)
            obs->status = take(o, s);
    }
    const struct jval *n = &w->v[J_NEGOTIATED];
    int v = n->present && n->is_string ? logfmt_version(n->p, n->n) : TLSV_NONE;
    obs->version = v == TLSV_NONE ? TLSV_UNKNOWN : v;
    const struct jval *m = &w->v[J_MAX_OFFERED];
    int mv = m->present && m->is_string ? logfmt_version(m->p, m->n) : TLSV_NONE;
    obs->max_offered = mv == TLSV_UNKNOWN ? TLSV_NONE : mv;
    return LOGFMT_OK;
}

int jsonlog_parse_line(struct logfmt_parser *p, const char *line, size_t len, struct observation *obs,
                       struct logfmt_scratch *s)
{
    struct jwalk w;
    memset(&w, 0, sizeof w);
    w.e = line + len;
    const char *q = ws(line, w.e);
    if (q >= w.e || *q != '{') {
        p->why = "not a JSON object";
        return LOGFMT_BAD;
    }
    q = object(&w, q, 0);
    if (!q || ws(q, w.e) != w.e) {
        p->why = "malformed JSON";
        return LOGFMT_BAD;
    }
    logfmt_obs_reset(obs);
    return p->kind == LOGFMT_CADDY ? parse_caddy(p, &w, obs, s) : parse_serve(p, &w, obs, s);
}
