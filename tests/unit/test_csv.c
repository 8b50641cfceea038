/* Unit tests for the streaming CSV reader: hand-made bytes (good, truncated,
 * unbalanced quote, oversized), every chunk split position, split-point guessing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/csv.h"

/*
 * Renders everything the reader returns for `in` fed in pieces at the given cut
 * positions: "3:[a|b]" per row (3 = line), "3!why" per bad row, one per line.
 */
static char *render(const char *in, size_t len, const size_t *cuts, size_t ncuts, const struct csv_limits *lim)
{
    struct csv_reader r;
    assert_int_equal(csv_init(&r, lim), 0);
    size_t cap = 1 << 16, at = 0;
    char *out = calloc(1, cap);
    size_t pos = 0, ci = 0;
    for (;;) {
        struct csv_row row;
        int st = csv_next(&r, &row);
        if (st == CSV_END)
            break;
        if (st == CSV_NEED_MORE) {
            if (pos == len) {
                csv_set_eof(&r);
                continue;
            }
            size_t stop = ci < ncuts ? cuts[ci++] : len;
            if (stop < pos)
                stop = pos;
            if (stop > len)
                stop = len;
            if (stop == pos)
                continue;
            size_t took = csv_feed(&r, in + pos, stop - pos);
            pos += took;
            if (took < stop - pos + took && ci > 0)
                ci--; /* not all taken: cut again at the same place */
            continue;
        }
        if (st == CSV_BAD_ROW) {
            at += (size_t)snprintf(out + at, cap - at, "%llu!%s\n", (unsigned long long)row.line, csv_error(&r));
            continue;
        }
        at += (size_t)snprintf(out + at, cap - at, "%llu:[", (unsigned long long)row.line);
        for (size_t i = 0; i < row.n; i++)
            at += (size_t)snprintf(out + at, cap - at, "%s%.*s", i ? "|" : "", (int)row.f[i].len, row.f[i].p);
        at += (size_t)snprintf(out + at, cap - at, "]\n");
    }
    csv_free(&r);
    return out;
}

static void expect(const char *in, size_t len, const char *want, const struct csv_limits *lim)
{
    char *whole = render(in, len, NULL, 0, lim);
    assert_string_equal(whole, want);
    free(whole);
    /* one cut at every position, then byte by byte */
    for (size_t c = 0; c <= len; c++) {
        char *got = render(in, len, &c, 1, lim);
        if (strcmp(got, want) != 0)
            fail_msg("cut at %zu:\n%s\nwant:\n%s", c, got, want);
        free(got);
    }
    size_t *cuts = malloc((len + 1) * sizeof *cuts);
    for (size_t i = 0; i <= len; i++)
        cuts[i] = i;
    char *got = render(in, len, cuts, len + 1, lim);
    assert_string_equal(got, want);
    free(got);
    free(cuts);
}

#define EXPECT(lit, want) expect(lit, sizeof(lit) - 1, want, NULL)

static void test_good(void **state)
{
    (void)state;
    EXPECT("a,b,c\n1,2,3\n", "1:[a|b|c]\n2:[1|2|3]\n");
    EXPECT("a,b,c\r\n1,2,3\r\n", "1:[a|b|c]\n2:[1|2|3]\n");
    EXPECT("a,b\n1,2", "1:[a|b]\n2:[1|2]\n");                    /* no final newline */
    EXPECT("\"a\",\"b,c\"\n", "1:[a|b,c]\n");                       /* separator inside quotes */
    EXPECT("\"he said \"\"hi\"\"\",x\n", "1:[he said \"hi\"|x]\n"); /* doubled quotes */
    EXPECT("\"\"\"\"\n", "1:[\"]\n");
    EXPECT("\"line1\nline2\",x\ny,z\n", "1:[line1\nline2|x]\n3:[y|z]\n"); /* break inside quotes */
    EXPECT("\"l1\r\nl2\"\r\nb\r\n", "1:[l1\r\nl2]\n3:[b]\n");
    EXPECT("\xef\xbb\xbf\"Id\",\"UserId\"\n\"1\",\"2\"\n", "1:[Id|UserId]\n2:[1|2]\n"); /* BOM */
    EXPECT("a,,c\n,\n", "1:[a||c]\n2:[|]\n");                      /* empty fields */
    EXPECT("a,b,\n", "1:[a|b|]\n");
    EXPECT("a,b,", "1:[a|b|]\n");
    EXPECT("\"\",\"\"\n", "1:[|]\n");
    EXPECT("a\n\n\nb\n", "1:[a]\n4:[b]\n");                          /* blank lines skipped */
    EXPECT("a\rb\r", "1:[a]\n2:[b]\n");                              /* lone CR */
    EXPECT("ab\"c,d\n", "1:[ab\"c|d]\n");                           /* stray quote kept */
    EXPECT("", "");
    EXPECT("\xef\xbb\xbf", "");
    EXPECT("\xef\xbb", "1:[\xef\xbb]\n");                            /* half a BOM is data */
    EXPECT("x,\"a\"\"\"\n", "1:[x|a\"]\n");
    EXPECT("\"a\"", "1:[a]\n");
}

