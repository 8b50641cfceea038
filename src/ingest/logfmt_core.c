/*
 * What every access-log family shares: format names, the scratch area that
 * holds a line's unescaped values, protocol spellings, timestamps and
 * "ip:port" splitting, and the dispatch from a parser to its family.
 */
#include "ingest/logfmt_core.h"

#include <string.h>

#include "ingest/logfmt_families.h"
#include "tls/version.h"

static const char *const kind_names[LOGFMT_KIND_COUNT] = {
    [LOGFMT_NONE] = "none",       [LOGFMT_NGINX] = "nginx",     [LOGFMT_APACHE] = "apache",
    [LOGFMT_HAPROXY] = "haproxy", [LOGFMT_ENVOY] = "envoy",     [LOGFMT_ALB] = "alb",
    [LOGFMT_CLB] = "clb",         [LOGFMT_NLB] = "nlb",         [LOGFMT_CLOUDFRONT] = "cloudfront",
    [LOGFMT_IIS] = "iis",         [LOGFMT_CADDY] = "caddy",     [LOGFMT_SERVE] = "serve",
};

const char *logfmt_kind_name(int kind)
{
    return kind > LOGFMT_NONE && kind < LOGFMT_KIND_COUNT ? kind_names[kind] : NULL;
}

int logfmt_kind_parse(const char *name)
{
    for (int k = LOGFMT_NONE + 1; k < LOGFMT_KIND_COUNT; k++)
        if (strcmp(name, kind_names[k]) == 0)
            return k;
    if (strcmp(name, "elb") == 0)
        return LOGFMT_CLB;
    if (strcmp(name, "httpd") == 0)
        return LOGFMT_APACHE;
    return LOGFMT_NONE;
}

void logfmt_obs_reset(struct observation *obs)
{
    memset(obs, 0, sizeof *obs);
    obs->time = OBS_TIME_UNKNOWN;
    obs->version = TLSV_UNKNOWN;
    obs->max_offered = TLSV_NONE;
    obs->success = -1;
}

void logfmt_scratch_reset(struct logfmt_scratch *s) { s->used = 0; }

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Appends code point cp as UTF-8 to d (room for 4 bytes checked by the caller). */
static size_t put_utf8(char *d, unsigned cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xc0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    d[0] = (char)(0xe0 | (cp >> 12));
    d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    d[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
}

/* Decodes one backslash escape at v[i] (v[i] == '\\'); returns bytes consumed
 * and writes the decoded bytes to d (at most 4), *dn their count. */
static size_t unescape_one(const char *v, size_t i, size_t n, int escape, char *d, size_t *dn)
{
    *dn = 1;
    d[0] = '\\';
    if (i + 1 >= n)
        return 1;
    char c = v[i + 1];
    if (c == 'x' && escape != ESC_JSON) {
        if (i + 3 < n) {
            int h = hexval(v[i + 2]), l = hexval(v[i + 3]);
            if (h >= 0 && l >= 0) {
                d[0] = (char)(h << 4 | l);
                return 4;
            }
        }
        return 1;
    }
    if (escape == ESC_NGINX)
        return 1; /* nginx escapes only as \xHH */
    switch (c) {
    case '"': d[0] = '"'; return 2;
    case '\\': d[0] = '\\'; return 2;
    case 'n': d[0] = '\n'; return 2;
    case 't': d[0] = '\t'; return 2;
    case 'r': d[0] = '\r'; return 2;
    case '/': d[0] = '/'; return 2;
    case 'b': d[0] = '\b'; return 2;
    case 'f': d[0] = '\f'; return 2;
    case 'u':
        if (escape == ESC_JSON && i + 5 < n) {
            unsigned cp = 0;
            for (size_t k = 2; k < 6; k++) {
                int h = hexval(v[i + k]);
                if (h < 0)
                    return 1;
                cp = cp << 4 | (unsigned)h;
            }
            if (cp >= 0xd800 && cp < 0xe000)
                cp = 0xfffd; /* a lone surrogate half: no pairing here, replace */
            *dn = put_utf8(d, cp);
            return 6;
        }
        return 1;
    default:
        return 1;
    }
}

size_t logfmt_unescape(char *out, const char *v, size_t n, int escape)
{
    size_t o = 0;
    if (escape == ESC_URL || escape == ESC_URL_PLUS) {
        for (size_t i = 0; i < n; i++) {
            int h, l;
            if (v[i] == '%' && i + 2 < n && (h = hexval(v[i + 1])) >= 0 && (l = hexval(v[i + 2])) >= 0) {
                out[o++] = (char)(h << 4 | l);
                i += 2;
            } else {
                out[o++] = escape == ESC_URL_PLUS && v[i] == '+' ? ' ' : v[i];
            }
        }
        out[o] = 0;
        return o;
    }
    if (escape == ESC_NONE || !memchr(v, '\\', n)) {
        memcpy(out, v, n);
        out[n] = 0;
        return n;
    }
    for (size_t i = 0; i < n;) {
        if (v[i] != '\\') {
            out[o++] = v[i++];
            continue;
        }
        char d[4];
        size_t dn;
        i += unescape_one(v, i, n, escape, d, &dn);
        if (o + dn > n) /* \uXXXX (6 bytes) never decodes to more than 3: cannot happen */
            break;
        memcpy(out + o, d, dn);
        o += dn;
    }
    out[o] = 0;
    return o;
}

const char *logfmt_scratch_put(struct logfmt_scratch *s, const char *v, size_t n, int escape)
{
    if (n >= sizeof s->buf - s->used)
        return NULL;
    char *out = s->buf + s->used;
    s->used += logfmt_unescape(out, v, n, escape) + 1;
    return out;
}

static int lower_eq(const char *s, size_t n, const char *lit)
{
    size_t ln = strlen(lit);
    if (n != ln)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != lit[i])
            return 0;
    return 1;
}

