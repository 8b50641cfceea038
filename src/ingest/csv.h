/*
 * A streaming RFC 4180 CSV reader: quoted fields with separators, doubled
 * quotes and line breaks inside, CRLF or LF (or a lone CR) row ends, a UTF-8
 * byte-order mark, a configurable separator. Input arrives in chunks of any
 * size; memory is bounded by max_row (a longer row is reported and skipped,
 * never buffered whole).
 *
 * How it works: the reader owns one buffer. The caller writes input into it
 * (csv_space + csv_commit, or csv_feed which copies) and takes rows out with
 * csv_next. A row is parsed from its first byte each time csv_next is called;
 * when the row is not complete yet, csv_next says CSV_NEED_MORE and the next
 * call parses it again from its start, with more bytes. Rows are short next to
 * the buffer, so re-parsing a row that straddled a chunk costs nothing
 * measurable, and the parser stays a pure function over (start, end, at_eof).
 * Scanning runs 16 bytes at a time (SSE2) for the bytes that end a field.
 *
 * Malformed input (a quoted field that never closes, text after a closing
 * quote, an oversized field or row, too many fields) gives CSV_BAD_ROW with
 * the row's line and a message; the reader then resynchronises at the line
 * after the bad row's first line and goes on.
 */
#ifndef TR_INGEST_CSV_H
#define TR_INGEST_CSV_H

#include <stddef.h>
#include <stdint.h>

struct csv_field {
    const char *p;  /* into the reader's buffer; valid until the next csv_* call */
    size_t len;
};

struct csv_row {
    const struct csv_field *f;
    size_t n;
    uint64_t line;  /* physical line (1-based) where the row starts */
};

struct csv_limits {
    size_t max_field;   /* bytes of one field (default 64 KiB) */
    size_t max_row;     /* bytes of one row as written, quotes and all (default 1 MiB) */
    size_t max_fields;  /* fields per row (default 1024) */
    size_t chunk;       /* room kept for one read (default 256 KiB) */
    char sep;           /* default ',' */
};

enum csv_status {
    CSV_ROW = 0,        /* *row is filled */
    CSV_NEED_MORE = 1,  /* give more input (or csv_set_eof) */
    CSV_END = 2,        /* end of input, no more rows */
    CSV_BAD_ROW = 3,    /* a malformed row was skipped: csv_error() and row->line say what and where */
};

struct csv_reader {
    struct csv_limits lim;
    char *buf;
    size_t start, end, cap;   /* unparsed input is buf[start, end) */
    uint64_t line;            /* line number of buf[start] */
    uint64_t rows;            /* rows returned so far (header included) */
    uint64_t bad_rows;
    int eof;
    int bom_done;             /* the first bytes were checked for a BOM */
    int skipping;             /* resynchronising: discard up to the next '\n' */
    struct csv_field *fields;
    size_t fields_cap;
    char err[160];
};

/* NULL lim = defaults; zero members take their default. Returns 0 or -1 (no memory). */
int csv_init(struct csv_reader *r, const struct csv_limits *lim);
void csv_free(struct csv_reader *r);

/* Where to write the next input bytes (at least 1 byte, at most *avail). */
char *csv_space(struct csv_reader *r, size_t *avail);
/* Declares n bytes written at csv_space(). */
void csv_commit(struct csv_reader *r, size_t n);
/* Copies n bytes in, as many calls to csv_space/csv_commit as needed; returns how
 * many were taken (less than n only when the buffer is full: call csv_next first). */
size_t csv_feed(struct csv_reader *r, const void *data, size_t n);
/* No more input will come. */
void csv_set_eof(struct csv_reader *r);

/* Takes the next row out; see enum csv_status. */
int csv_next(struct csv_reader *r, struct csv_row *row);
/*
 * NUL-terminates every field of a row in place (for APIs that take C strings).
 * Safe: the byte after a field is its separator, closing quote or line break, or
 * a spare byte the reader keeps; it only destroys bytes already parsed.
 */
void csv_terminate(const struct csv_row *row);
/* The message of the last CSV_BAD_ROW. */
const char *csv_error(const struct csv_reader *r);

/*
 * Finds a row boundary near `from` in buf[0, len) for splitting a file among
 * threads without knowing the quote state at `from`: tries both states over a
 * window and keeps the one where every row parses with `n_fields` fields.
 * Returns the offset of a row start (>= from), or -1 when ambiguous. The caller
 * must still verify the guess (the reader before it must end exactly there).
 */
long csv_guess_row_start(const char *buf, size_t len, size_t from, size_t n_fields, char sep);

#endif
