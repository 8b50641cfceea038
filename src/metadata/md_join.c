/* Resolving and grouping sites into endpoint rows: see md_join.h. */
#include "metadata/md_join.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "metadata/md_url.h"
#include "util/buf.h"
#include "util/hash.h"

const char *md_bucket_name(enum md_bucket b)
{
    static const char *names[] = { "org", "package", "test", "client-side", "inbound" };
    return b < MD_BUCKETS ? names[b] : "?";
}

const char *md_flag_name(unsigned flag)
{
    switch (flag) {
    case MD_FLAG_NOT_ALLOWED: return "not-allowed";
    case MD_FLAG_UNUSED_SETTING: return "unused-setting";
    case MD_FLAG_PLAIN_HTTP: return "plain-http";
    case MD_FLAG_INACTIVE: return "inactive-setting";
    case MD_FLAG_PROTOCOL_SECURITY_DISABLED: return "protocol-security-disabled";
    case MD_FLAG_WILDCARD: return "wildcard";
    case MD_FLAG_PARTIAL: return "partial";
    default: return "?";
    }
}

int md_row_is_target(const struct md_row *r)
{
    return (r->bucket == MD_BUCKET_ORG || r->bucket == MD_BUCKET_PACKAGE) &&
           (strcmp(r->scheme, "https") == 0 || strcmp(r->scheme, "wss") == 0) && !strchr(r->host, '*');
}

/* ---- resolution ----------------------------------------------------------- */

struct resolved {
    struct tr_buf text;
    int complete;
    const char *reason;
    size_t refs[8];      /* synthetic label sites that contributed */
    int nrefs;
};

struct joiner {
    struct md_org *o;
    struct md_result *r;
    size_t *label_site;  /* per label entry: synthetic site index + 1, or 0 */
    uint32_t *map;       /* row index + 1, open addressing */
    size_t map_cap;
    unsigned char *nc_used; /* per site: a named credential some code or setting uses */
    size_t cap_rows, cap_dyn;
    int oom;
};

