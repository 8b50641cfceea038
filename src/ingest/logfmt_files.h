/*
 * Many access-log files into one aggregate: rotated logs come as a plain file
 * and a series of gzip files (access.log, access.log.1.gz ... .14.gz), load
 * balancers write thousands of small gzip files. A plain file is split between
 * threads by logfmt_read_file itself; a gzip stream can only be inflated from
 * its start, so gzip files are read side by side instead, one per thread, each
 * thread with its own aggregate and counts, merged exactly at the end. The
 * result is the same as reading the files one after the other: the same
 * counts, the malformed-line examples in file order.
 */
#ifndef TR_INGEST_LOGFMT_FILES_H
#define TR_INGEST_LOGFMT_FILES_H

#include <stdint.h>

#include "ingest/logfmt_reader.h"

/* What became of one file. */
struct logfmt_file_result {
    int kind;               /* format used; LOGFMT_NONE when none fitted or not read */
    int rc;                 /* 0 read; -1 error (err); 1 not read (an earlier file failed under strict) */
    int gzip;               /* the file starts with the gzip magic (known before it is read) */
    int parallel;           /* read side by side with others (a gzip file) */
    struct tr_error err;
};

/* Progress of a run, for a progress line; every hook is optional and called from the calling thread. */
struct logfmt_files_progress {
    void *ctx;
    /* a file read on its own (plain or stdin) starts: o->on_progress then reports its bytes */
    void (*file_start)(void *ctx, int index);
    void (*file_done)(void *ctx, int index);
    /* the gzip files read side by side: how many are finished, and the bytes inflated so far (a few times a second) */
    void (*batch)(void *ctx, int done, int total, uint64_t bytes);
};

/*
 * Reads paths[0..n) into agg and st. res[i] tells what became of file i.
 * Gzip files are read o->threads at a time (not under o->strict, which reads
 * in order and stops at the first error). Returns the number of files read.
 */
int logfmt_read_files(const char *const *paths, int n, const struct logfmt_run_opts *o, struct aggregate *agg,
                      struct logfmt_stats *st, struct logfmt_file_result *res, const struct logfmt_files_progress *pg);

#endif
