/*
 * The aggregation engine: see aggregate.h.
 *
 * Layout: per table a dense array of rows (insertion order) plus an
 * open-addressing index of 64-bit slots, each holding the high 32 bits of the
 * key's hash and (row index + 1), so a probe compares hashes without touching
 * the rows. Linear probing, load factor <= 1/2, power-of-two size. Keys live
 * in an arena of large blocks (git's mem-pool), freed all at once.
 */
#include "analyze/aggregate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

#define ARENA_BLOCK (64 * 1024)
#define KEY_MAX 4096 /* longer values (hostile user agents) are cut: a key is an identity, not a record */

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    char data[];
};

struct arena {
    struct arena_block *head;
};

struct table {
    struct agg_row *rows;
    uint64_t *hashes; /* full hash per row, for rehashing and merging */
    size_t n, cap;
    uint64_t *slots;  /* hi32(hash) << 32 | (index + 1); 0 = empty */
    size_t mask;      /* slots - 1; 0 when not allocated */
};

struct pair_table {
    struct agg_pair_row *rows;
    size_t n, cap;
    uint64_t *slots;
    size_t mask;
    uint32_t *order;  /* row indexes sorted by (a, legacy desc, total desc, b) for aggregate_top */
    int order_valid;
};

struct aggregate {
    struct agg_config cfg;
    struct arena arena;
    struct table tables[AGG_DIM_COUNT];
    struct pair_table pairs[AGG_MAX_PAIRS];
    struct agg_row totals;
    char *scratch;    /* key builder */
    char *batch_keys; /* AGG_BATCH keys for aggregate_add_batch */
    size_t scratch_cap;
    int failed;
};

/* ---------------------------------------------------------------- arena */

static char *arena_dup(struct arena *ar, const char *s, size_t n)
{
    struct arena_block *b = ar->head;
    if (!b || b->cap - b->used < n + 1) {
        size_t cap = n + 1 > ARENA_BLOCK ? n + 1 : ARENA_BLOCK;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->used = 0;
        b->cap = cap;
        b->next = ar->head;
        ar->head = b;
    }
    char *p = b->data + b->used;
    if (n)
        memcpy(p, s, n);
    p[n] = 0;
    b->used += n + 1;
    return p;
}

static void arena_free(struct arena *ar)
{
    while (ar->head) {
        struct arena_block *n = ar->head->next;
        free(ar->head);
        ar->head = n;
    }
}

/* ---------------------------------------------------------------- hashing */

/* ---------------------------------------------------------------- rows */

static void row_init(struct agg_row *r)
{
    memset(r, 0, sizeof *r);
    r->first_seen = r->last_seen = r->first_legacy = r->last_legacy = OBS_TIME_UNKNOWN;
}

static inline void time_min(int64_t *dst, int64_t t)
{
    if (t != OBS_TIME_UNKNOWN && (*dst == OBS_TIME_UNKNOWN || t < *dst))
        *dst = t;
}

static inline void time_max(int64_t *dst, int64_t t)
{
    if (t != OBS_TIME_UNKNOWN && (*dst == OBS_TIME_UNKNOWN || t > *dst))
        *dst = t;
}

/* What one observation contributes, computed once and applied to every table. */
struct contribution {
    int slot;      /* negotiated version slot */
    int offered;   /* offered slot, or -1 */
    int legacy;
    int failed;
    int category;
    int64_t time;
};

/*
 * Counting: n observations at once (one for aggregate_add; `logs` pre-combines
 * identical requests), seen first at c->time and last at `last`.
 */

/* Widens the span [*lo, *hi] to take in times a and b (either may be unknown). */
static inline void span_widen(int64_t *lo, int64_t *hi, int64_t a, int64_t b)
{
    time_min(lo, a);
    time_max(hi, a);
    if (b != a) {
        time_min(lo, b);
        time_max(hi, b);
    }
}

static inline void row_add_n(struct agg_row *r, const struct contribution *c, uint64_t n, int64_t last)
{
    if (c->failed) {
        r->failed += n;
        r->failed_legacy += (uint64_t)c->legacy * n;
    } else {
        r->versions[c->slot] += n;
        r->total += n;
        r->legacy += (uint64_t)c->legacy * n;
    }
    if (c->offered >= 0)
        r->offered[c->offered] += n;
    span_widen(&r->first_seen, &r->last_seen, c->time, last);
    if (c->legacy)
        span_widen(&r->first_legacy, &r->last_legacy, c->time, last);
    if (c->category >= 0) {
        r->cat_all[c->category] += n;
        r->cat_legacy[c->category] += (uint64_t)c->legacy * n;
    }
}

