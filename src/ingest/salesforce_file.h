/*
 * Reading Salesforce login files (any of the formats of salesforce.h) into an
 * aggregate: streamed, gzip-transparent, or split between threads for a large
 * plain file (see salesforce_file.c for how a safe split point is found).
 */
#ifndef TR_INGEST_SALESFORCE_FILE_H
#define TR_INGEST_SALESFORCE_FILE_H

#include <stdint.h>

#include "analyze/aggregate.h"
#include "analyze/sf_rules.h"
#include "ingest/salesforce.h"
#include "util/buf.h"
#include "util/error.h"

#define SF_MAX_REPORTS 20

struct sf_ingest_opts {
    enum sf_format format;          /* SF_AUTO: from each file's header */
    int strict;                     /* the first malformed row is an error */
    int32_t tz_offset;              /* for times written without a zone */
    int day_first;                  /* 1/3/2017 is the 1st of March (--date-order dmy) */
    const struct sf_users *users;   /* NULL: no User export */
    const struct sf_rules *rules;   /* NULL: no categories */
    int threads;                    /* 1, or 2+ to split large plain files */
    uint64_t split_min;             /* split only files at least this big (0: 64 MiB) */
    size_t max_reports;             /* malformed rows described in stats.reports (<= SF_MAX_REPORTS) */
};

struct sf_ingest_stats {
    uint64_t rows;                  /* data rows read (header rows not counted) */
    uint64_t skipped;               /* malformed rows skipped */
    struct tr_buf *reports;         /* "file:line: what\n" for the first max_reports (may be NULL) */
    size_t n_reports;
};

/*
 * Adds every login of `path` ("-" = stdin) to `into`, which must have been
 * created with `cfg` (with cfg->classify = sf_classify_login when rules are
 * given: each thread gets its own classifier). Returns 0, or -1 with err on an
 * input error (unreadable, no usable header, --strict and a malformed row).
 */
int sf_ingest_file(const char *path, const struct sf_ingest_opts *o, struct aggregate *into,
                   const struct agg_config *cfg, struct sf_ingest_stats *st, struct tr_error *err);

#endif
