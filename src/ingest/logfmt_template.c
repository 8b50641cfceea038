/*
 * The template engine behind nginx, Apache, HAProxy and Envoy formats: a
 * format compiles to literal segments and variables (lit0 var1 lit1 ... varN
 * litN), and a line is matched against it without regular expressions.
 *
 * A variable's value ends at the first occurrence of the literal that follows
 * it (or after its fixed length: timestamps), as nginx writes values: quoted
 * values cannot contain a raw '"' (nginx escapes it as \x22; in json and Apache
 * modes a '"' after an odd number of backslashes is part of the value).
 *
 * Speed: a line is matched from both ends. Variables before the longest run of
 * unneeded ones (usually "$request" ... "$http_referer") are matched forward,
 * those after it backward from the end of the line, and the run in between is
 * never scanned. Each search is memchr/memrchr for the literal's first byte.
 */
#include <string.h>

#include "ingest/logfmt_families.h"

void tpl_begin(struct tpl *t, int kind, int escape)
{
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->escape = (uint8_t)escape;
}

int tpl_lit(struct tpl *t, const char *s, size_t n, struct tr_error *err)
{
    if (n > sizeof t->lits - t->lits_used)
        return tr_errorf(err, "format too long: literal text over %zu bytes", sizeof t->lits);
    memcpy(t->lits + t->lits_used, s, n);
    t->lits_used += (uint16_t)n;
    if (t->n_vars == 0)
        t->lit0_len += (uint16_t)n;
    else
        t->vars[t->n_vars].lit_len += (uint16_t)n;
    return 0;
}

int tpl_var(struct tpl *t, int field, int fixed_len, const char *name, size_t name_len, struct tr_error *err)
{
    if (t->n_vars > 0 && t->vars[t->n_vars].lit_len == 0 && !t->vars[t->n_vars].fixed_len)
        return tr_errorf(err, "variable '%.*s' follows another with nothing between them: cannot tell where one ends",
                         (int)name_len, name);
    if (t->n_vars >= TPL_MAX_VARS)
        return tr_errorf(err, "format has more than %d variables", TPL_MAX_VARS);
    struct tpl_var *v = &t->vars[++t->n_vars];
    memset(v, 0, sizeof *v);
    v->field = (uint8_t)field;
    v->fixed_len = (uint8_t)fixed_len;
    v->lit_off = t->lits_used;
    if (field != TF_SKIP)
        t->have |= 1u << field;
    return 0;
}

int tpl_lit_until_directive(struct tpl *t, const char **pp, int c_escapes, struct tr_error *err)
{
    const char *p = *pp;
    while (*p && !(*p == '%' && p[1] != '%')) {
        char c = *p;
        size_t step = 1;
        if (*p == '\\' && p[1]) {
            c = c_escapes && p[1] == 't' ? '\t' : c_escapes && p[1] == 'n' ? '\n' : p[1];
            step = 2;
        } else if (*p == '%') { /* "%%" */
            step = 2;
        }
        if (tpl_lit(t, &c, 1, err))
            return -1;
        p += step;
    }
    *pp = p;
    return 0;
}

static size_t prev_lit_len(const struct tpl *t, int j) { return j == 1 ? t->lit0_len : t->vars[j - 1].lit_len; }

int tpl_finish(struct tpl *t, struct tr_error *err)
{
    int n = t->n_vars;
    if (n == 0)
        return tr_errorf(err, "format has no variables");
    /* the longest run of variables we do not need, that the backward pass can reach past */
    int best_a = 0, best_b = -1;
    for (int a = 1; a <= n;) {
        if (t->vars[a].field != TF_SKIP) {
            a++;
            continue;
        }
        int b = a;
        while (b + 1 <= n && t->vars[b + 1].field == TF_SKIP)
            b++;
        int ok = 1;
        for (int j = b + 1; j <= n; j++)
            if (prev_lit_len(t, j) == 0 && !t->vars[j].fixed_len)
                ok = 0;
        if (ok && b - a >= best_b - best_a)
            best_a = a, best_b = b;
        a = b + 1;
    }
    if (best_b < best_a) {
        t->fwd_end = n;
        t->bwd_begin = n + 1;
    } else {
        t->fwd_end = best_a - 1;
        t->bwd_begin = best_b + 1;
    }
    return 0;
}

/* Literals are short (" ", "\" \"", "] \""): an inline loop beats a libc call per candidate. */
static inline int lit_eq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

