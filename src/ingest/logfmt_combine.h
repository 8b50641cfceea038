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
 * Memory is bounded by max_entries tuples and COMBINE_VALUES_MAX bytes of
 * values. Not thread-safe: one per thread.
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
/*
 * Counts one request (its spans are copied when new). -1 when out of memory.
 * The request is counted when the next one arrives (its table slot is
 * prefetched meanwhile), so the spans may change as soon as this returns.
 */
int combiner_add(struct combiner *c, const struct logfmt_request *r);
/* Hands every tuple to the aggregate and empties the table. */
int combiner_flush(struct combiner *c);
/*
 * Distinct values are kept (raw and unescaped) until their bytes pass this
 * bound (default COMBINE_VALUES_MAX); then what is held is counted and they
 * are forgotten, so memory stays bounded when, say, every user agent differs.
 */
#define COMBINE_VALUES_MAX ((size_t)64 << 20)
void combiner_limit_values(struct combiner *c, size_t bytes);
void combiner_free(struct combiner *c);

#endif
