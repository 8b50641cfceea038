/* Many access-log files into one aggregate: see logfmt_files.h. */
#include "ingest/logfmt_files.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/instream.h"

#define MAX_WORKERS 8

struct files_run;

/* One thread reading gzip files one after the other, into its own aggregate and counts. */
struct worker {
    struct files_run *run;
    struct aggregate *agg;
    struct logfmt_stats st;
    struct logfmt_run_opts o;   /* the caller's, one thread per file, progress through this worker */
    uint64_t reported;          /* bytes of its current file already added to run->bytes */
    int is_caller;              /* the calling thread: the only one that calls the progress hooks */
    pthread_t tid;
    int started;
};

struct files_run {
    const char *const *paths;
    const int *todo;            /* indexes of the files read side by side */
    int n_todo;
    _Atomic int next, done;
    _Atomic uint64_t bytes;
    struct logfmt_file_result *res;
    const struct logfmt_files_progress *pg;
};


static void show_batch(struct worker *w)
{
    const struct logfmt_files_progress *pg = w->run->pg;
    if (w->is_caller && pg && pg->batch)
        pg->batch(pg->ctx, atomic_load(&w->run->done), w->run->n_todo, atomic_load(&w->run->bytes));
}

/* The reader's progress callback for a file read side by side: bytes of that file so far. */
static void worker_progress(void *ctx, uint64_t bytes)
{
    struct worker *w = ctx;
    atomic_fetch_add(&w->run->bytes, bytes - w->reported);
    w->reported = bytes;
    show_batch(w);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct files_run *r = w->run;
    int k;
    while ((k = atomic_fetch_add(&r->next, 1)) < r->n_todo) {
        int i = r->todo[k];
        struct logfmt_file_result *res = &r->res[i];
        w->reported = 0;
        res->rc = logfmt_read_file(r->paths[i], &w->o, w->agg, &w->st, &res->kind, &res->err) == 0 ? 0 : -1;
        atomic_fetch_add(&r->done, 1);
        show_batch(w);
    }
    return NULL;
}

/* The index of a sample's file among paths (samples keep the caller's path pointers). */
static int file_index(const char *const *paths, int n, const char *file)
{
    for (int i = 0; i < n; i++)
        if (paths[i] == file)
            return i;
    return n;
}

struct ranked_sample {
    int file;
    struct logfmt_bad_sample s;
};

static int by_position(const void *a, const void *b)
{
    const struct ranked_sample *x = a, *y = b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    return x->s.line < y->s.line ? -1 : x->s.line > y->s.line;
}

/*
 * Every source (the files read in order, and each worker) kept its first
 * samples in file order; the first max of their union, in file order, are the
 * ones a run one file after the other would have kept.
 */
static void merge_samples(struct logfmt_stats *st, const struct logfmt_stats *const *from, int n_from,
                          const char *const *paths, int n, int max)
{
    struct ranked_sample all[LOGFMT_MAX_SAMPLES * (MAX_WORKERS + 1)];
    int k = 0;
    for (int i = 0; i < st->n_samples; i++)
        all[k++] = (struct ranked_sample){ file_index(paths, n, st->samples[i].file), st->samples[i] };
    for (int f = 0; f < n_from; f++)
        for (int i = 0; i < from[f]->n_samples && k < (int)(sizeof all / sizeof all[0]); i++)
            all[k++] = (struct ranked_sample){ file_index(paths, n, from[f]->samples[i].file), from[f]->samples[i] };
    qsort(all, (size_t)k, sizeof all[0], by_position);
    if (max > LOGFMT_MAX_SAMPLES)
        max = LOGFMT_MAX_SAMPLES;
    st->n_samples = 0;
    for (int i = 0; i < k && st->n_samples < max; i++)
        st->samples[st->n_samples++] = all[i].s;
}