int logfmt_version(const char *s, size_t n)
{
    if (n == 0 || (n == 1 && s[0] == '-'))
        return TLSV_NONE;
    /* the common OpenSSL spellings first: this runs once per log line */
    if (n >= 5 && s[0] == 'T' && s[1] == 'L' && s[2] == 'S' && s[3] == 'v' && s[4] == '1') {
        if (n == 5)
            return TLSV_TLS10;
        if (n == 7 && s[5] == '.' && s[6] >= '0' && s[6] <= '3')
            return TLSV_TLS10 + (s[6] - '0');
    }
    /* AWS NLB "tlsv12", Zeek "TLSv12": no dot */
    if (n >= 4 && lower_eq(s, 4, "tlsv")) {
        if (n == 6 && s[4] == '1' && s[5] >= '0' && s[5] <= '3')
            return TLSV_TLS10 + (s[5] - '0');
        if (n == 5 && s[4] == '1')
            return TLSV_TLS10;
    }
    int v = tls_version_parse(s, n);
    return v == TLSV_NONE ? TLSV_UNKNOWN : v;
}

int logfmt_version_schannel(const char *s, size_t n)
{
    if (n == 0 || (n == 1 && s[0] == '-'))
        return TLSV_NONE;
    /* Schannel SP_PROT_*_SERVER bits, logged in hex without 0x */
    unsigned long x = 0;
    for (size_t i = 0; i < n; i++) {
        int h = hexval(s[i]);
        if (h < 0 || i >= 8)
            return TLSV_UNKNOWN;
        x = x << 4 | (unsigned long)h;
    }
    switch (x) {
    case 0x10: return TLSV_SSL3;
    case 0x40: return TLSV_TLS10;
    case 0x100: return TLSV_TLS11;
    case 0x400: return TLSV_TLS12;
    case 0x1000: return TLSV_TLS13;
    default: return TLSV_UNKNOWN;
    }
}

int64_t logfmt_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Howard Hinnant's days_from_civil */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int month_index(const char *m)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int i = 0; i < 12; i++)
        if (m[0] == names[i * 3] && m[1] == names[i * 3 + 1] && m[2] == names[i * 3 + 2])
            return i + 1;
    return 0;
}

static int64_t civil_seconds(int y, int mo, int d, int h, int mi, int se)
{
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return OBS_TIME_UNKNOWN;
    return logfmt_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
}

static int cache_hit(struct logfmt_time_cache *c, const char *s, size_t n, int64_t *v)
{
    if (c && c->key_len == n && memcmp(c->key, s, n) == 0) {
        *v = c->value;
        return 1;
    }
    return 0;
}