static const char *arena_printf(struct joiner *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *arena_printf(struct joiner *j, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    const char *s = md_strdup(&j->o->arena, buf);
    if (!s)
        j->oom = 1;
    return s ? s : "";
}

static size_t label_ref_site(struct joiner *j, const struct md_entry *e)
{
    size_t idx = (size_t)(e - j->o->labels.v);
    if (j->label_site[idx])
        return j->label_site[idx] - 1;
    struct md_site *s = md_org_add_site(j->o);
    if (!s) {
        j->oom = 1;
        return SIZE_MAX;
    }
    s->type = "CustomLabel";
    s->via = "value";
    s->file = e->file;
    s->line = e->line;
    s->component = e->name;
    s->owner = e->owner;
    s->dir = MD_OUTBOUND;
    if (md_site_set_text(j->o, s, e->value) < 0)
        j->oom = 1;
    j->label_site[idx] = (size_t)(s - j->o->sites) + 1;
    return (size_t)(s - j->o->sites);
}

#define CONST_DEPTH_MAX 8

/* Appends the parts' values to res; stops (complete = 0) at the first part
 * that cannot be resolved. Constants of other classes recurse, bounded. */
static void resolve_into(struct joiner *j, const struct md_part *parts, size_t n, struct resolved *res, int depth)
{
    for (size_t i = 0; i < n && res->complete; i++) {
        const struct md_part *p = &parts[i];
        if (p->kind == MD_PART_TEXT) {
            tr_buf_puts(&res->text, p->a);
            continue;
        }
        if (p->kind == MD_PART_LABEL) {
            const struct md_entry *e = md_table_find(&j->o->labels, p->a);
            if (e) {
                tr_buf_puts(&res->text, e->value);
                size_t ls = label_ref_site(j, e);
                if (ls != SIZE_MAX && res->nrefs < 8)
                    res->refs[res->nrefs++] = ls;
                continue;
            }
            res->reason = arena_printf(j, "custom label '%s' is not in the source", p->a);
        } else if (p->kind == MD_PART_CMDT) {
            char key[768];
            snprintf(key, sizeof key, "%s.%s.%s", p->a, p->b, p->c);
            const struct md_entry *e = md_table_find(&j->o->cmdt, key);
            if (e) {
                tr_buf_puts(&res->text, e->value);
                continue;
            }
            res->reason = arena_printf(j, "custom metadata record %s.%s (field %s) is not in the source", p->a, p->b, p->c);
        } else if (p->kind == MD_PART_CONST) {
            char key[600];
            snprintf(key, sizeof key, "%s.%s", p->a, p->b);
            const struct md_entry *e = md_table_find(&j->o->consts, key);
            if (e && depth < CONST_DEPTH_MAX) {
                resolve_into(j, e->parts, e->nparts, res, depth + 1);
                continue;
            }
            res->reason = e ? arena_printf(j, "%s: constants nested too deeply", p->c)
                            : arena_printf(j, "%s: not resolvable statically (no such static field in the source)", p->c);
        } else {
            res->reason = arena_printf(j, "%s: %s", p->a, p->b ? p->b : "not resolvable statically");
        }
        res->complete = 0;
        return;
    }
}

static void resolve_parts(struct joiner *j, const struct md_site *s, struct resolved *res)
{
    res->complete = 1;
    res->reason = NULL;
    res->nrefs = 0;
    resolve_into(j, s->parts, s->nparts, res, 0);
}

/* callout:NAME, callout:ns__NAME; a package's code may name its own NC without the prefix */
static const struct md_entry *find_nc(struct joiner *j, const char *name, size_t n, const char *owner)
{
    char key[512];
    if (n == 0 || n >= 256)
        return NULL;
    snprintf(key, sizeof key, "%.*s", (int)n, name);
    const struct md_entry *e = md_table_find(&j->o->ncs, key);
    if (e)
        return e;
    const char *u = strstr(key, "__");
    if (u && (e = md_table_find(&j->o->ncs, u + 2)) != NULL)
        return e;
    if (owner) {
        char k2[600];
        snprintf(k2, sizeof k2, "%s__%s", owner, key);
        return md_table_find(&j->o->ncs, k2);
    }
    return NULL;
}

/* ---- rows ----------------------------------------------------------------- */


static int map_grow(struct joiner *j)
{
    size_t ncap = j->map_cap ? j->map_cap * 2 : 1024;
    uint32_t *m = calloc(ncap, sizeof *m);
    if (!m)
        return -1;
    for (size_t i = 0; i < j->r->nrows; i++) {
        size_t h = tr_hash_str(j->r->rows[i].url) & (ncap - 1);
        /* key on the full identity, not only the URL */
        h = (h ^ (size_t)j->r->rows[i].bucket * 0x9e3779b9u ^ (j->r->rows[i].owner ? tr_hash_str(j->r->rows[i].owner) : 0)) & (ncap - 1);
        while (m[h])
            h = (h + 1) & (ncap - 1);
        m[h] = (uint32_t)i + 1;
    }
    free(j->map);
    j->map = m;
    j->map_cap = ncap;
    return 0;
}

static int same_owner(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcasecmp(a, b) == 0;
}

static struct md_row *row_for(struct joiner *j, enum md_bucket b, const char *owner, const struct md_url *u,
                              const char *path)
{
    char url[2048];
    int defport = (strcmp(u->scheme, "https") == 0 || strcmp(u->scheme, "wss") == 0) ? 443 : 80;
    if (u->port == defport)
        snprintf(url, sizeof url, "%s://%s%s", u->scheme, u->host, path);
    else
        snprintf(url, sizeof url, "%s://%s:%d%s", u->scheme, u->host, u->port, path);
    if (j->r->nrows * 2 >= j->map_cap && map_grow(j) < 0)
        return NULL;
    size_t h = tr_hash_str(url) & (j->map_cap - 1);
    h = (h ^ (size_t)b * 0x9e3779b9u ^ (owner ? tr_hash_str(owner) : 0)) & (j->map_cap - 1);
    while (j->map[h]) {
        struct md_row *r = &j->r->rows[j->map[h] - 1];
        if (r->bucket == b && same_owner(r->owner, owner) && strcmp(r->url, url) == 0)
            return r;
        h = (h + 1) & (j->map_cap - 1);
    }
    if (j->r->nrows == j->cap_rows) {
        size_t nc = j->cap_rows ? j->cap_rows * 2 : 256;
        struct md_row *nr = realloc(j->r->rows, nc * sizeof *nr);
        if (!nr)
            return NULL;
        j->r->rows = nr;
        j->cap_rows = nc;
    }
    struct md_row *r = &j->r->rows[j->r->nrows];
    memset(r, 0, sizeof *r);
    r->bucket = b;
    r->owner = owner;
    memcpy(r->scheme, u->scheme, sizeof r->scheme);
    r->host = md_strdup(&j->o->arena, u->host);
    r->port = u->port;
    r->path = md_strdup(&j->o->arena, path);
    r->url = md_strdup(&j->o->arena, url);
    if (!r->host || !r->path || !r->url)
        return NULL;
    j->map[h] = (uint32_t)(j->r->nrows + 1);
    j->r->nrows++;
    return r;
}

static struct md_place *add_place(struct md_row *r, size_t site)
{
    if (r->nplaces == r->cap_places) {
        size_t nc = r->cap_places ? r->cap_places * 2 : 4;
        struct md_place *p = realloc(r->places, nc * sizeof *p);
        if (!p)
            return NULL;
        r->places = p;
        r->cap_places = nc;
    }
    struct md_place *p = &r->places[r->nplaces++];
    memset(p, 0, sizeof *p);
    p->site = site;
    return p;
}

static enum md_bucket bucket_of(const struct md_site *s)
{
    if (s->dir == MD_CLIENT_SIDE)
        return MD_BUCKET_CLIENT_SIDE;
    if (s->dir == MD_INBOUND)
        return MD_BUCKET_INBOUND;
    if (s->is_test)
        return MD_BUCKET_TEST;
    return s->owner ? MD_BUCKET_PACKAGE : MD_BUCKET_ORG;
}

static int add_dynamic(struct joiner *j, size_t site, const char *known, const char *reason)
{
    if (j->r->ndyn == j->cap_dyn) {
        size_t nc = j->cap_dyn ? j->cap_dyn * 2 : 64;
        struct md_dynamic *d = realloc(j->r->dyn, nc * sizeof *d);
        if (!d)
            return -1;
        j->r->dyn = d;
        j->cap_dyn = nc;
    }
    j->r->dyn[j->r->ndyn++] = (struct md_dynamic){ site, bucket_of(&j->o->sites[site]), known, reason };
    return 0;
}

/* Places one site: resolve, follow callout:, parse, and file it in a row or
 * in the dynamic list. */
static int place_site(struct joiner *j, size_t si)
{
    const struct md_site *s = &j->o->sites[si];
    struct resolved res;
    char small[512];
    tr_buf_init(&res.text, small, sizeof small);
    resolve_parts(j, s, &res);
    s = &j->o->sites[si]; /* resolving may add synthetic sites (and move the array) */
    int rc = 0;
    const char *val = tr_buf_cstr(&res.text);
    const char *nc_name = NULL;
    char *joined = NULL;
    if (res.text.failed) {
        rc = -1;
        goto out;
    }
    if (strncasecmp(val, "callout:", 8) == 0) {
        const char *name = val + 8;
        size_t n = strcspn(name, "/?");
        int named = name[n] != '\0' || res.complete;
        const struct md_entry *e = named ? find_nc(j, name, n, s->owner) : NULL;
        if (!e) {
            const char *why = !named ? arena_printf(j, "named credential chosen at run time (%s)", res.reason ? res.reason : "?")
                                     : arena_printf(j, "named credential '%.*s' is not in the source", (int)(n > 200 ? 200 : n), name);
            rc = add_dynamic(j, si, md_strdup(&j->o->arena, val), why);
            goto out;
        }
        nc_name = e->name;
        if (e->site != SIZE_MAX)
            j->nc_used[e->site] = 1;
        size_t a = strlen(e->value), b = strlen(name + n);
        joined = malloc(a + b + 1);
        if (!joined) {
            rc = -1;
            goto out;
        }
        memcpy(joined, e->value, a);
        /* the NC URL and the callout path meet at one slash */
        if (a > 0 && joined[a - 1] == '/' && name[n] == '/')
            a--;
        memcpy(joined + a, name + n, b + 1);
        val = joined;
    }
    struct md_url u;
    int schemeless = s->dir == MD_CLIENT_SIDE || s->dir == MD_INBOUND;
    if (md_url_parse(val, &u, schemeless) < 0) {
        /* an inbound value that is no network URL (a mobile app's myapp://
         * callback) is not an endpoint at all */
        if (s->dir == MD_INBOUND)
            goto out;
        const char *why = res.complete ? "not an absolute URL" : res.reason;
        rc = add_dynamic(j, si, md_strdup(&j->o->arena, val), why ? why : "not an absolute URL");
        goto out;
    }
    /* a known prefix names the host only when something follows the host
     * (port, path) or the host already looks complete (has a dot) */
    if (!res.complete && u.path_n == 0 && !u.explicit_port && !strchr(u.host, '.')) {
        rc = add_dynamic(j, si, md_strdup(&j->o->arena, val), res.reason);
        goto out;
    }
    char path[1024];
    snprintf(path, sizeof path, "%.*s", (int)(u.path_n > 1000 ? 1000 : u.path_n), u.path);
    if (!path[0])
        strcpy(path, "/");
    struct md_row *r = row_for(j, bucket_of(s), s->owner, &u, path);
    if (!r) {
        rc = -1;
        goto out;
    }
    struct md_place *p = add_place(r, si);
    if (!p) {
        rc = -1;
        goto out;
    }
    p->value = md_strdup(&j->o->arena, val);
    p->named_credential = nc_name;
    /* only the query string is built at run time: the path itself is known */
    p->partial = !res.complete && val[strcspn(val, "?#")] == '\0';
    if (p->partial)
        r->flags |= MD_FLAG_PARTIAL;
    for (int k = 0; k < res.nrefs; k++) {
        struct md_place *lp = add_place(r, res.refs[k]);
        if (!lp) {
            rc = -1;
            goto out;
        }
        lp->value = j->o->sites[res.refs[k]].parts[0].a;
    }
out:
    free(joined);
    tr_buf_free(&res.text);
    return rc;
}

/* ---- allow lists and flags ------------------------------------------------ */

static int origin_match(const struct md_url *setting, const struct md_site *ss, const struct md_row *r)
{
    if (strcasecmp(setting->host, r->host) != 0 || setting->port != r->port)
        return 0;
    return strcmp(setting->scheme, r->scheme) == 0 || ss->protocol_security_disabled;
}

/* comparators get the org through qsort_r's argument: no global state */
static int place_cmp(const void *a, const void *b, void *org)
{
    const struct md_org *o = org;
    const struct md_site *x = &o->sites[((const struct md_place *)a)->site];
    const struct md_site *y = &o->sites[((const struct md_place *)b)->site];
    int c = strcmp(x->file, y->file);
    if (c)
        return c;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return strcmp(x->via, y->via);
}

static int str_cmp_null(const char *a, const char *b)
{
    if (!a || !b)
        return a ? 1 : (b ? -1 : 0);
    return strcasecmp(a, b);
}

static int row_cmp(const void *a, const void *b)
{
    const struct md_row *x = a, *y = b;
    if (x->bucket != y->bucket)
        return x->bucket < y->bucket ? -1 : 1;
    int c = str_cmp_null(x->owner, y->owner);
    if (c)
        return c;
    if ((c = strcmp(x->host, y->host)) != 0)
        return c;
    if (x->port != y->port)
        return x->port < y->port ? -1 : 1;
    if ((c = strcmp(x->path, y->path)) != 0)
        return c;
    return strcmp(x->scheme, y->scheme);
}

static int dyn_cmp(const void *a, const void *b, void *org)
{
    const struct md_org *o = org;
    const struct md_dynamic *x = a, *y = b;
    if (x->bucket != y->bucket)
        return x->bucket < y->bucket ? -1 : 1;
    const struct md_site *sx = &o->sites[x->site], *sy = &o->sites[y->site];
    int c = strcmp(sx->file, sy->file);
    if (c)
        return c;
    return (sx->line > sy->line) - (sx->line < sy->line);
}

/* A Remote Site Setting or Named Credential place, parsed once, sorted by host. */
struct setting {
    size_t site;
    struct md_url u;
};

static int setting_cmp(const void *a, const void *b)
{
    return strcmp(((const struct setting *)a)->u.host, ((const struct setting *)b)->u.host);
}

static int add_allowed(struct md_row *r, size_t site)
{
    for (size_t k = 0; k < r->nallowed; k++)
        if (r->allowed_by[k] == site)
            return 0;
    size_t *al = realloc(r->allowed_by, (r->nallowed + 1) * sizeof *al);
    if (!al)
        return -1;
    r->allowed_by = al;
    r->allowed_by[r->nallowed++] = site;
    return 0;
}

/* Direct URL from code: which settings allow the row's origin; marks them used.
 * Returns 1 when an active Remote Site Setting allows it, 0 if not, -1 on OOM. */
static int check_allowed(struct joiner *j, struct md_row *r, const struct setting *set, size_t nset)
{
    size_t lo = 0, hi = nset;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(set[mid].u.host, r->host) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    int allowed = 0;
    for (size_t k = lo; k < nset && strcmp(set[k].u.host, r->host) == 0; k++) {
        const struct md_site *ss = &j->o->sites[set[k].site];
        if (!origin_match(&set[k].u, ss, r))
            continue;
        j->nc_used[set[k].site] = 1;
        if (ss->allows != 1)
            continue;
        if (add_allowed(r, set[k].site) < 0)
            return -1;
        if (!ss->inactive)
            allowed = 1;
    }
    return allowed;
}

static int compute_flags(struct joiner *j)
{
    struct md_org *o = j->o;
    struct md_result *res = j->r;
    struct setting *set = NULL;
    size_t nset = 0;
    for (size_t ri = 0; ri < res->nrows; ri++)
        for (size_t pi = 0; pi < res->rows[ri].nplaces; pi++)
            if (o->sites[res->rows[ri].places[pi].site].allows)
                nset++;
    set = malloc((nset ? nset : 1) * sizeof *set);
    if (!set)
        return -1;
    nset = 0;
    for (size_t ri = 0; ri < res->nrows; ri++)
        for (size_t pi = 0; pi < res->rows[ri].nplaces; pi++) {
            const struct md_place *p = &res->rows[ri].places[pi];
            if (o->sites[p->site].allows && md_url_parse(p->value, &set[nset].u, 0) == 0)
                set[nset++].site = p->site;
        }
    qsort(set, nset, sizeof *set, setting_cmp);
    int rc = -1;
    for (size_t ri = 0; ri < res->nrows; ri++) {
        struct md_row *r = &res->rows[ri];
        if (r->bucket == MD_BUCKET_CLIENT_SIDE || r->bucket == MD_BUCKET_INBOUND)
            continue;
        int checked = 0, allowed = 0;
        for (size_t pi = 0; pi < r->nplaces; pi++) {
            const struct md_place *p = &r->places[pi];
            const struct md_site *s = &o->sites[p->site];
            if (p->named_credential) {
                const struct md_entry *e = md_table_find(&o->ncs, p->named_credential);
                if (e && e->site != SIZE_MAX && add_allowed(r, e->site) < 0)
                    goto out;
                continue;
            }
            if (!s->is_code)
                continue;
            if (!checked) {
                allowed = check_allowed(j, r, set, nset);
                if (allowed < 0)
                    goto out;
                checked = 1;
            }
            /* test classes never make real callouts (mocks), so no allow-list finding */
            if (s->needs_allow && !allowed && r->bucket != MD_BUCKET_TEST)
                r->flags |= MD_FLAG_NOT_ALLOWED;
        }
    }
    for (size_t ri = 0; ri < res->nrows; ri++) {
        struct md_row *r = &res->rows[ri];
        if (strcmp(r->scheme, "http") == 0 || strcmp(r->scheme, "ws") == 0)
            r->flags |= MD_FLAG_PLAIN_HTTP;
        if (strchr(r->host, '*'))
            r->flags |= MD_FLAG_WILDCARD;
        for (size_t pi = 0; pi < r->nplaces; pi++) {
            struct md_place *p = &r->places[pi];
            const struct md_site *s = &o->sites[p->site];
            if (s->inactive)
                r->flags |= MD_FLAG_INACTIVE;
            if (s->protocol_security_disabled)
                r->flags |= MD_FLAG_PROTOCOL_SECURITY_DISABLED;
            if (s->allows && !j->nc_used[p->site]) {
                p->unused = 1;
                r->flags |= MD_FLAG_UNUSED_SETTING;
            }
        }
        if (r->nplaces > 1)
            qsort_r(r->places, r->nplaces, sizeof *r->places, place_cmp, o);
        /* two equal literals on one line are one place */
        size_t k = 0;
        for (size_t pi = 0; pi < r->nplaces; pi++) {
            if (k > 0 && place_cmp(&r->places[k - 1], &r->places[pi], o) == 0 &&
                strcmp(r->places[k - 1].value, r->places[pi].value) == 0)
                continue;
            r->places[k++] = r->places[pi];
        }
        r->nplaces = k;
    }
    rc = 0;
out:
    free(set);
    return rc;
}

int md_join(struct md_org *o, struct md_result *r)
{
    memset(r, 0, sizeof *r);
    md_table_sort(&o->labels);
    md_table_sort(&o->cmdt);
    md_table_sort(&o->ncs);
    md_table_sort(&o->consts);
    struct joiner j = { .o = o, .r = r };
    j.label_site = calloc(o->labels.n + 1, sizeof *j.label_site);
    /* every label can add one synthetic site */
    j.nc_used = calloc(o->nsites + o->labels.n + 1, 1);
    int rc = -1;
    if (!j.label_site || !j.nc_used || map_grow(&j) < 0)
        goto out;
    size_t n = o->nsites;
    for (size_t i = 0; i < n; i++)
        if (place_site(&j, i) < 0)
            goto out;
    if (j.oom || compute_flags(&j) < 0)
        goto out;
    if (r->nrows > 1)
        qsort(r->rows, r->nrows, sizeof *r->rows, row_cmp);
    if (r->ndyn > 1)
        qsort_r(r->dyn, r->ndyn, sizeof *r->dyn, dyn_cmp, o);
    rc = 0;
out:
    free(j.label_site);
    free(j.nc_used);
    free(j.map);
    return rc;
}

void md_result_free(struct md_result *r)
{
    for (size_t i = 0; i < r->nrows; i++) {
        free(r->rows[i].places);
        free(r->rows[i].allowed_by);
    }
    free(r->rows);
    free(r->dyn);
    memset(r, 0, sizeof *r);
}