static inline void pair_add_n(struct agg_pair_row *p, const struct contribution *c, uint64_t n, int64_t last)
{
    if (c->failed) {
        p->failed += n;
        p->failed_legacy += (uint64_t)c->legacy * n;
    } else {
        p->total += n;
        p->legacy += (uint64_t)c->legacy * n;
    }
    span_widen(&p->first_seen, &p->last_seen, c->time, last);
    if (c->legacy)
        span_widen(&p->first_legacy, &p->last_legacy, c->time, last);
}

static void row_merge(struct agg_row *r, const struct agg_row *f)
{
    for (int i = 0; i < TLSV_SLOTS; i++) {
        r->versions[i] += f->versions[i];
        r->offered[i] += f->offered[i];
    }
    r->total += f->total;
    r->legacy += f->legacy;
    r->failed += f->failed;
    r->failed_legacy += f->failed_legacy;
    time_min(&r->first_seen, f->first_seen);
    time_max(&r->last_seen, f->last_seen);
    time_min(&r->first_legacy, f->first_legacy);
    time_max(&r->last_legacy, f->last_legacy);
    for (int i = 0; i < AGG_MAX_CATEGORIES; i++) {
        r->cat_all[i] += f->cat_all[i];
        r->cat_legacy[i] += f->cat_legacy[i];
    }
}

/* ---------------------------------------------------------------- tables */

static int slots_grow(uint64_t **slots, size_t *mask, size_t n_rows, const uint64_t *row_hash,
                      const struct agg_pair_row *pair_rows)
{
    size_t size = *mask ? (*mask + 1) * 2 : 64;
    uint64_t *s = calloc(size, sizeof *s);
    if (!s)
        return -1;
    size_t m = size - 1;
    for (size_t i = 0; i < n_rows; i++) {
        uint64_t h = row_hash ? row_hash[i] : tr_mix64(((uint64_t)pair_rows[i].a << 32) | pair_rows[i].b);
        size_t j = (size_t)h & m;
        while (s[j])
            j = (j + 1) & m;
        s[j] = (h >> 32) << 32 | (uint64_t)(i + 1);
    }
    free(*slots);
    *slots = s;
    *mask = m;
    return 0;
}

/* Finds the row with this key, inserting it when absent; NULL when out of memory. */
static struct agg_row *table_get(struct aggregate *a, struct table *t, const char *key, size_t len, uint64_t h)
{
    if (t->mask) {
        size_t j = (size_t)h & t->mask;
        uint64_t tag = h >> 32;
        for (;;) {
            uint64_t s = t->slots[j];
            if (!s)
                break;
            if (s >> 32 == tag) {
                struct agg_row *r = &t->rows[(uint32_t)s - 1];
                if (r->key_len == len && memcmp(r->key, key, len) == 0)
                    return r;
            }
            j = (j + 1) & t->mask;
        }
    }
    /* insert */
    if ((t->n + 1) * 2 > t->mask + 1 || !t->mask) {
        if (slots_grow(&t->slots, &t->mask, t->n, t->hashes, NULL) < 0)
            return NULL;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct agg_row *rows = realloc(t->rows, cap * sizeof *rows);
        if (!rows)
            return NULL;
        t->rows = rows;
        for (size_t i = 0; i < t->n; i++) /* inline keys moved with their rows */
            if (rows[i].key_len < AGG_INLINE_KEY)
                rows[i].key = rows[i].inline_key;
        uint64_t *hs = realloc(t->hashes, cap * sizeof *hs);
        if (!hs)
            return NULL;
        t->hashes = hs;
        t->cap = cap;
    }
    if (t->n >= UINT32_MAX - 1)
        return NULL;
    struct agg_row *r = &t->rows[t->n];
    row_init(r);
    if (len < AGG_INLINE_KEY) {
        if (len)
            memcpy(r->inline_key, key, len);
        r->inline_key[len] = 0;
        r->key = r->inline_key;
    } else if (!(r->key = arena_dup(&a->arena, key, len))) {
        return NULL;
    }
    r->key_len = (uint32_t)len;
    r->index = (uint32_t)t->n;
    t->hashes[t->n] = h;
    size_t j = (size_t)h & t->mask;
    while (t->slots[j])
        j = (j + 1) & t->mask;
    t->slots[j] = (h >> 32) << 32 | (uint64_t)(t->n + 1);
    t->n++;
    return r;
}

static struct agg_pair_row *pair_get(struct pair_table *t, uint32_t ia, uint32_t ib)
{
    uint64_t h = tr_mix64(((uint64_t)ia << 32) | ib);
    if (t->mask) {
        size_t j = (size_t)h & t->mask;
        for (;;) {
            uint64_t s = t->slots[j];
            if (!s)
                break;
            struct agg_pair_row *r = &t->rows[(uint32_t)s - 1];
            if (r->a == ia && r->b == ib)
                return r;
            j = (j + 1) & t->mask;
        }
    }
    if ((t->n + 1) * 2 > t->mask + 1 || !t->mask) {
        if (slots_grow(&t->slots, &t->mask, t->n, NULL, t->rows) < 0)
            return NULL;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct agg_pair_row *rows = realloc(t->rows, cap * sizeof *rows);
        if (!rows)
            return NULL;
        t->rows = rows;
        t->cap = cap;
    }
    struct agg_pair_row *r = &t->rows[t->n];
    memset(r, 0, sizeof *r);
    r->a = ia;
    r->b = ib;
    r->first_seen = r->last_seen = r->first_legacy = r->last_legacy = OBS_TIME_UNKNOWN;
    size_t j = (size_t)h & t->mask;
    while (t->slots[j])
        j = (j + 1) & t->mask;
    t->slots[j] = (h >> 32) << 32 | (uint64_t)(t->n + 1);
    t->n++;
    return r;
}


