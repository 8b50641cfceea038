/*
 * The Apex callout finder: see apex_callouts.h.
 *
 * Three passes over the token array of one file:
 *   1. structure: brace depth of every token, the classes (and a trigger's
 *      body) with the depth of their bodies;
 *   2. fields: declarations at class-body depth (`static final String BASE =
 *      '...';`, `String base;` assigned later as `base = ...` / `this.base = ...`),
 *      kept as token ranges and evaluated lazily when a sink uses them;
 *   3. walk: method context, local variables (evaluated eagerly, so
 *      `url = url + '/x'` and `url += ...` see the earlier value), sinks, and
 *      the noise ranges of WSDL2Apex namespace arrays.
 * Finally every http(s) literal not consumed by a sink and not noise is
 * harvested as a "string literal" site.
 */
#include "metadata/apex_callouts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "metadata/md_url.h"
#include "util/buf.h"

#define EVAL_DEPTH_MAX 12
#define EXPR_TEXT_MAX 240
#define LOCAL_RANGES 8

enum { USED_NONE = 0, USED_SINK = 1, USED_NOISE = 2 };

struct cls {
    const char *name;
    size_t n;
    int body_depth;
    int parent;
};

struct range {
    size_t from, to;
};

struct sym {
    const char *name;
    size_t n;
    size_t at;            /* token index of the name */
    int cls;
    int depth;            /* locals: brace depth of the declaration */
    struct range init;    /* fields: initializer tokens; from == to when none */
    int evaluating;       /* fields: cycle guard */
    /* locals: value evaluated at the assignment, and where its literals came from */
    struct md_part *parts;
    size_t nparts;
    struct range src[LOCAL_RANGES];
    int nsrc;
};

struct pvec {
    struct md_part *v;
    size_t n, cap;
};

struct ctx {
    struct md_org *o;
    const struct apex_file *f;
    struct apex_token *t;
    size_t nt;
    int *depth;
    int *cls;
    unsigned char *used;
    size_t *match;   /* for each opening bracket, the index of its closer (nt if none) */
    long budget;     /* lookup steps left: bounds the work on hostile input */
    struct cls *classes;
    size_t ncls, cap_cls;
    struct sym *fields;
    size_t nfields, cap_fields;
    struct sym *locals;
    size_t nlocals, cap_locals;
    int marking;     /* evaluation for a sink: mark the literals it consumes */
    int eval_depth;
    int nesting;
    int oom;
};

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *p = realloc(*v, ncap * size);
    if (!p)
        return -1;
    *v = p;
    *cap = ncap;
    return 0;
}

void apex_scratch_free(struct apex_scratch *sc)
{
    free(sc->tok);
    free(sc->depth);
    free(sc->cls);
    free(sc->used);
    free(sc->match);
    memset(sc, 0, sizeof *sc);
}

static int is_punct(const struct ctx *c, size_t i, const char *p)
{
    return i < c->nt && apex_tok_punct(&c->t[i], p);
}

static int is_word(const struct ctx *c, size_t i, const char *w)
{
    return i < c->nt && apex_tok_is(&c->t[i], w);
}

static int is_ident(const struct ctx *c, size_t i)
{
    return i < c->nt && c->t[i].kind == APEX_TOK_IDENT;
}

/* Words that can precede `name =` without making it a declaration. */
static int is_statement_word(const struct apex_token *t)
{
    static const char *w[] = { "return", "new", "else", "throw", "when", "this", "super", "case", "do",
                               "in", "instanceof", "insert", "update", "upsert", "delete", NULL };
    for (int i = 0; w[i]; i++)
        if (apex_tok_is(t, w[i]))
            return 1;
    return 0;
}

/* A type's last token: `String`, `List<String>`, `String[]` */
static int ends_type(const struct ctx *c, size_t i)
{
    const struct apex_token *t = &c->t[i];
    if (t->kind == APEX_TOK_IDENT)
        return !is_statement_word(t);
    return apex_tok_punct(t, ">") || apex_tok_punct(t, "]");
}

/* Index of the token that closes the bracket opened at i ('(' '{' '['), or nt. */
static size_t match_close(const struct ctx *c, size_t i)
{
    return i < c->nt ? c->match[i] : c->nt;
}

static int is_open(const struct apex_token *t)
{
    return t->kind == APEX_TOK_PUNCT && t->n == 1 && (t->s[0] == '(' || t->s[0] == '{' || t->s[0] == '[');
}

static int is_close(const struct apex_token *t)
{
    return t->kind == APEX_TOK_PUNCT && t->n == 1 && (t->s[0] == ')' || t->s[0] == '}' || t->s[0] == ']');
}

/* Bracket matching in one pass with a stack (kept in the match array itself:
 * an open bracket's slot links to the enclosing open one until it closes). */
static void compute_matches(struct ctx *c)
{
    size_t top = SIZE_MAX;
    for (size_t i = 0; i < c->nt; i++) {
        c->match[i] = c->nt;
        if (is_open(&c->t[i])) {
            c->match[i] = top; /* temporarily: the enclosing opener */
            top = i;
        } else if (is_close(&c->t[i]) && top != SIZE_MAX) {
            size_t up = c->match[top];
            c->match[top] = i;
            top = up;
        }
    }
    while (top != SIZE_MAX) {
        size_t up = c->match[top];
        c->match[top] = c->nt;
        top = up;
    }
}

#define EXPR_TOKENS_MAX 512
#define NESTING_MAX 48

