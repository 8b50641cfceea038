/*
 * Streaming RFC 4180 CSV reader: see csv.h for the design (a row is parsed
 * from its start until it is complete; the reader resynchronises after a bad
 * row). RFC 4180 section 2 rules, as applied:
 *   2.1/2.2 rows end with CRLF; LF alone and a lone CR are accepted too.
 *   2.5     a field may be enclosed in double quotes.
 *   2.6     quoted fields may hold separators, CR and LF.
 *   2.7     a quote inside a quoted field is doubled.
 * Lenient where real exports are: a quote inside an unquoted field is kept as
 * a literal byte; a blank line is skipped. Strict where guessing would corrupt
 * data: text after a closing quote and an unterminated quote are errors.
 */
#include "ingest/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define DEF_MAX_FIELD (64 * 1024)
#define DEF_MAX_ROW (1024 * 1024)
#define DEF_MAX_FIELDS 1024
#define DEF_CHUNK (256 * 1024)

/* ---------------------------------------------------------------- scanning */

/* First byte in [p, end) equal to a, b, c or d; end when none. */
static inline const char *scan4(const char *p, const char *end, char a, char b, char c, char d)
{
#ifdef __SSE2__
    const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c), vd = _mm_set1_epi8(d);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, vc), _mm_cmpeq_epi8(v, vd)));
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        if (mask)
            return p + __builtin_ctz(mask);
        p += 16;
    }
#endif
    while (p < end && *p != a && *p != b && *p != c && *p != d)
        p++;
    return p;
}

/* First '"' or '\n' in [p, end). */
static inline const char *scan2(const char *p, const char *end, char a, char b)
{
#ifdef __SSE2__
    const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)));
        if (mask)
            return p + __builtin_ctz(mask);
        p += 16;
    }
#endif
    while (p < end && *p != a && *p != b)
        p++;
    return p;
}

/* ---------------------------------------------------------------- one row */

enum { P_ROW, P_MORE, P_BAD };

struct row_parse {
    /* in */
    const char *s, *end;
    int eof;
    char sep;
    size_t max_field, max_fields;
    struct csv_field *fields;
    /* out */
    size_t n;            /* fields */
    const char *next;    /* first byte after the row (P_ROW) */
    uint64_t newlines;   /* line breaks consumed, the row's end included */
    int has_dq;          /* some quoted field holds a doubled quote */
    const char *why;     /* P_BAD */
};

static int add_field(struct row_parse *rp, const char *p, size_t len)
{
    if (rp->n >= rp->max_fields) {
        rp->why = "too many fields";
        return -1;
    }
    if (len > rp->max_field) {
        rp->why = "field too long";
        return -1;
    }
    rp->fields[rp->n].p = p;
    rp->fields[rp->n].len = len;
    rp->n++;
    return 0;
}

/* Row end at p (a '\n' or '\r'): sets next/newlines; P_MORE when a CR is the last byte we have. */
static int row_end(struct row_parse *rp, const char *p)
{
    if (*p == '\n') {
        rp->next = p + 1;
    } else {
        if (p + 1 == rp->end && !rp->eof)
            return P_MORE; /* CR LF split across chunks */
        rp->next = p + 1 < rp->end && p[1] == '\n' ? p + 2 : p + 1;
    }
    rp->newlines++;
    return P_ROW;
}

