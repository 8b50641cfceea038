/*
 * Pre-combining identical requests before the aggregate: see logfmt_combine.h.
 *
 * Each string value is interned once into a small table (user agents,
 * servers, ciphers ... are few and stay in cache), an IPv4 client becomes its
 * 32-bit number, so a request's tuple is a fixed 32-byte key: one hash and
 * one probe of an open-addressing table whose slots hold the key inline.
 * Interned ids, IPv4 numbers and days remember their aggregate row, so a
 * flush adds each tuple by row index.
 */
#include "ingest/logfmt_combine.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "tls/version.h"
#include "util/hash.h"

/* ---- string interning ------------------------------------------------------ */

/*
 * Values are interned by their bytes as the line writes them (with escapes) and
 * the escape mode: equal raw bytes are equal values, so a line's values are
 * never copied. Each distinct value is unescaped once, when first seen.
 */
struct strtab {
    uint64_t *slots;        /* hi32(hash) << 32 | id; 0 = empty (ids start at 1) */
    size_t mask;
    uint32_t *off, *len;    /* per id: the raw bytes, in the arena */
    uint32_t *doff;         /* per id: the unescaped value (NUL-terminated), in the arena */
    uint8_t *esc;           /* per id: the escape mode of the raw bytes */
    uint32_t *row;          /* per id: the aggregate row of its value, ROW_NONE until resolved */
    size_t n, cap;          /* ids used (id 0 = "none"), capacity */
    char *arena;
    size_t used, acap;
    size_t *total;          /* the owner's count of bytes held by all its tables (NULL: none) */
};

#define ROW_NONE UINT32_MAX

/* Bytes held: the arena, the per-id arrays (4 + 4 + 4 + 1 + 4) and the slots. */
static size_t strtab_bytes(const struct strtab *t) { return t->acap + t->cap * 17 + (t->mask ? (t->mask + 1) * 8 : 0); }

/* Keeps the owner's total right across a change of sizes: call with -1 before, +1 after. */
static void strtab_account(struct strtab *t, int sign)
{
    if (!t->total)
        return;
    if (sign < 0)
        *t->total -= strtab_bytes(t);
    else
        *t->total += strtab_bytes(t);
}

static void strtab_free(struct strtab *t)
{
    strtab_account(t, -1);
    size_t *total = t->total;
    free(t->slots);
    free(t->off);
    free(t->len);
    free(t->doff);
    free(t->esc);
    free(t->row);
    free(t->arena);
    memset(t, 0, sizeof *t);
    t->total = total;
}

static uint64_t strtab_hash(const char *s, size_t n, int esc) { return tr_hash_bytes(s, n) ^ (uint64_t)esc << 61; }

static int strtab_grow_slots(struct strtab *t)
{
    size_t slots = t->mask ? (t->mask + 1) * 2 : 256;
    uint64_t *s = calloc(slots, sizeof *s);
    if (!s)
        return -1;
    for (uint32_t id = 1; id < t->n; id++) {
        uint64_t h = strtab_hash(t->arena + t->off[id], t->len[id], t->esc[id]);
        size_t i = (size_t)h & (slots - 1);
        while (s[i])
            i = (i + 1) & (slots - 1);
        s[i] = (h >> 32) << 32 | id;
    }
    strtab_account(t, -1);
    free(t->slots);
    t->slots = s;
    t->mask = slots - 1;
    strtab_account(t, +1);
    return 0;
}