int logfmt_read_files(const char *const *paths, int n, const struct logfmt_run_opts *o, struct aggregate *agg,
                      struct logfmt_stats *st, struct logfmt_file_result *res, const struct logfmt_files_progress *pg)
{
    int *todo = calloc((size_t)n + 1, sizeof *todo);
    int n_todo = 0, read = 0;
    for (int i = 0; i < n; i++) {
        memset(&res[i], 0, sizeof res[i]);
        res[i].kind = LOGFMT_NONE;
        res[i].rc = 1;
        res[i].gzip = strcmp(paths[i], "-") != 0 && instream_is_gzip(paths[i]);
        /* side by side: gzip files, when there is more than one and no strict order to keep */
        res[i].parallel = todo && o->threads > 1 && !o->strict && res[i].gzip;
        if (res[i].parallel)
            todo[n_todo++] = i;
    }
    if (n_todo < 2)
        for (int k = 0; k < n_todo; k++)
            res[todo[k]].parallel = 0;

    /* the others one after the other, in order: a plain file uses the threads itself */
    int stopped = 0;
    for (int i = 0; i < n && !stopped; i++) {
        if (res[i].parallel)
            continue;
        if (pg && pg->file_start)
            pg->file_start(pg->ctx, i);
        res[i].rc = logfmt_read_file(paths[i], o, agg, st, &res[i].kind, &res[i].err) == 0 ? 0 : -1;
        if (pg && pg->file_done)
            pg->file_done(pg->ctx, i);
        read += res[i].rc == 0;
        stopped = res[i].rc != 0 && o->strict;
    }
    if (n_todo < 2 || stopped) {
        free(todo);
        return read;
    }

    struct files_run run = { .paths = paths, .todo = todo, .n_todo = n_todo, .res = res, .pg = pg };
    int n_workers = o->threads < n_todo ? o->threads : n_todo;
    if (n_workers > MAX_WORKERS)
        n_workers = MAX_WORKERS;
    struct worker *w = calloc((size_t)n_workers, sizeof *w);
    int ready = 0;
    for (int k = 0; w && k < n_workers; k++) {
        w[k].run = &run;
        w[k].o = *o;
        w[k].o.threads = 1;
        w[k].o.on_progress = worker_progress;
        w[k].o.progress_ctx = &w[k];
        w[k].is_caller = k == 0;
        /* the calling thread counts into agg itself; the others into their own, merged below */
        w[k].agg = k == 0 ? agg : aggregate_new(aggregate_config(agg));
        if (!w[k].agg)
            break;
        ready++;
    }
    if (ready == 0) {
        /* no memory for workers: read them in order on this thread */
        for (int k = 0; k < n_todo; k++) {
            int i = todo[k];
            res[i].rc = logfmt_read_file(paths[i], o, agg, st, &res[i].kind, &res[i].err) == 0 ? 0 : -1;
            read += res[i].rc == 0;
        }
        free(w);
        free(todo);
        return read;
    }
    show_batch(&w[0]);
    for (int k = 1; k < ready; k++)
        w[k].started = pthread_create(&w[k].tid, NULL, worker_main, &w[k]) == 0;
    worker_main(&w[0]);
    for (int k = 1; k < ready; k++)
        if (w[k].started)
            pthread_join(w[k].tid, NULL);
        else
            worker_main(&w[k]); /* could not start: what is left is read here */

    const struct logfmt_stats *from[MAX_WORKERS];
    for (int k = 0; k < ready; k++) {
        struct logfmt_stats counts = w[k].st;
        counts.n_samples = 0; /* the samples are merged in file order below */
        logfmt_stats_merge(st, &counts, 0);
        from[k] = &w[k].st;
        if (k > 0 && aggregate_merge(agg, w[k].agg) != 0) {
            /* which worker read which file is not kept: the counts of all of them are in doubt */
            for (int j = 0; j < n_todo; j++)
                if (res[todo[j]].rc == 0) {
                    tr_errorf(&res[todo[j]].err, "%s: out of memory while merging", paths[todo[j]]);
                    res[todo[j]].rc = -1;
                }
        }
    }
    merge_samples(st, from, ready, paths, n, o->max_samples);
    for (int k = 0; k < n_todo; k++)
        read += res[todo[k]].rc == 0;
    for (int k = 1; k < ready; k++)
        aggregate_free(w[k].agg);
    free(w);
    free(todo);
    return read;
}
