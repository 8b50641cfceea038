/*
 * An arena for the many small strings a metadata run keeps (file names, URLs,
 * expressions, names): allocated in large chunks, freed once at the end (after
 * git's mem-pool). Nothing here is freed one by one.
 */
#ifndef TR_METADATA_MD_ARENA_H
#define TR_METADATA_MD_ARENA_H

#include <stddef.h>

struct md_chunk;

struct md_arena {
    struct md_chunk *head;
    size_t used;       /* bytes used in head */
    size_t cap;        /* capacity of head */
    size_t total;      /* bytes handed out, for statistics */
};

void md_arena_init(struct md_arena *a);
void md_arena_free(struct md_arena *a);
/* Returns zeroed memory aligned for any object, or NULL when out of memory. */
void *md_alloc(struct md_arena *a, size_t n);
/* A NUL-terminated copy of s[0..n); NULL when out of memory. */
char *md_strndup(struct md_arena *a, const char *s, size_t n);
char *md_strdup(struct md_arena *a, const char *s);

#endif
