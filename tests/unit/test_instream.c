/* Streamed input: gzip and plain files through the line reader, with and
 * without the read-ahead thread, on whole, truncated and corrupt data, and a
 * stream closed while the read-ahead is still inflating. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "util/instream.h"

#define LINES 120000 /* ~7 MB: more than the read-ahead's 4 blocks of 1 MB, so its ring wraps */

static void line_text(int i, char *out, size_t cap)
{
    snprintf(out, cap, "%d line of some length %0*d", i, 20 + i % 37, i);
}

/* Writes the lines to path, gzip (level 1) or plain. */
static void write_file(const char *path, int gz)
{
    char line[128];
    if (gz) {
        gzFile f = gzopen(path, "wb1");
        assert_non_null(f);
        for (int i = 0; i < LINES; i++) {
            line_text(i, line, sizeof line);
            gzprintf(f, "%s\n", line);
        }
        gzclose(f);
    } else {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        for (int i = 0; i < LINES; i++) {
            line_text(i, line, sizeof line);
            fprintf(f, "%s\r\n", line); /* CRLF: the reader drops the CR */
        }
        fclose(f);
    }
}

/* Reads path to its end; returns the number of lines as written, -1 on an error. */
static int read_all(const char *path, int ahead, char *why, size_t why_cap)
{
    struct tr_error err;
    struct instream *in = instream_open(path, &err);
    assert_non_null(in);
    if (ahead)
        assert_int_equal(instream_read_ahead(in), 0);
    struct line_reader lr;
    assert_int_equal(line_reader_init(&lr, in, 4096), 0);
    const char *line;
    size_t len;
    int n = 0, i = 0, r;
    char want[128];
    /* to the end even after a wrong line: a corrupt deflate stream may inflate to garbage
     * and be caught only by the checksum at its end */
    while ((r = line_reader_next(&lr, &line, &len, &err)) == LINE_OK) {
        line_text(i++, want, sizeof want);
        n += len == strlen(want) && memcmp(line, want, len) == 0;
    }
    line_reader_free(&lr);
    instream_close(in);
    if (r == LINE_ERROR) {
        snprintf(why, why_cap, "%s", err.msg);
        return -1;
    }
    return n;
}

static char dir[] = "/tmp/tlsready-instream-XXXXXX";

static void test_whole_files(void **state)
{
    (void)state;
    char gz[128], plain[128], why[512];
    snprintf(gz, sizeof gz, "%s/a.gz", dir);
    snprintf(plain, sizeof plain, "%s/a.txt", dir);
    write_file(gz, 1);
    write_file(plain, 0);
    assert_int_equal(read_all(gz, 0, why, sizeof why), LINES);
    assert_int_equal(read_all(gz, 1, why, sizeof why), LINES);
    assert_int_equal(read_all(plain, 0, why, sizeof why), LINES);
    assert_int_equal(read_all(plain, 1, why, sizeof why), LINES);
}

/* Bytes flipped mid-stream, or the file cut in half: the same error, read ahead or not. */
static void test_broken_gzip(void **state)
{
    (void)state;
    char gz[128], bad[128], cut[128], why0[512], why1[512];
    snprintf(gz, sizeof gz, "%s/b.gz", dir);
    snprintf(bad, sizeof bad, "%s/bad.gz", dir);
    snprintf(cut, sizeof cut, "%s/cut.gz", dir);
    write_file(gz, 1);
    FILE *f = fopen(gz, "rb");
    assert_non_null(f);
    static unsigned char data[8 << 20];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    assert_true(n > 100000 && n < sizeof data);
    f = fopen(cut, "wb");
    fwrite(data, 1, n / 2, f);
    fclose(f);
    memset(data + n / 3, 0x55, 64);
    f = fopen(bad, "wb");
    fwrite(data, 1, n, f);
    fclose(f);
    for (int k = 0; k < 2; k++) {
        const char *path = k ? cut : bad;
        assert_int_equal(read_all(path, 0, why0, sizeof why0), -1);
        assert_int_equal(read_all(path, 1, why1, sizeof why1), -1);
        assert_string_equal(why0, why1);
        assert_non_null(strstr(why0, path)); /* the file is named */
        assert_null(strstr(why0, "<fd:"));  /* not zlib's descriptor name */
    }
}

/* Closed after a few lines while the read-ahead thread is still inflating: no hang, no leak. */
static void test_close_early(void **state)
{
    (void)state;
    char gz[128];
    snprintf(gz, sizeof gz, "%s/c.gz", dir);
    write_file(gz, 1);
    for (int rep = 0; rep < 20; rep++) {
        struct tr_error err;
        struct instream *in = instream_open(gz, &err);
        assert_non_null(in);
        assert_int_equal(instream_read_ahead(in), 0);
        struct line_reader lr;
        assert_int_equal(line_reader_init(&lr, in, 4096), 0);
        const char *line;
        size_t len;
        for (int i = 0; i < rep * 1000; i++)
            assert_int_equal(line_reader_next(&lr, &line, &len, &err), LINE_OK);
        line_reader_free(&lr);
        instream_close(in);
    }
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    const char *names[] = { "a.gz", "a.txt", "b.gz", "bad.gz", "cut.gz", "c.gz" };
    char p[160];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    return rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_files),
        cmocka_unit_test(test_broken_gzip),
        cmocka_unit_test(test_close_early),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
