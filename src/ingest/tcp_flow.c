/*
 * The flow table and the bounded reassembler: see tcp_flow.h.
 *
 * Sequence numbers are compared as 32-bit differences cast to int32_t (RFC 793
 * arithmetic modulo 2^32), so a stream that wraps past 0xffffffff reassembles
 * like any other.
 */
#include "ingest/tcp_flow.h"

#include <stdlib.h>
#include <string.h>

/* ---- reassembly --------------------------------------------------------- */

#define REASM_FIRST_ALLOC 2048

static int bit_get(const uint8_t *m, uint32_t i) { return m[i >> 3] >> (i & 7) & 1; }
static void bit_set(uint8_t *m, uint32_t i) { m[i >> 3] |= (uint8_t)(1u << (i & 7)); }

void reasm_init(struct reasm *r, uint32_t cap)
{
    memset(r, 0, sizeof *r);
    r->cap = cap;
}

void reasm_release(struct reasm *r)
{
    free(r->data);
    free(r->map);
    r->data = NULL;
    r->map = NULL;
    r->alloc = 0;
}

/* Makes room for `need` bytes (need <= cap). */
static int reasm_grow(struct reasm *r, uint32_t need)
{
    if (need <= r->alloc)
        return 0;
    uint32_t n = r->alloc ? r->alloc : REASM_FIRST_ALLOC;
    while (n < need)
        n *= 2;
    if (n > r->cap)
        n = r->cap;
    uint8_t *d = realloc(r->data, n);
    if (!d)
        goto fail;
    r->data = d;
    uint8_t *m = realloc(r->map, (n + 7) / 8);
    if (!m)
        goto fail;
    memset(m + (r->alloc + 7) / 8, 0, (n + 7) / 8 - (r->alloc + 7) / 8);
    r->map = m;
    r->alloc = n;
    return 0;
fail:
    r->failed = 1;
    return -1;
}

static void reasm_advance(struct reasm *r)
{
    while (r->contig < r->hi && (r->contig & 7) && bit_get(r->map, r->contig))
        r->contig++;
    while (r->contig + 8 <= r->hi && r->map[r->contig >> 3] == 0xff)
        r->contig += 8;
    while (r->contig < r->hi && bit_get(r->map, r->contig))
        r->contig++;
}

/* Marks bytes [from, to) received. */
static void bits_set_range(uint8_t *m, uint32_t from, uint32_t to)
{
    while (from < to && (from & 7))
        bit_set(m, from++);
    if (to - from >= 8) {
        memset(m + (from >> 3), 0xff, (to - from) >> 3);
        from += (to - from) & ~7u;
    }
    while (from < to)
        bit_set(m, from++);
}

/* Moves the stream's start k bytes back (an earlier segment of a SYN-less
 * stream arrived late): the bytes held so far move up by k. */
static int reasm_shift(struct reasm *r, uint32_t k)
{
    if (reasm_grow(r, r->hi + k) < 0)
        return -1;
    memmove(r->data + k, r->data, r->hi);
    uint32_t mapbytes = (r->alloc + 7) / 8;
    uint8_t *old = malloc(mapbytes);
    if (!old) {
        r->failed = 1;
        return -1;
    }
    memcpy(old, r->map, mapbytes);
    memset(r->map, 0, mapbytes);
    for (uint32_t i = 0; i < r->hi; i++)
        if (bit_get(old, i))
            bit_set(r->map, i + k);
    free(old);
    r->hi += k;
    r->base_seq -= k;
    r->contig = 0;
    reasm_advance(r);
    return 0;
}

void reasm_syn(struct reasm *r, uint32_t seq)
{
    uint32_t start = seq + 1;
    if (r->have_base && !r->base_fixed) {
        int32_t d = (int32_t)(r->base_seq - start);
        if (d > 0 && (uint64_t)r->hi + (uint32_t)d <= r->cap)
            reasm_shift(r, (uint32_t)d);
    }
    if (!r->have_base) {
        r->base_seq = start;
        r->have_base = 1;
    }
    r->base_fixed = 1;
}