static int grow_array(void **p, size_t cap, size_t size)
{
    void *q = realloc(*p, cap * size);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

static int strtab_reserve_sizes(struct strtab *t, size_t n);

/* Room for one more id (id 0, "none", is made on first use) and n + 1 + n + 1 arena bytes. */
static int strtab_reserve(struct strtab *t, size_t n)
{
    strtab_account(t, -1);
    int rc = strtab_reserve_sizes(t, n);
    strtab_account(t, +1);
    return rc;
}

static int strtab_reserve_sizes(struct strtab *t, size_t n)
{
    if (t->n + 1 >= t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        if (grow_array((void **)&t->off, cap, sizeof *t->off) || grow_array((void **)&t->len, cap, sizeof *t->len) ||
            grow_array((void **)&t->doff, cap, sizeof *t->doff) || grow_array((void **)&t->esc, cap, sizeof *t->esc) ||
            grow_array((void **)&t->row, cap, sizeof *t->row))
            return -1;
        t->cap = cap;
    }
    if (t->n == 0) {
        t->off[0] = t->len[0] = t->doff[0] = 0;
        t->esc[0] = 0;
        t->row[0] = ROW_NONE;
        t->n = 1;
    }
    size_t need = t->used + 2 * (n + 1) + 1;
    if (need > t->acap) {
        size_t acap = t->acap ? t->acap * 2 : 65536;
        while (acap < need)
            acap *= 2;
        char *a = acap <= UINT32_MAX ? realloc(t->arena, acap) : NULL;
        if (!a)
            return -1;
        t->arena = a;
        t->acap = acap;
        if (t->used == 0)
            t->arena[t->used++] = 0; /* offset 0: the empty string of id 0 */
    }
    return 0;
}

/* The id of the raw bytes s[0..n) written with escape mode esc (0 when absent), or UINT32_MAX when out of memory. */
static uint32_t strtab_intern(struct strtab *t, const char *s, size_t n, int esc)
{
    if (!s || !n)
        return 0;
    uint64_t h = strtab_hash(s, n, esc);
    if (t->mask) {
        size_t i = (size_t)h & t->mask;
        for (;;) {
            uint64_t v = t->slots[i];
            if (!v)
                break;
            uint32_t id = (uint32_t)v;
            if ((v >> 32) == (h >> 32) && t->len[id] == n && t->esc[id] == esc &&
                memcmp(t->arena + t->off[id], s, n) == 0)
                return id;
            i = (i + 1) & t->mask;
        }
    }
    if (strtab_reserve(t, n) != 0 || ((t->n + 1) * 2 > t->mask + 1 && strtab_grow_slots(t) != 0))
        return UINT32_MAX;
    uint32_t id = (uint32_t)t->n++;
    t->off[id] = (uint32_t)t->used;
    t->len[id] = (uint32_t)n;
    t->esc[id] = (uint8_t)esc;
    t->row[id] = ROW_NONE;
    memcpy(t->arena + t->used, s, n);
    t->used += n;
    t->doff[id] = (uint32_t)t->used;
    t->used += logfmt_unescape(t->arena + t->used, s, n, esc) + 1;
    size_t i = (size_t)h & t->mask;
    while (t->slots[i])
        i = (i + 1) & t->mask;
    t->slots[i] = (h >> 32) << 32 | id;
    return id;
}

/* The unescaped value of id; NULL for id 0 (absent) and for a value that unescapes to "". */
static const char *strtab_str(const struct strtab *t, uint32_t id)
{
    const char *v = id ? t->arena + t->doff[id] : NULL;
    return v && v[0] ? v : NULL;
}

/* ---- small integer maps (IPv4 client, day) to aggregate rows ----------------- */

struct u32map {
    uint64_t *slots;        /* (uint64_t)(row + 1) << 32 | key; 0 = empty */
    size_t mask, n;
};

static uint64_t mix32(uint32_t k)
{
    uint64_t h = (uint64_t)k * 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 29);
}

/* The row for key, or ROW_NONE. */
static uint32_t u32map_get(const struct u32map *m, uint32_t key)
{
    if (!m->mask)
        return ROW_NONE;
    for (size_t i = (size_t)mix32(key) & m->mask;; i = (i + 1) & m->mask) {
        uint64_t v = m->slots[i];
        if (!v)
            return ROW_NONE;
        if ((uint32_t)v == key)
            return (uint32_t)(v >> 32) - 1;
    }
}

