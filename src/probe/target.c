/* Target spellings, target files and --resolve: see target.h. */
#include "probe/target.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/instream.h"
#include "util/sample.h"

#define DEFAULT_PORT 443

static const struct {
    const char *scheme;
    uint16_t port;
} schemes[] = {
    { "https", 443 }, { "ldaps", 636 }, { "imaps", 993 },
    { "pop3s", 995 }, { "smtps", 465 }, { "ftps", 990 },
};

uint16_t target_scheme_port(const char *scheme, size_t n)
{
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        if (strlen(schemes[i].scheme) == n && strncasecmp(schemes[i].scheme, scheme, n) == 0)
            return schemes[i].port;
    return 0;
}

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

static void trim(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* A decimal port 1-65535; the whole span must be digits. */
static int parse_port(const char *s, size_t n, uint16_t *port, struct tr_error *err)
{
    unsigned long v = 0;
    if (n == 0)
        return tr_errorf(err, "empty port (expected 1-65535)");
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]) || i >= 5)
            return tr_errorf(err, "bad port '%.*s' (expected 1-65535)", (int)(n > 32 ? 32 : n), s);
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v < 1 || v > 65535)
        return tr_errorf(err, "bad port '%.*s' (expected 1-65535)", (int)n, s);
    *port = (uint16_t)v;
    return 0;
}

/* Letters, digits, '-', '_' and '.', 1-253 bytes, no empty label. '_' is not
 * valid in host names but real internal names carry it, and a scanner should
 * not refuse to look at them. */
static int valid_hostname(const char *s, size_t n)
{
    if (n == 0 || n > TARGET_HOST_MAX || s[0] == '.' || s[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(isalnum(c) || c == '-' || c == '_' || c == '.'))
            return 0;
        if (c == '.' && i + 1 < n && s[i + 1] == '.')
            return 0;
    }
    return 1;
}

/* Classifies host[0..n) as an IPv4 or IPv6 literal (AF_*) or a name (0); -1 if neither. */
static int host_kind(const char *s, size_t n)
{
    char tmp[TARGET_HOST_MAX + 1];
    uint8_t addr[16];
    if (n == 0 || n > TARGET_HOST_MAX)
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    if (inet_pton(AF_INET, tmp, addr) == 1)
        return AF_INET;
    if (inet_pton(AF_INET6, tmp, addr) == 1)
        return AF_INET6;
    /* all digits and dots but not a valid IPv4 address: "300.1.1.1", "1.2.3" */
    int digits_dots = 1;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]) && s[i] != '.')
            digits_dots = 0;
    if (digits_dots)
        return -1;
    return valid_hostname(s, n) ? 0 : -1;
}