static void pair_merge(struct agg_pair_row *p, const struct agg_pair_row *f)
{
    p->total += f->total;
    p->legacy += f->legacy;
    p->failed += f->failed;
    p->failed_legacy += f->failed_legacy;
    time_min(&p->first_seen, f->first_seen);
    time_max(&p->last_seen, f->last_seen);
    time_min(&p->first_legacy, f->first_legacy);
    time_max(&p->last_legacy, f->last_legacy);
}

/* ---------------------------------------------------------------- lifecycle */

struct aggregate *aggregate_new(const struct agg_config *cfg)
{
    if (cfg->n_categories < 0 || cfg->n_categories > AGG_MAX_CATEGORIES || cfg->n_pairs < 0 ||
        cfg->n_pairs > AGG_MAX_PAIRS)
        return NULL;
    for (int i = 0; i < cfg->n_pairs; i++)
        if ((unsigned)cfg->pairs[i].a >= AGG_DIM_COUNT || (unsigned)cfg->pairs[i].b >= AGG_DIM_COUNT)
            return NULL;
    struct aggregate *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->cfg = *cfg;
    a->cfg.dims &= (1u << AGG_DIM_COUNT) - 1;
    for (int i = 0; i < cfg->n_pairs; i++)
        a->cfg.dims |= AGG_DIM_BIT(cfg->pairs[i].a) | AGG_DIM_BIT(cfg->pairs[i].b);
    if (!cfg->classify)
        a->cfg.dims &= ~AGG_DIM_BIT(AGG_CATEGORY);
    row_init(&a->totals);
    a->totals.key = "";
    return a;
}

void aggregate_free(struct aggregate *a)
{
    if (!a)
        return;
    for (int d = 0; d < AGG_DIM_COUNT; d++) {
        free(a->tables[d].rows);
        free(a->tables[d].hashes);
        free(a->tables[d].slots);
    }
    for (int p = 0; p < AGG_MAX_PAIRS; p++) {
        free(a->pairs[p].rows);
        free(a->pairs[p].slots);
        free(a->pairs[p].order);
    }
    arena_free(&a->arena);
    free(a->scratch);
    free(a->batch_keys);
    free(a);
}

const struct agg_config *aggregate_config(const struct aggregate *a) { return &a->cfg; }
int aggregate_failed(const struct aggregate *a) { return a->failed; }
const struct agg_row *aggregate_totals(const struct aggregate *a) { return &a->totals; }

int aggregate_is_legacy_version(const struct aggregate *a, int version)
{
    return version >= 0 && version < TLSV_COUNT && version < a->cfg.min_version;
}

/* ---------------------------------------------------------------- keys */

static inline size_t slen(const char *s) { return s ? strnlen(s, KEY_MAX) : 0; }

/* Appends a key part; returns the new length. The scratch has KEY_MAX + parts room. */
static size_t key_part(char *dst, size_t at, const char *s)
{
    size_t n = slen(s);
    if (at + n > KEY_MAX)
        n = at < KEY_MAX ? KEY_MAX - at : 0;
    if (n)
        memcpy(dst + at, s, n);
    return at + n;
}

static const char *single_value(const struct observation *o, enum agg_dim d)
{
    switch (d) {
    case AGG_USER: return o->user && *o->user ? o->user : o->user_id;
    case AGG_APPLICATION: return o->application;
    case AGG_LOGIN_TYPE: return o->login_type;
    case AGG_CLIENT_IP: return o->client_ip;
    case AGG_SERVER: return o->server;
    case AGG_USER_AGENT: return o->user_agent;
    case AGG_FINGERPRINT: return o->fingerprint;
    case AGG_CIPHER: return o->cipher;
    default: return NULL;
    }
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);

/* "YYYY-MM-DD" without printf: it runs for every observation. Returns 10, or 0 when unknown. */
static size_t day_key(int64_t t, char *k)
{
    if (t == OBS_TIME_UNKNOWN)
        return 0;
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        return 0;
    k[0] = (char)('0' + y / 1000);
    k[1] = (char)('0' + y / 100 % 10);
    k[2] = (char)('0' + y / 10 % 10);
    k[3] = (char)('0' + y % 10);
    k[4] = '-';
    k[5] = (char)('0' + m / 10);
    k[6] = (char)('0' + m % 10);
    k[7] = '-';
    k[8] = (char)('0' + d / 10);
    k[9] = (char)('0' + d % 10);
    k[10] = 0;
    return 10;
}