static int u32map_put(struct u32map *m, uint32_t key, uint32_t row)
{
    if ((m->n + 1) * 2 > m->mask + 1) {
        size_t size = m->mask ? (m->mask + 1) * 2 : 1024;
        uint64_t *s = calloc(size, sizeof *s);
        if (!s)
            return -1;
        for (size_t i = 0; m->mask && i <= m->mask; i++) {
            if (!m->slots[i])
                continue;
            size_t j = (size_t)mix32((uint32_t)m->slots[i]) & (size - 1);
            while (s[j])
                j = (j + 1) & (size - 1);
            s[j] = m->slots[i];
        }
        free(m->slots);
        m->slots = s;
        m->mask = size - 1;
    }
    size_t i = (size_t)mix32(key) & m->mask;
    while (m->slots[i])
        i = (i + 1) & m->mask;
    m->slots[i] = (uint64_t)(row + 1) << 32 | key;
    m->n++;
    return 0;
}

/* ---- tuples ----------------------------------------------------------------- */

enum { S_IP, S_UA, S_SERVER, S_CIPHER, S_FP, S_STATUS, N_TABS };

/* A tuple unpacked: ids, and the outcome as struct observation has it. */
struct tkey {
    uint32_t ip;            /* IPv4 number when flags & 1, else an S_IP id */
    uint32_t ua, server, cipher, fp, status;
    int32_t day;
    int version, max_offered, success;
    unsigned flags;
};

/*
 * In the table a tuple is four words, packed with shifts rather than through
 * the struct: a key written as bytes and read back as words stalls the store
 * forwarding of every request.
 */
static inline void tkey_pack(uint32_t ip, uint32_t ua, uint32_t server, uint32_t cipher, uint32_t fp,
                             uint32_t status, int32_t day, unsigned version, unsigned offered, unsigned success,
                             unsigned flags, uint64_t *w)
{
    w[0] = (uint64_t)ip | (uint64_t)ua << 32;
    w[1] = (uint64_t)server | (uint64_t)cipher << 32;
    w[2] = (uint64_t)fp | (uint64_t)status << 32;
    w[3] = (uint64_t)(uint32_t)day | (uint64_t)(version & 255) << 32 | (uint64_t)(offered & 255) << 40 |
           (uint64_t)(success & 255) << 48 | (uint64_t)(flags & 255) << 56;
}

static void tkey_unpack(const uint64_t *w, struct tkey *k)
{
    k->ip = (uint32_t)w[0];
    k->ua = (uint32_t)(w[0] >> 32);
    k->server = (uint32_t)w[1];
    k->cipher = (uint32_t)(w[1] >> 32);
    k->fp = (uint32_t)w[2];
    k->status = (uint32_t)(w[2] >> 32);
    k->day = (int32_t)(uint32_t)w[3];
    unsigned version = (uint8_t)(w[3] >> 32);
    k->version = version == 255 ? TLSV_UNKNOWN : (int)version; /* packed as below */
    k->max_offered = (int)(uint8_t)(w[3] >> 40) - 1;
    k->success = (int)(uint8_t)(w[3] >> 48) - 1;
    k->flags = (uint8_t)(w[3] >> 56);
}

struct entry {
    uint64_t w[4];          /* the packed tuple */
    uint64_t count;         /* 0 = empty slot */
    int64_t first, last;
};

/* The aggregate dims the combiner resolves to rows itself (see flush_entry_rows). */
#define RESOLVED_DIMS                                                                                        \
    (AGG_DIM_BIT(AGG_CLIENT_IP) | AGG_DIM_BIT(AGG_USER_AGENT) | AGG_DIM_BIT(AGG_SERVER) |                    \
     AGG_DIM_BIT(AGG_CIPHER) | AGG_DIM_BIT(AGG_FINGERPRINT) | AGG_DIM_BIT(AGG_DAY))

/* A request prepared (interned, hashed, its slot prefetched) and not yet counted. */
struct combiner_pending {
    uint64_t key[4];
    uint64_t hash;
    int64_t time;
    int32_t day;
};

