/*
 * Reading Salesforce login files into an aggregate: one file at a time,
 * streamed (gzip too), or a large plain file split between threads.
 *
 * Splitting a CSV file safely: a line break may sit inside a quoted field, so
 * a byte offset alone does not tell where a row starts. We guess a row start
 * near the middle (csv_guess_row_start: of the two possible quote states, the
 * one under which the following rows all have the header's number of fields),
 * then verify the guess exactly: the first half, parsed from the true start of
 * the file, must end with a complete row at the split. A wrong guess would
 * leave the first half inside an open quoted field at its end; then both
 * halves are thrown away and the file is read again by one thread. Each
 * thread counts into its own aggregate; the aggregates merge exactly.
 */
#include "ingest/salesforce_file.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/sf_rules.h"
#include "util/instream.h"

#define SPLIT_MIN_BYTES (64u << 20) /* below this one thread is as fast */
#define GUESS_WINDOW (256u << 10)

struct bad_row {
    uint64_t line;
    char msg[200];
};

struct worker {
    const struct sf_ingest_opts *o;
    const char *path;
    struct sf_layout layout;
    int have_layout;
    struct aggregate *agg;
    struct sf_classifier *classifier;
    uint64_t rows, skipped;
    uint64_t line_base;        /* added to reader line numbers (second half of a split file) */
    uint64_t end_line;         /* the reader's line number at the end */
    struct bad_row bad[SF_MAX_REPORTS]; /* the first max_reports bad rows (reader line numbers) */
    size_t n_bad;
    int strict_hit;            /* --strict: bad[0] is fatal */
    int fatal;                 /* --strict hit, or an error */
    struct tr_error err;
    int open_at_end;           /* the input ended inside a quoted field */
    /* range reading (plain files) */
    int fd;
    uint64_t pos, stop;
    /* logins waiting to be counted as one batch: their strings point into the
     * CSV reader's buffer, so the batch is flushed before the buffer moves */
    struct sf_login batch[AGG_BATCH];
    const struct observation *batch_obs[AGG_BATCH];
    size_t n_batch;
};

static void flush(struct worker *w)
{
    if (!w->n_batch || w->fatal)
        return;
    if (aggregate_add_batch(w->agg, w->batch_obs, w->n_batch) < 0) {
        tr_errorf(&w->err, "%s: out of memory after %llu rows", w->path, (unsigned long long)w->rows);
        w->fatal = 1;
    }
    w->n_batch = 0;
}

static void report(struct worker *w, uint64_t line, const char *msg)
{
    w->skipped++;
    if (w->n_bad < SF_MAX_REPORTS && w->n_bad < w->o->max_reports + (w->o->strict ? 1 : 0)) {
        w->bad[w->n_bad].line = line;
        snprintf(w->bad[w->n_bad].msg, sizeof w->bad[w->n_bad].msg, "%s", msg);
        w->n_bad++;
    }
    if (w->o->strict) {
        w->strict_hit = 1;
        w->fatal = 1;
    }
}

/* One row from the reader: the header, a login, or a bad row. */
static void on_row(struct worker *w, int st, const struct csv_row *row, const struct csv_reader *r)
{
    if (st == CSV_BAD_ROW) {
        w->rows += w->have_layout; /* a malformed data row is read, then skipped */
        w->open_at_end = r->eof && strstr(csv_error(r), "not closed") != NULL;
        report(w, row->line, csv_error(r));
        return;
    }
    csv_terminate(row);
    if (!w->have_layout) {
        if (sf_layout_from_header(&w->layout, row, w->o->format, &w->err) < 0) {
            tr_error_prefix(&w->err, "%s: line %llu: ", w->path, (unsigned long long)(row->line + w->line_base));
            w->fatal = 1;
            return;
        }
        w->layout.day_first = w->o->day_first;
        w->have_layout = 1;
        return;
    }
    w->rows++;
    struct sf_login *lg = &w->batch[w->n_batch];
    struct tr_error e;
    if (sf_login_from_row(lg, &w->layout, row, w->o->users, w->o->tz_offset, &e) < 0) {
        report(w, row->line, e.msg);
        return;
    }
    w->batch_obs[w->n_batch++] = &lg->obs;
    if (w->n_batch == AGG_BATCH)
        flush(w);
}

/* Reads more input into the reader: from the instream, or from the worker's byte range. */
typedef long (*fill_fn)(void *src, char *dst, size_t n, struct tr_error *err);

static long fill_instream(void *src, char *dst, size_t n, struct tr_error *err)
{
    return instream_read(src, dst, n, err);
}

static long fill_range(void *src, char *dst, size_t n, struct tr_error *err)
{
    struct worker *w = src;
    if (w->pos >= w->stop)
        return 0;
    if (n > w->stop - w->pos)
        n = (size_t)(w->stop - w->pos);
    ssize_t k = pread(w->fd, dst, n, (off_t)w->pos);
    if (k < 0)
        return tr_errorf(err, "%s: read error: %s", w->path, strerror(errno));
    w->pos += (uint64_t)k;
    return (long)k;
}