/* Builds the key of `d` for `o` into k (KEY_MAX + 16 bytes); returns its length. */
static size_t build_key(const struct aggregate *a, enum agg_dim d, const struct observation *o, int cat, char *k)
{
    size_t n = 0;
    switch (d) {
    case AGG_CLIENT:
        n = key_part(k, n, o->application);
        k[n++] = AGG_KEY_SEP;
        n = key_part(k, n, o->client_version);
        k[n++] = AGG_KEY_SEP;
        n = key_part(k, n, o->browser);
        k[n++] = AGG_KEY_SEP;
        n = key_part(k, n, o->platform);
        return n;
    case AGG_API:
        n = key_part(k, n, o->api_type);
        k[n++] = AGG_KEY_SEP;
        return key_part(k, n, o->api_version);
    case AGG_DAY:
        return day_key(o->time, k);
    case AGG_CATEGORY:
        return cat >= 0 && a->cfg.category_names ? key_part(k, 0, a->cfg.category_names[cat]) : 0;
    default:
        return key_part(k, 0, single_value(o, d));
    }
}

/* ---------------------------------------------------------------- add */

static void contribution_of(const struct aggregate *a, const struct observation *o, struct contribution *cp);
static int add_pairs_n(struct aggregate *a, const struct contribution *c, const uint32_t *idx, uint64_t n,
                       int64_t last_time, uint32_t parts);

/* The key-building buffer, allocated on the first add. */
static int ensure_scratch(struct aggregate *a)
{
    if (a->scratch)
        return 0;
    a->scratch_cap = KEY_MAX + 16;
    a->scratch = malloc(a->scratch_cap);
    if (!a->scratch) {
        a->failed = 1;
        return -1;
    }
    return 0;
}

/* One observation: n of them at once with the same first and last time. */
int aggregate_add(struct aggregate *a, const struct observation *o) { return aggregate_add_n(a, o, 1, o->time); }

static void contribution_of(const struct aggregate *a, const struct observation *o, struct contribution *cp)
{
    struct contribution c;
    c.slot = o->version >= 0 && o->version < TLSV_COUNT ? o->version : TLSV_UNKNOWN;
    c.offered = o->max_offered >= 0 && o->max_offered < TLSV_COUNT ? o->max_offered : -1;
    int neg = c.slot != TLSV_UNKNOWN ? c.slot : -1;
    int judged = a->cfg.legacy_rule == AGG_LEGACY_OFFERED ? (c.offered >= 0 ? c.offered : neg)
                                                          : (neg >= 0 ? neg : c.offered);
    c.legacy = judged >= 0 && judged < a->cfg.min_version;
    c.failed = o->success == 0;
    c.time = o->time;
    c.category = AGG_NO_CATEGORY;
    if (a->cfg.classify) {
        int cat = a->cfg.classify(a->cfg.classify_ctx, o);
        if (cat >= 0 && cat < a->cfg.n_categories)
            c.category = cat;
    }
    *cp = c;
}


/*
 * A batch: the same counts as aggregate_add one by one, but each table is
 * probed in three passes (hash every key and prefetch its slot; prefetch the
 * rows the slots point to; then look up and count), so the cache misses of a
 * large table overlap instead of coming one after the other.
 */
