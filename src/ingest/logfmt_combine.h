/*
 * A combiner in front of the aggregate: access logs repeat the same (client,
 * agent, server, day, cipher, version) many times, so identical requests are
 * counted in a local hash table first and handed to the aggregate once per
 * distinct tuple when the table fills up and at the end. The result is
 * exactly the same as one aggregate_add per request; the per-request work is
 * one hash of the line's values instead of one per table.
 * Values are keyed by their raw bytes in the line (struct logfmt_request):
 * nothing is copied per request; each distinct value is unescaped, turned into
 * a family (user agents) and resolved to its aggregate row once, so a flush
 * counts a tuple at known rows (aggregate_add_n_at) without building a key.
 * Memory is bounded by max_entries. Not thread-safe: one per thread.
 */
#ifndef TR_INGEST_LOGFMT_COMBINE_H
#define TR_INGEST_LOGFMT_COMBINE_H

#include <stddef.h>

#include "analyze/aggregate.h"
#include "analyze/observation.h"
#include "ingest/logfmt_core.h"
#include "ingest/useragent.h"

struct combiner;

/* raw_ua: keep raw user agents; else ua (required) maps them to families. */
struct combiner *combiner_new(size_t max_entries, struct aggregate *agg, struct ua_cache *ua, int raw_ua);
/* Counts one request (its spans are copied when new). -1 when out of memory. */
int combiner_add(struct combiner *c, const struct logfmt_request *r);
/*
 * The same in two steps, so a caller can overlap the table's memory access
 * with other work: prepare interns the values, hashes the tuple and
 * prefetches its slot; commit counts it. Between them the request's
 * spans may change (the pending tuple holds no pointers into them).
 */
struct combiner_pending {
    uint64_t key[4];
    uint64_t hash;
    int64_t time;
    int32_t day;
};
int combiner_prepare(struct combiner *c, const struct logfmt_request *r, struct combiner_pending *p);
int combiner_commit(struct combiner *c, const struct combiner_pending *p);
/* Hands every tuple to the aggregate and empties the table. */
int combiner_flush(struct combiner *c);
void combiner_free(struct combiner *c);

#endif
