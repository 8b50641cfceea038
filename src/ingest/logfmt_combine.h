/*
 * A combiner in front of the aggregate: access logs repeat the same (client,
 * agent, server, day, cipher, version) many times, so identical requests are
 * counted in a local hash table first and handed to the aggregate once per
 * distinct tuple (aggregate_add_n) when the table fills up and at the end.
 * The result is exactly the same as one aggregate_add per request; the
 * per-request work is one hash of the line's values instead of one per table.
 * User agents are turned into family + version here, once per tuple.
 * Memory is bounded by max_entries. Not thread-safe: one per thread.
 */
#ifndef TR_INGEST_LOGFMT_COMBINE_H
#define TR_INGEST_LOGFMT_COMBINE_H

#include <stddef.h>

#include "analyze/aggregate.h"
#include "analyze/observation.h"
#include "ingest/useragent.h"

struct combiner;

/* raw_ua: keep raw user agents; else ua (required) maps them to families. */
struct combiner *combiner_new(size_t max_entries, struct aggregate *agg, struct ua_cache *ua, int raw_ua);
/* Counts one observation (its strings are copied). -1 when the aggregate is out of memory. */
int combiner_add(struct combiner *c, const struct observation *o);
/*
 * The same in two steps, so a caller can overlap the table's memory access
 * with other work: prepare interns the values, hashes the tuple and
 * prefetches its slot; commit counts it. Between them the observation's
 * strings may change (the pending tuple holds no pointers into them).
 */
struct combiner_pending {
    uint64_t key[4];
    uint64_t hash;
    int64_t time;
};
int combiner_prepare(struct combiner *c, const struct observation *o, struct combiner_pending *p);
int combiner_commit(struct combiner *c, const struct combiner_pending *p);
/* Hands every tuple to the aggregate and empties the table. */
int combiner_flush(struct combiner *c);
void combiner_free(struct combiner *c);

#endif