static int add_batch(struct aggregate *a, const struct observation *const *obs, size_t n)
{
    struct contribution c[AGG_BATCH];
    uint32_t idx[AGG_BATCH][AGG_DIM_COUNT];
    uint64_t h[AGG_BATCH];
    size_t len[AGG_BATCH];
    for (size_t i = 0; i < n; i++) {
        contribution_of(a, obs[i], &c[i]);
        row_add_n(&a->totals, &c[i], 1, c[i].time);
    }
    for (int d = 0; d < AGG_DIM_COUNT; d++) {
        if (!(a->cfg.dims & AGG_DIM_BIT(d)))
            continue;
        struct table *t = &a->tables[d];
        for (size_t i = 0; i < n; i++) {
            char *k = a->batch_keys + i * (KEY_MAX + 16);
            len[i] = build_key(a, (enum agg_dim)d, obs[i], c[i].category, k);
            h[i] = tr_hash_bytes(k, len[i]);
            if (t->mask)
                __builtin_prefetch(&t->slots[(size_t)h[i] & t->mask]);
        }
        if (t->mask)
            for (size_t i = 0; i < n; i++) {
                uint64_t s = t->slots[(size_t)h[i] & t->mask];
                if (s && s >> 32 == h[i] >> 32) {
                    const char *r = (const char *)&t->rows[(uint32_t)s - 1];
                    __builtin_prefetch(r);
                    __builtin_prefetch(r + 64);
                    __builtin_prefetch(r + 128);
                    __builtin_prefetch(r + 192);
                }
            }
        for (size_t i = 0; i < n; i++) {
            struct agg_row *r = table_get(a, t, a->batch_keys + i * (KEY_MAX + 16), len[i], h[i]);
            if (!r) {
                a->failed = 1;
                return -1;
            }
            row_add_n(r, &c[i], 1, c[i].time); /* while the row is in cache */
            idx[i][d] = r->index;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (add_pairs_n(a, &c[i], idx[i], 1, c[i].time, a->cfg.dims) < 0)
            return -1;
    return 0;
}

int aggregate_add_batch(struct aggregate *a, const struct observation *const *obs, size_t n)
{
    if (a->failed)
        return -1;
    if (!a->batch_keys && !(a->batch_keys = malloc(AGG_BATCH * (KEY_MAX + 16)))) {
        a->failed = 1;
        return -1;
    }
    while (n) {
        size_t k = n < AGG_BATCH ? n : AGG_BATCH;
        if (add_batch(a, obs, k) < 0)
            return -1;
        obs += k;
        n -= k;
    }
    return 0;
}

/* ---------------------------------------------------------------- merge */

static int same_config(const struct agg_config *x, const struct agg_config *y)
{
    if (x->dims != y->dims || x->min_version != y->min_version || x->legacy_rule != y->legacy_rule ||
        x->n_categories != y->n_categories || x->n_pairs != y->n_pairs || x->classify != y->classify)
        return 0;
    for (int i = 0; i < x->n_pairs; i++)
        if (x->pairs[i].a != y->pairs[i].a || x->pairs[i].b != y->pairs[i].b ||
            x->pairs[i].legacy_only != y->pairs[i].legacy_only)
            return 0;
    return 1;
}

int aggregate_merge(struct aggregate *into, const struct aggregate *from)
{
    if (into->failed || from->failed || !same_config(&into->cfg, &from->cfg))
        return -1;
    uint32_t *remap[AGG_DIM_COUNT] = { 0 };
    int rc = -1;
    row_merge(&into->totals, &from->totals);
    for (int d = 0; d < AGG_DIM_COUNT; d++) {
        const struct table *ft = &from->tables[d];
        if (!ft->n)
            continue;
        remap[d] = malloc(ft->n * sizeof *remap[d]);
        if (!remap[d])
            goto out;
        for (size_t i = 0; i < ft->n; i++) {
            const struct agg_row *fr = &ft->rows[i];
            struct agg_row *r = table_get(into, &into->tables[d], fr->key, fr->key_len, ft->hashes[i]);
            if (!r)
                goto out;
            row_merge(r, fr);
            remap[d][i] = r->index;
        }
    }
    for (int p = 0; p < from->cfg.n_pairs; p++) {
        const struct pair_table *fp = &from->pairs[p];
        enum agg_dim da = from->cfg.pairs[p].a, db = from->cfg.pairs[p].b;
        for (size_t i = 0; i < fp->n; i++) {
            struct agg_pair_row *r = pair_get(&into->pairs[p], remap[da][fp->rows[i].a], remap[db][fp->rows[i].b]);
            if (!r)
                goto out;
            pair_merge(r, &fp->rows[i]);
        }
        into->pairs[p].order_valid = 0;
    }
    rc = 0;
out:
    for (int d = 0; d < AGG_DIM_COUNT; d++)
        free(remap[d]);
    if (rc)
        into->failed = 1;
    return rc;
}

/* ---------------------------------------------------------------- access */

size_t aggregate_count(const struct aggregate *a, enum agg_dim dim)
{
    return (unsigned)dim < AGG_DIM_COUNT ? a->tables[dim].n : 0;
}

const struct agg_row *aggregate_rows(const struct aggregate *a, enum agg_dim dim)
{
    return (unsigned)dim < AGG_DIM_COUNT ? a->tables[dim].rows : NULL;
}

size_t aggregate_count_legacy(const struct aggregate *a, enum agg_dim dim)
{
    size_t n = 0;
    for (size_t i = 0; i < aggregate_count(a, dim); i++)
        n += a->tables[dim].rows[i].legacy + a->tables[dim].rows[i].failed_legacy > 0;
    return n;
}

const struct agg_row *aggregate_find(const struct aggregate *a, enum agg_dim dim, const char *key, size_t len)
{
    if ((unsigned)dim >= AGG_DIM_COUNT)
        return NULL;
    const struct table *t = &a->tables[dim];
    if (!t->mask)
        return NULL;
    uint64_t h = tr_hash_bytes(key, len);
    size_t j = (size_t)h & t->mask;
    for (; t->slots[j]; j = (j + 1) & t->mask) {
        const struct agg_row *r = &t->rows[(uint32_t)t->slots[j] - 1];
        if (t->slots[j] >> 32 == h >> 32 && r->key_len == len && memcmp(r->key, key, len) == 0)
            return r;
    }
    return NULL;
}

static int key_cmp(const struct agg_row *x, const struct agg_row *y)
{
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    if (c)
        return c;
    return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

static int cmp_u64_desc(uint64_t x, uint64_t y) { return x > y ? -1 : x < y; }

static int by_legacy(const void *p, const void *q)
{
    const struct agg_row *x = *(const struct agg_row *const *)p, *y = *(const struct agg_row *const *)q;
    int c = cmp_u64_desc(x->legacy + x->failed_legacy, y->legacy + y->failed_legacy);
    if (!c)
        c = cmp_u64_desc(x->total + x->failed, y->total + y->failed);
    return c ? c : key_cmp(x, y);
}

static int by_total(const void *p, const void *q)
{
    const struct agg_row *x = *(const struct agg_row *const *)p, *y = *(const struct agg_row *const *)q;
    int c = cmp_u64_desc(x->total + x->failed, y->total + y->failed);
    return c ? c : key_cmp(x, y);
}

static int by_key(const void *p, const void *q)
{
    return key_cmp(*(const struct agg_row *const *)p, *(const struct agg_row *const *)q);
}

const struct agg_row **aggregate_sorted(const struct aggregate *a, enum agg_dim dim, enum agg_order order,
                                        int legacy_only, size_t *n)
{
    *n = 0;
    size_t count = aggregate_count(a, dim);
    if (!count)
        return NULL;
    const struct agg_row **v = malloc(count * sizeof *v);
    if (!v)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < count; i++) {
        const struct agg_row *r = &a->tables[dim].rows[i];
        if (!legacy_only || r->legacy + r->failed_legacy)
            v[k++] = r;
    }
    qsort(v, k, sizeof *v, order == AGG_BY_KEY ? by_key : order == AGG_BY_TOTAL ? by_total : by_legacy);
    if (!k) {
        free(v);
        return NULL;
    }
    *n = k;
    return v;
}

/* ---------------------------------------------------------------- tops */

/* qsort has no context argument: sort (a, legacy, total, b) over the row values themselves. */
struct pair_sort {
    uint32_t a, b, idx; /* b: rank of the b key */
    uint64_t legacy, total;
};

static int pair_sort_cmp(const void *p, const void *q)
{
    const struct pair_sort *x = p, *y = q;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    int c = cmp_u64_desc(x->legacy, y->legacy);
    if (!c)
        c = cmp_u64_desc(x->total, y->total);
    if (!c)
        c = x->b < y->b ? -1 : x->b > y->b;
    return c;
}

/* Ties in a top list go by the b key's bytes (not by insertion order), so merged
 * and whole aggregates list the same values in the same order. */
static int pair_index(struct aggregate *a, int pair)
{
    struct pair_table *t = &a->pairs[pair];
    if (t->order_valid)
        return 0;
    free(t->order);
    t->order = NULL;
    if (!t->n) {
        t->order_valid = 1;
        return 0;
    }
    struct pair_sort *s = malloc(t->n * sizeof *s);
    t->order = malloc(t->n * sizeof *t->order);
    if (!s || !t->order) {
        free(s);
        free(t->order);
        t->order = NULL;
        return -1;
    }
    size_t nb;
    const struct agg_row **bs = aggregate_sorted(a, a->cfg.pairs[pair].b, AGG_BY_KEY, 0, &nb);
    uint32_t *rank = malloc((nb ? nb : 1) * sizeof *rank);
    if (!bs || !rank) {
        free(bs);
        free(rank);
        free(s);
        free(t->order);
        t->order = NULL;
        return -1;
    }
    for (size_t i = 0; i < nb; i++)
        rank[bs[i]->index] = (uint32_t)i;
    for (size_t i = 0; i < t->n; i++) {
        const struct agg_pair_row *r = &t->rows[i];
        s[i] = (struct pair_sort){ r->a, rank[r->b], (uint32_t)i, r->legacy + r->failed_legacy, r->total + r->failed };
    }
    free(bs);
    free(rank);
    qsort(s, t->n, sizeof *s, pair_sort_cmp);
    for (size_t i = 0; i < t->n; i++)
        t->order[i] = s[i].idx;
    free(s);
    t->order_valid = 1;
    return 0;
}

/* First position in t->order whose a >= ia. */
static size_t pair_lower(const struct pair_table *t, uint32_t ia)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->rows[t->order[mid]].a < ia)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t aggregate_top(struct aggregate *a, int pair, const struct agg_row *a_row, const struct agg_row **out,
                     const struct agg_pair_row **pair_out, size_t max)
{
    if (pair < 0 || pair >= a->cfg.n_pairs || !a_row)
        return 0;
    struct pair_table *t = &a->pairs[pair];
    if (pair_index(a, pair) < 0 || !t->n)
        return 0;
    const struct table *tb = &a->tables[a->cfg.pairs[pair].b];
    size_t k = 0;
    for (size_t i = pair_lower(t, a_row->index); i < t->n && k < max; i++) {
        const struct agg_pair_row *pr = &t->rows[t->order[i]];
        if (pr->a != a_row->index)
            break;
        out[k] = &tb->rows[pr->b];
        if (pair_out)
            pair_out[k] = pr;
        k++;
    }
    return k;
}

size_t aggregate_top_count(struct aggregate *a, int pair, const struct agg_row *a_row)
{
    if (pair < 0 || pair >= a->cfg.n_pairs || !a_row)
        return 0;
    struct pair_table *t = &a->pairs[pair];
    if (pair_index(a, pair) < 0 || !t->n)
        return 0;
    size_t i = pair_lower(t, a_row->index), k = 0;
    while (i + k < t->n && t->rows[t->order[i + k]].a == a_row->index)
        k++;
    return k;
}

/* ---------------------------------------------------------------- names, times */

int agg_row_category(const struct agg_row *r, int n_categories)
{
    const uint64_t *v = r->legacy + r->failed_legacy ? r->cat_legacy : r->cat_all;
    int best = AGG_NO_CATEGORY;
    for (int i = 0; i < n_categories && i < AGG_MAX_CATEGORIES; i++)
        if (v[i] && (best < 0 || v[i] > v[best]))
            best = i;
    return best;
}

const char *aggregate_category_name(const struct aggregate *a, int cat)
{
    return cat >= 0 && cat < a->cfg.n_categories && a->cfg.category_names ? a->cfg.category_names[cat] : NULL;
}

const char *agg_key_part(const char *key, size_t key_len, int i, size_t *len)
{
    const char *p = key, *end = key + key_len;
    for (;;) {
        const char *sep = memchr(p, AGG_KEY_SEP, (size_t)(end - p));
        const char *e = sep ? sep : end;
        if (i == 0) {
            *len = (size_t)(e - p);
            return p;
        }
        if (!sep)
            return NULL;
        p = sep + 1;
        i--;
    }
}

static const char *const dim_names[AGG_DIM_COUNT] = {
    "user", "client", "application", "login_type", "api", "client_ip",
    "day", "server", "user_agent", "fingerprint", "cipher", "category",
};

const char *agg_dim_name(enum agg_dim dim) { return (unsigned)dim < AGG_DIM_COUNT ? dim_names[dim] : NULL; }

int agg_dim_parse(const char *name)
{
    for (int d = 0; d < AGG_DIM_COUNT; d++)
        if (strcmp(name, dim_names[d]) == 0)
            return d;
    return -1;
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm, proleptic Gregorian). */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

static void split_time(int64_t t, int *y, unsigned *mo, unsigned *d, unsigned *h, unsigned *mi, unsigned *s)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t rem = t - days * 86400;
    civil_from_days(days, y, mo, d);
    *h = (unsigned)(rem / 3600);
    *mi = (unsigned)(rem % 3600 / 60);
    *s = (unsigned)(rem % 60);
}