/* Is the quote at c preceded by an odd number of backslashes (after lo)? */
static int escaped_at(const char *lo, const char *c)
{
    size_t k = 0;
    while (c - k > lo && c[-(ptrdiff_t)k - 1] == '\\')
        k++;
    return k & 1;
}

static const char *find_fwd(const char *p, const char *e, const char *lit, size_t ll, int esc)
{
    const char *lo = p;
    while ((size_t)(e - p) >= ll) {
        const char *c = memchr(p, lit[0], (size_t)(e - p) - ll + 1);
        if (!c)
            return NULL;
        if (lit_eq(c + 1, lit + 1, ll - 1) && !(esc && lit[0] == '"' && escaped_at(lo, c)))
            return c;
        p = c + 1;
    }
    return NULL;
}

/* Last occurrence of lit inside [lo, hi). */
static const char *find_bwd(const char *lo, const char *hi, const char *lit, size_t ll, int esc)
{
    while ((size_t)(hi - lo) >= ll) {
        const char *c = memrchr(lo, lit[0], (size_t)(hi - lo) - ll + 1);
        if (!c)
            return NULL;
        if (lit_eq(c + 1, lit + 1, ll - 1) && !(esc && lit[0] == '"' && escaped_at(lo, c)))
            return c;
        hi = c + ll - 1;
    }
    return NULL;
}

static inline void store(struct logfmt_fields *f, int field, const char *p, size_t n)
{
    f->p[field] = p;
    f->n[field] = n;
}

int tpl_match(const struct tpl *t, const char *line, size_t len, struct logfmt_fields *f, const char **why)
{
    const char *e = line + len, *p = line;
    const char *L = t->lits;
    int esc = t->escape == ESC_JSON || t->escape == ESC_BACKSLASH;
    int n = t->n_vars;
    if (len < t->lit0_len || !lit_eq(line, L, t->lit0_len)) {
        *why = "the line does not start as the format does";
        return -1;
    }
    p += t->lit0_len;
    for (int i = 1; i <= t->fwd_end; i++) {
        const struct tpl_var *v = &t->vars[i];
        const char *lit = L + v->lit_off;
        size_t ll = v->lit_len;
        const char *ve;
        if (i == n) {
            if ((size_t)(e - p) < ll || !lit_eq(e - ll, lit, ll)) {
                *why = "the line does not end as the format does";
                return -1;
            }
            ve = e - ll;
        } else if (v->fixed_len) {
            if ((size_t)(e - p) < v->fixed_len + ll || !lit_eq(p + v->fixed_len, lit, ll)) {
                *why = "a fixed-width field (timestamp) is malformed";
                return -1;
            }
            ve = p + v->fixed_len;
        } else {
            ve = find_fwd(p, e, lit, ll, esc);
            if (!ve) {
                *why = "a separator of the format is missing";
                return -1;
            }
        }
        if (v->fixed_len && ve - p != v->fixed_len) {
            *why = "a fixed-width field (timestamp) is malformed";
            return -1;
        }
        store(f, v->field, p, (size_t)(ve - p));
        p = ve + ll;
    }
    if (t->bwd_begin > n)
        return 0;
    const char *q = e;
    {
        const struct tpl_var *last = &t->vars[n];
        size_t ll = last->lit_len;
        if ((size_t)(q - p) < ll || !lit_eq(q - ll, L + last->lit_off, ll)) {
            *why = "the line does not end as the format does";
            return -1;
        }
        q -= ll;
    }
    for (int j = n; j >= t->bwd_begin; j--) {
        const struct tpl_var *v = &t->vars[j];
        const char *pl = j == 1 ? L : L + t->vars[j - 1].lit_off;
        size_t pll = prev_lit_len(t, j);
        const char *vs;
        if (j == t->fwd_end + 1) {
            vs = p;
        } else if (v->fixed_len) {
            if ((size_t)(q - p) < v->fixed_len + pll || !lit_eq(q - v->fixed_len - pll, pl, pll)) {
                *why = "a fixed-width field (timestamp) is malformed";
                return -1;
            }
            vs = q - v->fixed_len;
        } else {
            const char *c = find_bwd(p, q, pl, pll, esc);
            if (!c) {
                *why = "a separator of the format is missing";
                return -1;
            }
            vs = c + pll;
        }
        if (vs > q) {
            *why = "fields overlap: the line is too short for the format";
            return -1;
        }
        store(f, v->field, vs, (size_t)(q - vs));
        q = j == t->fwd_end + 1 ? vs : vs - pll;
    }
    return 0;
}

