/* Streamed, gzip-transparent input: see instream.h. */
#include "util/instream.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/*
 * Read-ahead: a second thread inflates the next blocks while the caller parses
 * the current one (inflating a gzip log costs about as much as parsing it).
 * Filled blocks form a ring; the producer writes only blocks the consumer is
 * not reading, so block contents are copied outside the lock.
 */
#define RA_BLOCKS 4
#define RA_BLOCK (1u << 20)

struct read_ahead {
    pthread_t tid;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *block[RA_BLOCKS];
    long len[RA_BLOCKS];    /* > 0 bytes; 0 the end; -1 an error (err) */
    int head, count;        /* the consumer's block; filled blocks from head */
    size_t off;             /* consumed bytes of block[head] */
    int stop;               /* the consumer is closing */
    struct tr_error err;
};

struct instream {
    gzFile gz;
    char name[256];
    struct read_ahead *ra;
};

int instream_is_gzip(const char *path)
{
    unsigned char m[2] = { 0, 0 };
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, m, 2);
    close(fd);
    return n == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

struct instream *instream_open(const char *path, struct tr_error *err)
{
    int fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        tr_errorf(err, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    struct instream *in = calloc(1, sizeof *in);
    if (!in) {
        close(fd);
        tr_errorf(err, "out of memory");
        return NULL;
    }
    in->gz = gzdopen(fd, "rb");
    if (!in->gz) {
        close(fd);
        free(in);
        tr_errorf(err, "cannot open '%s': out of memory", path);
        return NULL;
    }
    gzbuffer(in->gz, 256 * 1024);
    snprintf(in->name, sizeof in->name, "%s", strcmp(path, "-") == 0 ? "<stdin>" : path);
    return in;
}

/* zlib's message without the "<fd:3>: " it puts first for a descriptor: the file is named by us */
static const char *gz_message(gzFile gz, int *code)
{
    const char *m = gzerror(gz, code);
    if (m && m[0] == '<' && strncmp(m, "<fd:", 4) == 0) {
        const char *e = strstr(m, ">: ");
        if (e)
            return e + 3;
    }
    return m;
}

static long gz_read(struct instream *in, void *dst, size_t n, struct tr_error *err);

static void *read_ahead_main(void *arg)
{
    struct instream *in = arg;
    struct read_ahead *ra = in->ra;
    pthread_mutex_lock(&ra->mu);
    for (;;) {
        while (ra->count == RA_BLOCKS && !ra->stop)
            pthread_cond_wait(&ra->cv, &ra->mu);
        if (ra->stop)
            break;
        int i = (ra->head + ra->count) % RA_BLOCKS;
        pthread_mutex_unlock(&ra->mu);
        struct tr_error e;
        long r = gz_read(in, ra->block[i], RA_BLOCK, &e);
        pthread_mutex_lock(&ra->mu);
        ra->len[i] = r;
        if (r < 0)
            ra->err = e;
        ra->count++;
        pthread_cond_broadcast(&ra->cv);
        if (r <= 0)
            break; /* the end or an error: stays queued for the consumer */
    }
    pthread_mutex_unlock(&ra->mu);
    return NULL;
}

static void read_ahead_free(struct read_ahead *ra)
{
    for (int i = 0; i < RA_BLOCKS; i++)
        free(ra->block[i]);
    free(ra);
}

int instream_read_ahead(struct instream *in)
{
    if (in->ra)
        return 0;
    struct read_ahead *ra = calloc(1, sizeof *ra);
    if (!ra)
        return -1;
    for (int i = 0; i < RA_BLOCKS; i++)
        if (!(ra->block[i] = malloc(RA_BLOCK))) {
            read_ahead_free(ra);
            return -1;
        }
    pthread_mutex_init(&ra->mu, NULL);
    pthread_cond_init(&ra->cv, NULL);
    in->ra = ra;
    if (pthread_create(&ra->tid, NULL, read_ahead_main, in) != 0) {
        in->ra = NULL;
        pthread_mutex_destroy(&ra->mu);
        pthread_cond_destroy(&ra->cv);
        read_ahead_free(ra);
        return -1;
    }
    return 0;
}

/* The consumer's side of the read-ahead. */
static long ra_read(struct read_ahead *ra, void *dst, size_t n, struct tr_error *err)
{
    pthread_mutex_lock(&ra->mu);
    while (ra->count == 0)
        pthread_cond_wait(&ra->cv, &ra->mu);
    int i = ra->head;
    long len = ra->len[i];
    if (len <= 0) {
        if (len < 0)
            *err = ra->err;
        pthread_mutex_unlock(&ra->mu);
        return len;
    }
    pthread_mutex_unlock(&ra->mu);
    /* block[i] is filled and not the producer's until it is handed back below */
    size_t k = (size_t)len - ra->off < n ? (size_t)len - ra->off : n;
    memcpy(dst, ra->block[i] + ra->off, k);
    ra->off += k;
    if (ra->off == (size_t)len) {
        pthread_mutex_lock(&ra->mu);
        ra->off = 0;
        ra->head = (ra->head + 1) % RA_BLOCKS;
        ra->count--;
        pthread_cond_broadcast(&ra->cv);
        pthread_mutex_unlock(&ra->mu);
    }
    return (long)k;
}

long instream_read(struct instream *in, void *dst, size_t n, struct tr_error *err)
{
    if (in->ra)
        return ra_read(in->ra, dst, n, err);
    return gz_read(in, dst, n, err);
}

static long gz_read(struct instream *in, void *dst, size_t n, struct tr_error *err)
{
    if (n > (1u << 30))
        n = 1u << 30;
    int r = gzread(in->gz, dst, (unsigned)n);
    if (r < 0) {
        int code;
        const char *m = gz_message(in->gz, &code);
        tr_errorf(err, "%s: read error: %s", in->name, code == Z_ERRNO ? strerror(errno) : m);
        return -1;
    }
    if (r == 0) {
        /* gzread returns 0 both at a clean end and at a truncated gzip member */
        int code;
        const char *m = gz_message(in->gz, &code);
        if (code != Z_OK && code != Z_STREAM_END) {
            tr_errorf(err, "%s: corrupt or truncated gzip data: %s", in->name, m);
            return -1;
        }
    }
    return r;
}

const char *instream_name(const struct instream *in) { return in->name; }

void instream_close(struct instream *in)
{
    if (!in)
        return;
    if (in->ra) {
        struct read_ahead *ra = in->ra;
        pthread_mutex_lock(&ra->mu);
        ra->stop = 1;
        pthread_cond_broadcast(&ra->cv);
        pthread_mutex_unlock(&ra->mu);
        pthread_join(ra->tid, NULL);
        pthread_mutex_destroy(&ra->mu);
        pthread_cond_destroy(&ra->cv);
        read_ahead_free(ra);
    }
    gzclose(in->gz);
    free(in);
}

int line_reader_init(struct line_reader *lr, struct instream *in, size_t max_line)
{
    memset(lr, 0, sizeof *lr);
    lr->in = in;
    lr->max_line = max_line;
    lr->cap = max_line + 1 > 1 << 20 ? max_line + 1 : 1 << 20;
    lr->buf = malloc(lr->cap);
    return lr->buf ? 0 : -1;
}

/* Refills the buffer, keeping bytes from start; returns bytes read, 0, or -1. */
static long refill(struct line_reader *lr, struct tr_error *err)
{
    if (lr->start > 0) {
        memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
        lr->end -= lr->start;
        lr->start = 0;
    }
    if (lr->end == lr->cap)
        return -2; /* full: caller handles an oversized line */
    long r = instream_read(lr->in, lr->buf + lr->end, lr->cap - lr->end, err);
    if (r > 0)
        lr->end += (size_t)r;
    return r;
}

int line_reader_next(struct line_reader *lr, const char **line, size_t *len, struct tr_error *err)
{
    size_t scanned = lr->start;
    for (;;) {
        char *nl = memchr(lr->buf + scanned, '\n', lr->end - scanned);
        if (nl) {
            size_t l = (size_t)(nl - (lr->buf + lr->start));
            *line = lr->buf + lr->start;
            lr->start += l + 1;
            lr->line_no++;
            if (l > 0 && (*line)[l - 1] == '\r')
                l--;
            if (l > lr->max_line)
                return LINE_TOO_LONG;
            *len = l;
            return LINE_OK;
        }
        if (lr->eof) {
            if (lr->start == lr->end)
                return LINE_EOF;
            size_t l = lr->end - lr->start;
            *line = lr->buf + lr->start;
            lr->start = lr->end;
            lr->line_no++;
            if (l > 0 && (*line)[l - 1] == '\r')
                l--;
            if (l > lr->max_line)
                return LINE_TOO_LONG;
            *len = l;
            return LINE_OK;
        }
        size_t kept = scanned - lr->start;
        long r = refill(lr, err);
        if (r == -2) {
            /* the line does not fit: skip to its end without keeping it */
            for (;;) {
                lr->start = lr->end = 0;
                long k = instream_read(lr->in, lr->buf, lr->cap, err);
                if (k < 0)
                    return LINE_ERROR;
                if (k == 0) {
                    lr->eof = 1;
                    lr->line_no++;
                    return LINE_TOO_LONG;
                }
                lr->end = (size_t)k;
                char *e = memchr(lr->buf, '\n', lr->end);
                if (e) {
                    lr->start = (size_t)(e - lr->buf) + 1;
                    lr->line_no++;
                    return LINE_TOO_LONG;
                }
            }
        }
        if (r < 0)
            return LINE_ERROR;
        if (r == 0)
            lr->eof = 1;
        scanned = lr->start + kept;
    }
}

void line_reader_free(struct line_reader *lr)
{
    free(lr->buf);
    lr->buf = NULL;
}