/* Parses one row starting at rp->s. Pure: reads [s, end) only. */
static int parse_row(struct row_parse *rp)
{
    const char *p = rp->s, *end = rp->end;
    const char sep = rp->sep;
    rp->n = 0;
    rp->newlines = 0;
    rp->has_dq = 0;
    for (;;) {
        if (p == end) {
            if (!rp->eof)
                return P_MORE;
            /* the input ends without a final line break */
            if (add_field(rp, p, 0) < 0)
                return P_BAD;
            rp->next = end;
            return P_ROW;
        }
        if (*p == '"') {
            const char *fs = p + 1, *q = fs, *x;
            for (;;) {
                x = scan2(q, end, '"', '\n');
                if (x == end) {
                    if (!rp->eof)
                        return P_MORE;
                    rp->why = "quoted field not closed before the end of the input";
                    return P_BAD;
                }
                if (*x == '\n') {
                    rp->newlines++;
                    q = x + 1;
                    continue;
                }
                if (x + 1 == end && !rp->eof)
                    return P_MORE; /* is it "" or the closing quote? */
                if (x + 1 < end && x[1] == '"') {
                    rp->has_dq = 1;
                    q = x + 2;
                    continue;
                }
                break;
            }
            if (add_field(rp, fs, (size_t)(x - fs)) < 0)
                return P_BAD;
            p = x + 1;
            if (p == end) { /* eof right after the closing quote */
                rp->next = end;
                return P_ROW;
            }
            if (*p == sep) {
                p++;
                if (p == end && rp->eof) { /* a trailing separator: one more empty field */
                    if (add_field(rp, p, 0) < 0)
                        return P_BAD;
                    rp->next = end;
                    return P_ROW;
                }
                continue;
            }
            if (*p == '\n' || *p == '\r')
                return row_end(rp, p);
            rp->why = "unexpected character after a closing quote";
            return P_BAD;
        }
        /* unquoted: a quote inside is kept as a literal byte */
        const char *x = p;
        for (;;) {
            x = scan4(x, end, sep, '\n', '\r', '"');
            if (x < end && *x == '"') {
                x++;
                continue;
            }
            break;
        }
        if (x == end) {
            if (!rp->eof)
                return P_MORE;
            if (add_field(rp, p, (size_t)(x - p)) < 0)
                return P_BAD;
            rp->next = end;
            return P_ROW;
        }
        if (add_field(rp, p, (size_t)(x - p)) < 0)
            return P_BAD;
        if (*x == sep) {
            p = x + 1;
            if (p == end && rp->eof) {
                if (add_field(rp, p, 0) < 0)
                    return P_BAD;
                rp->next = end;
                return P_ROW;
            }
            continue;
        }
        return row_end(rp, x);
    }
}

/* Turns "" into " in the quoted fields of a complete row (fields only shrink). */
static void unescape(struct csv_field *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *p = (char *)(uintptr_t)f[i].p;
        char *dq = memmem(p, f[i].len, "\"\"", 2);
        if (!dq)
            continue;
        char *w = dq + 1, *r = dq + 2, *e = p + f[i].len;
        while (r < e) {
            *w++ = *r;
            r += *r == '"' && r + 1 < e && r[1] == '"' ? 2 : 1;
        }
        f[i].len = (size_t)(w - p);
    }
}

/* ---------------------------------------------------------------- reader */

int csv_init(struct csv_reader *r, const struct csv_limits *lim)
{
    memset(r, 0, sizeof *r);
    if (lim)
        r->lim = *lim;
    if (!r->lim.max_field)
        r->lim.max_field = DEF_MAX_FIELD;
    if (!r->lim.max_row)
        r->lim.max_row = DEF_MAX_ROW;
    if (!r->lim.max_fields)
        r->lim.max_fields = DEF_MAX_FIELDS;
    if (!r->lim.chunk)
        r->lim.chunk = DEF_CHUNK;
    if (!r->lim.sep)
        r->lim.sep = ',';
    r->cap = r->lim.max_row + r->lim.chunk + 1;
    r->buf = malloc(r->cap);
    r->fields = malloc(r->lim.max_fields * sizeof *r->fields);
    r->fields_cap = r->lim.max_fields;
    r->line = 1;
    if (!r->buf || !r->fields) {
        csv_free(r);
        return -1;
    }
    return 0;
}

void csv_free(struct csv_reader *r)
{
    free(r->buf);
    free(r->fields);
    r->buf = NULL;
    r->fields = NULL;
}

char *csv_space(struct csv_reader *r, size_t *avail)
{
    if (r->start > 0 && r->cap - r->end < r->lim.chunk) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    *avail = r->cap - r->end - 1; /* one spare byte: csv_terminate() may write buf[end] */
    return r->buf + r->end;
}

void csv_commit(struct csv_reader *r, size_t n) { r->end += n; }

size_t csv_feed(struct csv_reader *r, const void *data, size_t n)
{
    size_t avail;
    char *dst = csv_space(r, &avail);
    if (n > avail)
        n = avail;
    memcpy(dst, data, n);
    r->end += n;
    return n;
}

void csv_set_eof(struct csv_reader *r) { r->eof = 1; }

const char *csv_error(const struct csv_reader *r) { return r->err; }

void csv_terminate(const struct csv_row *row)
{
    /* the byte after a field is its separator, closing quote or line break (all
     * inside the row, already parsed), or the reader's spare byte at the end */
    for (size_t i = 0; i < row->n; i++)
        ((char *)(uintptr_t)row->f[i].p)[row->f[i].len] = 0;
}

/*
 * After a bad row: drop bytes up to and including the first line break after
 * the row's start: LF, CR LF, or a lone CR (files from Excel for Mac's "CSV
 * (Macintosh)" have only CRs; the parser accepts them, so resync must too).
 */