/* The closer of the bracket at i, or a bounded stand-in when it never closes. */
static size_t sink_end(const struct ctx *c, size_t i)
{
    size_t e = match_close(c, i);
    if (e > i + EXPR_TOKENS_MAX * 4)
        e = i + EXPR_TOKENS_MAX * 4 < c->nt ? i + EXPR_TOKENS_MAX * 4 : c->nt;
    return e;
}

/* End of an expression starting at i: the first ';' ',' or unmatched closer
 * at nesting level 0 (or `stop_at_comma` = 0 to continue over commas).
 * Nested brackets are skipped whole; an expression longer than
 * EXPR_TOKENS_MAX top-level tokens ends there (no real endpoint needs more). */
static size_t expr_end(const struct ctx *c, size_t i, size_t limit, int stop_at_comma)
{
    size_t steps = 0;
    for (size_t k = i; k < limit; k++) {
        if (++steps > EXPR_TOKENS_MAX)
            return k;
        const struct apex_token *t = &c->t[k];
        if (t->kind != APEX_TOK_PUNCT || t->n != 1)
            continue;
        char ch = t->s[0];
        if (ch == '(' || ch == '{' || ch == '[') {
            size_t m = match_close(c, k);
            if (m >= limit)
                return limit;
            k = m;
        } else if (ch == ')' || ch == '}' || ch == ']') {
            return k;
        } else if (ch == ';' || (stop_at_comma && ch == ',')) {
            return k;
        }
    }
    return limit;
}

/* The source text of tokens [from, to), normalised to single spaces and capped. */
static const char *range_text(struct ctx *c, size_t from, size_t to)
{
    struct tr_buf b;
    char small[EXPR_TEXT_MAX + 8];
    tr_buf_init(&b, small, sizeof small);
    for (size_t k = from; k < to && b.len < EXPR_TEXT_MAX; k++) {
        const struct apex_token *t = &c->t[k];
        if (k > from) {
            const struct apex_token *p = &c->t[k - 1];
            int pw = p->kind == APEX_TOK_IDENT || p->kind == APEX_TOK_NUMBER || p->kind == APEX_TOK_STRING;
            int tw = t->kind == APEX_TOK_IDENT || t->kind == APEX_TOK_NUMBER || t->kind == APEX_TOK_STRING;
            int op = (t->kind == APEX_TOK_PUNCT && !apex_tok_punct(t, ".") && !apex_tok_punct(t, "(") &&
                      !apex_tok_punct(t, ")") && !apex_tok_punct(t, "?.") && !apex_tok_punct(t, "[") &&
                      !apex_tok_punct(t, "]") && !apex_tok_punct(t, ",")) ||
                     (p->kind == APEX_TOK_PUNCT && (apex_tok_punct(p, "+") || apex_tok_punct(p, ",") ||
                                                    apex_tok_punct(p, "=") || apex_tok_punct(p, "{")));
            if ((pw && tw) || op)
                tr_buf_push_u8(&b, ' ');
        }
        if (t->kind == APEX_TOK_STRING) {
            tr_buf_push_u8(&b, '\'');
            tr_buf_push(&b, t->s, t->n < EXPR_TEXT_MAX ? t->n : EXPR_TEXT_MAX);
            tr_buf_push_u8(&b, '\'');
        } else if (t->kind == APEX_TOK_ANNOTATION) {
            tr_buf_push_u8(&b, '@');
            tr_buf_push(&b, t->s, t->n);
        } else {
            tr_buf_push(&b, t->s, t->n);
        }
    }
    if (b.len >= EXPR_TEXT_MAX)
        tr_buf_puts(&b, "...");
    const char *r = md_strndup(&c->o->arena, (const char *)b.base, b.len);
    tr_buf_free(&b);
    if (!r)
        c->oom = 1;
    return r ? r : "";
}

/* ---- parts --------------------------------------------------------------- */

#define PARTS_MAX 64

static void push_part(struct ctx *c, struct pvec *pv, enum md_part_kind k, const char *a, const char *b, const char *cc)
{
    /* resolution stops at the first unknown part, so after the cap one
     * unknown part stands for the rest */
    if (pv->n >= PARTS_MAX) {
        if (pv->v[pv->n - 1].kind != MD_PART_UNKNOWN)
            pv->v[pv->n - 1] = (struct md_part){ MD_PART_UNKNOWN, "...", "expression too long to follow", NULL };
        return;
    }
    if (grow((void **)&pv->v, &pv->cap, pv->n, sizeof *pv->v) < 0) {
        c->oom = 1;
        return;
    }
    pv->v[pv->n++] = (struct md_part){ k, a, b, cc };
}

static const char *decode_literal(struct ctx *c, const struct apex_token *t)
{
    char *out = md_alloc(&c->o->arena, t->n + 1);
    if (!out) {
        c->oom = 1;
        return "";
    }
    int trunc, bad;
    apex_string_decode(t->s, t->n, out, t->n + 1, &trunc, &bad);
    return out;
}

static const char *tok_dup(struct ctx *c, size_t i)
{
    const char *s = md_strndup(&c->o->arena, c->t[i].s, c->t[i].n);
    if (!s)
        c->oom = 1;
    return s ? s : "";
}

static void push_unknown(struct ctx *c, struct pvec *pv, size_t from, size_t to, const char *why)
{
    push_part(c, pv, MD_PART_UNKNOWN, range_text(c, from, to), why, NULL);
}

/* ---- symbols ------------------------------------------------------------- */

static int name_eq(const struct sym *s, const struct apex_token *t)
{
    return s->n == t->n && strncasecmp(s->name, t->s, t->n) == 0;
}

/* Lookups are linear (classes have tens of fields); the budget keeps a
 * hostile file with a million of them from taking hours. */