const char *agg_format_time(int64_t t, char *buf, size_t cap)
{
    if (t == OBS_TIME_UNKNOWN || cap < 21)
        return NULL;
    int y;
    unsigned mo, d, h, mi, s;
    split_time(t, &y, &mo, &d, &h, &mi, &s);
    if (y < 0 || y > 9999)
        return NULL;
    /* fixed width, written digit by digit: reports format one or several per row */
    unsigned v[6] = { (unsigned)y, mo, d, h, mi, s };
    static const char sep[6] = { '-', '-', 'T', ':', ':', 'Z' };
    char *o = buf;
    for (int i = 0; i < 6; i++) {
        if (i == 0) {
            *o++ = (char)('0' + v[0] / 1000 % 10);
            *o++ = (char)('0' + v[0] / 100 % 10);
        }
        *o++ = (char)('0' + v[i] / 10 % 10);
        *o++ = (char)('0' + v[i] % 10);
        *o++ = sep[i];
    }
    *o = 0;
    return buf;
}

const char *agg_format_day(int64_t t, char *buf, size_t cap)
{
    char full[32];
    if (cap < 11 || !agg_format_time(t, full, sizeof full))
        return NULL;
    memcpy(buf, full, 10); /* "YYYY-MM-DD" is the time's first ten characters */
    buf[10] = 0;
    return buf;
}

