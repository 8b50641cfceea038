/*
 * Pre-combining identical requests before the aggregate: see logfmt_combine.h.
 *
 * Each string value is interned once into a small table (user agents,
 * servers, ciphers ... are few and stay in cache), an IPv4 client becomes its
 * 32-bit number, so a request's tuple is a fixed 32-byte key: one hash and
 * one probe of an open-addressing table whose slots hold the key inline.
 */
#include "ingest/logfmt_combine.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls/version.h"

/* ---- string interning ------------------------------------------------------ */

struct strtab {
    uint64_t *slots;        /* hi32(hash) << 32 | id; 0 = empty (ids start at 1) */
    size_t mask;
    uint32_t *off, *len;    /* per id, into the arena */
    size_t n, cap;          /* ids used (id 0 = "none"), capacity */
    char *arena;
    size_t used, acap;
};

static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0x100000001b3ull), g = 0x6a09e667f3bcc908ull;
    /* two independent lanes over 16-byte steps, folded at the end */
    while (n >= 16) {
        uint64_t w, v;
        memcpy(&w, p, 8);
        memcpy(&v, p + 8, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        g = (g ^ v) * 0xc4ceb9fe1a85ec53ull;
        h ^= h >> 31;
        g ^= g >> 29;
        p += 16;
        n -= 16;
    }
    h ^= g * 0x9e3779b97f4a7c15ull;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 31;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

static void strtab_free(struct strtab *t)
{
    free(t->slots);
    free(t->off);
    free(t->len);
    free(t->arena);
    memset(t, 0, sizeof *t);
}

static int strtab_grow_slots(struct strtab *t)
{
    size_t slots = t->mask ? (t->mask + 1) * 2 : 256;
    uint64_t *s = calloc(slots, sizeof *s);
    if (!s)
        return -1;
    for (uint32_t id = 1; id < t->n; id++) {
        uint64_t h = hash_bytes(t->arena + t->off[id], t->len[id]);
        size_t i = (size_t)h & (slots - 1);
        while (s[i])
            i = (i + 1) & (slots - 1);
        s[i] = (h >> 32) << 32 | id;
    }
    free(t->slots);
    t->slots = s;
    t->mask = slots - 1;
    return 0;
}

/* The id of s (0 for NULL or ""), or UINT32_MAX when out of memory. */
static uint32_t strtab_intern(struct strtab *t, const char *s)
{
    if (!s || !s[0])
        return 0;
    size_t n = strnlen(s, 4096);
    uint64_t h = hash_bytes(s, n);
    if (t->mask) {
        size_t i = (size_t)h & t->mask;
        for (;;) {
            uint64_t v = t->slots[i];
            if (!v)
                break;
            uint32_t id = (uint32_t)v;
            if ((v >> 32) == (h >> 32) && t->len[id] == n && memcmp(t->arena + t->off[id], s, n) == 0)
                return id;
            i = (i + 1) & t->mask;
        }
    }
    if (t->n == 0)
        t->n = 1; /* id 0 is "none" */
    if ((t->n + 1) * 2 > t->mask + 1 && strtab_grow_slots(t) != 0)
        return UINT32_MAX;
    if (t->n >= t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        uint32_t *o = realloc(t->off, cap * sizeof *o), *l = o ? realloc(t->len, cap * sizeof *l) : NULL;
        if (o)
            t->off = o;
        if (!o || !l)
            return UINT32_MAX;
        t->len = l;
        t->cap = cap;
    }
    if (t->used + n + 1 > t->acap) {
        size_t acap = t->acap ? t->acap * 2 : 65536;
        while (acap < t->used + n + 1)
            acap *= 2;
        char *a = acap <= UINT32_MAX ? realloc(t->arena, acap) : NULL;
        if (!a)
            return UINT32_MAX;
        t->arena = a;
        t->acap = acap;
    }
    uint32_t id = (uint32_t)t->n++;
    t->off[id] = (uint32_t)t->used;
    t->len[id] = (uint32_t)n;
    memcpy(t->arena + t->used, s, n);
    t->arena[t->used + n] = 0;
    t->used += n + 1;
    size_t i = (size_t)h & t->mask;
    while (t->slots[i])
        i = (i + 1) & t->mask;
    t->slots[i] = (h >> 32) << 32 | id;
    return id;
}

static const char *strtab_str(const struct strtab *t, uint32_t id) { return id ? t->arena + t->off[id] : NULL; }

/* ---- tuples ----------------------------------------------------------------- */

enum { S_IP, S_UA, S_SERVER, S_CIPHER, S_FP, S_STATUS, N_TABS };

struct tkey {
    uint32_t ip;            /* IPv4 number when flags & 1, else an S_IP id */
    uint32_t ua, server, cipher, fp, status;
    int32_t day;
    uint8_t version, offered, success, flags;
};

_Static_assert(sizeof(struct tkey) == sizeof(((struct combiner_pending *)0)->key), "pending key holds a tuple");

struct entry {
    struct tkey k;
    uint64_t count;         /* 0 = empty slot */
    int64_t first, last;
};

struct combiner {
    struct entry *slots;
    size_t mask, count, max;
    int32_t cur_day;        /* day of the last request: logs are mostly in time order */
    struct strtab tabs[N_TABS];
    struct aggregate *agg;
    struct ua_cache *ua;
    int raw_ua;
};

struct combiner *combiner_new(size_t max_entries, struct aggregate *agg, struct ua_cache *ua, int raw_ua)
{
    struct combiner *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    /* start small and grow: a table that fits in cache is the point */
    size_t slots = 4096;
    c->slots = calloc(slots, sizeof *c->slots);
    if (!c->slots) {
        free(c);
        return NULL;
    }
    c->mask = slots - 1;
    c->max = max_entries;
    c->agg = agg;
    c->ua = ua;
    c->raw_ua = raw_ua;
    return c;
}

void combiner_free(struct combiner *c)
{
    if (!c)
        return;
    for (int i = 0; i < N_TABS; i++)
        strtab_free(&c->tabs[i]);
    free(c->slots);
    free(c);
}

/* Dotted-quad IPv4 to a number; -1 when s is anything else. */
static int ipv4(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int part = 0; part < 4; part++) {
        unsigned x = 0, digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 4) {
            x = x * 10 + (unsigned)(*s++ - '0');
            digits++;
        }
        if (!digits || digits > 3 || x > 255 || (digits > 1 && s[-(int)digits] == '0'))
            return -1;
        v = v << 8 | x;
        if (part < 3 && *s++ != '.')
            return -1;
    }
    if (*s)
        return -1;
    *out = v;
    return 0;
}

