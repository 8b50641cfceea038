/* Category rules for Salesforce logins: see sf_rules.h and data/salesforce-rules.tsv. */
#include "analyze/sf_rules.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/salesforce.h"
#include "util/instream.h"

const char *const sf_category_names[SF_CAT_COUNT] = { "people", "tools", "integrations", "other" };
const char *const sf_category_titles[SF_CAT_COUNT] = {
    "people in browsers and the mobile app", "installed tools", "system integrations", "other or unknown",
};

enum field {
    F_APPLICATION, F_LOGIN_TYPE, F_LOGIN_SUBTYPE, F_BROWSER, F_PLATFORM, F_API_TYPE, F_API_VERSION,
    F_CLIENT_VERSION, F_USER_AGENT, F_USER, F_CLIENT_IP, F_COUNT
};
static const char *const field_names[F_COUNT] = {
    "application", "login_type", "login_subtype", "browser", "platform", "api_type", "api_version",
    "client_version", "user_agent", "user", "client_ip",
};

enum op { OP_EQ, OP_PREFIX, OP_CONTAINS };

#define MAX_CONDS 4

struct cond {
    enum field field;
    enum op op;
    char *value;
    size_t len;
};

struct rule {
    int category;
    int n;
    struct cond c[MAX_CONDS];
};

struct sf_rules {
    struct rule *rules;
    size_t n, cap;
    int uses_identity; /* a rule looks at user or client_ip: memoising per client is not enough */
};

struct sf_rules *sf_rules_new(void) { return calloc(1, sizeof(struct sf_rules)); }

size_t sf_rules_count(const struct sf_rules *r) { return r->n; }

void sf_rules_free(struct sf_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        for (int k = 0; k < r->rules[i].n; k++)
            free(r->rules[i].c[k].value);
    free(r->rules);
    free(r);
}

static int parse_cond(struct cond *c, const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && (islower((unsigned char)s[k]) || s[k] == '_'))
        k++;
    if (k == 0 || k >= n)
        return -1;
    int f = -1;
    for (int i = 0; i < F_COUNT; i++)
        if (strlen(field_names[i]) == k && memcmp(field_names[i], s, k) == 0)
            f = i;
    if (f < 0)
        return -1;
    c->field = (enum field)f;
    if (s[k] == '=') {
        c->op = OP_EQ;
        k += 1;
    } else if (k + 1 < n && s[k] == '^' && s[k + 1] == '=') {
        c->op = OP_PREFIX;
        k += 2;
    } else if (k + 1 < n && s[k] == '*' && s[k + 1] == '=') {
        c->op = OP_CONTAINS;
        k += 2;
    } else {
        return -1;
    }
    c->len = n - k;
    c->value = strndup(s + k, c->len);
    return c->value ? 0 : -1;
}

int sf_rules_add_text(struct sf_rules *r, const char *text, size_t len, const char *origin, struct tr_error *err)
{
    const char *p = text, *end = text + len;
    unsigned line = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        line++;
        const char *e = eol;
        if (e > p && e[-1] == '\r')
            e--;
        const char *s = p;
        p = eol + 1;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        if (s == e || *s == '#')
            continue;
        struct rule rule = { .category = -1 };
        const char *tab = memchr(s, '\t', (size_t)(e - s));
        size_t cn = (size_t)((tab ? tab : e) - s);
        for (int c = 0; c < SF_CAT_COUNT; c++)
            if (strlen(sf_category_names[c]) == cn && memcmp(sf_category_names[c], s, cn) == 0)
                rule.category = c;
        if (rule.category < 0)
            return tr_errorf(err, "%s:%u: unknown category '%.*s' (expected people, tools, integrations or other)",
                             origin, line, (int)(cn > 40 ? 40 : cn), s);
        int bad = !tab;
        while (tab && !bad) {
            s = tab + 1;
            tab = memchr(s, '\t', (size_t)(e - s));
            size_t n = (size_t)((tab ? tab : e) - s);
            if (!n)
                continue;
            if (rule.n == MAX_CONDS || parse_cond(&rule.c[rule.n], s, n) < 0)
                bad = 1;
            else
                rule.n++;
        }
        if (bad || !rule.n) {
            for (int k = 0; k < rule.n; k++)
                free(rule.c[k].value);
            return tr_errorf(err, "%s:%u: expected CATEGORY<TAB>FIELD=VALUE (fields: application, login_type, "
                                  "login_subtype, browser, platform, api_type, api_version, client_version, "
                                  "user_agent, user, client_ip; ops = ^= *=)", origin, line);
        }
        if (r->n == r->cap) {
            size_t cap = r->cap ? r->cap * 2 : 64;
            struct rule *nr = realloc(r->rules, cap * sizeof *nr);
            if (!nr) {
                for (int k = 0; k < rule.n; k++)
                    free(rule.c[k].value);
                return tr_errorf(err, "out of memory");
            }
            r->rules = nr;
            r->cap = cap;
        }
        for (int k = 0; k < rule.n; k++)
            if (rule.c[k].field == F_USER || rule.c[k].field == F_CLIENT_IP)
                r->uses_identity = 1;
        r->rules[r->n++] = rule;
    }
    return 0;
}

