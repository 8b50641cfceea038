/* Unit tests for the Apex lexer: hand-made input, good, truncated, oversized, malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "metadata/apex_lex.h"

static struct apex_lexer lx;

static void start(const char *s)
{
    apex_lex_init(&lx, s, strlen(s));
}

static void expect(enum apex_tok kind, const char *text, uint32_t line)
{
    struct apex_token t;
    apex_lex_next(&lx, &t);
    assert_int_equal(t.kind, kind);
    if (text) {
        assert_int_equal(t.n, strlen(text));
        assert_memory_equal(t.s, text, t.n);
    }
    assert_int_equal(t.line, line);
}

static void test_tokens_and_lines(void **state)
{
    (void)state;
    start("req.setEndpoint('https://a.example.com/x');\n  x ?. y == 42\r\n@isTest");
    expect(APEX_TOK_IDENT, "req", 1);
    expect(APEX_TOK_PUNCT, ".", 1);
    expect(APEX_TOK_IDENT, "setEndpoint", 1);
    expect(APEX_TOK_PUNCT, "(", 1);
    expect(APEX_TOK_STRING, "https://a.example.com/x", 1);
    expect(APEX_TOK_PUNCT, ")", 1);
    expect(APEX_TOK_PUNCT, ";", 1);
    expect(APEX_TOK_IDENT, "x", 2);
    expect(APEX_TOK_PUNCT, "?.", 2);
    expect(APEX_TOK_IDENT, "y", 2);
    expect(APEX_TOK_PUNCT, "==", 2);
    expect(APEX_TOK_NUMBER, "42", 2);
    expect(APEX_TOK_ANNOTATION, "isTest", 3);
    expect(APEX_TOK_EOF, NULL, 3);
    expect(APEX_TOK_EOF, NULL, 3); /* EOF forever */
}

static void test_comments_are_skipped(void **state)
{
    (void)state;
    start("// req.setEndpoint('https://no.example.com');\n"
          "/* multi\n line\n req.setEndpoint('https://no.example.com') */ a /**/ b // tail");
    expect(APEX_TOK_IDENT, "a", 4);
    expect(APEX_TOK_IDENT, "b", 4);
    expect(APEX_TOK_EOF, NULL, 4);
    /* a '//' inside a string is not a comment, and a quote inside a comment is not a string */
    start("'http://x.example.com//y' /* it's */ z");
    expect(APEX_TOK_STRING, "http://x.example.com//y", 1);
    expect(APEX_TOK_IDENT, "z", 1);
}

static void test_string_escapes(void **state)
{
    (void)state;
    start("'it\\'s' '\\\\' 'a\\u0041\\u00e9' 'bad\\q'");
    struct apex_token t;
    char out[64];
    int trunc, bad;
    apex_lex_next(&lx, &t);
    assert_int_equal(t.kind, APEX_TOK_STRING);
    assert_int_equal(apex_string_decode(t.s, t.n, out, sizeof out, &trunc, &bad), 4);
    assert_string_equal(out, "it's");
    assert_false(bad);
    apex_lex_next(&lx, &t);
    apex_string_decode(t.s, t.n, out, sizeof out, &trunc, &bad);
    assert_string_equal(out, "\\");
    apex_lex_next(&lx, &t);
    apex_string_decode(t.s, t.n, out, sizeof out, &trunc, &bad);
    assert_string_equal(out, "aA\xc3\xa9");
    apex_lex_next(&lx, &t);
    apex_string_decode(t.s, t.n, out, sizeof out, &trunc, &bad);
    assert_string_equal(out, "bad\\q");
    assert_true(bad);
    /* a short \u escape and a trailing backslash are kept, flagged, never over-read */
    apex_string_decode("\\u12", 4, out, sizeof out, &trunc, &bad);
    assert_string_equal(out, "\\u12");
    assert_true(bad);
    apex_string_decode("x\\", 2, out, sizeof out, &trunc, &bad);
    assert_string_equal(out, "x\\");
    assert_true(bad);
    /* truncation: the output keeps cap-1 bytes and says so */
    assert_int_equal(apex_string_decode("abcdef", 6, out, 4, &trunc, &bad), 3);
    assert_string_equal(out, "abc");
    assert_true(trunc);
}

static void test_unterminated_string(void **state)
{
    (void)state;
    /* the error is reported at its line, and lexing resumes on the next line */
    start("a = 'no end\nb = 'ok';");
    expect(APEX_TOK_IDENT, "a", 1);
    expect(APEX_TOK_PUNCT, "=", 1);
    struct apex_token t;
    apex_lex_next(&lx, &t);
    assert_int_equal(t.kind, APEX_TOK_ERROR);
    assert_int_equal(t.line, 1);
    assert_non_null(t.error);
    expect(APEX_TOK_IDENT, "b", 2);
    expect(APEX_TOK_PUNCT, "=", 2);
    expect(APEX_TOK_STRING, "ok", 2);
    /* at the very end, after an escape */
    start("'abc\\");
    apex_lex_next(&lx, &t);
    assert_int_equal(t.kind, APEX_TOK_ERROR);
    expect(APEX_TOK_EOF, NULL, 1);
    /* an escaped quote does not close the string */
    start("'abc\\'");
    apex_lex_next(&lx, &t);
    assert_int_equal(t.kind, APEX_TOK_ERROR);
}