static struct sym *find_field(struct ctx *c, int cls, const struct apex_token *t)
{
    for (int k = cls; k >= 0; k = c->classes[k].parent) {
        c->budget -= (long)c->nfields;
        if (c->budget < 0)
            return NULL;
        for (size_t i = 0; i < c->nfields; i++)
            if (c->fields[i].cls == k && name_eq(&c->fields[i], t))
                return &c->fields[i];
    }
    return NULL;
}

static struct sym *find_local(struct ctx *c, const struct apex_token *t)
{
    c->budget -= (long)c->nlocals;
    if (c->budget < 0)
        return NULL;
    for (size_t i = c->nlocals; i-- > 0;)
        if (name_eq(&c->locals[i], t))
            return &c->locals[i];
    return NULL;
}

static int find_class(struct ctx *c, const struct apex_token *t)
{
    for (size_t i = 0; i < c->ncls; i++)
        if (c->classes[i].n == t->n && strncasecmp(c->classes[i].name, t->s, t->n) == 0)
            return (int)i;
    return -1;
}

static void mark_range(struct ctx *c, size_t from, size_t to)
{
    for (size_t k = from; k < to && k < c->nt; k++)
        if (c->t[k].kind == APEX_TOK_STRING && c->used[k] == USED_NONE)
            c->used[k] = USED_SINK;
}

static void eval_range(struct ctx *c, struct pvec *pv, size_t from, size_t to, int cls, int with_locals);

static void eval_field(struct ctx *c, struct pvec *pv, struct sym *s, size_t from, size_t to)
{
    if (s->init.from == s->init.to || s->evaluating || c->eval_depth >= EVAL_DEPTH_MAX) {
        push_unknown(c, pv, from, to, s->init.from == s->init.to ? "field assigned at run time" : "recursive definition");
        return;
    }
    s->evaluating = 1;
    c->eval_depth++;
    eval_range(c, pv, s->init.from, s->init.to, s->cls, 0);
    c->eval_depth--;
    s->evaluating = 0;
}

static void use_local(struct ctx *c, struct pvec *pv, struct sym *s)
{
    for (size_t i = 0; i < s->nparts; i++)
        push_part(c, pv, s->parts[i].kind, s->parts[i].a, s->parts[i].b, s->parts[i].c);
    if (c->marking)
        for (int i = 0; i < s->nsrc; i++)
            mark_range(c, s->src[i].from, s->src[i].to);
}

static int ends_with_ci(const char *s, size_t n, const char *suffix)
{
    size_t m = strlen(suffix);
    return n >= m && strncasecmp(s + n - m, suffix, m) == 0;
}

/* A reference to one configuration record, starting at token i:
 *   T.getInstance('Y')   T.getAll().get('Y')         custom metadata (T ends __mdt)
 *   [SELECT ... FROM T ... DeveloperName = 'Y' ...]   custom metadata by SOQL
 *   T.getInstance(...)   T.getOrgDefaults()   T.getValues(...)   custom settings (data)
 * Returns the index after the reference (0 when none) and fills *type_tok and
 * *rec_tok (the record name literal, or SIZE_MAX when there is none). */
static size_t match_record(const struct ctx *c, size_t i, size_t to, size_t *type_tok, size_t *rec_tok)
{
    if (i >= to || i >= c->nt)
        return 0;
    *rec_tok = SIZE_MAX;
    if (is_punct(c, i, "[")) {
        size_t close = match_close(c, i);
        if (close >= to || close >= c->nt || !is_word(c, i + 1, "SELECT"))
            return 0;
        size_t ty = SIZE_MAX;
        for (size_t k = i + 2; k + 1 < close; k++) {
            if (ty == SIZE_MAX && is_word(c, k, "FROM") && is_ident(c, k + 1))
                ty = k + 1;
            if (is_word(c, k, "DeveloperName") && is_punct(c, k + 1, "=") && k + 2 < close &&
                c->t[k + 2].kind == APEX_TOK_STRING)
                *rec_tok = k + 2;
        }
        if (ty == SIZE_MAX)
            return 0;
        *type_tok = ty;
        return close + 1;
    }
    if (!(is_ident(c, i) && is_punct(c, i + 1, ".") && is_ident(c, i + 2) && is_punct(c, i + 3, "(")))
        return 0;
    const struct apex_token *ty = &c->t[i];
    int mdt = ends_with_ci(ty->s, ty->n, "__mdt"), cs = ends_with_ci(ty->s, ty->n, "__c");
    if (!mdt && !cs)
        return 0;
    size_t close = match_close(c, i + 3);
    if (close >= to || close >= c->nt)
        return 0;
    *type_tok = i;
    if (is_word(c, i + 2, "getInstance") || is_word(c, i + 2, "getValues") || is_word(c, i + 2, "getOrgDefaults")) {
        if (close == i + 5 && c->t[i + 4].kind == APEX_TOK_STRING)
            *rec_tok = i + 4;
        return close + 1;
    }
    /* T.getAll().get('Y') */
    if (is_word(c, i + 2, "getAll") && close == i + 4 && is_punct(c, i + 5, ".") && is_word(c, i + 6, "get") &&
        is_punct(c, i + 7, "(") && i + 9 < to && c->t[i + 8].kind == APEX_TOK_STRING && is_punct(c, i + 9, ")")) {
        *rec_tok = i + 8;
        return i + 10;
    }
    return 0;
}

/* The whole token range is one record reference. */
static int is_record(const struct ctx *c, size_t from, size_t to, size_t *type_tok, size_t *rec_tok)
{
    return to > from && match_record(c, from, to, type_tok, rec_tok) == to;
}