uint32_t reasm_add(struct reasm *r, uint32_t seq, const uint8_t *p, uint32_t n)
{
    if (r->failed || n == 0)
        return r->contig;
    if (!r->have_base) {
        r->base_seq = seq;
        r->have_base = 1;
    }
    int32_t off = (int32_t)(seq - r->base_seq);
    if (off < 0) {
        uint32_t back = (uint32_t)-(int64_t)off;
        if (!r->base_fixed && (uint64_t)r->hi + back <= r->cap) {
            if (reasm_shift(r, back) < 0)
                return r->contig;
        } else {
            /* an old retransmission, or bytes before the start we must keep */
            if (back >= n)
                return r->contig;
            p += back;
            n -= back;
        }
        off = 0;
    }
    if ((uint32_t)off >= r->cap) {
        r->clipped = 1;
        return r->contig;
    }
    uint32_t start = (uint32_t)off;
    uint32_t end = n > r->cap - start ? r->cap : start + n;
    if (end - start < n)
        r->clipped = 1;
    if (reasm_grow(r, end) < 0)
        return r->contig;
    if (start >= r->hi) {
        /* the common case: new bytes past everything held */
        memcpy(r->data + start, p, end - start);
        bits_set_range(r->map, start, end);
        if (r->contig == start) {
            r->contig = r->hi = end; /* in order: nothing beyond to join */
            return r->contig;
        }
    } else {
        /* overlap: the first copy of a byte wins (it may have been parsed) */
        for (uint32_t i = start; i < end; i++) {
            if (!bit_get(r->map, i)) {
                r->data[i] = p[i - start];
                bit_set(r->map, i);
            }
        }
    }
    if (end > r->hi)
        r->hi = end;
    reasm_advance(r);
    return r->contig;
}

/* ---- the flow table ----------------------------------------------------- */

#define FIRST_BUCKETS 1024

static struct flow *slot(struct flow_table *t, uint32_t i)
{
    return &t->chunks[i / FLOW_CHUNK][i % FLOW_CHUNK];
}

int flow_table_init(struct flow_table *t, uint32_t max_flows)
{
    memset(t, 0, sizeof *t);
    t->max_flows = max_flows ? max_flows : 1;
    t->free_head = FLOW_NIL;
    t->nbuckets = FIRST_BUCKETS;
    t->buckets = malloc(sizeof *t->buckets * t->nbuckets);
    if (!t->buckets)
        return -1;
    memset(t->buckets, 0xff, sizeof *t->buckets * t->nbuckets);
    return 0;
}

void flow_table_release(struct flow_table *t)
{
    for (uint32_t i = 0; i < t->nchunks; i++)
        free(t->chunks[i]);
    free(t->chunks);
    free(t->buckets);
    memset(t, 0, sizeof *t);
}

void flow_key_of(const struct tcp_segment *s, struct flow_key *k, int *dir)
{
    size_t alen = s->family == 4 ? 4 : 16;
    int c = memcmp(s->src, s->dst, alen);
    int src_first = c < 0 || (c == 0 && s->sport <= s->dport);
    k->family = s->family;
    k->pad = 0;
    if (src_first) {
        memcpy(k->addr[0], s->src, 16);
        memcpy(k->addr[1], s->dst, 16);
        k->port[0] = s->sport;
        k->port[1] = s->dport;
        *dir = 0;
    } else {
        memcpy(k->addr[0], s->dst, 16);
        memcpy(k->addr[1], s->src, 16);
        k->port[0] = s->dport;
        k->port[1] = s->sport;
        *dir = 1;
    }
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v * 0x9e3779b97f4a7c15ull;
    h = (h << 27 | h >> 37) * 0xff51afd7ed558ccdull;
    return h;
}

