/*
 * A User export (--users FILE) to turn user ids into people to contact:
 * Id, Username, Name, Email, Profile.Name (or Profile), IsActive, any order,
 * any of the CSV dialects the CSV reader accepts. Ids join on their first 15
 * characters (specs/salesforce.md 1a.5: ELF USER_ID is 15, the API gives 18).
 */
#include "ingest/salesforce.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/instream.h"

struct sf_users {
    struct sf_user *users;
    size_t n, cap;
    char **blocks;        /* string storage: one block per row, freed at the end */
    uint32_t *by_id, *by_name; /* open addressing, index + 1 */
    size_t mask;
};


static size_t id_len(size_t n) { return n > 15 ? 15 : n; }

size_t sf_users_count(const struct sf_users *u) { return u ? u->n : 0; }

void sf_users_free(struct sf_users *u)
{
    if (!u)
        return;
    for (size_t i = 0; i < u->n; i++)
        free(u->blocks[i]);
    free(u->blocks);
    free(u->users);
    free(u->by_id);
    free(u->by_name);
    free(u);
}

static const struct sf_user *lookup(const struct sf_users *u, const uint32_t *slots, const char *k, size_t n, int id)
{
    if (!u || !u->mask || !k)
        return NULL;
    if (id)
        n = id_len(n);
    for (size_t j = tr_hash_bytes(k, n) & u->mask; slots[j]; j = (j + 1) & u->mask) {
        const struct sf_user *x = &u->users[slots[j] - 1];
        const char *v = id ? x->id : x->username;
        if (!v)
            continue;
        size_t vn = strlen(v);
        if (id)
            vn = id_len(vn);
        if (vn == n && memcmp(v, k, n) == 0)
            return x;
    }
    return NULL;
}

const struct sf_user *sf_users_by_id(const struct sf_users *u, const char *id, size_t len)
{
    return lookup(u, u ? u->by_id : NULL, id, len, 1);
}

const struct sf_user *sf_users_by_username(const struct sf_users *u, const char *name, size_t len)
{
    return lookup(u, u ? u->by_name : NULL, name, len, 0);
}

static int build_index(struct sf_users *u)
{
    size_t size = 64;
    while (size < u->n * 2 + 2)
        size *= 2;
    u->by_id = calloc(size, sizeof *u->by_id);
    u->by_name = calloc(size, sizeof *u->by_name);
    if (!u->by_id || !u->by_name)
        return -1;
    u->mask = size - 1;
    for (size_t i = 0; i < u->n; i++) {
        const struct sf_user *x = &u->users[i];
        if (x->id && !sf_users_by_id(u, x->id, strlen(x->id))) {
            size_t j = tr_hash_bytes(x->id, id_len(strlen(x->id))) & u->mask;
            while (u->by_id[j])
                j = (j + 1) & u->mask;
            u->by_id[j] = (uint32_t)(i + 1);
        }
        if (x->username && !sf_users_by_username(u, x->username, strlen(x->username))) {
            size_t j = tr_hash_bytes(x->username, strlen(x->username)) & u->mask;
            while (u->by_name[j])
                j = (j + 1) & u->mask;
            u->by_name[j] = (uint32_t)(i + 1);
        }
    }
    return 0;
}

enum { U_ID, U_USERNAME, U_NAME, U_EMAIL, U_PROFILE, U_ACTIVE, U_COUNT };

static int column_of(const char *s, size_t n)
{
    char norm[32];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof norm; i++)
        if (isalnum((unsigned char)s[i]))
            norm[k++] = (char)tolower((unsigned char)s[i]);
    norm[k] = 0;
    static const struct {
        const char *name;
        int col;
    } names[] = {
        { "id", U_ID }, { "userid", U_ID }, { "username", U_USERNAME }, { "name", U_NAME },
        { "fullname", U_NAME }, { "email", U_EMAIL }, { "profilename", U_PROFILE }, { "profile", U_PROFILE },
        { "isactive", U_ACTIVE }, { "active", U_ACTIVE },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(norm, names[i].name) == 0)
            return names[i].col;
    return -1;
}