static int resync(struct csv_reader *r)
{
    const char *s = r->buf + r->start, *e = r->buf + r->end;
    const char *x = scan2(s, e, '\n', '\r');
    if (x == e) {
        r->start = r->end;
        return r->eof ? CSV_END : CSV_NEED_MORE;
    }
    if (*x == '\r') {
        if (x + 1 == e && !r->eof) {
            r->start = (size_t)(x - r->buf); /* CR LF split across reads: look again with more */
            return CSV_NEED_MORE;
        }
        if (x + 1 < e && x[1] == '\n')
            x++;
    }
    r->start = (size_t)(x + 1 - r->buf);
    r->line++;
    r->skipping = 0;
    return -1;
}

static int bad_row(struct csv_reader *r, struct csv_row *row, const char *why)
{
    snprintf(r->err, sizeof r->err, "%s", why);
    row->line = r->line;
    row->n = 0;
    row->f = NULL;
    r->bad_rows++;
    r->skipping = 1;
    return CSV_BAD_ROW;
}

int csv_next(struct csv_reader *r, struct csv_row *row)
{
    for (;;) {
        if (r->skipping) {
            int st = resync(r);
            if (st >= 0)
                return st;
        }
        if (!r->bom_done) {
            size_t have = r->end - r->start;
            const char *b = r->buf + r->start;
            if (have < 3 && !r->eof && memcmp(b, "\xef\xbb\xbf", have) == 0)
                return CSV_NEED_MORE;
            if (have >= 3 && memcmp(b, "\xef\xbb\xbf", 3) == 0)
                r->start += 3;
            r->bom_done = 1;
        }
        if (r->start == r->end) {
            if (r->eof)
                return CSV_END;
            return CSV_NEED_MORE;
        }
        struct row_parse rp = {
            .s = r->buf + r->start, .end = r->buf + r->end, .eof = r->eof, .sep = r->lim.sep,
            .max_field = r->lim.max_field, .max_fields = r->lim.max_fields, .fields = r->fields,
        };
        int st = parse_row(&rp);
        if (st == P_MORE) {
            if (r->end - r->start > r->lim.max_row) /* as a complete row: longer than max_row */
                return bad_row(r, row, "row too long");
            return CSV_NEED_MORE;
        }
        if (st == P_BAD)
            return bad_row(r, row, rp.why);
        size_t len = (size_t)(rp.next - rp.s);
        if (len > r->lim.max_row)
            return bad_row(r, row, "row too long");
        uint64_t line = r->line;
        r->start += len;
        r->line += rp.newlines;
        /* a blank line is no row */
        if (rp.n == 1 && rp.fields[0].len == 0 && rp.s[0] != '"')
            continue;
        if (rp.has_dq)
            unescape(r->fields, rp.n);
        row->f = r->fields;
        row->n = rp.n;
        row->line = line;
        r->rows++;
        return CSV_ROW;
    }
}

/* ---------------------------------------------------------------- split points */

/* Does every complete row from buf[at] on (within len) have n_fields fields (at least 2 rows)? */
static int rows_consistent(const char *buf, size_t len, size_t at, size_t n_fields, char sep)
{
    struct csv_field fields[256];
    if (n_fields > 256)
        return 0;
    struct row_parse rp = { .end = buf + len, .sep = sep, .max_field = DEF_MAX_FIELD, .max_fields = 256,
                            .fields = fields };
    const char *p = buf + at;
    int rows = 0;
    while (p < buf + len) {
        rp.s = p;
        int st = parse_row(&rp);
        if (st == P_MORE)
            break;
        if (st == P_BAD || rp.n != n_fields)
            return 0;
        rows++;
        p = rp.next;
    }
    return rows >= 2;
}

long csv_guess_row_start(const char *buf, size_t len, size_t from, size_t n_fields, char sep)
{
    /* candidates: the first line break after an even number of quotes (we started
     * outside a quoted field) and after an odd number (we started inside one) */
    long cand[2] = { -1, -1 };
    int parity = 0;
    for (size_t i = from; i < len && (cand[0] < 0 || cand[1] < 0); i++) {
        if (buf[i] == '"')
            parity ^= 1;
        else if (buf[i] == '\n' && cand[parity] < 0)
            cand[parity] = (long)(i + 1);
    }
    int ok0 = cand[0] >= 0 && rows_consistent(buf, len, (size_t)cand[0], n_fields, sep);
    int ok1 = cand[1] >= 0 && rows_consistent(buf, len, (size_t)cand[1], n_fields, sep);
    if (ok0 && ok1 && cand[0] != cand[1])
        return -1;
    return ok0 ? cand[0] : ok1 ? cand[1] : -1;
}