static int64_t cache_put(struct logfmt_time_cache *c, const char *s, size_t n, int64_t v)
{
    if (c && n <= sizeof c->key) {
        memcpy(c->key, s, n);
        c->key_len = (uint8_t)n;
        c->value = v;
    }
    return v;
}

/* "+0100" / "-0530" / "+01:00" -> seconds east of UTC; -1 on error via *ok */
static int tz_offset(const char *s, size_t n, int *secs)
{
    int hh, mm;
    if (n == 5 && digits(s + 1, 2, &hh) == 0 && digits(s + 3, 2, &mm) == 0) {
    } else if (n == 6 && s[3] == ':' && digits(s + 1, 2, &hh) == 0 && digits(s + 4, 2, &mm) == 0) {
    } else {
        return -1;
    }
    if (s[0] != '+' && s[0] != '-')
        return -1;
    *secs = (hh * 3600 + mm * 60) * (s[0] == '-' ? -1 : 1);
    return 0;
}

int64_t logfmt_time_clf(struct logfmt_time_cache *c, const char *s, size_t n)
{
    /* 03/Nov/2026:14:05:11 +0000 */
    int64_t v;
    if (cache_hit(c, s, n, &v))
        return v;
    int d, y, h, mi, se, off;
    if (n != 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':' || s[20] != ' ')
        return OBS_TIME_UNKNOWN;
    int mo = month_index(s + 3);
    if (!mo || digits(s, 2, &d) || digits(s + 7, 4, &y) || digits(s + 12, 2, &h) || digits(s + 15, 2, &mi) ||
        digits(s + 18, 2, &se) || tz_offset(s + 21, 5, &off))
        return OBS_TIME_UNKNOWN;
    v = civil_seconds(y, mo, d, h, mi, se);
    if (v == OBS_TIME_UNKNOWN)
        return v;
    return cache_put(c, s, n, v - off);
}

int64_t logfmt_time_haproxy(struct logfmt_time_cache *c, const char *s, size_t n)
{
    /* 03/Nov/2026:14:05:11.204: HAProxy logs local time without a zone; taken as UTC */
    int64_t v;
    if (n < 20)
        return OBS_TIME_UNKNOWN;
    n = 20;
    if (cache_hit(c, s, n, &v))
        return v;
    int d, y, h, mi, se;
    if (s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':')
        return OBS_TIME_UNKNOWN;
    int mo = month_index(s + 3);
    if (!mo || digits(s, 2, &d) || digits(s + 7, 4, &y) || digits(s + 12, 2, &h) || digits(s + 15, 2, &mi) ||
        digits(s + 18, 2, &se))
        return OBS_TIME_UNKNOWN;
    v = civil_seconds(y, mo, d, h, mi, se);
    return v == OBS_TIME_UNKNOWN ? v : cache_put(c, s, n, v);
}

int64_t logfmt_time_iso(struct logfmt_time_cache *c, const char *s, size_t n)
{
    /* 2026-11-03T14:05:11[.frac][Z|+hh:mm|+hhmm]; also "2026-11-03 14:05:11" */
    int64_t v;
    if (n < 19)
        return OBS_TIME_UNKNOWN;
    int y, mo, d, h, mi, se, off = 0;
    if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        return OBS_TIME_UNKNOWN;
    size_t p = 19;
    while (p < n && (s[p] == '.' || (s[p] >= '0' && s[p] <= '9')))
        p++;
    const char *tz = s + p;
    size_t tzn = n - p;
    if (tzn == 1 && (*tz == 'Z' || *tz == 'z'))
        off = 0;
    else if (tzn && tz_offset(tz, tzn, &off))
        return OBS_TIME_UNKNOWN;
    /* cache on the text up to the second plus the zone */
    char key[32];
    size_t kn = 19 + tzn;
    if (kn <= sizeof key) {
        memcpy(key, s, 19);
        memcpy(key + 19, tz, tzn);
        if (cache_hit(c, key, kn, &v))
            return v;
    }
    if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) || digits(s + 11, 2, &h) ||
        digits(s + 14, 2, &mi) || digits(s + 17, 2, &se))
        return OBS_TIME_UNKNOWN;
    v = civil_seconds(y, mo, d, h, mi, se);
    if (v == OBS_TIME_UNKNOWN)
        return v;
    v -= off;
    return kn <= sizeof key ? cache_put(c, key, kn, v) : v;
}