static int64_t day_of(int64_t t)
{
    if (t == OBS_TIME_UNKNOWN)
        return INT32_MIN;
    return t >= 0 ? t / 86400 : (t - 86399) / 86400;
}

static uint64_t hash_tkey(const struct tkey *k)
{
    uint64_t w[4];
    memcpy(w, k, sizeof w);
    uint64_t h = (w[0] * 0x9e3779b97f4a7c15ull) ^ (w[1] * 0xc2b2ae3d27d4eb4full);
    h ^= (w[2] * 0x165667b19e3779f9ull) ^ (w[3] * 0xff51afd7ed558ccdull);
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

static uint64_t hash_tkey(const struct tkey *k);

static inline int tkey_eq(const struct tkey *a, const struct tkey *b)
{
    uint64_t x[4], y[4];
    memcpy(x, a, sizeof x);
    memcpy(y, b, sizeof y);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) == 0;
}

/* Doubles the table (up to what max_entries needs); -1 when it cannot. */
static int grow(struct combiner *c)
{
    size_t slots = (c->mask + 1) * 2;
    if (slots > c->max * 2)
        return -1;
    struct entry *s = calloc(slots, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i <= c->mask; i++) {
        if (c->slots[i].count == 0)
            continue;
        size_t j = (size_t)hash_tkey(&c->slots[i].k) & (slots - 1);
        while (s[j].count)
            j = (j + 1) & (slots - 1);
        s[j] = c->slots[i];
    }
    free(c->slots);
    c->slots = s;
    c->mask = slots - 1;
    return 0;
}