static void run(struct worker *w, fill_fn fill, void *src, int skip_bom)
{
    struct csv_reader r;
    if (csv_init(&r, NULL) < 0) {
        tr_errorf(&w->err, "out of memory");
        w->fatal = 1;
        return;
    }
    r.bom_done = !skip_bom;
    while (!w->fatal) {
        struct csv_row row;
        int st = csv_next(&r, &row);
        if (st == CSV_END)
            break;
        if (st == CSV_NEED_MORE) {
            flush(w); /* csv_space may move the bytes the batch points into */
            size_t avail;
            char *dst = csv_space(&r, &avail);
            long k = fill(src, dst, avail, &w->err);
            if (k < 0) {
                w->fatal = 1;
                break;
            }
            if (k == 0)
                csv_set_eof(&r);
            csv_commit(&r, (size_t)k);
            continue;
        }
        on_row(w, st, &row, &r);
    }
    flush(w);
    w->end_line = r.line;
    csv_free(&r);
}

static int worker_init(struct worker *w, const struct sf_ingest_opts *o, const char *path,
                       const struct agg_config *cfg)
{
    memset(w, 0, sizeof *w);
    w->o = o;
    w->path = path;
    w->fd = -1;
    struct agg_config c = *cfg;
    if (o->rules) {
        w->classifier = sf_classifier_new(o->rules);
        if (!w->classifier)
            return -1;
        c.classify = sf_classify_login;
        c.classify_ctx = w->classifier;
    }
    w->agg = aggregate_new(&c);
    return w->agg ? 0 : -1;
}

static void worker_release(struct worker *w)
{
    aggregate_free(w->agg);
    sf_classifier_free(w->classifier);
    w->agg = NULL;
    w->classifier = NULL;
}

/* Folds a finished worker into the caller's results. */
static int worker_collect(struct worker *w, struct aggregate *into, struct sf_ingest_stats *st, struct tr_error *err)
{
    st->rows += w->rows;
    st->skipped += w->skipped;
    if (w->strict_hit)
        return tr_errorf(err, "%s: line %llu: %s", w->path, (unsigned long long)(w->bad[0].line + w->line_base),
                         w->bad[0].msg);
    for (size_t i = 0; i < w->n_bad && st->n_reports < w->o->max_reports; i++) {
        if (st->reports)
            tr_buf_printf(st->reports, "%s:%llu: %s\n", w->path,
                          (unsigned long long)(w->bad[i].line + w->line_base), w->bad[i].msg);
        st->n_reports++;
    }
    if (w->fatal) {
        *err = w->err;
        return -1;
    }
    if (aggregate_merge(into, w->agg) < 0)
        return tr_errorf(err, "%s: out of memory merging results", w->path);
    return 0;
}

static int ingest_stream(const char *path, const struct sf_ingest_opts *o, struct aggregate *into,
                         const struct agg_config *cfg, struct sf_ingest_stats *st, struct tr_error *err)
{
    struct instream *in = instream_open(path, err);
    if (!in)
        return -1;
    if (o->threads > 1)
        instream_read_ahead(in); /* a second thread inflates a gzip export while this one parses */
    struct worker w;
    if (worker_init(&w, o, instream_name(in), cfg) < 0) {
        instream_close(in);
        worker_release(&w);
        return tr_errorf(err, "out of memory");
    }
    run(&w, fill_instream, in, 1);
    if (!w.fatal && !w.have_layout) {
        tr_errorf(&w.err, "%s: empty file: expected a header row", instream_name(in));
        w.fatal = 1;
    }
    int rc = worker_collect(&w, into, st, err);
    worker_release(&w);
    instream_close(in);
    return rc;
}

static void *thread_main(void *arg)
{
    struct worker *w = arg;
    run(w, fill_range, w, 0);
    return NULL;
}

/*
 * Reads the header (first row) of a plain file: its layout and where the data
 * starts. Returns 0, or -1 when it cannot (the caller falls back to streaming).
 */
static int read_header(int fd, struct sf_layout *l, const struct sf_ingest_opts *o, uint64_t *data_start,
                       uint64_t *header_lines)
{
    struct csv_reader r;
    if (csv_init(&r, NULL) < 0)
        return -1;
    int rc = -1;
    uint64_t at = 0;
    for (;;) {
        struct csv_row row;
        int st = csv_next(&r, &row);
        if (st == CSV_NEED_MORE) {
            size_t avail;
            char *dst = csv_space(&r, &avail);
            if (avail > 65536)
                avail = 65536;
            ssize_t k = pread(fd, dst, avail, (off_t)at);
            if (k <= 0)
                break;
            at += (uint64_t)k;
            csv_commit(&r, (size_t)k);
            continue;
        }
        if (st != CSV_ROW)
            break;
        csv_terminate(&row);
        struct tr_error e;
        if (sf_layout_from_header(l, &row, o->format, &e) == 0) {
            l->day_first = o->day_first;
            /* bytes consumed so far = at - (bytes still buffered) */
            *data_start = at - (r.end - r.start);
            *header_lines = r.line - 1;
            rc = 0;
        }
        break;
    }
    csv_free(&r);
    return rc;
}