/* a NUL byte inside a literal (raw or escaped) makes the whole literal an error
 * token: no endpoint is made from the text before it, and lexing goes on */
static void test_nul_in_string(void **state)
{
    (void)state;
    static const char src[] = "f('https://nul\0.example.com'); g('a\\\0b'); h('ok');";
    apex_lex_init(&lx, src, sizeof src - 1);
    expect(APEX_TOK_IDENT, "f", 1);
    expect(APEX_TOK_PUNCT, "(", 1);
    struct apex_token t;
    apex_lex_next(&lx, &t);
    assert_int_equal(t.kind, APEX_TOK_ERROR);
    assert_non_null(strstr(t.error, "NUL"));
    expect(APEX_TOK_PUNCT, ")", 1);
    expect(APEX_TOK_PUNCT, ";", 1);
    expect(APEX_TOK_IDENT, "g", 1);
    expect(APEX_TOK_PUNCT, "(", 1);
    apex_lex_next(&lx, &t);
    assert_int_equal(t.kind, APEX_TOK_ERROR);
    expect(APEX_TOK_PUNCT, ")", 1);
    expect(APEX_TOK_PUNCT, ";", 1);
    expect(APEX_TOK_IDENT, "h", 1);
    expect(APEX_TOK_PUNCT, "(", 1);
    expect(APEX_TOK_STRING, "ok", 1);
}

static void test_unterminated_comment(void **state)
{
    (void)state;
    start("x\n/* never\nends");
    expect(APEX_TOK_IDENT, "x", 1);
    struct apex_token t;
    apex_lex_next(&lx, &t);
    assert_int_equal(t.kind, APEX_TOK_ERROR);
    assert_int_equal(t.line, 2);
    assert_string_equal(t.error, "unterminated block comment");
    expect(APEX_TOK_EOF, NULL, 3);
    start("/*");
    apex_lex_next(&lx, &t);
    assert_int_equal(t.kind, APEX_TOK_ERROR);
    start("/");
    expect(APEX_TOK_PUNCT, "/", 1);
}

static void test_huge_tokens(void **state)
{
    (void)state;
    size_t n = 4u << 20;
    char *buf = malloc(n + 3);
    assert_non_null(buf);
    memset(buf, 'a', n);
    apex_lex_init(&lx, buf, n);
    struct apex_token t;
    apex_lex_next(&lx, &t);
    assert_int_equal(t.kind, APEX_TOK_IDENT);
    assert_int_equal(t.n, n);
    buf[0] = '\'';
    buf[n + 1] = '\'';
    buf[n] = 'b';
    apex_lex_init(&lx, buf, n + 2);
    apex_lex_next(&lx, &t);
    assert_int_equal(t.kind, APEX_TOK_STRING);
    assert_int_equal(t.n, n);
    free(buf);
}

static void test_case_insensitive_and_binary(void **state)
{
    (void)state;
    start("SETENDPOINT CallOut @IsTest");
    struct apex_token t;
    apex_lex_next(&lx, &t);
    assert_true(apex_tok_is(&t, "setEndpoint"));
    assert_false(apex_tok_is(&t, "setEndpoin"));
    apex_lex_next(&lx, &t);
    assert_true(apex_tok_is(&t, "callout"));
    apex_lex_next(&lx, &t);
    assert_int_equal(t.kind, APEX_TOK_ANNOTATION);
    assert_true(apex_ident_eq(t.s, t.n, "istest"));
    /* NUL bytes and stray bytes are punctuation, never the end */
    static const char bin[] = { 'a', 0, '"', 'b' };
    apex_lex_init(&lx, bin, sizeof bin);
    expect(APEX_TOK_IDENT, "a", 1);
    expect(APEX_TOK_PUNCT, NULL, 1);
    expect(APEX_TOK_PUNCT, "\"", 1);
    expect(APEX_TOK_IDENT, "b", 1);
    expect(APEX_TOK_EOF, NULL, 1);
    apex_lex_init(&lx, "", 0);
    expect(APEX_TOK_EOF, NULL, 1);
    /* a byte order mark is skipped, and a lone partial one is just bytes */
    start("\xEF\xBB\xBFtrigger T");
    expect(APEX_TOK_IDENT, "trigger", 1);
    apex_lex_init(&lx, "\xEF\xBB", 2);
    expect(APEX_TOK_IDENT, "\xEF\xBB", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens_and_lines),
        cmocka_unit_test(test_comments_are_skipped),
        cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_unterminated_string),
        cmocka_unit_test(test_unterminated_comment),
        cmocka_unit_test(test_nul_in_string),
        cmocka_unit_test(test_huge_tokens),
        cmocka_unit_test(test_case_insensitive_and_binary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