/* Copies the row's wanted fields into one block and appends a user. */
static int add_user(struct sf_users *u, const struct csv_row *row, const int *col)
{
    size_t total = 0;
    for (int c = 0; c < U_COUNT; c++)
        if (col[c] >= 0 && (size_t)col[c] < row->n)
            total += row->f[col[c]].len + 1;
    if (u->n == u->cap) {
        size_t cap = u->cap ? u->cap * 2 : 256;
        struct sf_user *nu = realloc(u->users, cap * sizeof *nu);
        if (!nu)
            return -1;
        u->users = nu;
        char **nb = realloc(u->blocks, cap * sizeof *nb);
        if (!nb)
            return -1;
        u->blocks = nb;
        u->cap = cap;
    }
    char *b = malloc(total + 1);
    if (!b)
        return -1;
    const char *vals[U_COUNT] = { 0 };
    char *w = b;
    for (int c = 0; c < U_COUNT; c++) {
        if (col[c] < 0 || (size_t)col[c] >= row->n || !row->f[col[c]].len)
            continue;
        memcpy(w, row->f[col[c]].p, row->f[col[c]].len);
        vals[c] = w;
        w += row->f[col[c]].len;
        *w++ = 0;
    }
    u->blocks[u->n] = b;
    u->users[u->n] = (struct sf_user){ vals[U_ID], vals[U_USERNAME], vals[U_NAME],
                                       vals[U_EMAIL], vals[U_PROFILE], vals[U_ACTIVE] };
    u->n++;
    return 0;
}

struct sf_users *sf_users_load(const char *path, struct tr_error *err)
{
    struct instream *in = instream_open(path, err);
    if (!in)
        return NULL;
    struct sf_users *u = calloc(1, sizeof *u);
    struct csv_reader r;
    int col[U_COUNT];
    int have_header = 0, failed = 0;
    if (!u || csv_init(&r, NULL) < 0) {
        free(u);
        instream_close(in);
        tr_errorf(err, "out of memory");
        return NULL;
    }
    for (;;) {
        struct csv_row row;
        int st = csv_next(&r, &row);
        if (st == CSV_END)
            break;
        if (st == CSV_NEED_MORE) {
            size_t avail;
            char *dst = csv_space(&r, &avail);
            long k = instream_read(in, dst, avail, err);
            if (k < 0) {
                failed = 1;
                break;
            }
            if (k == 0)
                csv_set_eof(&r);
            csv_commit(&r, (size_t)k);
            continue;
        }
        if (st == CSV_BAD_ROW) {
            tr_errorf(err, "%s: line %llu: %s", path, (unsigned long long)row.line, csv_error(&r));
            failed = 1;
            break;
        }
        if (!have_header) {
            for (int c = 0; c < U_COUNT; c++)
                col[c] = -1;
            for (size_t i = 0; i < row.n; i++) {
                int c = column_of(row.f[i].p, row.f[i].len);
                if (c >= 0 && col[c] < 0)
                    col[c] = (int)i;
            }
            if (col[U_ID] < 0 || col[U_USERNAME] < 0) {
                tr_errorf(err, "%s: a User export needs Id and Username columns", path);
                failed = 1;
                break;
            }
            have_header = 1;
            continue;
        }
        if (add_user(u, &row, col) < 0) {
            tr_errorf(err, "out of memory");
            failed = 1;
            break;
        }
    }
    csv_free(&r);
    instream_close(in);
    if (!failed && !have_header) {
        tr_errorf(err, "%s: empty User export", path);
        failed = 1;
    }
    if (!failed && build_index(u) < 0) {
        tr_errorf(err, "out of memory");
        failed = 1;
    }
    if (failed) {
        sf_users_free(u);
        return NULL;
    }
    return u;
}