static void push_config_field(struct ctx *c, struct pvec *pv, size_t type_tok, size_t rec_tok, size_t field_tok,
                              size_t from, size_t to)
{
    const struct apex_token *ty = &c->t[type_tok];
    if (ends_with_ci(ty->s, ty->n, "__mdt") && rec_tok != SIZE_MAX) {
        if (c->marking)
            c->used[rec_tok] = USED_SINK;
        push_part(c, pv, MD_PART_CMDT, tok_dup(c, type_tok), decode_literal(c, &c->t[rec_tok]), tok_dup(c, field_tok));
    } else if (ends_with_ci(ty->s, ty->n, "__c")) {
        push_unknown(c, pv, from, to, "custom setting data (records are data, not metadata): supply the value");
    } else {
        push_unknown(c, pv, from, to, "custom metadata record chosen at run time");
    }
}

/* String.format('{0}/x/{1}', new List<Object>{ a, b }) */
static int eval_format(struct ctx *c, struct pvec *pv, size_t from, size_t to, int cls, int with_locals)
{
    if (!(is_word(c, from, "String") && is_punct(c, from + 1, ".") && is_word(c, from + 2, "format") &&
          is_punct(c, from + 3, "(") && match_close(c, from + 3) == to - 1))
        return 0;
    size_t fmt = from + 4;
    if (c->t[fmt].kind != APEX_TOK_STRING || !is_punct(c, fmt + 1, ","))
        return 0;
    size_t open = fmt + 2;
    while (open < to - 1 && !is_punct(c, open, "{"))
        open++;
    if (open >= to - 1)
        return 0;
    size_t close = match_close(c, open);
    if (close >= to)
        return 0;
    struct range args[16];
    size_t nargs = 0;
    for (size_t k = open + 1; k < close && nargs < 16;) {
        size_t e = expr_end(c, k, close, 1);
        args[nargs++] = (struct range){ k, e };
        k = e + 1;
    }
    const char *f = decode_literal(c, &c->t[fmt]);
    if (c->marking)
        c->used[fmt] = USED_SINK;
    const char *lit = f;
    for (const char *p = f; *p;) {
        if (*p == '{' && p[1] >= '0' && p[1] <= '9' && (p[2] == '}' || (p[2] >= '0' && p[2] <= '9' && p[3] == '}'))) {
            size_t idx = (size_t)(p[1] - '0');
            const char *after = p + 3;
            if (p[2] != '}') {
                idx = idx * 10 + (size_t)(p[2] - '0');
                after = p + 4;
            }
            if (p > lit)
                push_part(c, pv, MD_PART_TEXT, md_strndup(&c->o->arena, lit, (size_t)(p - lit)), NULL, NULL);
            if (idx < nargs)
                eval_range(c, pv, args[idx].from, args[idx].to, cls, with_locals);
            else
                push_part(c, pv, MD_PART_UNKNOWN, "{?}", "String.format argument missing", NULL);
            p = lit = after;
        } else {
            p++;
        }
    }
    if (*lit)
        push_part(c, pv, MD_PART_TEXT, lit, NULL, NULL);
    return 1;
}

/* One operand of a concatenation: tokens [from, to). */
static void eval_term(struct ctx *c, struct pvec *pv, size_t from, size_t to, int cls, int with_locals)
{
    size_t n = to - from;
    if (n == 0)
        return;
    const struct apex_token *t = &c->t[from];
    if (n == 1 && t->kind == APEX_TOK_STRING) {
        if (c->marking)
            c->used[from] = USED_SINK;
        push_part(c, pv, MD_PART_TEXT, decode_literal(c, t), NULL, NULL);
        return;
    }
    if (is_punct(c, from, "(") && match_close(c, from) == to - 1) {
        eval_range(c, pv, from + 1, to - 1, cls, with_locals);
        return;
    }
    if (n == 1 && t->kind == APEX_TOK_IDENT) {
        struct sym *s = with_locals ? find_local(c, t) : NULL;
        if (s) {
            use_local(c, pv, s);
            return;
        }
        s = find_field(c, cls, t);
        if (s) {
            eval_field(c, pv, s, from, to);
            return;
        }
        push_unknown(c, pv, from, to, "not resolvable statically (parameter, method result or another class)");
        return;
    }
    /* this.X, Class.X */
    if (n == 3 && is_ident(c, from) && is_punct(c, from + 1, ".") && is_ident(c, from + 2)) {
        int k = apex_tok_is(t, "this") ? cls : find_class(c, t);
        struct sym *s = k >= 0 ? find_field(c, k, &c->t[from + 2]) : NULL;
        if (s) {
            eval_field(c, pv, s, from, to);
            return;
        }
        if (apex_tok_is(t, "Label")) {
            push_part(c, pv, MD_PART_LABEL, tok_dup(c, from + 2), NULL, NULL);
            return;
        }
        /* v.Endpoint__c where v = X__mdt.getInstance('Y') or a SOQL query for one record */
        struct sym *v = with_locals ? find_local(c, t) : NULL;
        if (!v)
            v = find_field(c, cls, t);
        size_t ty, rec;
        if (v && v->nsrc > 0 && is_record(c, v->src[v->nsrc - 1].from, v->src[v->nsrc - 1].to, &ty, &rec)) {
            push_config_field(c, pv, ty, rec, from + 2, from, to);
            return;
        }
        if (v && is_record(c, v->init.from, v->init.to, &ty, &rec)) {
            push_config_field(c, pv, ty, rec, from + 2, from, to);
            return;
        }
        /* Other.CONSTANT: a static field of a class in another file, resolved
         * once the whole tree is read */
        if (!v && k < 0 && !apex_tok_is(t, "this") && !apex_tok_is(t, "super")) {
            push_part(c, pv, MD_PART_CONST, tok_dup(c, from), tok_dup(c, from + 2), range_text(c, from, to));
            return;
        }
    }
    if (n == 5 && is_word(c, from, "System") && is_punct(c, from + 1, ".") && is_word(c, from + 2, "Label") &&
        is_punct(c, from + 3, ".") && is_ident(c, from + 4)) {
        push_part(c, pv, MD_PART_LABEL, tok_dup(c, from + 4), NULL, NULL);
        return;
    }
    /* X__mdt.getInstance('Y').Field__c (also ?.), [SELECT ...].Field__c, Setting__c.getOrgDefaults().F */
    size_t ty, rec;
    size_t after = match_record(c, from, to, &ty, &rec);
    if (after && after + 2 == to && (is_punct(c, after, ".") || is_punct(c, after, "?.")) && is_ident(c, after + 1)) {
        push_config_field(c, pv, ty, rec, after + 1, from, to);
        return;
    }
    if (eval_format(c, pv, from, to, cls, with_locals))
        return;
    push_unknown(c, pv, from, to, "not resolvable statically");
}