int sf_rules_add_file(struct sf_rules *r, const char *path, struct tr_error *err)
{
    struct instream *in = instream_open(path, err);
    if (!in)
        return -1;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    long k = 0;
    while (buf && (k = instream_read(in, buf + len, cap - len, err)) > 0) {
        len += (size_t)k;
        if (len == cap) {
            if (cap >= (1u << 24)) {
                free(buf);
                instream_close(in);
                return tr_errorf(err, "%s: rules file larger than 16 MiB", path);
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb)
                break;
            buf = nb;
            cap *= 2;
        }
    }
    instream_close(in);
    if (!buf || k < 0) {
        free(buf);
        return k < 0 ? -1 : tr_errorf(err, "out of memory");
    }
    int rc = sf_rules_add_text(r, buf, len, path, err);
    free(buf);
    return rc;
}

static const char *value_of(const struct observation *o, const char *subtype, enum field f)
{
    switch (f) {
    case F_APPLICATION: return o->application;
    case F_LOGIN_TYPE: return o->login_type;
    case F_LOGIN_SUBTYPE: return subtype;
    case F_BROWSER: return o->browser;
    case F_PLATFORM: return o->platform;
    case F_API_TYPE: return o->api_type;
    case F_API_VERSION: return o->api_version;
    case F_CLIENT_VERSION: return o->client_version;
    case F_USER_AGENT: return o->user_agent;
    case F_USER: return o->user && *o->user ? o->user : o->user_id;
    case F_CLIENT_IP: return o->client_ip;
    default: return NULL;
    }
}

static int holds(const struct cond *c, const char *v)
{
    size_t n = v ? strlen(v) : 0;
    switch (c->op) {
    case OP_EQ: return n == c->len && (n == 0 || strncasecmp(v, c->value, n) == 0);
    case OP_PREFIX: return n >= c->len && strncasecmp(v, c->value, c->len) == 0;
    case OP_CONTAINS: return n >= c->len && strcasestr(v, c->value) != NULL;
    }
    return 0;
}

int sf_rules_classify(const struct sf_rules *r, const struct observation *o, const char *login_subtype)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct rule *rule = &r->rules[i];
        int k = 0;
        while (k < rule->n && holds(&rule->c[k], value_of(o, login_subtype, rule->c[k].field)))
            k++;
        if (k == rule->n)
            return rule->category;
    }
    return SF_CAT_OTHER;
}

/* ---------------------------------------------------------------- memo */

#define MEMO_SLOTS 2048
#define MEMO_KEY 240

struct memo {
    uint64_t hash;
    uint16_t len;
    int8_t category; /* -1: empty */
    char key[MEMO_KEY];
};

struct sf_classifier {
    const struct sf_rules *rules;
    struct memo slot[MEMO_SLOTS];
};

struct sf_classifier *sf_classifier_new(const struct sf_rules *r)
{
    struct sf_classifier *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    c->rules = r;
    for (size_t i = 0; i < MEMO_SLOTS; i++)
        c->slot[i].category = -1;
    return c;
}

void sf_classifier_free(struct sf_classifier *c) { free(c); }

int sf_classify_login(void *ctx, const struct observation *o)
{
    struct sf_classifier *c = ctx;
    const struct sf_login *lg = (const struct sf_login *)(const void *)o; /* obs is its first member */
    if (c->rules->uses_identity)
        return sf_rules_classify(c->rules, o, lg->login_subtype);
    /* the memo key: every field a rule may read, each followed by 0x1f */
    char key[MEMO_KEY];
    size_t n = 0;
    for (int f = 0; f < F_USER; f++) {
        const char *v = value_of(o, lg->login_subtype, (enum field)f);
        size_t l = v ? strlen(v) : 0;
        if (n + l + 1 > MEMO_KEY)
            return sf_rules_classify(c->rules, o, lg->login_subtype);
        if (l)
            memcpy(key + n, v, l);
        n += l;
        key[n++] = 0x1f;
    }
    /* 8 bytes per step: this runs once per login */
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, key + i, 8);
        h = (h ^ v) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
    }
    for (; i < n; i++)
        h = (h ^ (uint8_t)key[i]) * 0x100000001b3ULL;
    h ^= h >> 29;
    struct memo *m = &c->slot[h & (MEMO_SLOTS - 1)];
    if (m->category >= 0 && m->hash == h && m->len == n && memcmp(m->key, key, n) == 0)
        return m->category;
    int cat = sf_rules_classify(c->rules, o, lg->login_subtype);
    m->hash = h;
    m->len = (uint16_t)n;
    memcpy(m->key, key, n);
    m->category = (int8_t)cat;
    return cat;
}
