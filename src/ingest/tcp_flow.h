/*
 * TCP flows for reading handshakes out of captures: a table keyed by the
 * 5-tuple, and a bounded reassembler for the first bytes of one direction.
 *
 * The table is built for the packet loop: one hash and one short chain walk
 * per packet, no allocation per packet (flows live in fixed-size chunks that
 * are allocated as the table grows and reused through a free list), pointers to
 * flows stay valid until the flow is removed. Its size is bounded by
 * `max_flows`; flows idle for longer than a timeout (in capture time) are
 * expired by flow_table_expire.
 *
 * The reassembler keeps only the first `cap` bytes of a direction's stream
 * (the handshake; everything after is never copied). It takes segments in any
 * order, with retransmissions and overlaps (the first copy of a byte wins), and
 * tells how many bytes from the stream's start are contiguous. Without a SYN,
 * the first segment seen sets the start, and an earlier segment that arrives
 * later moves the start back while nothing has been consumed.
 */
#ifndef TR_INGEST_TCP_FLOW_H
#define TR_INGEST_TCP_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/pcap_decode.h"

/* ---- reassembly of one direction --------------------------------------- */

struct reasm {
    uint8_t *data;       /* `alloc` bytes, grown up to `cap` */
    uint8_t *map;        /* a bit per byte of data: received */
    uint32_t alloc;
    uint32_t cap;        /* never keep more than this many bytes */
    uint32_t base_seq;   /* sequence number of data[0] */
    uint32_t contig;     /* bytes contiguous from data[0] */
    uint32_t hi;         /* end offset of the furthest byte received */
    uint8_t have_base;
    uint8_t base_fixed;  /* the start came from a SYN, or bytes were consumed */
    uint8_t clipped;     /* data beyond `cap` was dropped */
    uint8_t failed;      /* an allocation failed: treat as done */
};

void reasm_init(struct reasm *r, uint32_t cap);
/* The SYN (or SYN-ACK) of this direction: the stream starts at seq + 1. */
void reasm_syn(struct reasm *r, uint32_t seq);
/* Adds a segment's bytes; returns the contiguous byte count (r->contig). */
uint32_t reasm_add(struct reasm *r, uint32_t seq, const uint8_t *p, uint32_t n);
/* Forbids moving the start backwards from now on (the caller parsed bytes). */
static inline void reasm_fix_base(struct reasm *r) { r->base_fixed = 1; }
/* Frees the buffers; the struct may be reused after reasm_init. */
void reasm_release(struct reasm *r);

/* ---- the flow table ---------------------------------------------------- */

/* The 5-tuple in canonical order: endpoint 0 is the smaller (address, port). */
struct flow_key {
    uint8_t family;
    uint8_t pad;
    uint16_t port[2];
    uint8_t addr[2][16];
};

#define FLOW_CHUNK 4096

struct flow {
    struct flow_key key;
    uint32_t next;       /* next flow in the bucket's chain, or in the free list */
    uint32_t hash;
    uint32_t idx;        /* this flow's slot */
    int64_t first_us;    /* capture time of the first packet */
    int64_t last_us;     /* capture time of the latest packet */
    uint32_t isn[2];     /* SYN sequence number per endpoint, if syn_seen */
    uint8_t syn_seen[2];
    uint8_t state;       /* owned by the user of the table; 0 = free slot */
    uint8_t client;      /* owned by the user: which endpoint is the client */
    uint8_t closed;      /* FIN or RST seen */
    void *user;          /* owned by the user of the table */
};

struct flow_table {
    struct flow **chunks;  /* FLOW_CHUNK flows each */
    uint32_t nchunks;
    uint32_t used;         /* slots handed out so far (the rest are untouched) */
    uint32_t count;        /* live flows */
    uint32_t max_flows;
    uint32_t free_head;    /* free list of removed slots, FLOW_NIL at the end */
    uint32_t *buckets;     /* heads of chains, FLOW_NIL when empty */
    uint32_t nbuckets;     /* a power of two */
};

#define FLOW_NIL UINT32_MAX

int flow_table_init(struct flow_table *t, uint32_t max_flows);
void flow_table_release(struct flow_table *t);

/* Canonical key of a segment; *dir is the endpoint index (0/1) of its sender. */
void flow_key_of(const struct tcp_segment *s, struct flow_key *k, int *dir);
uint32_t flow_key_hash(const struct flow_key *k);

/* Finds the flow, or NULL. */
struct flow *flow_find(struct flow_table *t, const struct flow_key *k, uint32_t hash);
/* Adds a new flow with state `state` (nonzero). NULL when the table is full
 * (max_flows) or memory runs out. */
struct flow *flow_add(struct flow_table *t, const struct flow_key *k, uint32_t hash, uint8_t state);
void flow_remove(struct flow_table *t, struct flow *f);

/* Calls fn on every flow whose last_us < before_us, then removes it (fn must
 * not remove it itself). Returns how many were expired. */
typedef void (*flow_visit_fn)(void *ctx, struct flow *f);
uint32_t flow_table_expire(struct flow_table *t, int64_t before_us, flow_visit_fn fn, void *ctx);
/* Removes every flow whose state is `state` (flows with nothing pending, when
 * the table is full). Returns how many. */
uint32_t flow_table_evict_state(struct flow_table *t, uint8_t state);
/* Calls fn on every live flow (end of input), without removing. */
void flow_table_each(struct flow_table *t, flow_visit_fn fn, void *ctx);

#endif
