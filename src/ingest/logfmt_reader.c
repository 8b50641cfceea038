/* Access-log files into an aggregate: see logfmt_reader.h. */
#include "ingest/logfmt_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/logfmt_combine.h"
#include "ingest/useragent.h"
#include "util/instream.h"

#define DETECT_LINES 20
#define UA_CACHE_MAX 65536
#define COMBINE_MAX (256u * 1024)
/* below this a file is not worth a second thread */
#define SPLIT_MIN_BYTES (32u << 20)

/* One worker: a parser, an aggregate and counters over a range of lines. */
struct job {
    const char *file;
    struct logfmt_parser parser;
    struct logfmt_scratch scratch;
    struct aggregate *agg;
    int own_agg;
    struct ua_cache *ua;
    struct combiner *comb;
    const struct logfmt_run_opts *o;
    struct logfmt_stats st;
    uint64_t phys_lines;    /* newline-terminated lines seen, empty ones too */
    const char *b, *e;      /* mapped range */
    _Atomic uint64_t *done; /* bytes read by every job of the file (progress) */
    int reports;            /* this job calls o->on_progress (the calling thread's) */
    int failed;             /* strict stop or out of memory */
    struct tr_error err;
};

static int job_finish(struct job *j);

void logfmt_stats_merge(struct logfmt_stats *a, const struct logfmt_stats *b, int max_samples)
{
    a->lines += b->lines;
    a->tls += b->tls;
    a->plain += b->plain;
    a->meta += b->meta;
    a->bad += b->bad;
    a->bytes += b->bytes;
    for (int i = 0; i < b->n_samples && a->n_samples < max_samples && a->n_samples < LOGFMT_MAX_SAMPLES; i++)
        a->samples[a->n_samples++] = b->samples[i];
}

static void sanitize(char *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < LOGFMT_SAMPLE_TEXT; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f) {
            out[o++] = (char)c;
        } else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    if (o + 4 >= LOGFMT_SAMPLE_TEXT && n > 0) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = 0;
}

static void bad_line(struct job *j, uint64_t lineno, const char *why, const char *line, size_t len)
{
    j->st.bad++;
    if (j->st.n_samples < j->o->max_samples && j->st.n_samples < LOGFMT_MAX_SAMPLES) {
        struct logfmt_bad_sample *s = &j->st.samples[j->st.n_samples++];
        s->file = j->file;
        s->line = lineno;
        s->why = why ? why : "does not match the format";
        sanitize(s->text, line, len);
    }
    if (j->o->strict && !j->failed) {
        j->failed = 1;
        tr_errorf(&j->err, "%s:%llu: %s", j->file, (unsigned long long)lineno, why ? why : "malformed line");
    }
}

/* One line (without newline). Returns -1 to stop. */
static int process_line(struct job *j, const char *line, size_t len, uint64_t lineno)
{
    if (len == 0)
        return 0;
    j->st.lines++;
    if (len > LOGFMT_MAX_LINE) {
        bad_line(j, lineno, "line too long", line, 200);
        return j->failed ? -1 : 0;
    }
    struct logfmt_request req;
    int r = logfmt_parse_request(&j->parser, line, len, &req, &j->scratch);
    switch (r) {
    case LOGFMT_OK: {
        if (combiner_add(j->comb, &req) < 0) {
            j->failed = 1;
            tr_errorf(&j->err, "%s: out of memory while counting", j->file);
            return -1;
        }
        j->st.tls++;
        return 0;
    }
    case LOGFMT_PLAIN:
        j->st.plain++;
        return 0;
    case LOGFMT_META:
        j->st.meta++;
        return 0;
    default:
        bad_line(j, lineno, j->parser.why, line, len);
        return j->failed ? -1 : 0;
    }
}

/* Mapped pages already parsed are dropped every this many bytes, so the
 * resident size stays bounded whatever the file size. */
#define RELEASE_STEP (64u << 20)