/* A concatenation: operands split at '+' on nesting level 0. */
static void eval_range(struct ctx *c, struct pvec *pv, size_t from, size_t to, int cls, int with_locals)
{
    /* nesting (parentheses, constants naming constants) is bounded, so a
     * hostile '((((...' cannot exhaust the stack */
    if (c->nesting >= NESTING_MAX || to - from > EXPR_TOKENS_MAX * 4) {
        push_unknown(c, pv, from, to, "expression too deeply nested or too long to follow");
        return;
    }
    c->nesting++;
    int level = 0;
    size_t start = from;
    for (size_t k = from; k <= to; k++) {
        if (k < to) {
            const struct apex_token *t = &c->t[k];
            if (t->kind == APEX_TOK_PUNCT && t->n == 1) {
                char ch = t->s[0];
                if (ch == '(' || ch == '{' || ch == '[')
                    level++;
                else if (ch == ')' || ch == '}' || ch == ']')
                    level--;
            }
            if (!(level == 0 && apex_tok_punct(t, "+")))
                continue;
        }
        if (k > start)
            eval_term(c, pv, start, k, cls, with_locals);
        start = k + 1;
    }
    c->nesting--;
}

/* ---- pass 1: structure ---------------------------------------------------- */

static int lex_all(struct ctx *c, struct apex_scratch *sc, const char *buf, size_t len)
{
    struct apex_lexer lx;
    apex_lex_init(&lx, buf, len);
    size_t n = 0;
    for (;;) {
        if (n >= sc->cap) {
            size_t ncap = sc->cap ? sc->cap * 2 : 4096;
            struct apex_token *t = realloc(sc->tok, ncap * sizeof *t);
            if (!t)
                return -1;
            sc->tok = t;
            int *d = realloc(sc->depth, ncap * sizeof *d);
            if (!d)
                return -1;
            sc->depth = d;
            int *k = realloc(sc->cls, ncap * sizeof *k);
            if (!k)
                return -1;
            sc->cls = k;
            unsigned char *u = realloc(sc->used, ncap);
            if (!u)
                return -1;
            sc->used = u;
            size_t *m = realloc(sc->match, ncap * sizeof *m);
            if (!m)
                return -1;
            sc->match = m;
            sc->cap = ncap;
        }
        struct apex_token *t = &sc->tok[n];
        enum apex_tok k = apex_lex_next(&lx, t);
        if (k == APEX_TOK_EOF)
            break;
        if (k == APEX_TOK_ERROR) {
            md_org_diag(c->o, c->f->file, t->line, "%s", t->error);
            continue;
        }
        n++;
    }
    c->t = sc->tok;
    c->nt = n;
    c->depth = sc->depth;
    c->cls = sc->cls;
    c->used = sc->used;
    c->match = sc->match;
    memset(c->used, 0, n);
    compute_matches(c);
    return 0;
}

static int structure(struct ctx *c)
{
    int d = 0;
    int cur = -1;
    const struct apex_token *pending = NULL;
    for (size_t i = 0; i < c->nt; i++) {
        const struct apex_token *t = &c->t[i];
        if (apex_tok_punct(t, "}")) {
            if (d > 0)
                d--;
            while (cur >= 0 && d < c->classes[cur].body_depth)
                cur = c->classes[cur].parent;
        }
        c->depth[i] = d;
        c->cls[i] = cur;
        if ((apex_tok_is(t, "class") || apex_tok_is(t, "interface") || (c->f->is_trigger && apex_tok_is(t, "trigger"))) &&
            (i == 0 || !apex_tok_punct(&c->t[i - 1], ".")) && is_ident(c, i + 1)) {
            pending = &c->t[i + 1];
        } else if (apex_tok_punct(t, "{")) {
            d++;
            if (pending) {
                if (grow((void **)&c->classes, &c->cap_cls, c->ncls, sizeof *c->classes) < 0)
                    return -1;
                c->classes[c->ncls] = (struct cls){ pending->s, pending->n, d, cur };
                cur = (int)c->ncls++;
                pending = NULL;
            }
        } else if (apex_tok_punct(t, ";")) {
            pending = NULL;
        }
    }
    return 0;
}