size_t logfmt_addr_host_len(const char *s, size_t n)
{
    if (n && s[0] == '[') {
        const char *rb = memchr(s, ']', n);
        return rb ? (size_t)(rb - s) + 1 : n;
    }
    const char *colon = NULL;
    for (size_t i = n; i > 0; i--)
        if (s[i - 1] == ':') {
            colon = s + i - 1;
            break;
        }
    if (!colon)
        return n;
    for (const char *q = colon + 1; q < s + n; q++)
        if (*q < '0' || *q > '9')
            return n; /* not a port */
    return colon == s + n - 1 ? n : (size_t)(colon - s);
}

/* ---- fields to observation ------------------------------------------------ */

static int is_dash(const char *p, size_t n) { return n == 0 || (n == 1 && p[0] == '-'); }

int logfmt_fields_select(struct logfmt_parser *lp, const struct logfmt_fields *f, int escape,
                         struct logfmt_request *r)
{
    memset(r, 0, sizeof *r);
    r->escape = escape;
    r->time = OBS_TIME_UNKNOWN;
    r->max_offered = TLSV_NONE;
    const char *p;
    size_t n;

    p = f->p[TF_CLIENT_IP], n = f->n[TF_CLIENT_IP];
    if (!p) {
        p = f->p[TF_CLIENT_ADDR], n = f->n[TF_CLIENT_ADDR];
        if (p)
            n = logfmt_addr_host_len(p, n);
    }
    if (p && n >= 2 && p[0] == '[' && p[n - 1] == ']')
        p++, n -= 2;
    if (p && !is_dash(p, n))
        r->client_ip = (struct logfmt_span){ p, n };

    if (f->p[TF_TIME_CLF])
        r->time = logfmt_time_clf(&lp->tc, f->p[TF_TIME_CLF], f->n[TF_TIME_CLF]);
    else if (f->p[TF_TIME_CLF_BR] && f->n[TF_TIME_CLF_BR] == 28)
        r->time = logfmt_time_clf(&lp->tc, f->p[TF_TIME_CLF_BR] + 1, 26);
    else if (f->p[TF_TIME_ISO])
        r->time = logfmt_time_iso(&lp->tc, f->p[TF_TIME_ISO], f->n[TF_TIME_ISO]);
    else if (f->p[TF_TIME_HAPROXY])
        r->time = logfmt_time_haproxy(&lp->tc, f->p[TF_TIME_HAPROXY], f->n[TF_TIME_HAPROXY]);

    p = f->p[TF_SNI], n = f->n[TF_SNI];
    if (!p || is_dash(p, n)) {
        p = f->p[TF_HOST], n = f->n[TF_HOST];
        if (p && !is_dash(p, n))
            n = logfmt_addr_host_len(p, n);
    }
    if (p && !is_dash(p, n))
        r->server = (struct logfmt_span){ p, n };

    p = f->p[TF_USER_AGENT], n = f->n[TF_USER_AGENT];
    if (p && !is_dash(p, n))
        r->user_agent = (struct logfmt_span){ p, n };

    p = f->p[TF_CIPHER], n = f->n[TF_CIPHER];
    if (p && !is_dash(p, n))
        r->cipher = (struct logfmt_span){ p, n };

    p = f->p[TF_PROTOCOL], n = f->n[TF_PROTOCOL];
    int v = p ? logfmt_version(p, n) : TLSV_NONE;
    r->success = 1; /* an access-log line is a request over an established connection */
    if (v == TLSV_NONE) {
        r->version = TLSV_UNKNOWN;
        return LOGFMT_PLAIN;
    }
    r->version = v;
    return LOGFMT_OK;
}

/* A span into the scratch, unescaped; NULL when absent (or when the scratch is full). */
static const char *span_put(struct logfmt_scratch *s, struct logfmt_span sp, int escape)
{
    return sp.p ? logfmt_scratch_put(s, sp.p, sp.n, escape) : NULL;
}