static void release_before(const char *from, const char *to)
{
    uintptr_t a = ((uintptr_t)from + 4095) & ~(uintptr_t)4095, b = (uintptr_t)to & ~(uintptr_t)4095;
    if (b > a)
        madvise((void *)a, b - a, MADV_DONTNEED);
}

static void *run_range(void *arg)
{
    struct job *j = arg;
    const char *p = j->b, *e = j->e, *released = j->b;
    while (p < e) {
        if ((size_t)(p - released) >= RELEASE_STEP) {
            release_before(released, p);
            uint64_t done = atomic_fetch_add(j->done, (uint64_t)(p - released)) + (uint64_t)(p - released);
            if (j->reports && j->o->on_progress)
                j->o->on_progress(j->o->progress_ctx, done);
            released = p;
        }
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        const char *le = nl ? nl : e;
        size_t len = (size_t)(le - p);
        if (len && p[len - 1] == '\r')
            len--;
        j->phys_lines++;
        if (process_line(j, p, len, j->phys_lines) < 0)
            break;
        p = nl ? nl + 1 : e;
    }
    j->st.bytes += (uint64_t)(j->e - j->b);
    job_finish(j);
    return NULL;
}

static int job_init(struct job *j, const char *file, const struct logfmt_run_opts *o, const struct logfmt_parser *p,
                    struct aggregate *agg, int own)
{
    memset(j, 0, sizeof *j);
    j->file = file;
    j->o = o;
    j->parser = *p;
    j->agg = agg;
    j->own_agg = own;
    j->ua = ua_cache_new(UA_CACHE_MAX);
    j->comb = j->ua ? combiner_new(COMBINE_MAX, agg, j->ua, o->raw_user_agent) : NULL;
    if (!j->comb) {
        /* nothing is owned after a failure: the caller frees the aggregate */
        ua_cache_free(j->ua);
        j->ua = NULL;
        j->own_agg = 0;
        return -1;
    }
    return 0;
}

/* Hands the combined counts to the aggregate; -1 (err set) when out of memory. */
static int job_finish(struct job *j)
{
    if (combiner_flush(j->comb) != 0 && !j->failed) {
        j->failed = 1;
        tr_errorf(&j->err, "%s: out of memory while counting", j->file);
    }
    return j->failed ? -1 : 0;
}

static void job_free(struct job *j)
{
    combiner_free(j->comb);
    ua_cache_free(j->ua);
    if (j->own_agg)
        aggregate_free(j->agg);
}

static int make_parser(const struct logfmt_run_opts *o, const char *file, const char *const *lines,
                       const size_t *lens, int n, struct logfmt_parser *p, int *kind_out, struct tr_error *err)
{
    if (o->custom) {
        logfmt_parser_init_tpl(p, o->custom);
        *kind_out = o->custom->kind;
        return 0;
    }
    int kind = o->kind;
    if (kind == LOGFMT_NONE) {
        kind = logfmt_detect(lines, lens, n, err);
        if (kind == LOGFMT_NONE)
            return tr_error_prefix(err, "%s: ", file);
    }
    *kind_out = kind;
    return logfmt_parser_init(p, kind, err);
}