static int at_class_body(const struct ctx *c, size_t i)
{
    int k = c->cls[i];
    return k >= 0 && c->depth[i] == c->classes[k].body_depth;
}

static int add_field(struct ctx *c, size_t name, size_t from, size_t to)
{
    if (grow((void **)&c->fields, &c->cap_fields, c->nfields, sizeof *c->fields) < 0)
        return -1;
    struct sym *s = &c->fields[c->nfields++];
    memset(s, 0, sizeof *s);
    s->name = c->t[name].s;
    s->n = c->t[name].n;
    s->at = name;
    s->cls = c->cls[name];
    s->init = (struct range){ from, to };
    return 0;
}

static int collect_fields(struct ctx *c)
{
    int parens = 0; /* method parameters sit at class-body brace depth too */
    for (size_t i = 1; i + 1 < c->nt; i++) {
        if (apex_tok_punct(&c->t[i], "("))
            parens++;
        else if (apex_tok_punct(&c->t[i], ")") && parens > 0)
            parens--;
        else if (apex_tok_punct(&c->t[i], "{") || apex_tok_punct(&c->t[i], "}"))
            parens = 0;
        if (parens > 0 || !is_ident(c, i) || !at_class_body(c, i) || !ends_type(c, i - 1))
            continue;
        if (is_punct(c, i + 1, "=")) {
            size_t e = expr_end(c, i + 2, c->nt, 1);
            if (add_field(c, i, i + 2, e) < 0)
                return -1;
            /* `String A = 'x', B = 'y';` */
            while (is_punct(c, e, ",") && is_ident(c, e + 1) && is_punct(c, e + 2, "=")) {
                size_t e2 = expr_end(c, e + 3, c->nt, 1);
                if (add_field(c, e + 1, e + 3, e2) < 0)
                    return -1;
                e = e2;
            }
        } else if (is_punct(c, i + 1, ";") || is_punct(c, i + 1, ",")) {
            if (add_field(c, i, i, i) < 0)
                return -1;
        }
    }
    /* fields declared without a value and assigned in a constructor or method */
    for (size_t i = 1; i + 1 < c->nt; i++) {
        if (!is_ident(c, i) || !is_punct(c, i + 1, "=") || at_class_body(c, i) || c->cls[i] < 0)
            continue;
        const struct apex_token *p = &c->t[i - 1];
        int this_dot = apex_tok_punct(p, ".") && i >= 2 && apex_tok_is(&c->t[i - 2], "this");
        if (!this_dot && !(apex_tok_punct(p, ";") || apex_tok_punct(p, "{") || apex_tok_punct(p, "}") || apex_tok_punct(p, ")")))
            continue;
        struct sym *s = find_field(c, c->cls[i], &c->t[i]);
        if (s && s->init.from == s->init.to)
            s->init = (struct range){ i + 2, expr_end(c, i + 2, c->nt, 1) };
    }
    return 0;
}

/* ---- pass 3: the walk ------------------------------------------------------ */

static const char *component_name(struct ctx *c, int cls, const struct apex_token *method)
{
    char buf[300];
    const char *cn = cls >= 0 ? c->classes[cls].name : c->f->name;
    int cnl = cls >= 0 ? (int)c->classes[cls].n : (int)strlen(c->f->name);
    if (cnl > 120)
        cnl = 120;
    if (method)
        snprintf(buf, sizeof buf, "%.*s.%.*s", cnl, cn, (int)(method->n > 120 ? 120 : method->n), method->s);
    else
        snprintf(buf, sizeof buf, "%.*s", cnl, cn);
    const char *r = md_strdup(&c->o->arena, buf);
    if (!r)
        c->oom = 1;
    return r ? r : "";
}

/* Joins adjacent text parts and copies the parts into the arena. */
static int finish_parts(struct ctx *c, struct md_site *s, struct pvec *pv)
{
    size_t n = 0;
    for (size_t i = 0; i < pv->n; i++) {
        if (n > 0 && pv->v[i].kind == MD_PART_TEXT && pv->v[n - 1].kind == MD_PART_TEXT) {
            size_t a = strlen(pv->v[n - 1].a), b = strlen(pv->v[i].a);
            char *j = md_alloc(&c->o->arena, a + b + 1);
            if (!j)
                return -1;
            memcpy(j, pv->v[n - 1].a, a);
            memcpy(j + a, pv->v[i].a, b + 1);
            pv->v[n - 1].a = j;
        } else {
            pv->v[n++] = pv->v[i];
        }
    }
    pv->n = n;
    s->parts = md_alloc(&c->o->arena, (n ? n : 1) * sizeof *s->parts);
    if (!s->parts)
        return -1;
    if (n)
        memcpy(s->parts, pv->v, n * sizeof *s->parts);
    s->nparts = n;
    return 0;
}

static struct md_site *new_site(struct ctx *c, const char *via, uint32_t line, const char *component, int is_test)
{
    struct md_site *s = md_org_add_site(c->o);
    if (!s) {
        c->oom = 1;
        return NULL;
    }
    s->type = c->f->is_trigger ? "ApexTrigger" : "ApexClass";
    s->via = via;
    s->file = c->f->file;
    s->line = line;
    s->component = component;
    s->owner = c->f->owner;
    s->dir = MD_OUTBOUND;
    s->is_test = (unsigned)is_test;
    s->is_code = 1;
    return s;
}

