/* Chunked arena: see md_arena.h. */
#include "metadata/md_arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct md_chunk {
    struct md_chunk *next;
    size_t cap;
    max_align_t data[];
};

#define CHUNK_MIN (256 * 1024)

void md_arena_init(struct md_arena *a)
{
    memset(a, 0, sizeof *a);
}

void md_arena_free(struct md_arena *a)
{
    struct md_chunk *c = a->head;
    while (c) {
        struct md_chunk *next = c->next;
        free(c);
        c = next;
    }
    md_arena_init(a);
}

void *md_alloc(struct md_arena *a, size_t n)
{
    size_t align = sizeof(max_align_t);
    if (n > SIZE_MAX / 2)
        return NULL;
    n = (n + align - 1) / align * align;
    if (n == 0)
        n = align;
    if (!a->head || a->cap - a->used < n) {
        size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
        struct md_chunk *c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = a->head;
        c->cap = cap;
        a->head = c;
        a->used = 0;
        a->cap = cap;
    }
    void *p = (char *)a->head->data + a->used;
    a->used += n;
    a->total += n;
    memset(p, 0, n);
    return p;
}

char *md_strndup(struct md_arena *a, const char *s, size_t n)
{
    char *p = md_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *md_strdup(struct md_arena *a, const char *s)
{
    return s ? md_strndup(a, s, strlen(s)) : NULL;
}