int combiner_prepare(struct combiner *c, const struct observation *o, struct combiner_pending *pd)
{
    struct tkey k;
    memset(&k, 0, sizeof k);
    if (o->client_ip && ipv4(o->client_ip, &k.ip) == 0)
        k.flags = 1;
    else
        k.ip = strtab_intern(&c->tabs[S_IP], o->client_ip);
    k.ua = strtab_intern(&c->tabs[S_UA], o->user_agent);
    k.server = strtab_intern(&c->tabs[S_SERVER], o->server);
    k.cipher = strtab_intern(&c->tabs[S_CIPHER], o->cipher);
    k.fp = o->fingerprint ? strtab_intern(&c->tabs[S_FP], o->fingerprint) : 0;
    k.status = o->status ? strtab_intern(&c->tabs[S_STATUS], o->status) : 0;
    if (((k.flags & 1) ? 0 : k.ip) == UINT32_MAX || k.ua == UINT32_MAX || k.server == UINT32_MAX ||
        k.cipher == UINT32_MAX || k.fp == UINT32_MAX || k.status == UINT32_MAX)
        return -1;
    k.day = (int32_t)day_of(o->time);
    k.version = (uint8_t)(o->version < 0 ? 255 : o->version);
    k.offered = (uint8_t)(o->max_offered + 1);
    k.success = (uint8_t)(o->success + 1);
    memcpy(pd->key, &k, sizeof k);
    pd->hash = hash_tkey(&k);
    pd->time = o->time;
    /* the probe of this tuple happens after the next line is parsed: start loading its slot now */
    __builtin_prefetch(&c->slots[(size_t)pd->hash & c->mask]);
    return 0;
}

int combiner_commit(struct combiner *c, const struct combiner_pending *pd)
{
    struct tkey k;
    memcpy(&k, pd->key, sizeof k);
    uint64_t h = pd->hash;
    int64_t t = pd->time;
    size_t i = (size_t)h & c->mask;
    for (;;) {
        struct entry *e = &c->slots[i];
        if (e->count == 0)
            break;
        if (tkey_eq(&e->k, &k)) {
            e->count++;
            if (t != OBS_TIME_UNKNOWN) {
                if (e->first == OBS_TIME_UNKNOWN || t < e->first)
                    e->first = t;
                if (e->last == OBS_TIME_UNKNOWN || t > e->last)
                    e->last = t;
            }
            return 0;
        }
        i = (i + 1) & c->mask;
    }
    if ((c->count + 1) * 2 > c->mask + 1 && grow(c) != 0) {
        /* full at its maximum: hand everything to the aggregate and start over */
        if (combiner_flush(c) != 0)
            return -1;
    }
    if (k.day != c->cur_day) {
        /* a new day: yesterday's tuples will not come back in a time-ordered log */
        if (c->count > 8192 && combiner_flush(c) != 0)
            return -1;
        c->cur_day = k.day;
    }
    i = (size_t)h & c->mask;
    while (c->slots[i].count)
        i = (i + 1) & c->mask;
    struct entry *e = &c->slots[i];
    e->k = k;
    e->count = 1;
    e->first = e->last = t;
    c->count++;
    return 0;
}

int combiner_add(struct combiner *c, const struct observation *o)
{
    struct combiner_pending pd;
    if (combiner_prepare(c, o, &pd) != 0)
        return -1;
    return combiner_commit(c, &pd);
}

int combiner_flush(struct combiner *c)
{
    int rc = 0;
    char ip[16];
    for (size_t i = 0; i <= c->mask && c->count; i++) {
        struct entry *e = &c->slots[i];
        if (e->count == 0)
            continue;
        if (rc == 0) {
            struct observation o;
            memset(&o, 0, sizeof o);
            const struct tkey *k = &e->k;
            o.version = k->version == 255 ? TLSV_UNKNOWN : k->version;
            o.max_offered = (int)k->offered - 1;
            o.success = (int)k->success - 1;
            o.time = e->first;
            if (k->flags & 1) {
                uint32_t a = k->ip;
                snprintf(ip, sizeof ip, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
                o.client_ip = ip;
            } else {
                o.client_ip = strtab_str(&c->tabs[S_IP], k->ip);
            }
            o.user_agent = strtab_str(&c->tabs[S_UA], k->ua);
            o.server = strtab_str(&c->tabs[S_SERVER], k->server);
            o.cipher = strtab_str(&c->tabs[S_CIPHER], k->cipher);
            o.fingerprint = strtab_str(&c->tabs[S_FP], k->fp);
            o.status = strtab_str(&c->tabs[S_STATUS], k->status);
            if (o.user_agent && !c->raw_ua) {
                const char *fam = ua_cache_family(c->ua, o.user_agent, strlen(o.user_agent));
                o.user_agent = fam[0] ? fam : NULL;
            }
            o.browser = o.user_agent;
            if (aggregate_add_n(c->agg, &o, e->count, e->last) != 0)
                rc = -1;
        }
        e->count = 0;
        c->count--;
    }
    c->count = 0;
    return rc;
}