static int fill(struct scan_target *t, const char *given, size_t gn, const char *host, size_t hn,
                int kind, uint16_t port, struct tr_error *err)
{
    t->given = dup_n(given, gn);
    t->host = dup_n(host, hn);
    t->sni = NULL;
    t->port = port;
    t->literal_family = kind;
    if (!t->given || !t->host) {
        target_free(t);
        return tr_errorf(err, "out of memory");
    }
    for (char *p = t->host; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return 0;
}

int target_parse(const char *s, size_t n, struct scan_target *t, struct tr_error *err)
{
    memset(t, 0, sizeof *t);
    trim(&s, &n);
    const char *given = s;
    size_t gn = n;
    uint16_t port = DEFAULT_PORT;
    if (n == 0)
        return tr_errorf(err, "empty target");

    /* URL: scheme://[user@]authority[/path] */
    const char *sep = memchr(s, ':', n);
    if (sep && (size_t)(s + n - sep) >= 3 && sep[1] == '/' && sep[2] == '/') {
        port = target_scheme_port(s, (size_t)(sep - s));
        if (port == 0)
            return tr_errorf(err, "unsupported URL scheme '%.*s' (expected https, ldaps, imaps, pop3s, smtps or ftps)",
                             (int)((sep - s) > 32 ? 32 : (sep - s)), s);
        const char *a = sep + 3, *end = s + n;
        const char *stop = a;
        while (stop < end && *stop != '/' && *stop != '?' && *stop != '#')
            stop++;
        const char *at = NULL;
        for (const char *p = a; p < stop; p++)
            if (*p == '@')
                at = p;
        if (at)
            a = at + 1;
        s = a;
        n = (size_t)(stop - a);
        if (n == 0)
            return tr_errorf(err, "URL without a host");
    }

    const char *host = s;
    size_t hn = n;
    if (s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close)
            return tr_errorf(err, "missing ']' after IPv6 address");
        host = s + 1;
        hn = (size_t)(close - host);
        const char *rest = close + 1;
        size_t rn = (size_t)(s + n - rest);
        if (rn > 0) {
            if (rest[0] != ':')
                return tr_errorf(err, "unexpected '%.*s' after ']' (expected ':PORT')", (int)(rn > 32 ? 32 : rn), rest);
            if (parse_port(rest + 1, rn - 1, &port, err) < 0)
                return -1;
        }
        if (host_kind(host, hn) != AF_INET6)
            return tr_errorf(err, "bad IPv6 address '%.*s'", (int)(hn > 64 ? 64 : hn), host);
        return fill(t, given, gn, host, hn, AF_INET6, port, err);
    }

    const char *colon = memchr(s, ':', n);
    if (colon && memchr(colon + 1, ':', (size_t)(s + n - colon - 1))) {
        /* two or more colons: a bare IPv6 literal (a port needs brackets) */
        if (host_kind(s, n) != AF_INET6)
            return tr_errorf(err, "bad IPv6 address '%.*s' (write [ADDRESS]:PORT to give a port)",
                             (int)(n > 64 ? 64 : n), s);
        return fill(t, given, gn, s, n, AF_INET6, port, err);
    }
    if (colon) {
        hn = (size_t)(colon - s);
        if (parse_port(colon + 1, (size_t)(s + n - colon - 1), &port, err) < 0)
            return -1;
    }
    if (hn == 0)
        return tr_errorf(err, "empty host");
    int kind = host_kind(host, hn);
    if (kind < 0) {
        char sample[80];
        return tr_errorf(err, "bad host name '%s'", tr_sample(host, hn, sample, sizeof sample));
    }
    return fill(t, given, gn, host, hn, kind, port, err);
}

void target_free(struct scan_target *t)
{
    free(t->given);
    free(t->host);
    free(t->sni);
    t->given = t->host = t->sni = NULL;
}

int target_parse_line(const char *line, size_t n, struct scan_target *t, struct tr_error *err)
{
    memset(t, 0, sizeof *t);
    trim(&line, &n);
    if (n == 0 || line[0] == '#')
        return 0;
    const char *end = line + n;
    const char *p = line;
    while (p < end && !isspace((unsigned char)*p))
        p++;
    if (target_parse(line, (size_t)(p - line), t, err) < 0)
        return -1;
    while (p < end) {
        while (p < end && isspace((unsigned char)*p))
            p++;
        if (p >= end || *p == '#')
            break;
        const char *f = p;
        while (p < end && !isspace((unsigned char)*p))
            p++;
        size_t fn = (size_t)(p - f);
        if (fn > 4 && strncmp(f, "sni=", 4) == 0) {
            if (!valid_hostname(f + 4, fn - 4)) {
                char sample[80];
                tr_errorf(err, "bad SNI name '%s'", tr_sample(f + 4, fn - 4, sample, sizeof sample));
                target_free(t);
                return -1;
            }
            free(t->sni);
            t->sni = dup_n(f + 4, fn - 4);
            if (!t->sni) {
                target_free(t);
                return tr_errorf(err, "out of memory");
            }
            for (char *q = t->sni; *q; q++)
                *q = (char)tolower((unsigned char)*q);
        } else {
            tr_errorf(err, "unknown field '%.*s' (expected sni=NAME)", (int)(fn > 32 ? 32 : fn), f);
            target_free(t);
            return -1;
        }
    }
    return 1;
}

/* FNV-1a over the dedupe key (host, port, sni). */
static uint64_t target_hash(const struct scan_target *t)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = t->host; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211ull;
    h = (h ^ t->port) * 1099511628211ull;
    if (t->sni) {
        h = (h ^ 0xff) * 1099511628211ull;
        for (const char *p = t->sni; *p; p++)
            h = (h ^ (uint8_t)*p) * 1099511628211ull;
    }
    return h;
}

static int target_equal(const struct scan_target *a, const struct scan_target *b)
{
    if (a->port != b->port || strcmp(a->host, b->host) != 0)
        return 0;
    if (!a->sni || !b->sni)
        return a->sni == b->sni;
    return strcmp(a->sni, b->sni) == 0;
}

void target_list_init(struct target_list *l)
{
    memset(l, 0, sizeof *l);
}

void target_list_free(struct target_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        target_free(&l->v[i]);
    free(l->v);
    free(l->slots);
    memset(l, 0, sizeof *l);
}

