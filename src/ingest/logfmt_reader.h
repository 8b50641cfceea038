/*
 * Reading access-log files into an aggregate: the I/O edge of `tlsready logs`.
 * A plain file is mapped and, for formats without header state, split at
 * newlines between threads, each with its own aggregate, merged at the end
 * (aggregates are mergeable). Gzip files and standard input are streamed
 * through util/instream's bounded line reader. The format is detected per
 * file from its first lines unless given.
 *
 * A line that does not match is counted and the first few are kept (file,
 * line number, reason, a sanitised excerpt); with `strict` the first one ends
 * the file with an error.
 */
#ifndef TR_INGEST_LOGFMT_READER_H
#define TR_INGEST_LOGFMT_READER_H

#include <stdint.h>

#include "analyze/aggregate.h"
#include "ingest/logfmt_core.h"
#include "util/error.h"

#define LOGFMT_MAX_LINE 65536
#define LOGFMT_MAX_SAMPLES 20
#define LOGFMT_SAMPLE_TEXT 240

struct logfmt_bad_sample {
    const char *file;       /* the path as given (caller's storage) */
    uint64_t line;          /* 1-based */
    const char *why;        /* static text */
    char text[LOGFMT_SAMPLE_TEXT + 1]; /* printable ASCII; other bytes as \xHH; cut */
};

struct logfmt_stats {
    uint64_t lines;         /* non-empty lines read */
    uint64_t tls;           /* requests with TLS, counted in the aggregate */
    uint64_t plain;         /* requests without TLS (not counted) */
    uint64_t meta;          /* header and comment lines */
    uint64_t bad;           /* lines that did not match */
    uint64_t bytes;         /* bytes read (uncompressed) */
    int n_samples;
    struct logfmt_bad_sample samples[LOGFMT_MAX_SAMPLES];
};

struct logfmt_run_opts {
    int kind;               /* forced format, LOGFMT_NONE to detect per file */
    const struct tpl *custom; /* a compiled custom format (then kind is its family) */
    int threads;            /* >= 1 */
    int strict;             /* the first malformed line is an error */
    int raw_user_agent;     /* key user agents by the raw string, not family + version */
    int max_samples;        /* malformed lines kept verbatim (<= LOGFMT_MAX_SAMPLES) */
    /*
     * Optional: called from the calling thread every few tens of MB with the
     * bytes of this file read so far (all threads together; uncompressed for
     * gzip and stdin), for a progress line. NULL: none.
     */
    void (*on_progress)(void *ctx, uint64_t bytes_read);
    void *progress_ctx;
};

/*
 * Adds every request of `path` ("-" = stdin) to agg and the counts to st.
 * *kind_out gets the format used. Returns 0, or -1 with err (cannot open,
 * corrupt gzip, no format fits, out of memory, or a malformed line under strict).
 */
int logfmt_read_file(const char *path, const struct logfmt_run_opts *o, struct aggregate *agg,
                     struct logfmt_stats *st, int *kind_out, struct tr_error *err);

/* Adds b's counts and samples (up to max) into a. */
void logfmt_stats_merge(struct logfmt_stats *a, const struct logfmt_stats *b, int max_samples);

#endif
