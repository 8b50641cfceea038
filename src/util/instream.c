/* Streamed, gzip-transparent input: see instream.h. */
#include "util/instream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

struct instream {
    gzFile gz;
    char name[256];
};

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

long instream_read(struct instream *in, void *dst, size_t n, struct tr_error *err)
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