/* The mapped path: a plain regular file. */
static int read_mapped(const char *path, int fd, size_t size, const struct logfmt_run_opts *o,
                       struct aggregate *agg, struct logfmt_stats *st, int *kind_out, struct tr_error *err)
{
    if (size == 0)
        return 0;
    const char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED)
        return tr_errorf(err, "%s: cannot map: %s", path, strerror(errno));
    madvise((void *)map, size, MADV_SEQUENTIAL);
    const char *lines[DETECT_LINES];
    size_t lens[DETECT_LINES];
    int n = 0;
    for (const char *p = map, *e = map + size; p < e && n < DETECT_LINES;) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        const char *le = nl ? nl : e;
        size_t len = (size_t)(le - p);
        if (len && p[len - 1] == '\r')
            len--;
        if (len && len <= LOGFMT_MAX_LINE) {
            lines[n] = p;
            lens[n++] = len;
        }
        p = nl ? nl + 1 : e;
    }
    struct logfmt_parser parser;
    int rc = 0;
    if (make_parser(o, path, lines, lens, n, &parser, kind_out, err) != 0) {
        munmap((void *)map, size);
        return -1;
    }
    int threads = o->threads;
    if (!logfmt_is_stateless(&parser) || size < SPLIT_MIN_BYTES)
        threads = 1;
    if (threads > 8)
        threads = 8;
    struct job *jobs = calloc((size_t)threads, sizeof *jobs);
    pthread_t tid[8];
    int started[8] = { 0 };
    if (!jobs) {
        munmap((void *)map, size);
        return tr_errorf(err, "out of memory");
    }
    int ready = 0;
    for (int t = 0; t < threads; t++) {
        struct aggregate *a = t == 0 ? agg : aggregate_new(aggregate_config(agg));
        if (!a || job_init(&jobs[t], path, o, &parser, a, t != 0) != 0) {
            if (t != 0 && a)
                aggregate_free(a);
            break;
        }
        ready++;
    }
    if (ready < threads) {
        for (int t = 0; t < ready; t++)
            job_free(&jobs[t]);
        free(jobs);
        munmap((void *)map, size);
        return tr_errorf(err, "out of memory");
    }
    /* split at newlines */
    _Atomic uint64_t done = 0;
    const char *start = map, *end = map + size;
    for (int t = 0; t < threads; t++) {
        const char *cut = t == threads - 1 ? end : map + size / (size_t)threads * (size_t)(t + 1);
        if (cut < start)
            cut = start;
        if (cut < end) {
            const char *nl = memchr(cut, '\n', (size_t)(end - cut));
            cut = nl ? nl + 1 : end;
        }
        jobs[t].b = start;
        jobs[t].e = cut;
        jobs[t].done = &done;
        jobs[t].reports = t == 0;
        start = cut;
    }
    for (int t = 1; t < threads; t++)
        started[t] = pthread_create(&tid[t], NULL, run_range, &jobs[t]) == 0;
    run_range(&jobs[0]);
    for (int t = 1; t < threads; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            run_range(&jobs[t]);
    }
    /* line numbers of later ranges start after the earlier ranges' lines */
    uint64_t offset = 0;
    for (int t = 0; t < threads; t++) {
        for (int i = 0; i < jobs[t].st.n_samples; i++)
            jobs[t].st.samples[i].line += offset;
        offset += jobs[t].phys_lines;
        if (jobs[t].failed && rc == 0) {
            *err = jobs[t].err;
            /* the error names a range-local line number: restate it */
            if (o->strict && jobs[t].st.n_samples > 0) {
                const struct logfmt_bad_sample *s = &jobs[t].st.samples[jobs[t].st.n_samples - 1];
                tr_errorf(err, "%s:%llu: %s", path, (unsigned long long)s->line, s->why);
            }
            rc = -1;
        }
        if (t > 0 && rc == 0 && aggregate_merge(agg, jobs[t].agg) != 0)
            rc = tr_errorf(err, "out of memory while merging");
        logfmt_stats_merge(st, &jobs[t].st, o->max_samples);
        job_free(&jobs[t]);
    }
    free(jobs);
    munmap((void *)map, size);
    return rc;
}