static int ingest_split(const char *path, int fd, uint64_t size, const struct sf_ingest_opts *o,
                        struct aggregate *into, const struct agg_config *cfg, struct sf_ingest_stats *st,
                        struct tr_error *err, int *fallback)
{
    *fallback = 1;
    struct sf_layout layout;
    uint64_t data_start, header_lines;
    if (read_header(fd, &layout, o, &data_start, &header_lines) < 0)
        return 0;
    uint64_t mid = data_start + (size - data_start) / 2;
    char *win = malloc(GUESS_WINDOW);
    if (!win)
        return 0;
    ssize_t k = pread(fd, win, GUESS_WINDOW, (off_t)mid);
    long g = k > 0 ? csv_guess_row_start(win, (size_t)k, 0, layout.n_fields, ',') : -1;
    free(win);
    if (g < 0)
        return 0;
    uint64_t split = mid + (uint64_t)g;

    struct worker w[2];
    int ok = worker_init(&w[0], o, path, cfg) == 0;
    ok = (worker_init(&w[1], o, path, cfg) == 0) && ok;
    if (!ok) {
        worker_release(&w[0]);
        worker_release(&w[1]);
        return 0;
    }
    for (int i = 0; i < 2; i++) {
        w[i].layout = layout;
        w[i].have_layout = 1;
        w[i].fd = fd;
    }
    w[0].pos = data_start;
    w[0].stop = split;
    w[0].line_base = header_lines;
    w[1].pos = split;
    w[1].stop = size;
    pthread_t t;
    int threaded = pthread_create(&t, NULL, thread_main, &w[1]) == 0;
    thread_main(&w[0]);
    if (threaded)
        pthread_join(t, NULL);
    else
        thread_main(&w[1]);
    /* verify the guess: the first half must not end inside a quoted field */
    if (w[0].open_at_end && !w[0].fatal) {
        worker_release(&w[0]);
        worker_release(&w[1]);
        return 0; /* fall back to one thread */
    }
    *fallback = 0;
    /* the second half's line numbers start where the first half's ended */
    w[1].line_base = w[0].end_line - 1 + w[0].line_base;
    int rc = worker_collect(&w[0], into, st, err);
    if (rc == 0)
        rc = worker_collect(&w[1], into, st, err);
    worker_release(&w[0]);
    worker_release(&w[1]);
    return rc;
}

static int is_plain_file(int fd, uint64_t *size)
{
    struct stat sb;
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))
        return 0;
    unsigned char magic[2];
    if (pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        return 0; /* gzip: streamed */
    *size = (uint64_t)sb.st_size;
    return 1;
}

/* A plain file by one thread: read straight into the CSV reader's buffer (no gzip layer copy). */
static int ingest_plain(const char *path, int fd, uint64_t size, const struct sf_ingest_opts *o,
                        struct aggregate *into, const struct agg_config *cfg, struct sf_ingest_stats *st,
                        struct tr_error *err)
{
    struct worker w;
    if (worker_init(&w, o, path, cfg) < 0) {
        worker_release(&w);
        return tr_errorf(err, "out of memory");
    }
    w.fd = fd;
    w.pos = 0;
    w.stop = size;
    run(&w, fill_range, &w, 1);
    if (!w.fatal && !w.have_layout) {
        tr_errorf(&w.err, "%s: empty file: expected a header row", path);
        w.fatal = 1;
    }
    int rc = worker_collect(&w, into, st, err);
    worker_release(&w);
    return rc;
}

int sf_ingest_file(const char *path, const struct sf_ingest_opts *o, struct aggregate *into,
                   const struct agg_config *cfg, struct sf_ingest_stats *st, struct tr_error *err)
{
    int fd = strcmp(path, "-") != 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    uint64_t size = 0;
    if (fd < 0 || !is_plain_file(fd, &size)) {
        if (fd >= 0)
            close(fd);
        return ingest_stream(path, o, into, cfg, st, err); /* stdin, gzip, pipes; open errors reported there */
    }
    int rc;
    int fallback = 1;
    if (o->threads > 1 && size >= (o->split_min ? o->split_min : SPLIT_MIN_BYTES))
        rc = ingest_split(path, fd, size, o, into, cfg, st, err, &fallback);
    if (fallback)
        rc = ingest_plain(path, fd, size, o, into, cfg, st, err);
    close(fd);
    return rc;
}
