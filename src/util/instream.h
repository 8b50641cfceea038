/*
 * Input files as streams: a path, or "-" for standard input, gzip or plain
 * (zlib detects which), read in chunks so memory never grows with file size.
 * The line reader on top keeps at most `max_line` bytes of one line; a longer
 * line is reported as oversized (and skipped to its end), never buffered whole.
 */
#ifndef TR_UTIL_INSTREAM_H
#define TR_UTIL_INSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct instream;

/* Does the file at path start with the gzip magic (1f 8b)? 0 when it cannot be read. */
int instream_is_gzip(const char *path);
/* Opens `path` ("-" is stdin). Returns NULL and fills err on failure. */
struct instream *instream_open(const char *path, struct tr_error *err);
/* Reads up to n bytes; returns the count, 0 at end, -1 on error (err filled:
 * e.g. a truncated or corrupt gzip stream, with the file name). */
long instream_read(struct instream *in, void *dst, size_t n, struct tr_error *err);
/*
 * From here on a second thread inflates ahead of the reader (up to 4 MB), so
 * reading a gzip file takes about the time of the slower of inflating and
 * parsing instead of their sum. -1 (and reading goes on without it) when no
 * thread or memory. instream_close stops the thread.
 */
int instream_read_ahead(struct instream *in);
const char *instream_name(const struct instream *in);
void instream_close(struct instream *in);

/* Line reader. */
enum line_status { LINE_OK = 0, LINE_EOF = 1, LINE_TOO_LONG = 2, LINE_ERROR = -1 };

struct line_reader {
    struct instream *in;
    char *buf;
    size_t cap, start, end;
    size_t max_line;
    uint64_t line_no;     /* number of the line last returned (1-based) */
    int eof;
};

int line_reader_init(struct line_reader *lr, struct instream *in, size_t max_line);
/*
 * Returns LINE_OK with *line and *len set to the next line without its "\n" or
 * "\r\n" (valid until the next call); LINE_TOO_LONG for a line over max_line
 * (its bytes are skipped; line_no counts it); LINE_EOF; LINE_ERROR with err.
 */
int line_reader_next(struct line_reader *lr, const char **line, size_t *len, struct tr_error *err);
void line_reader_free(struct line_reader *lr);

#endif