int logfmt_fields_to_obs(struct logfmt_parser *lp, const struct logfmt_fields *f, int escape,
                         struct observation *obs, struct logfmt_scratch *s)
{
    struct logfmt_request r;
    int rc = logfmt_fields_select(lp, f, escape, &r);
    logfmt_obs_reset(obs);
    obs->client_ip = span_put(s, r.client_ip, escape);
    obs->time = r.time;
    obs->server = span_put(s, r.server, escape);
    obs->user_agent = span_put(s, r.user_agent, escape);
    obs->cipher = span_put(s, r.cipher, escape);
    obs->success = r.success;
    obs->version = r.version;
    return rc;
}

static struct logfmt_span str_span(const char *s) { return (struct logfmt_span){ s, s ? strlen(s) : 0 }; }

void logfmt_request_from_obs(const struct observation *o, struct logfmt_request *r)
{
    r->client_ip = str_span(o->client_ip);
    r->server = str_span(o->server);
    r->user_agent = str_span(o->user_agent);
    r->cipher = str_span(o->cipher);
    r->fingerprint = str_span(o->fingerprint);
    r->status = str_span(o->status);
    r->escape = ESC_NONE;
    r->version = o->version;
    r->max_offered = o->max_offered;
    r->success = o->success;
    r->time = o->time;
}

/* ---- dispatch ---------------------------------------------------------------- */

int logfmt_parser_init(struct logfmt_parser *p, int kind, struct tr_error *err)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    switch (kind) {
    case LOGFMT_NGINX:
        return tpl_compile_nginx(&p->tpl, LOGFMT_NGINX_PRESET, ESC_NGINX, err);
    case LOGFMT_APACHE:
        return tpl_compile_apache(&p->tpl, LOGFMT_APACHE_PRESET, err);
    case LOGFMT_HAPROXY:
        return tpl_compile_haproxy(&p->tpl, LOGFMT_HAPROXY_PRESET, err);
    case LOGFMT_ENVOY:
        return tpl_compile_envoy(&p->tpl, LOGFMT_ENVOY_PRESET, err);
    case LOGFMT_CLOUDFRONT:
        p->w3c.sep = '\t';
        return 0;
    case LOGFMT_IIS:
        p->w3c.sep = ' ';
        return 0;
    case LOGFMT_ALB:
    case LOGFMT_CLB:
    case LOGFMT_NLB:
    case LOGFMT_CADDY:
    case LOGFMT_SERVE:
        return 0;
    default:
        return tr_errorf(err, "unknown log format %d", kind);
    }
}

void logfmt_parser_init_tpl(struct logfmt_parser *p, const struct tpl *t)
{
    memset(p, 0, sizeof *p);
    p->kind = t->kind;
    p->tpl = *t;
}

int logfmt_is_stateless(const struct logfmt_parser *p)
{
    return p->kind != LOGFMT_CLOUDFRONT && p->kind != LOGFMT_IIS;
}

int logfmt_parse(struct logfmt_parser *p, const char *line, size_t len, struct observation *obs,
                 struct logfmt_scratch *s)
{
    s->used = 0;
    p->why = NULL;
    switch (p->kind) {
    case LOGFMT_NGINX:
    case LOGFMT_APACHE:
    case LOGFMT_HAPROXY:
    case LOGFMT_ENVOY:
        return tpl_parse_line(p, line, len, obs, s);
    case LOGFMT_ALB:
    case LOGFMT_CLB:
    case LOGFMT_NLB:
        return aws_parse_line(p, line, len, obs, s);
    case LOGFMT_CLOUDFRONT:
    case LOGFMT_IIS:
        return w3c_parse_line(p, line, len, obs, s);
    case LOGFMT_CADDY:
    case LOGFMT_SERVE:
        return jsonlog_parse_line(p, line, len, obs, s);
    default:
        p->why = "no log format chosen";
        return LOGFMT_BAD;
    }
}

int logfmt_parse_request(struct logfmt_parser *p, const char *line, size_t len, struct logfmt_request *r,
                         struct logfmt_scratch *s)
{
    switch (p->kind) {
    case LOGFMT_NGINX:
    case LOGFMT_APACHE:
    case LOGFMT_HAPROXY:
    case LOGFMT_ENVOY:
        s->used = 0;
        p->why = NULL;
        return tpl_parse_request(p, line, len, r, s);
    default: {
        struct observation obs;
        int rc = logfmt_parse(p, line, len, &obs, s);
        if (rc == LOGFMT_OK || rc == LOGFMT_PLAIN)
            logfmt_request_from_obs(&obs, r);
        return rc;
    }
    }
}