/* ---------------------------------------------------------------- weighted add (logs) */



/* Counts n observations with contribution c in the pairs of two dims in `parts` (rows idx[d]). */
static int add_pairs_n(struct aggregate *a, const struct contribution *c, const uint32_t *idx, uint64_t n,
                       int64_t last_time, uint32_t parts)
{
    for (int p = 0; p < a->cfg.n_pairs; p++) {
        const struct agg_pair_spec *ps = &a->cfg.pairs[p];
        if ((ps->legacy_only && !c->legacy) || !(parts & AGG_DIM_BIT(ps->a)) || !(parts & AGG_DIM_BIT(ps->b)))
            continue;
        struct agg_pair_row *pr = pair_get(&a->pairs[p], idx[ps->a], idx[ps->b]);
        if (!pr) {
            a->failed = 1;
            return -1;
        }
        pair_add_n(pr, c, n, last_time);
        a->pairs[p].order_valid = 0;
    }
    return 0;
}

/* Counts n observations with contribution c at the rows idx[d] of the dims in parts, in the pairs of two
 * such dims, and in the totals when parts has AGG_AT_TOTALS. */
static int add_n_at(struct aggregate *a, const struct contribution *c, const uint32_t *idx, uint64_t n,
                    int64_t last_time, uint32_t parts)
{
    if (parts & AGG_AT_TOTALS)
        row_add_n(&a->totals, c, n, last_time);
    for (int d = 0; d < AGG_DIM_COUNT; d++)
        if (parts & AGG_DIM_BIT(d))
            row_add_n(&a->tables[d].rows[idx[d]], c, n, last_time);
    return add_pairs_n(a, c, idx, n, last_time, parts);
}