/* An open-addressing table of tuples with their counts. */
struct ttable {
    struct entry *slots;
    size_t mask, count, max;
};

struct combiner {
    struct ttable tuples;   /* per request: every key (or every key but the day, when split_day) */
    struct ttable days;     /* split_day: per (day, version, offered, outcome) */
    int32_t cur_day;        /* day of the last request: logs are mostly in time order */
    struct strtab tabs[N_TABS];
    struct u32map ip_rows, day_rows;
    int by_row;             /* the aggregate's dims are all RESOLVED_DIMS and it has no classifier */
    /*
     * The day is counted apart (by_row, and no pair involves the day): a
     * client's tuple then holds for the whole file instead of one per day,
     * several times fewer tuples to count (and no flush at each new day).
     */
    int split_day;
    struct aggregate *agg;
    struct ua_cache *ua;
    int raw_ua;
    struct combiner_pending pending; /* the last request, counted when the next one arrives */
    int have_pending;
    size_t values_max;      /* bytes of interned values before they are forgotten */
    size_t values_bytes;    /* bytes the interned values hold now */
};

/*
 * The tuple table, zeroed. A large one is probed at random once per request,
 * so it asks for huge pages where the kernel offers them: one TLB entry per
 * 2 MB instead of 512.
 */
static struct entry *table_alloc(size_t slots)
{
    size_t bytes = slots * sizeof(struct entry);
#ifdef MADV_HUGEPAGE
    const size_t huge = 2u << 20;
    if (bytes >= huge) {
        void *p = aligned_alloc(huge, (bytes + huge - 1) / huge * huge);
        if (p) {
            madvise(p, bytes, MADV_HUGEPAGE); /* a hint: without it the table still works */
            memset(p, 0, bytes);
        }
        return p;
    }
#endif
    return calloc(slots, sizeof(struct entry));
}

static int ttable_init(struct ttable *t, size_t slots, size_t max)
{
    /* start small and grow: a table that fits in cache is the point */
    t->slots = table_alloc(slots);
    t->mask = slots - 1;
    t->count = 0;
    t->max = max;
    return t->slots ? 0 : -1;
}

struct combiner *combiner_new(size_t max_entries, struct aggregate *agg, struct ua_cache *ua, int raw_ua)
{
    struct combiner *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    size_t slots = 16; /* 4096 to start with, or what max_entries needs when that is less */
    while (slots < 4096 && slots < max_entries * 2)
        slots *= 2;
    if (ttable_init(&c->tuples, slots, max_entries) != 0 || ttable_init(&c->days, 16, max_entries) != 0) {
        free(c->tuples.slots);
        free(c);
        return NULL;
    }
    c->agg = agg;
    c->ua = ua;
    c->raw_ua = raw_ua;
    c->values_max = COMBINE_VALUES_MAX;
    for (int i = 0; i < N_TABS; i++)
        c->tabs[i].total = &c->values_bytes;
    const struct agg_config *cfg = aggregate_config(agg);
    c->by_row = !cfg->classify && (cfg->dims & ~(uint32_t)RESOLVED_DIMS) == 0;
    c->split_day = c->by_row && (cfg->dims & AGG_DIM_BIT(AGG_DAY));
    for (int p = 0; p < cfg->n_pairs; p++)
        if (cfg->pairs[p].a == AGG_DAY || cfg->pairs[p].b == AGG_DAY)
            c->split_day = 0;
    return c;
}

void combiner_free(struct combiner *c)
{
    if (!c)
        return;
    for (int i = 0; i < N_TABS; i++)
        strtab_free(&c->tabs[i]);
    free(c->ip_rows.slots);
    free(c->day_rows.slots);
    free(c->tuples.slots);
    free(c->days.slots);
    free(c);
}

/* Dotted-quad IPv4 to a number; -1 when the bytes are anything else (a leading
 * zero too: "010.1.2.3" stays a string, as its text is not the number's). One
 * pass, one test per byte: it runs for every request. */