uint32_t flow_key_hash(const struct flow_key *k)
{
    uint64_t w[4];
    memcpy(w, k->addr, sizeof w);
    uint64_t h = (uint64_t)k->family << 32 | (uint64_t)k->port[0] << 16 | k->port[1];
    h = mix(h, w[0]);
    h = mix(h, w[1]);
    h = mix(h, w[2]);
    h = mix(h, w[3]);
    h ^= h >> 29;
    return (uint32_t)(h ^ h >> 32);
}

static int key_eq(const struct flow_key *a, const struct flow_key *b)
{
    return a->port[0] == b->port[0] && a->port[1] == b->port[1] && a->family == b->family &&
           memcmp(a->addr, b->addr, sizeof a->addr) == 0;
}

struct flow *flow_find(struct flow_table *t, const struct flow_key *k, uint32_t hash)
{
    for (uint32_t i = t->buckets[hash & (t->nbuckets - 1)]; i != FLOW_NIL;) {
        struct flow *f = slot(t, i);
        if (f->hash == hash && key_eq(&f->key, k))
            return f;
        i = f->next;
    }
    return NULL;
}

/* Doubles the bucket array and relinks every live flow (load factor <= 1). */
static int rehash(struct flow_table *t)
{
    uint32_t n = t->nbuckets * 2;
    uint32_t *b = malloc(sizeof *b * n);
    if (!b)
        return -1;
    memset(b, 0xff, sizeof *b * n);
    for (uint32_t i = 0; i < t->used; i++) {
        struct flow *f = slot(t, i);
        if (!f->state)
            continue;
        f->next = b[f->hash & (n - 1)];
        b[f->hash & (n - 1)] = i;
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
    return 0;
}

struct flow *flow_add(struct flow_table *t, const struct flow_key *k, uint32_t hash, uint8_t state)
{
    if (t->count >= t->max_flows)
        return NULL;
    if (t->count + 1 > t->nbuckets && rehash(t) < 0)
        return NULL;
    uint32_t i;
    if (t->free_head != FLOW_NIL) {
        i = t->free_head;
        t->free_head = slot(t, i)->next;
    } else {
        if (t->used == t->nchunks * FLOW_CHUNK) {
            struct flow **c = realloc(t->chunks, sizeof *c * (t->nchunks + 1));
            if (!c)
                return NULL;
            t->chunks = c;
            c[t->nchunks] = calloc(FLOW_CHUNK, sizeof **c);
            if (!c[t->nchunks])
                return NULL;
            t->nchunks++;
        }
        i = t->used++;
    }
    struct flow *f = slot(t, i);
    memset(f, 0, sizeof *f);
    f->key = *k;
    f->hash = hash;
    f->idx = i;
    f->state = state ? state : 1;
    uint32_t *head = &t->buckets[hash & (t->nbuckets - 1)];
    f->next = *head;
    *head = i;
    t->count++;
    return f;
}

void flow_remove(struct flow_table *t, struct flow *f)
{
    uint32_t *link = &t->buckets[f->hash & (t->nbuckets - 1)];
    while (*link != FLOW_NIL && *link != f->idx)
        link = &slot(t, *link)->next;
    if (*link == f->idx)
        *link = f->next;
    f->state = 0;
    f->user = NULL;
    f->next = t->free_head;
    t->free_head = f->idx;
    t->count--;
}

uint32_t flow_table_expire(struct flow_table *t, int64_t before_us, flow_visit_fn fn, void *ctx)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->used; i++) {
        struct flow *f = slot(t, i);
        if (!f->state || f->last_us >= before_us)
            continue;
        if (fn)
            fn(ctx, f);
        flow_remove(t, f);
        n++;
    }
    return n;
}

uint32_t flow_table_evict_state(struct flow_table *t, uint8_t state)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->used; i++) {
        struct flow *f = slot(t, i);
        if (f->state && f->state == state) {
            flow_remove(t, f);
            n++;
        }
    }
    return n;
}

void flow_table_each(struct flow_table *t, flow_visit_fn fn, void *ctx)
{
    for (uint32_t i = 0; i < t->used; i++) {
        struct flow *f = slot(t, i);
        if (f->state)
            fn(ctx, f);
    }
}
