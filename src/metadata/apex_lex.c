/* Apex lexer: see apex_lex.h. Never reads past lx->end; never allocates. */
#include "metadata/apex_lex.h"

#include <string.h>

void apex_lex_init(struct apex_lexer *lx, const char *buf, size_t len)
{
    lx->p = buf;
    lx->end = buf + len;
    lx->line = 1;
    /* a UTF-8 byte order mark would otherwise glue onto the first word
     * ("\xEF\xBB\xBFtrigger" is not the keyword) */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        lx->p += 3;
}

static int is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80;
}

static int is_ident_char(unsigned char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

static int lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

int apex_ident_eq(const char *s, size_t n, const char *word)
{
    size_t i = 0;
    for (; i < n; i++) {
        if (word[i] == '\0' || lower((unsigned char)s[i]) != lower((unsigned char)word[i]))
            return 0;
    }
    return word[i] == '\0';
}

int apex_tok_is(const struct apex_token *t, const char *word)
{
    return t->kind == APEX_TOK_IDENT && apex_ident_eq(t->s, t->n, word);
}

int apex_tok_punct(const struct apex_token *t, const char *punct)
{
    /* punctuation is one or two characters: compare them directly (hot path) */
    if (t->kind != APEX_TOK_PUNCT || t->s[0] != punct[0])
        return 0;
    if (punct[1] == '\0')
        return t->n == 1;
    return t->n == 2 && t->s[1] == punct[1] && punct[2] == '\0';
}

/* Skips whitespace and comments. Returns 0, or -1 with *t set to an error
 * token for a block comment that never ends. */
static int skip_space(struct apex_lexer *lx, struct apex_token *t)
{
    while (lx->p < lx->end) {
        unsigned char c = (unsigned char)*lx->p;
        if (c == '\n') {
            lx->line++;
            lx->p++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            lx->p++;
        } else if (c == '/' && lx->end - lx->p >= 2 && lx->p[1] == '/') {
            while (lx->p < lx->end && *lx->p != '\n')
                lx->p++;
        } else if (c == '/' && lx->end - lx->p >= 2 && lx->p[1] == '*') {
            const char *start = lx->p;
            uint32_t line = lx->line;
            lx->p += 2;
            for (;;) {
                if (lx->p >= lx->end) {
                    t->kind = APEX_TOK_ERROR;
                    t->s = start;
                    t->n = (size_t)(lx->p - start);
                    t->line = line;
                    t->error = "unterminated block comment";
                    return -1;
                }
                if (*lx->p == '\n')
                    lx->line++;
                if (*lx->p == '*' && lx->end - lx->p >= 2 && lx->p[1] == '/') {
                    lx->p += 2;
                    break;
                }
                lx->p++;
            }
        } else {
            break;
        }
    }
    return 0;
}

/* A string literal from the opening quote at lx->p; stops at the closing
 * quote, or at a line break / the end (unterminated: an error token, and the
 * lexer resumes on the next line). A NUL byte cannot stand in Apex source: a
 * literal holding one is an error token too (consumed whole), so that no URL
 * is made from the part before it. */
static void lex_string(struct apex_lexer *lx, struct apex_token *t)
{
    const char *body = ++lx->p;
    int has_nul = 0;
    while (lx->p < lx->end) {
        char c = *lx->p;
        if (c == '\\') {
            has_nul |= lx->end - lx->p >= 2 && lx->p[1] == 0;
            lx->p += (lx->end - lx->p >= 2 && lx->p[1] != '\n') ? 2 : 1;
            continue;
        }
        if (c == '\'') {
            t->kind = has_nul ? APEX_TOK_ERROR : APEX_TOK_STRING;
            t->s = body;
            t->n = (size_t)(lx->p - body);
            if (has_nul)
                t->error = "NUL byte in a string literal (not valid Apex source)";
            lx->p++;
            return;
        }
        if (c == '\n')
            break;
        has_nul |= c == 0;
        lx->p++;
    }
    t->kind = APEX_TOK_ERROR;
    t->s = body - 1;
    t->n = (size_t)(lx->p - t->s);
    t->error = "unterminated string literal (expected ' before the end of the line)";
}

/* Two-character operators we keep whole, so '=' alone means assignment. */
static int is_op2(char a, char b)
{
    static const char *ops[] = { "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=",
                                 "*=", "/=", "?.", "??", "=>" };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (ops[i][0] == a && ops[i][1] == b)
            return 1;
    return 0;
}

enum apex_tok apex_lex_next(struct apex_lexer *lx, struct apex_token *t)
{
    t->error = NULL;
    if (skip_space(lx, t) < 0)
        return t->kind;
    t->line = lx->line;
    t->s = lx->p;
    if (lx->p >= lx->end) {
        t->kind = APEX_TOK_EOF;
        t->n = 0;
        return t->kind;
    }
    unsigned char c = (unsigned char)*lx->p;
    if (c == '\'') {
        lex_string(lx, t);
        return t->kind;
    }
    if (c == '@') {
        const char *q = lx->p + 1;
        while (q < lx->end && (*q == ' ' || *q == '\t'))
            q++;
        if (q < lx->end && is_ident_start((unsigned char)*q)) {
            const char *name = q;
            while (q < lx->end && is_ident_char((unsigned char)*q))
                q++;
            t->kind = APEX_TOK_ANNOTATION;
            t->s = name;
            t->n = (size_t)(q - name);
            lx->p = q;
            return t->kind;
        }
    }
    if (is_ident_start(c)) {
        while (lx->p < lx->end && is_ident_char((unsigned char)*lx->p))
            lx->p++;
        t->kind = APEX_TOK_IDENT;
        t->n = (size_t)(lx->p - t->s);
        return t->kind;
    }
    if (c >= '0' && c <= '9') {
        while (lx->p < lx->end && (is_ident_char((unsigned char)*lx->p) || *lx->p == '.'))
            lx->p++;
        t->kind = APEX_TOK_NUMBER;
        t->n = (size_t)(lx->p - t->s);
        return t->kind;
    }
    t->kind = APEX_TOK_PUNCT;
    t->n = (lx->end - lx->p >= 2 && is_op2((char)c, lx->p[1])) ? 2 : 1;
    lx->p += t->n;
    return t->kind;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

struct out {
    char *p;
    size_t len, cap;
    int *truncated;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->p[o->len] = c;
    else if (o->truncated)
        *o->truncated = 1;
    o->len++;
}

static void put_utf8(struct out *o, unsigned cp)
{
    if (cp < 0x80) {
        put(o, (char)cp);
    } else if (cp < 0x800) {
        put(o, (char)(0xc0 | (cp >> 6)));
        put(o, (char)(0x80 | (cp & 0x3f)));
    } else {
        put(o, (char)(0xe0 | (cp >> 12)));
        put(o, (char)(0x80 | ((cp >> 6) & 0x3f)));
        put(o, (char)(0x80 | (cp & 0x3f)));
    }
}

size_t apex_string_decode(const char *s, size_t n, char *out, size_t cap, int *truncated, int *bad_escape)
{
    struct out o = { out, 0, cap, truncated };
    if (truncated)
        *truncated = 0;
    if (bad_escape)
        *bad_escape = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            put(&o, s[i]);
            continue;
        }
        if (i + 1 >= n) {
            if (bad_escape)
                *bad_escape = 1;
            put(&o, '\\');
            continue;
        }
        char e = s[++i];
        switch (e) {
        case 'b': put(&o, '\b'); break;
        case 't': put(&o, '\t'); break;
        case 'n': put(&o, '\n'); break;
        case 'f': put(&o, '\f'); break;
        case 'r': put(&o, '\r'); break;
        case '"': case '\'': case '\\': put(&o, e); break;
        case 'u': {
            unsigned cp = 0;
            int ok = i + 4 < n;
            for (int k = 1; ok && k <= 4; k++) {
                int h = hexval(s[i + (size_t)k]);
                if (h < 0)
                    ok = 0;
                else
                    cp = cp * 16 + (unsigned)h;
            }
            if (ok) {
                put_utf8(&o, cp);
                i += 4;
            } else {
                if (bad_escape)
                    *bad_escape = 1;
                put(&o, '\\');
                put(&o, 'u');
            }
            break;
        }
        default:
            if (bad_escape)
                *bad_escape = 1;
            put(&o, '\\');
            put(&o, e);
        }
    }
    if (cap > 0)
        out[o.len < cap ? o.len : cap - 1] = '\0';
    return o.len < cap ? o.len : (cap ? cap - 1 : 0);
}