int aggregate_add_n(struct aggregate *a, const struct observation *o, uint64_t n, int64_t last_time)
{
    if (a->failed)
        return -1;
    if (n == 0)
        return 0;
    if (ensure_scratch(a) != 0)
        return -1;
    struct contribution c;
    contribution_of(a, o, &c);
    uint32_t idx[AGG_DIM_COUNT];
    for (int d = 0; d < AGG_DIM_COUNT; d++) {
        if (!(a->cfg.dims & AGG_DIM_BIT(d)))
            continue;
        size_t kn = build_key(a, (enum agg_dim)d, o, c.category, a->scratch);
        struct agg_row *r = table_get(a, &a->tables[d], a->scratch, kn, tr_hash_bytes(a->scratch, kn));
        if (!r) {
            a->failed = 1;
            return -1;
        }
        idx[d] = r->index;
    }
    return add_n_at(a, &c, idx, n, last_time, a->cfg.dims | AGG_AT_TOTALS);
}

int64_t aggregate_row_of(struct aggregate *a, enum agg_dim dim, const struct observation *o)
{
    if (a->failed || (unsigned)dim >= AGG_DIM_COUNT || !(a->cfg.dims & AGG_DIM_BIT(dim)) || a->cfg.classify)
        return -1;
    if (ensure_scratch(a) != 0)
        return -1;
    size_t kn = build_key(a, dim, o, AGG_NO_CATEGORY, a->scratch);
    struct agg_row *r = table_get(a, &a->tables[dim], a->scratch, kn, tr_hash_bytes(a->scratch, kn));
    if (!r) {
        a->failed = 1;
        return -1;
    }
    return r->index;
}

int aggregate_add_n_at(struct aggregate *a, const struct agg_at *items, size_t n, uint32_t parts)
{
    if (a->failed || a->cfg.classify)
        return -1;
    parts &= a->cfg.dims | AGG_AT_TOTALS;
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < AGG_DIM_COUNT; d++)
            if ((parts & AGG_DIM_BIT(d)) && items[i].idx[d] >= a->tables[d].n)
                return -1; /* not a row of this aggregate: a caller's bug, refused rather than written */
    /* the rows of a large table (client IPs) are cache misses: start loading them all, then count */
    for (size_t i = 0; i < n; i++) {
        for (int d = 0; d < AGG_DIM_COUNT; d++)
            if (parts & AGG_DIM_BIT(d)) {
                const char *r = (const char *)&a->tables[d].rows[items[i].idx[d]];
                __builtin_prefetch(r);
                __builtin_prefetch(r + 64);
            }
        for (int p = 0; p < a->cfg.n_pairs; p++) {
            const struct pair_table *t = &a->pairs[p];
            const struct agg_pair_spec *ps = &a->cfg.pairs[p];
            if (t->mask && (parts & AGG_DIM_BIT(ps->a)) && (parts & AGG_DIM_BIT(ps->b))) {
                uint64_t h = tr_mix64(((uint64_t)items[i].idx[ps->a] << 32) | items[i].idx[ps->b]);
                __builtin_prefetch(&t->slots[(size_t)h & t->mask]);
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct agg_at *it = &items[i];
        if (it->n == 0)
            continue;
        struct observation o;
        memset(&o, 0, sizeof o);
        o.version = it->version;
        o.max_offered = it->max_offered;
        o.success = it->success;
        o.time = it->first;
        struct contribution c;
        contribution_of(a, &o, &c);
        if (add_n_at(a, &c, it->idx, it->n, it->last, parts) != 0)
            return -1;
    }
    return 0;
}
