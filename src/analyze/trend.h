/*
 * The trend before a cut-over date: is legacy use falling? Computed from the
 * aggregate's per-day table (AGG_DAY), so it merges like everything else.
 * Writers render it; they never compute it themselves.
 */
#ifndef TR_ANALYZE_TREND_H
#define TR_ANALYZE_TREND_H

#include <stdint.h>

#include "analyze/aggregate.h"

struct agg_trend {
    int have_days;              /* the aggregate had a day table with dated rows */
    int64_t cutover;            /* OBS_TIME_UNKNOWN when no --cutover was given */
    char first_day[11], last_day[11];
    uint64_t days;              /* dated days seen (before the cut-over when one is given) */
    uint64_t total_before, legacy_before;   /* before the cut-over (all days without one) */
    uint64_t total_after, legacy_after;     /* on or after the cut-over */
    /* legacy share of the first and the last 7 days (of the period before the cut-over) */
    double first_week_share, last_week_share;
    int direction;              /* -1 falling, 0 flat (within 10% relative), 1 rising */
    int64_t last_legacy;        /* last legacy observation overall */
};

/* Fills *t from a's day table; returns 0, -1 when out of memory. */
int agg_trend_compute(const struct aggregate *a, int64_t cutover, struct agg_trend *t);
/* Parses "YYYY-MM-DD" or an ISO 8601 date-time to UTC seconds; -1 when invalid. */
int agg_parse_date(const char *s, int64_t *out);
/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t agg_days_from_civil(int y, unsigned m, unsigned d);

#endif