/* syslog puts "Nov  3 14:05:11 lb1 haproxy[2110]: " before HAProxy's own text */
static size_t syslog_prefix_len(const char *line, size_t len)
{
    size_t lim = len < 160 ? len : 160;
    if (lim < 4 || (line[0] >= '0' && line[0] <= '9') || line[0] == '[')
        return 0;
    for (size_t i = 0; i + 2 < lim; i++)
        if (line[i] == ']' && line[i + 1] == ':' && line[i + 2] == ' ')
            return i + 3;
    return 0;
}

/*
 * HAProxy's connection error lines (the default error-log-format): a
 * handshake that failed, e.g. "127.0.0.1:57212 [28/Nov/2026:13:22:32.555]
 * fe_tls/1: Connection closed during SSL handshake". Counted as a failed
 * connection of that client, version unknown.
 */
static int haproxy_error_line(struct logfmt_parser *p, const char *line, size_t len, struct observation *obs,
                              struct logfmt_scratch *s)
{
    const char *e = line + len;
    const char *sp = memchr(line, ' ', len);
    if (!sp || (size_t)(e - sp) < 28 || sp[1] != '[' || sp[26] != ']' || sp[27] != ' ')
        return -1;
    const char *name = sp + 28;
    const char *colon = memchr(name, ':', (size_t)(e - name));
    if (!colon || colon + 2 > e || colon[1] != ' ' || !memchr(name, '/', (size_t)(colon - name)) ||
        memchr(name, ' ', (size_t)(colon - name)))
        return -1;
    logfmt_obs_reset(obs);
    size_t hl = logfmt_addr_host_len(line, (size_t)(sp - line));
    if (hl == 0)
        return -1;
    obs->client_ip = logfmt_scratch_put(s, line, hl, ESC_NONE);
    obs->time = logfmt_time_haproxy(&p->tc, sp + 2, 24);
    obs->success = 0;
    obs->status = logfmt_scratch_put(s, colon + 2, (size_t)(e - colon - 2), ESC_NONE);
    return obs->client_ip && obs->time != OBS_TIME_UNKNOWN ? 0 : -1;
}

/* The line's views: 0 after a match, 1 for a HAProxy error line (obs filled), -1 for a bad line. */
static int tpl_views(struct logfmt_parser *p, const char *line, size_t len, struct logfmt_fields *f,
                     struct observation *obs, struct logfmt_scratch *s)
{
    logfmt_fields_reset(f);
    if (p->kind == LOGFMT_HAPROXY && p->tpl.lit0_len == 0) {
        size_t k = syslog_prefix_len(line, len);
        line += k;
        len -= k;
    }
    if (tpl_match(&p->tpl, line, len, f, &p->why) == 0)
        return 0;
    if (p->kind == LOGFMT_HAPROXY && haproxy_error_line(p, line, len, obs, s) == 0)
        return 1;
    return -1;
}

static int need_client(struct logfmt_parser *p, int have_client)
{
    if ((p->tpl.have & (1u << TF_CLIENT_IP | 1u << TF_CLIENT_ADDR)) && !have_client) {
        p->why = "the client address is empty";
        return 1;
    }
    return 0;
}

int tpl_parse_line(struct logfmt_parser *p, const char *line, size_t len, struct observation *obs,
                   struct logfmt_scratch *s)
{
    struct logfmt_fields f;
    int v = tpl_views(p, line, len, &f, obs, s);
    if (v != 0)
        return v > 0 ? LOGFMT_OK : LOGFMT_BAD;
    int r = logfmt_fields_to_obs(p, &f, p->tpl.escape, obs, s);
    return need_client(p, obs->client_ip != NULL) ? LOGFMT_BAD : r;
}

int tpl_parse_request(struct logfmt_parser *p, const char *line, size_t len, struct logfmt_request *r,
                      struct logfmt_scratch *s)
{
    struct logfmt_fields f;
    struct observation obs;
    int v = tpl_views(p, line, len, &f, &obs, s);
    if (v != 0) {
        if (v < 0)
            return LOGFMT_BAD;
        logfmt_request_from_obs(&obs, r);
        return LOGFMT_OK;
    }
    int rc = logfmt_fields_select(p, &f, p->tpl.escape, r);
    return need_client(p, r->client_ip.p != NULL) ? LOGFMT_BAD : rc;
}
