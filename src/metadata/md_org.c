/* The raw findings of one run: see md_org.h. */
#include "metadata/md_org.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void md_org_init(struct md_org *o)
{
    memset(o, 0, sizeof *o);
    md_arena_init(&o->arena);
    o->layout = "files";
}

void md_org_free(struct md_org *o)
{
    free(o->sites);
    free(o->diags);
    free(o->labels.v);
    free(o->cmdt.v);
    free(o->ncs.v);
    free(o->consts.v);
    md_arena_free(&o->arena);
    memset(o, 0, sizeof *o);
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 64;
    void *p = realloc(*v, ncap * size);
    if (!p)
        return -1;
    *v = p;
    *cap = ncap;
    return 0;
}

struct md_site *md_org_add_site(struct md_org *o)
{
    if (grow((void **)&o->sites, &o->cap_sites, o->nsites, sizeof *o->sites) < 0)
        return NULL;
    struct md_site *s = &o->sites[o->nsites++];
    memset(s, 0, sizeof *s);
    return s;
}

void md_org_diag(struct md_org *o, const char *file, uint32_t line, const char *fmt, ...)
{
    if (grow((void **)&o->diags, &o->cap_diags, o->ndiags, sizeof *o->diags) < 0)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct md_diag *d = &o->diags[o->ndiags++];
    d->file = file;
    d->line = line;
    d->message = md_strdup(&o->arena, msg);
}

struct md_entry *md_table_add(struct md_org *o, struct md_table *t, const char *key, const char *value)
{
    if (grow((void **)&t->v, &t->cap, t->n, sizeof *t->v) < 0)
        return NULL;
    char *k = md_strdup(&o->arena, key);
    if (!k)
        return NULL;
    for (char *p = k; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    struct md_entry *e = &t->v[t->n++];
    memset(e, 0, sizeof *e);
    e->key = k;
    e->name = md_strdup(&o->arena, key);
    e->value = md_strdup(&o->arena, value);
    e->site = SIZE_MAX;
    return e;
}

static int entry_cmp(const void *a, const void *b)
{
    const struct md_entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    /* stable on file order so the first definition wins deterministically */
    c = strcmp(x->file ? x->file : "", y->file ? y->file : "");
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

void md_table_sort(struct md_table *t)
{
    if (t->n > 1)
        qsort(t->v, t->n, sizeof *t->v, entry_cmp);
}

const struct md_entry *md_table_find(const struct md_table *t, const char *key)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcasecmp(t->v[mid].key, key);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->n && strcasecmp(t->v[lo].key, key) == 0)
        return &t->v[lo];
    return NULL;
}

int md_site_set_text(struct md_org *o, struct md_site *s, const char *text)
{
    struct md_part *p = md_alloc(&o->arena, sizeof *p);
    if (!p)
        return -1;
    p->kind = MD_PART_TEXT;
    p->a = md_strdup(&o->arena, text);
    s->parts = p;
    s->nparts = 1;
    return p->a ? 0 : -1;
}

const char *md_namespace_of(struct md_org *o, const char *name)
{
    const char *u = strstr(name, "__");
    if (!u || u == name || u - name > 15)
        return NULL;
    for (const char *p = name; p < u; p++)
        if (!isalnum((unsigned char)*p))
            return NULL;
    if (!isalpha((unsigned char)name[0]))
        return NULL;
    const char *rest = u + 2;
    if (!isalpha((unsigned char)*rest))
        return NULL;
    /* "Foo__c", "Bar__mdt.Rec": the part after __ is a type suffix, not a name */
    static const char *suffixes[] = { "c", "mdt", "r", "e", "x", "b", "kav", "share", "history", "feed", "latitude__s", "longitude__s", NULL };
    size_t rn = strcspn(rest, ".-_");
    if (rest[rn] != '_' || rest[rn + 1] != '_') {
        for (int i = 0; suffixes[i]; i++)
            if (strlen(suffixes[i]) == rn && strncasecmp(rest, suffixes[i], rn) == 0)
                return NULL;
    }
    return md_strndup(&o->arena, name, (size_t)(u - name));
}