static size_t *find_slot(size_t *slots, size_t nslots, const struct scan_target *v, const struct scan_target *t)
{
    size_t i = (size_t)target_hash(t) & (nslots - 1);
    while (slots[i] && !target_equal(&v[slots[i] - 1], t))
        i = (i + 1) & (nslots - 1);
    return &slots[i];
}

static int rehash(struct target_list *l)
{
    size_t ns = l->nslots ? l->nslots * 2 : 64;
    size_t *s = calloc(ns, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < l->n; i++)
        *find_slot(s, ns, l->v, &l->v[i]) = i + 1;
    free(l->slots);
    l->slots = s;
    l->nslots = ns;
    return 0;
}

int target_list_add(struct target_list *l, struct scan_target *t, struct tr_error *err)
{
    if ((l->n + 1) * 2 > l->nslots && rehash(l) < 0)
        goto oom;
    size_t *slot = find_slot(l->slots, l->nslots, l->v, t);
    if (*slot) {
        target_free(t);
        l->duplicates++;
        return 0;
    }
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        struct scan_target *nv = realloc(l->v, nc * sizeof *nv);
        if (!nv)
            goto oom;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = *t;
    *slot = l->n;
    memset(t, 0, sizeof *t);
    return 1;
oom:
    target_free(t);
    return tr_errorf(err, "out of memory");
}

long target_list_read_file(struct target_list *l, const char *path,
                           void (*on_bad)(const char *msg, void *ctx), void *ctx,
                           struct tr_error *err)
{
    struct instream *in = instream_open(path, err);
    if (!in)
        return -1;
    struct line_reader lr;
    if (line_reader_init(&lr, in, 4096) < 0) {
        instream_close(in);
        return tr_errorf(err, "out of memory");
    }
    long bad = 0;
    int rc;
    const char *line;
    size_t len;
    char msg[TR_ERRMSG_MAX + 300];
    while ((rc = line_reader_next(&lr, &line, &len, err)) != LINE_EOF) {
        if (rc == LINE_ERROR) {
            bad = -1;
            break;
        }
        struct tr_error e;
        struct scan_target t;
        int r = -1;
        if (rc == LINE_TOO_LONG)
            tr_errorf(&e, "line longer than 4096 bytes");
        else
            r = target_parse_line(line, len, &t, &e);
        if (r < 0) {
            bad++;
            if (on_bad) {
                snprintf(msg, sizeof msg, "%s:%llu: %s", instream_name(in), (unsigned long long)lr.line_no, e.msg);
                on_bad(msg, ctx);
            }
        } else if (r == 1 && target_list_add(l, &t, err) < 0) {
            bad = -1;
            break;
        }
    }
    line_reader_free(&lr);
    instream_close(in);
    return bad;
}

int resolve_override_parse(const char *s, struct resolve_override *r, struct tr_error *err)
{
    memset(r, 0, sizeof *r);
    const char *c1 = strchr(s, ':');
    if (!c1)
        return tr_errorf(err, "bad --resolve '%s' (expected HOST:PORT:ADDRESS)", s);
    const char *c2 = strchr(c1 + 1, ':');
    if (!c2)
        return tr_errorf(err, "bad --resolve '%s' (expected HOST:PORT:ADDRESS)", s);
    size_t hn = (size_t)(c1 - s);
    if (!valid_hostname(s, hn))
        return tr_errorf(err, "bad --resolve '%s': bad host name", s);
    if (parse_port(c1 + 1, (size_t)(c2 - c1 - 1), &r->port, err) < 0)
        return tr_error_prefix(err, "bad --resolve '%s': ", s);
    memcpy(r->host, s, hn);
    r->host[hn] = 0;
    for (char *p = r->host; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    char a[64];
    const char *addr = c2 + 1;
    size_t an = strlen(addr);
    if (an >= 2 && addr[0] == '[' && addr[an - 1] == ']') {
        addr++;
        an -= 2;
    }
    if (an == 0 || an >= sizeof a)
        return tr_errorf(err, "bad --resolve '%s': bad address", s);
    memcpy(a, addr, an);
    a[an] = 0;
    if (inet_pton(AF_INET, a, r->addr) == 1)
        r->family = AF_INET;
    else if (inet_pton(AF_INET6, a, r->addr) == 1)
        r->family = AF_INET6;
    else
        return tr_errorf(err, "bad --resolve '%s': '%s' is not an IP address", s, a);
    return 0;
}