static int ipv4(const char *s, size_t n, uint32_t *out)
{
    if (n < 7 || n > 15)
        return -1;
    uint32_t v = 0, x = 0;
    unsigned digits = 0, dots = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d <= 9) {
            if (digits == 1 && x == 0)
                return -1;
            x = x * 10 + d;
            digits++;
            if (x > 255)
                return -1;
        } else if (s[i] == '.' && digits && dots < 3) {
            v = v << 8 | x;
            x = 0;
            digits = 0;
            dots++;
        } else {
            return -1;
        }
    }
    if (dots != 3 || !digits)
        return -1;
    *out = v << 8 | x;
    return 0;
}

/* An IPv4 number as dotted quad into out (16 bytes). */
static void ipv4_text(uint32_t a, char *out)
{
    char *o = out;
    for (int i = 3; i >= 0; i--) {
        unsigned x = (a >> (8 * i)) & 255;
        if (x >= 100)
            *o++ = (char)('0' + x / 100);
        if (x >= 10)
            *o++ = (char)('0' + x / 10 % 10);
        *o++ = (char)('0' + x % 10);
        if (i)
            *o++ = '.';
    }
    *o = 0;
}

static int64_t day_of(int64_t t)
{
    if (t == OBS_TIME_UNKNOWN)
        return INT32_MIN;
    return t >= 0 ? t / 86400 : (t - 86399) / 86400;
}

static inline uint64_t hash_tkey(const uint64_t *w)
{
    uint64_t h = (w[0] * 0x9e3779b97f4a7c15ull) ^ (w[1] * 0xc2b2ae3d27d4eb4full);
    h ^= (w[2] * 0x165667b19e3779f9ull) ^ (w[3] * 0xff51afd7ed558ccdull);
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

/* The day table's keys differ in their last word only (day, version, offered, outcome). */
static uint64_t hash_daykey(const uint64_t *w)
{
    uint64_t h = w[3] * 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 31);
}

static inline int tkey_eq(const uint64_t *x, const uint64_t *y)
{
    return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) == 0;
}