/* The streamed path: gzip or stdin. Detection needs the first lines kept. */
static int read_stream(const char *path, const struct logfmt_run_opts *o, struct aggregate *agg,
                       struct logfmt_stats *st, int *kind_out, struct tr_error *err)
{
    struct instream *in = instream_open(path, err);
    if (!in)
        return -1;
    if (o->threads > 1)
        instream_read_ahead(in); /* a second thread inflates; without it, one thread does both */
    struct line_reader lr;
    if (line_reader_init(&lr, in, LOGFMT_MAX_LINE) != 0) {
        instream_close(in);
        return tr_errorf(err, "out of memory");
    }
    struct job *j = malloc(sizeof *j);
    char *keep = malloc(DETECT_LINES * 4096);
    int rc = 0;
    if (!j || !keep) {
        rc = tr_errorf(err, "out of memory");
        goto out;
    }
    /* the first lines, copied (the reader's view moves on); longer ones are cut for detection */
    const char *lines[DETECT_LINES];
    size_t lens[DETECT_LINES];
    uint64_t lineno[DETECT_LINES];
    int status[DETECT_LINES];
    int n = 0, r = LINE_EOF;
    const char *line;
    size_t len;
    while (n < DETECT_LINES && (r = line_reader_next(&lr, &line, &len, err)) != LINE_EOF) {
        if (r == LINE_ERROR) {
            rc = -1;
            goto out;
        }
        size_t k = r == LINE_TOO_LONG ? 0 : len < 4096 ? len : 4096;
        memcpy(keep + (size_t)n * 4096, line, k);
        lines[n] = keep + (size_t)n * 4096;
        lens[n] = k;
        lineno[n] = lr.line_no;
        status[n] = r == LINE_TOO_LONG ? -1 : len > 4096 ? -2 : 0;
        n++;
    }
    struct logfmt_parser parser;
    if (make_parser(o, path, lines, lens, n, &parser, kind_out, err) != 0) {
        rc = -1;
        goto out;
    }
    if (job_init(j, path, o, &parser, agg, 0) != 0) {
        rc = tr_errorf(err, "out of memory");
        goto out;
    }
    for (int i = 0; i < n && !j->failed; i++) {
        if (status[i] == -1) {
            j->st.lines++;
            bad_line(j, lineno[i], "line too long", "", 0);
        } else if (status[i] == -2) {
            j->st.lines++;
            bad_line(j, lineno[i], "line longer than 4096 bytes among the first lines", lines[i], lens[i]);
        } else {
            process_line(j, lines[i], lens[i], lineno[i]);
        }
    }
    uint64_t reported = 0;
    while (!j->failed && n == DETECT_LINES && (r = line_reader_next(&lr, &line, &len, err)) != LINE_EOF) {
        if (r == LINE_ERROR) {
            rc = -1;
            break;
        }
        j->st.bytes += len + 1;
        if (o->on_progress && j->st.bytes - reported >= RELEASE_STEP) {
            reported = j->st.bytes;
            o->on_progress(o->progress_ctx, reported);
        }
        if (r == LINE_TOO_LONG) {
            j->st.lines++;
            bad_line(j, lr.line_no, "line too long", "", 0);
            continue;
        }
        if (process_line(j, line, len, lr.line_no) < 0)
            break;
    }
    job_finish(j);
    if (j->failed && rc == 0) {
        *err = j->err;
        rc = -1;
    }
    logfmt_stats_merge(st, &j->st, o->max_samples);
    job_free(j);
out:
    free(keep);
    free(j);
    line_reader_free(&lr);
    instream_close(in);
    return rc;
}

int logfmt_read_file(const char *path, const struct logfmt_run_opts *o, struct aggregate *agg,
                     struct logfmt_stats *st, int *kind_out, struct tr_error *err)
{
    *kind_out = LOGFMT_NONE;
    if (strcmp(path, "-") != 0) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return tr_errorf(err, "cannot open '%s': %s", path, strerror(errno));
        struct stat sb;
        unsigned char magic[2] = { 0, 0 };
        int plain = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
                    (pread(fd, magic, 2, 0) < 2 || !(magic[0] == 0x1f && magic[1] == 0x8b));
        if (plain) {
            int rc = read_mapped(path, fd, (size_t)sb.st_size, o, agg, st, kind_out, err);
            close(fd);
            return rc;
        }
        close(fd);
    }
    return read_stream(path, o, agg, st, kind_out, err);
}