static void sink(struct ctx *c, const char *via, size_t at, size_t from, size_t to, int cls,
                 const struct apex_token *method, int is_test, struct pvec *pv)
{
    if (from >= to)
        return;
    pv->n = 0;
    c->marking = 1;
    eval_range(c, pv, from, to, cls, 1);
    c->marking = 0;
    struct md_site *s = new_site(c, via, c->t[at].line, component_name(c, cls, method), is_test);
    if (!s)
        return;
    s->needs_allow = 1;
    s->expr = range_text(c, from, to);
    if (finish_parts(c, s, pv) < 0)
        c->oom = 1;
}

enum { LOCAL_DECL, LOCAL_ASSIGN, LOCAL_APPEND };

/* A local's value is evaluated where it is assigned, so `url = url + x` and
 * `url += x` build on the value it had just before. */
static void set_local(struct ctx *c, size_t name, size_t from, size_t to, int mode, struct pvec *scratch)
{
    struct sym *s;
    if (mode == LOCAL_DECL) {
        if (grow((void **)&c->locals, &c->cap_locals, c->nlocals, sizeof *c->locals) < 0) {
            c->oom = 1;
            return;
        }
        s = &c->locals[c->nlocals++];
        memset(s, 0, sizeof *s);
        s->name = c->t[name].s;
        s->n = c->t[name].n;
        s->cls = c->cls[name];
        s->depth = c->depth[name];
    } else if (!(s = find_local(c, &c->t[name]))) {
        return;
    }
    scratch->n = 0;
    if (mode == LOCAL_APPEND)
        for (size_t i = 0; i < s->nparts; i++)
            push_part(c, scratch, s->parts[i].kind, s->parts[i].a, s->parts[i].b, s->parts[i].c);
    eval_range(c, scratch, from, to, s->cls, 1);
    struct md_part *p = md_alloc(&c->o->arena, (scratch->n ? scratch->n : 1) * sizeof *p);
    if (!p) {
        c->oom = 1;
        return;
    }
    if (scratch->n)
        memcpy(p, scratch->v, scratch->n * sizeof *p);
    s->parts = p;
    s->nparts = scratch->n;
    int self = 0;
    for (size_t k = from; k < to; k++)
        if (c->t[k].kind == APEX_TOK_IDENT && name_eq(s, &c->t[k]))
            self = 1;
    if (mode == LOCAL_ASSIGN && !self)
        s->nsrc = 0;
    if (s->nsrc < LOCAL_RANGES)
        s->src[s->nsrc++] = (struct range){ from, to };
}

static int is_ns_method(const struct apex_token *t)
{
    static const char *w[] = { "addChildElement", "getChildElement", "getChildElements", "setNamespace",
                               "getAttribute", "getAttributeValue", "setAttributeNs", "getNamespaceFor",
                               "getPrefixFor", "createRootElement", "invoke", "beginInvoke", NULL };
    for (int i = 0; w[i]; i++)
        if (apex_tok_is(t, w[i]))
            return 1;
    return 0;
}

static int file_is_test(struct ctx *c)
{
    for (size_t i = 0; i < c->nt; i++) {
        if (c->t[i].kind == APEX_TOK_ANNOTATION && apex_ident_eq(c->t[i].s, c->t[i].n, "isTest"))
            return 1;
        if (apex_tok_is(&c->t[i], "testMethod"))
            return 1;
    }
    size_t n = strlen(c->f->name);
    return ends_with_ci(c->f->name, n, "Test") || ends_with_ci(c->f->name, n, "Tests");
}