/* Doubles the table (up to what its max needs); -1 when it cannot. */
static int ttable_grow(struct ttable *t, uint64_t (*hash)(const uint64_t *w))
{
    size_t slots = (t->mask + 1) * 2;
    if (slots > t->max * 2)
        return -1;
    struct entry *s = table_alloc(slots);
    if (!s)
        return -1;
    for (size_t i = 0; i <= t->mask; i++) {
        if (t->slots[i].count == 0)
            continue;
        size_t j = (size_t)hash(t->slots[i].w) & (slots - 1);
        while (s[j].count)
            j = (j + 1) & (slots - 1);
        s[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = s;
    t->mask = slots - 1;
    return 0;
}

/* Counts one request of tuple k (hash h) at time tm: 0 when counted, 1 when the table is full. */
static int ttable_count(struct ttable *t, const uint64_t *k, uint64_t h, int64_t tm,
                        uint64_t (*hash)(const uint64_t *w))
{
    size_t i = (size_t)h & t->mask;
    for (;;) {
        struct entry *e = &t->slots[i];
        if (e->count == 0)
            break;
        if (tkey_eq(e->w, k)) {
            e->count++;
            if (tm != OBS_TIME_UNKNOWN) {
                if (e->first == OBS_TIME_UNKNOWN || tm < e->first)
                    e->first = tm;
                if (e->last == OBS_TIME_UNKNOWN || tm > e->last)
                    e->last = tm;
            }
            return 0;
        }
        i = (i + 1) & t->mask;
    }
    if ((t->count + 1) * 2 > t->mask + 1 && ttable_grow(t, hash) != 0)
        return 1;
    i = (size_t)h & t->mask;
    while (t->slots[i].count)
        i = (i + 1) & t->mask;
    struct entry *e = &t->slots[i];
    memcpy(e->w, k, sizeof e->w);
    e->count = 1;
    e->first = e->last = tm;
    t->count++;
    return 0;
}

static int prepare(struct combiner *c, const struct logfmt_request *r, struct combiner_pending *pd)
{
    int esc = r->escape;
    uint32_t ip = 0, flags = 0;
    if (r->client_ip.p && ipv4(r->client_ip.p, r->client_ip.n, &ip) == 0)
        flags = 1;
    else if ((ip = strtab_intern(&c->tabs[S_IP], r->client_ip.p, r->client_ip.n, esc)) == UINT32_MAX)
        return -1;
    uint32_t ua = strtab_intern(&c->tabs[S_UA], r->user_agent.p, r->user_agent.n, esc);
    uint32_t server = strtab_intern(&c->tabs[S_SERVER], r->server.p, r->server.n, esc);
    uint32_t cipher = strtab_intern(&c->tabs[S_CIPHER], r->cipher.p, r->cipher.n, esc);
    uint32_t fp = r->fingerprint.p ? strtab_intern(&c->tabs[S_FP], r->fingerprint.p, r->fingerprint.n, esc) : 0;
    uint32_t status = r->status.p ? strtab_intern(&c->tabs[S_STATUS], r->status.p, r->status.n, esc) : 0;
    if (ua == UINT32_MAX || server == UINT32_MAX || cipher == UINT32_MAX || fp == UINT32_MAX ||
        status == UINT32_MAX)
        return -1;
    pd->day = (int32_t)day_of(r->time);
    tkey_pack(ip, ua, server, cipher, fp, status, c->split_day ? 0 : pd->day,
              r->version < 0 ? 255u : (unsigned)r->version, (unsigned)(r->max_offered + 1),
              (unsigned)(r->success + 1), flags, pd->key);
    pd->hash = hash_tkey(pd->key);
    pd->time = r->time;
    /* the probe of this tuple happens after the next line is parsed: start loading its slot now */
    __builtin_prefetch(&c->tuples.slots[(size_t)pd->hash & c->tuples.mask]);
    return 0;
}

static int flush_tables(struct combiner *c);

static int commit(struct combiner *c, const struct combiner_pending *pd)
{
    if (c->split_day) {
        /* (day, version, offered, outcome): the key's last word with the day put back and the flags cleared */
        uint64_t dk[4] = { 0, 0, 0, (pd->key[3] & 0x00ffffff00000000ull) | (uint32_t)pd->day };
        uint64_t dh = hash_daykey(dk);
        int full = ttable_count(&c->days, dk, dh, pd->time, hash_daykey);
        if (full && (flush_tables(c) != 0 || ttable_count(&c->days, dk, dh, pd->time, hash_daykey) != 0))
            return -1;
    } else if (pd->day != c->cur_day) {
        /* a new day: yesterday's tuples will not come back in a time-ordered log */
        if (c->tuples.count > 8192 && flush_tables(c) != 0)
            return -1;
        c->cur_day = pd->day;
    }
    int full = ttable_count(&c->tuples, pd->key, pd->hash, pd->time, hash_tkey);
    /* full at its maximum: hand everything to the aggregate and start over */
    if (full && (flush_tables(c) != 0 || ttable_count(&c->tuples, pd->key, pd->hash, pd->time, hash_tkey) != 0))
        return -1;
    return 0;
}

int combiner_add(struct combiner *c, const struct logfmt_request *r)
{
    if (c->values_bytes > c->values_max) {
        /*
         * Too many distinct values (user agents with a device id in them, say):
         * count what is held, then forget the values; ids start again. IPv4
         * clients and days are numbers and keep their rows.
         */
        if (c->have_pending && commit(c, &c->pending) != 0)
            return -1;
        c->have_pending = 0;
        if (flush_tables(c) != 0)
            return -1;
        for (int i = 0; i < N_TABS; i++)
            strtab_free(&c->tabs[i]);
    }
    /* one request in flight: its table slot loads while the next line is parsed */
    struct combiner_pending pd;
    if (prepare(c, r, &pd) != 0)
        return -1;
    if (c->have_pending && commit(c, &c->pending) != 0)
        return -1;
    c->pending = pd;
    c->have_pending = 1;
    return 0;
}

void combiner_limit_values(struct combiner *c, size_t bytes) { c->values_max = bytes; }

/* The user agent as the aggregate keys it: its family, unless raw agents were asked for. */
static const char *agent_value(struct combiner *c, const char *ua)
{
    if (!ua || c->raw_ua)
        return ua;
    const char *fam = ua_cache_family(c->ua, ua, strlen(ua));
    return fam[0] ? fam : NULL;
}

/* The values of a tuple as an observation (ip: room for a dotted quad). */
static void entry_observation(struct combiner *c, const struct entry *e, char *ip, struct observation *o)
{
    struct tkey kv;
    tkey_unpack(e->w, &kv);
    const struct tkey *k = &kv;
    memset(o, 0, sizeof *o);
    o->version = k->version;
    o->max_offered = k->max_offered;
    o->success = k->success;
    o->time = e->first;
    if (k->flags & 1) {
        ipv4_text(k->ip, ip);
        o->client_ip = ip;
    } else {
        o->client_ip = strtab_str(&c->tabs[S_IP], k->ip);
    }
    o->user_agent = agent_value(c, strtab_str(&c->tabs[S_UA], k->ua));
    o->server = strtab_str(&c->tabs[S_SERVER], k->server);
    o->cipher = strtab_str(&c->tabs[S_CIPHER], k->cipher);
    o->fingerprint = strtab_str(&c->tabs[S_FP], k->fp);
    o->status = strtab_str(&c->tabs[S_STATUS], k->status);
    o->browser = o->user_agent;
}

/* The aggregate row of an interned value in `dim`, resolved once per distinct value. */
static int64_t tab_row(struct combiner *c, int tab, uint32_t id, enum agg_dim dim)
{
    struct strtab *t = &c->tabs[tab];
    if (strtab_reserve(t, 0) != 0) /* id 0 exists from here on */
        return -1;
    if (t->row[id] != ROW_NONE)
        return t->row[id];
    struct observation o;
    memset(&o, 0, sizeof o);
    const char *v = strtab_str(t, id);
    switch (dim) {
    case AGG_CLIENT_IP: o.client_ip = v; break;
    case AGG_USER_AGENT: o.user_agent = agent_value(c, v); break;
    case AGG_SERVER: o.server = v; break;
    case AGG_CIPHER: o.cipher = v; break;
    case AGG_FINGERPRINT: o.fingerprint = v; break;
    default: return -1;
    }
    int64_t row = aggregate_row_of(c->agg, dim, &o);
    if (row >= 0)
        t->row[id] = (uint32_t)row;
    return row;
}

/* The aggregate row of a value kept as a number (IPv4 client, day), via its map. */
static int64_t map_row(struct combiner *c, struct u32map *m, uint32_t key, enum agg_dim dim,
                       const struct observation *o)
{
    uint32_t row = u32map_get(m, key);
    if (row != ROW_NONE)
        return row;
    int64_t r = aggregate_row_of(c->agg, dim, o);
    if (r < 0 || u32map_put(m, key, (uint32_t)r) != 0)
        return -1;
    return r;
}

/* A tuple's rows for the dims in `parts`, resolved through the combiner's caches: no key is built or hashed twice. */
static int entry_rows(struct combiner *c, const struct entry *e, uint32_t parts, struct agg_at *at)
{
    struct tkey kv;
    tkey_unpack(e->w, &kv);
    const struct tkey *k = &kv;
    memset(at, 0, sizeof *at);
    at->version = k->version;
    at->max_offered = k->max_offered;
    at->success = k->success;
    at->first = e->first;
    at->last = e->last;
    at->n = e->count;
    for (int d = 0; d < AGG_DIM_COUNT; d++) {
        if (!(parts & AGG_DIM_BIT(d)))
            continue;
        int64_t row;
        if (d == AGG_CLIENT_IP && (k->flags & 1)) {
            char ip[16];
            ipv4_text(k->ip, ip);
            struct observation io = { .client_ip = ip };
            row = map_row(c, &c->ip_rows, k->ip, AGG_CLIENT_IP, &io);
        } else if (d == AGG_CLIENT_IP) {
            row = tab_row(c, S_IP, k->ip, AGG_CLIENT_IP);
        } else if (d == AGG_USER_AGENT) {
            row = tab_row(c, S_UA, k->ua, AGG_USER_AGENT);
        } else if (d == AGG_SERVER) {
            row = tab_row(c, S_SERVER, k->server, AGG_SERVER);
        } else if (d == AGG_CIPHER) {
            row = tab_row(c, S_CIPHER, k->cipher, AGG_CIPHER);
        } else if (d == AGG_FINGERPRINT) {
            row = tab_row(c, S_FP, k->fp, AGG_FINGERPRINT);
        } else {
            struct observation dobs = { .time = e->first };
            row = map_row(c, &c->day_rows, (uint32_t)k->day, AGG_DAY, &dobs);
        }
        if (row < 0)
            return -1;
        at->idx[d] = (uint32_t)row;
    }
    return 0;
}

#define FLUSH_BATCH 64

/* Counts the batch's tuples by row: their IPv4 map slots load together, then their rows. */
static int flush_batch(struct combiner *c, struct entry *const *batch, size_t n, uint32_t parts)
{
    struct agg_at at[FLUSH_BATCH];
    if (c->ip_rows.mask && (parts & AGG_DIM_BIT(AGG_CLIENT_IP)))
        for (size_t i = 0; i < n; i++)
            if (batch[i]->w[3] >> 56 & 1) /* flags: an IPv4 number */
                __builtin_prefetch(&c->ip_rows.slots[(size_t)mix32((uint32_t)batch[i]->w[0]) & c->ip_rows.mask]);
    for (size_t i = 0; i < n; i++)
        if (entry_rows(c, batch[i], parts, &at[i]) != 0)
            return -1;
    return aggregate_add_n_at(c->agg, at, n, parts);
}

/* Hands a table's tuples to the aggregate (the parts given) and empties it. */
static int flush_table(struct combiner *c, struct ttable *t, uint32_t parts)
{
    int rc = 0;
    char ip[16];
    struct entry *batch[FLUSH_BATCH];
    size_t nb = 0;
    for (size_t i = 0; i <= t->mask && t->count; i++) {
        struct entry *e = &t->slots[i];
        if (e->count == 0)
            continue;
        t->count--;
        if (rc != 0) {
            e->count = 0;
        } else if (c->by_row) {
            batch[nb++] = e; /* emptied once counted */
            if (nb == FLUSH_BATCH || t->count == 0) {
                rc = flush_batch(c, batch, nb, parts);
                for (size_t b = 0; b < nb; b++)
                    batch[b]->count = 0;
                nb = 0;
            }
        } else {
            struct observation o;
            entry_observation(c, e, ip, &o);
            rc = aggregate_add_n(c->agg, &o, e->count, e->last);
            e->count = 0;
        }
    }
    for (size_t b = 0; b < nb; b++) /* left by an error */
        batch[b]->count = 0;
    t->count = 0;
    return rc;
}

int combiner_flush(struct combiner *c)
{
    int pending = c->have_pending;
    c->have_pending = 0;
    if (pending && commit(c, &c->pending) != 0)
        return -1;
    return flush_tables(c);
}

static int flush_tables(struct combiner *c)
{
    uint32_t dims = aggregate_config(c->agg)->dims;
    if (!c->split_day)
        return flush_table(c, &c->tuples, dims | AGG_AT_TOTALS);
    int rc = flush_table(c, &c->tuples, (dims & ~AGG_DIM_BIT(AGG_DAY)) | AGG_AT_TOTALS);
    if (flush_table(c, &c->days, AGG_DIM_BIT(AGG_DAY)) != 0)
        rc = -1;
    return rc;
}
