/*
 * An Apex lexer: a pure function over a buffer that yields one token at a
 * time, each a view into the buffer with its line number. It knows exactly
 * what the callout finder needs and no more: identifiers (Apex keywords and
 * names are case-insensitive, so comparisons go through apex_ident_eq),
 * single-quoted string literals with backslash escapes, numbers, annotations
 * (@isTest, @future(callout=true)), and punctuation. Comments (// and block)
 * are skipped, so a setEndpoint('https://...') inside one never reaches the
 * finder. Malformed input (an unterminated string or comment) produces an
 * APEX_TOK_ERROR token with the line where it started; the lexer then carries
 * on after it, so one bad line never hides the rest of the file.
 *
 * Apex string literals (Apex Developer Guide, "Primitive Data Types"): single
 * quotes only, no line breaks inside, escapes \b \t \n \f \r \" \' \\ and
 * \uXXXX. Double quotes are not string delimiters in Apex.
 */
#ifndef TR_METADATA_APEX_LEX_H
#define TR_METADATA_APEX_LEX_H

#include <stddef.h>
#include <stdint.h>

enum apex_tok {
    APEX_TOK_EOF = 0,
    APEX_TOK_IDENT,      /* name or keyword; s/n is the name */
    APEX_TOK_STRING,     /* s/n is the body between the quotes, escapes not decoded */
    APEX_TOK_NUMBER,
    APEX_TOK_ANNOTATION, /* s/n is the name after '@' */
    APEX_TOK_PUNCT,      /* one character, or a two-character operator (==, !=, +=, &&, ...) */
    APEX_TOK_ERROR,      /* s/n is the offending text; `error` says what was expected */
};

struct apex_token {
    enum apex_tok kind;
    const char *s;
    size_t n;
    uint32_t line;     /* 1-based line of the token's first byte */
    const char *error; /* static message for APEX_TOK_ERROR */
};

struct apex_lexer {
    const char *p;
    const char *end;
    uint32_t line;
};

void apex_lex_init(struct apex_lexer *lx, const char *buf, size_t len);
/* Fills *t with the next token; returns t->kind (APEX_TOK_EOF at the end, forever). */
enum apex_tok apex_lex_next(struct apex_lexer *lx, struct apex_token *t);

/* Case-insensitive comparison of a token's text with a NUL-terminated word. */
int apex_tok_is(const struct apex_token *t, const char *word);
int apex_ident_eq(const char *s, size_t n, const char *word);
/* A punctuation token equal to `punct` (e.g. "(", "==") */
int apex_tok_punct(const struct apex_token *t, const char *punct);

/*
 * Decodes a string literal's body (escapes resolved) into out[cap] and
 * NUL-terminates it. Returns the decoded length; sets *truncated when it did
 * not fit (the output holds the first cap-1 bytes) and *bad_escape when an
 * unknown or short escape was met (kept literally, as the compiler would refuse
 * it). \u escapes are written as UTF-8.
 */
size_t apex_string_decode(const char *s, size_t n, char *out, size_t cap, int *truncated, int *bad_escape);

#endif