static void test_malformed(void **state)
{
    (void)state;
    /* unbalanced quote at the end: reported, nothing after it (resync skips the line) */
    EXPECT("a,b\n\"open,x\ny,z\n", "1:[a|b]\n2!quoted field not closed before the end of the input\n3:[y|z]\n");
    /* text after a closing quote: that row is skipped, the next one is read */
    EXPECT("\"a\"b,c\nd,e\n", "1!unexpected character after a closing quote\n2:[d|e]\n");
    /* CR-only line ends (Excel for Mac): resynchronise at the next CR, not at a LF that never comes */
    EXPECT("a,b\r\"x\"y,1\rc,d\re,f\r", "1:[a|b]\n2!unexpected character after a closing quote\n3:[c|d]\n4:[e|f]\n");
    EXPECT("a\r\n\"x\"y\r\nc\r\n", "1:[a]\n2!unexpected character after a closing quote\n3:[c]\n");
    /* truncated in the middle of a quoted field */
    EXPECT("h\n\"abc", "1:[h]\n2!quoted field not closed before the end of the input\n");
}

static void test_limits(void **state)
{
    (void)state;
    struct csv_limits lim = { .max_field = 4, .max_row = 16, .max_fields = 3, .chunk = 8 };
    expect("abcd,e\nabcde,f\ng\n", 17, "1:[abcd|e]\n2!field too long\n3:[g]\n", &lim);
    expect("a,b,c,d\nx\n", 10, "1!too many fields\n2:[x]\n", &lim);
    /* a row of exactly max_row bytes, its CR LF split across reads at every position (found by fuzzing) */
    struct csv_limits lim2 = { .max_field = 64, .max_row = 16, .chunk = 8 };
    expect("abcdefghijklmn\r\nz\n", 18, "1:[abcdefghijklmn]\n2:[z]\n", &lim2);
    expect("\"abcdefghijkl\"\r\nz\n", 18, "1:[abcdefghijkl]\n2:[z]\n", &lim2);
    expect("abcdefghijklmno\r\nz\n", 19, "1!row too long\n2:[z]\n", &lim2);
    /* a row longer than max_row, no line break for a long way */
    char big[200];
    memset(big, 'x', sizeof big);
    memcpy(big, "ok\n", 3);
    memcpy(big + 190, "\nend\n", 5);
    big[195] = 0;
    char *got = render(big, 195, NULL, 0, &lim);
    assert_string_equal(got, "1:[ok]\n2!row too long\n3:[end]\n");
    free(got);
    /* an unterminated quote spanning more than max_row */
    char q[100];
    memset(q, 'y', sizeof q);
    memcpy(q, "\"", 1);
    memcpy(q + 10, "\n", 1);
    memcpy(q + 95, "\nz\n", 3);
    got = render(q, 98, NULL, 0, &lim);
    assert_string_equal(got, "1!row too long\n2!row too long\n3:[z]\n"); /* line 2 alone is 85 bytes */
    free(got);
}

static void test_split_guess(void **state)
{
    (void)state;
    /* rows of 3 fields with a line break inside a quoted field */
    const char *csv = "\"id\",\"name\",\"note\"\n"
                      "\"1\",\"a\",\"x\ny\"\n"
                      "\"2\",\"b\",\"plain\"\n"
                      "\"3\",\"c\",\"z\"\n"
                      "\"4\",\"d\",\"w\"\n";
    size_t len = strlen(csv);
    const char *inside = strstr(csv, "x\ny") + 1; /* the break inside quotes */
    long g = csv_guess_row_start(csv, len, (size_t)(inside - csv), 3, ',');
    assert_int_equal(g, strstr(csv, "\"2\"") - csv);
    g = csv_guess_row_start(csv, len, (size_t)(strstr(csv, "\"2\"") - csv) + 2, 3, ',');
    assert_int_equal(g, strstr(csv, "\"3\"") - csv);
    assert_int_equal(csv_guess_row_start(csv, len, len - 3, 3, ','), -1); /* too little left */
}

static void test_reader_counts(void **state)
{
    (void)state;
    struct csv_reader r;
    assert_int_equal(csv_init(&r, NULL), 0);
    const char *in = "a,b\n\"x,1\n";
    csv_feed(&r, in, strlen(in));
    csv_set_eof(&r);
    struct csv_row row;
    assert_int_equal(csv_next(&r, &row), CSV_ROW);
    assert_int_equal(row.n, 2);
    assert_int_equal(csv_next(&r, &row), CSV_BAD_ROW);
    assert_int_equal(row.line, 2);
    assert_int_equal(csv_next(&r, &row), CSV_END);
    assert_int_equal(r.rows, 1);
    assert_int_equal(r.bad_rows, 1);
    csv_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_split_guess),
        cmocka_unit_test(test_reader_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