static void walk(struct ctx *c, struct pvec *pv, struct pvec *scratch)
{
    int is_test = file_is_test(c);
    const struct apex_token *pending = NULL, *method = NULL;
    int method_depth = -1;
    for (size_t i = 0; i < c->nt && !c->oom; i++) {
        const struct apex_token *t = &c->t[i];
        int cls = c->cls[i];
        if (apex_tok_punct(t, "}")) {
            while (c->nlocals > 0 && c->locals[c->nlocals - 1].depth > c->depth[i])
                c->nlocals--;
            if (method && c->depth[i] < method_depth)
                method = NULL;
            continue;
        }
        if (apex_tok_punct(t, "{")) {
            if (pending && at_class_body(c, i)) {
                method = pending;
                method_depth = c->depth[i] + 1;
            }
            pending = NULL;
            continue;
        }
        if (apex_tok_punct(t, ";")) {
            if (at_class_body(c, i))
                pending = NULL;
            continue;
        }
        if (t->kind != APEX_TOK_IDENT)
            continue;
        /* method declarations: `Type name(` at class-body depth */
        if (at_class_body(c, i) && is_punct(c, i + 1, "(") && i > 0 && ends_type(c, i - 1) && !method)
            pending = t;
        /* noise: namespace arguments of DOM and WebServiceCallout calls, WSDL2Apex *_type_info arrays */
        if (is_punct(c, i + 1, "(") && is_ns_method(t)) {
            size_t e = sink_end(c, i + 1);
            for (size_t k = i + 1; k < e; k++)
                if (c->used[k] == USED_NONE)
                    c->used[k] = USED_NOISE;
        }
        if (is_punct(c, i + 1, "=") && (ends_with_ci(t->s, t->n, "_type_info"))) {
            size_t e = expr_end(c, i + 2, c->nt, 1);
            for (size_t k = i + 2; k < e; k++)
                if (c->used[k] == USED_NONE)
                    c->used[k] = USED_NOISE;
        }
        /* sinks */
        if (i > 0 && apex_tok_punct(&c->t[i - 1], ".") && is_punct(c, i + 1, "(") &&
            (apex_tok_is(t, "setEndpoint") || apex_tok_is(t, "setTokenEndpoint"))) {
            size_t e = sink_end(c, i + 1);
            sink(c, apex_tok_is(t, "setEndpoint") ? "setEndpoint" : "setTokenEndpoint", i, i + 2, e, cls, method, is_test, pv);
        } else if (apex_tok_is(t, "endpoint_x") && is_punct(c, i + 1, "=")) {
            size_t e = expr_end(c, i + 2, c->nt, 1);
            sink(c, "endpoint_x", i, i + 2, e, cls, method, is_test, pv);
        } else if (apex_tok_is(t, "JWTBearerTokenExchange") && i > 0 && is_punct(c, i + 1, "(") &&
                   (apex_tok_is(&c->t[i - 1], "new") ||
                    (i > 2 && apex_tok_punct(&c->t[i - 1], ".") && apex_tok_is(&c->t[i - 3], "new")))) {
            size_t e = expr_end(c, i + 2, c->nt, 1);
            sink(c, "JWTBearerTokenExchange", i, i + 2, e, cls, method, is_test, pv);
        }
        /* locals: declarations and assignments inside bodies */
        if (!at_class_body(c, i) && is_punct(c, i + 1, "=") && i > 0) {
            size_t e = expr_end(c, i + 2, c->nt, 1);
            const struct apex_token *p = &c->t[i - 1];
            if (ends_type(c, i - 1))
                set_local(c, i, i + 2, e, LOCAL_DECL, scratch);
            else if (apex_tok_punct(p, ";") || apex_tok_punct(p, "{") || apex_tok_punct(p, "}") || apex_tok_punct(p, ")"))
                set_local(c, i, i + 2, e, LOCAL_ASSIGN, scratch);
        } else if (!at_class_body(c, i) && is_punct(c, i + 1, "+=")) {
            set_local(c, i, i + 2, expr_end(c, i + 2, c->nt, 1), LOCAL_APPEND, scratch);
        }
    }
    /* harvest the remaining http(s) literals */
    for (size_t i = 0; i < c->nt && !c->oom; i++) {
        const struct apex_token *t = &c->t[i];
        if (t->kind != APEX_TOK_STRING || c->used[i] != USED_NONE || t->n < 10)
            continue;
        if (!(t->n >= 7 && (strncasecmp(t->s, "http://", 7) == 0 || strncasecmp(t->s, "https://", 8) == 0)))
            continue;
        const char *v = decode_literal(c, t);
        if (md_url_is_noise(v))
            continue;
        struct md_site *s = new_site(c, "string literal", t->line, component_name(c, c->cls[i], NULL), is_test);
        if (!s)
            return;
        s->expr = range_text(c, i, i + 1);
        pv->n = 0;
        push_part(c, pv, MD_PART_TEXT, v, NULL, NULL);
        if (finish_parts(c, s, pv) < 0)
            c->oom = 1;
    }
}

/* `static ... String NAME = ...` at class-body depth */
static int is_static_string(const struct ctx *c, const struct sym *s)
{
    if (s->at == 0 || !apex_tok_is(&c->t[s->at - 1], "String"))
        return 0;
    for (size_t k = s->at - 1; k-- > 0;) {
        const struct apex_token *t = &c->t[k];
        if (t->kind == APEX_TOK_PUNCT && t->n == 1 && (t->s[0] == ';' || t->s[0] == '{' || t->s[0] == '}'))
            return 0;
        if (apex_tok_is(t, "static"))
            return 1;
        if (s->at - k > 8)
            return 0;
    }
    return 0;
}

/* Publishes the file's static String fields as "Class.FIELD" entries, so
 * other classes' Class.FIELD references resolve after the whole tree is read. */
static void export_constants(struct ctx *c, struct pvec *pv)
{
    for (size_t i = 0; i < c->nfields && !c->oom; i++) {
        struct sym *s = &c->fields[i];
        if (s->init.from == s->init.to || s->cls < 0 || !is_static_string(c, s))
            continue;
        pv->n = 0;
        c->marking = 0;
        eval_field(c, pv, s, s->init.from, s->init.to);
        if (pv->n == 0)
            continue;
        char key[600];
        const struct cls *k = &c->classes[s->cls];
        snprintf(key, sizeof key, "%.*s.%.*s", (int)(k->n > 250 ? 250 : k->n), k->name, (int)(s->n > 250 ? 250 : s->n), s->name);
        struct md_entry *e = md_table_add(c->o, &c->o->consts, key, "");
        struct md_part *p = md_alloc(&c->o->arena, pv->n * sizeof *p);
        if (!e || !p) {
            c->oom = 1;
            return;
        }
        memcpy(p, pv->v, pv->n * sizeof *p);
        e->parts = p;
        e->nparts = pv->n;
        e->file = c->f->file;
        e->line = c->t[s->at].line;
        e->owner = c->f->owner;
    }
}

long apex_find_callouts(struct md_org *o, struct apex_scratch *sc, const char *buf, size_t len, const struct apex_file *f)
{
    struct ctx c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.f = f;
    c.budget = 50L * 1000 * 1000;
    size_t before = o->nsites;
    struct pvec pv = { 0 }, scratch = { 0 };
    long rc = -1;
    if (lex_all(&c, sc, buf, len) < 0 || structure(&c) < 0 || collect_fields(&c) < 0)
        goto out;
    walk(&c, &pv, &scratch);
    export_constants(&c, &pv);
    if (c.budget < 0)
        md_org_diag(o, f->file, 0, "too many names to resolve: later endpoints in this file may be listed as dynamic");
    if (!c.oom)
        rc = (long)(o->nsites - before);
out:
    free(pv.v);
    free(scratch.v);
    free(c.classes);
    free(c.fields);
    free(c.locals);
    return rc;
}
