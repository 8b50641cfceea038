/*
 * The tree walker and the zip reader: see md_walk.h. I/O lives here; the
 * readers it calls (apex_callouts, md_xml) are pure over the bytes.
 */
#include "metadata/md_walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <zip.h>

#include "metadata/apex_callouts.h"
#include "metadata/md_xml.h"

#define WALK_DEPTH_MAX 64

struct walker {
    struct md_org *o;
    struct apex_scratch sc;
    char *buf;
    size_t cap;
    int oom;
};

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* What a file is, from its path: Apex, one of our XML kinds, or nothing. */
struct file_class {
    int apex;           /* 1 class, 2 trigger */
    int schema;         /* an External Service's OpenAPI schema file */
    enum md_xml_kind xml;
    char name[512];     /* base name without suffixes */
};

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* parent directory's name, for customMetadata/Type.Record.md */
static int parent_is(const char *path, const char *dir)
{
    const char *b = base_name(path);
    if (b == path)
        return 0;
    const char *end = b - 1;
    const char *start = end;
    while (start > path && start[-1] != '/')
        start--;
    size_t n = (size_t)(end - start);
    return n == strlen(dir) && strncasecmp(start, dir, n) == 0;
}

static int classify(const char *path, struct file_class *fc)
{
    memset(fc, 0, sizeof fc[0]);
    const char *b = base_name(path);
    size_t n = strlen(b);
    if (n >= sizeof fc->name)
        return 0;
    if (strcmp(b, "package.xml") == 0) {
        fc->xml = MD_XML_PACKAGE;
        strcpy(fc->name, "package");
        return 1;
    }
    if (ends_with(b, ".cls") || ends_with(b, ".trigger")) {
        fc->apex = ends_with(b, ".cls") ? 1 : 2;
        memcpy(fc->name, b, n - (fc->apex == 1 ? 4 : 8));
        return 1;
    }
    if (parent_is(path, "externalServiceRegistrations") &&
        (ends_with(b, ".yaml") || ends_with(b, ".yml") || ends_with(b, ".json"))) {
        fc->schema = 1;
        memcpy(fc->name, b, (size_t)(strrchr(b, '.') - b));
        return 1;
    }
    char tmp[512];
    memcpy(tmp, b, n + 1);
    if (ends_with(tmp, "-meta.xml"))
        tmp[n - 9] = '\0';
    char *dot = strrchr(tmp, '.');
    if (!dot || dot == tmp)
        return 0;
    *dot = '\0';
    enum md_xml_kind k = md_xml_kind_of(dot + 1);
    if (k == MD_XML_NONE)
        return 0;
    /* README.md and friends: a custom metadata record is Type.Record.md in customMetadata/ */
    if (k == MD_XML_CUSTOM_METADATA && (!strchr(tmp, '.') || !parent_is(path, "customMetadata")))
        return 0;
    fc->xml = k;
    strcpy(fc->name, tmp);
    return 1;
}

static const char *owner_for(struct walker *w, const char *pkg_ns, const struct file_class *fc)
{
    if (pkg_ns)
        return pkg_ns;
    return md_namespace_of(w->o, fc->name);
}

/* Reads one file's bytes (from disk or a zip entry) already in w->buf. */
static int process(struct walker *w, const char *display, const struct file_class *fc, const char *pkg_ns,
                   size_t len)
{
    struct md_org *o = w->o;
    o->bytes += len;
    const char *file = md_strdup(&o->arena, display);
    const char *name = md_strdup(&o->arena, fc->name);
    if (!file || !name)
        return -1;
    if (fc->apex) {
        o->files_apex++;
        struct apex_file af = { file, name, owner_for(w, pkg_ns, fc), fc->apex == 2 };
        return apex_find_callouts(o, &w->sc, w->buf, len, &af) < 0 ? -1 : 0;
    }
    o->files_xml++;
    struct md_xml_file xf = { file, name, owner_for(w, pkg_ns, fc), fc->xml };
    if (fc->schema)
        return md_schema_read(o, w->buf, len, &xf);
    return md_xml_read(o, w->buf, len, &xf, NULL);
}

static int ensure(struct walker *w, size_t n)
{
    if (n + 1 <= w->cap)
        return 0;
    size_t ncap = w->cap ? w->cap : 65536;
    while (ncap < n + 1)
        ncap *= 2;
    char *b = realloc(w->buf, ncap);
    if (!b)
        return -1;
    w->buf = b;
    w->cap = ncap;
    return 0;
}

static size_t limit_for(const struct file_class *fc)
{
    return fc->apex ? MD_APEX_MAX_BYTES : MD_XML_MAX_BYTES;
}

/* ---- directories ---------------------------------------------------------- */

static int read_file(struct walker *w, const char *path, const char *display, size_t limit, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        md_org_diag(w->o, md_strdup(&w->o->arena, display), 0, "cannot open: %s", strerror(errno));
        return 1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || (size_t)st.st_size > limit) {
        md_org_diag(w->o, md_strdup(&w->o->arena, display), 0, "file of %lld bytes skipped (limit %zu)",
                    (long long)st.st_size, limit);
        close(fd);
        return 1;
    }
    if (ensure(w, (size_t)st.st_size + 1) < 0) {
        close(fd);
        return -1;
    }
    size_t got = 0;
    for (;;) {
        ssize_t r = read(fd, w->buf + got, w->cap - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            md_org_diag(w->o, md_strdup(&w->o->arena, display), 0, "read error: %s", strerror(errno));
            close(fd);
            return 1;
        }
        if (r == 0)
            break;
        got += (size_t)r;
        if (got > limit) {
            md_org_diag(w->o, md_strdup(&w->o->arena, display), 0, "file grew past %zu bytes while read: skipped", limit);
            close(fd);
            return 1;
        }
        if (got == w->cap - 1 && ensure(w, w->cap * 2) < 0) {
            close(fd);
            return -1;
        }
    }
    close(fd);
    w->buf[got] = '\0';
    *len = got;
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(struct walker *w, const char *path, const char *display, const char *pkg_ns, int depth)
{
    if (depth > WALK_DEPTH_MAX)
        return 0;
    DIR *d = opendir(path);
    if (!d) {
        md_org_diag(w->o, md_strdup(&w->o->arena, display), 0, "cannot read directory: %s", strerror(errno));
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "node_modules") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = -1;
                break;
            }
            names = nn;
        }
        names[n] = strdup(e->d_name);
        if (!names[n]) {
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, name_cmp);
    /* a package.xml with a namespace makes this subtree that package's */
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (strcmp(names[i], "package.xml") != 0)
            continue;
        char full[4096], disp[4096];
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        snprintf(disp, sizeof disp, "%s%s%s", display, *display ? "/" : "", names[i]);
        size_t len;
        int r = read_file(w, full, disp, MD_XML_MAX_BYTES, &len);
        if (r < 0)
            rc = -1;
        if (r != 0)
            continue;
        const char *ns = NULL;
        struct md_xml_file xf = { md_strdup(&w->o->arena, disp), "package", pkg_ns, MD_XML_PACKAGE };
        w->o->files_xml++;
        if (md_xml_read(w->o, w->buf, len, &xf, &ns) < 0)
            rc = -1;
        if (ns)
            pkg_ns = ns;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        char full[4096], disp[4096];
        int a = snprintf(full, sizeof full, "%s/%s", path, names[i]);
        int b = snprintf(disp, sizeof disp, "%s%s%s", display, *display ? "/" : "", names[i]);
        if (a >= (int)sizeof full || b >= (int)sizeof disp)
            continue;
        struct stat st;
        if (lstat(full, &st) < 0)
            continue;
        if (S_ISLNK(st.st_mode)) {
            /* links to files are read; links to directories are not followed,
             * so a link cycle cannot make the walk exponential */
            if (stat(full, &st) < 0 || S_ISDIR(st.st_mode))
                continue;
        }
        if (S_ISDIR(st.st_mode)) {
            rc = walk_dir(w, full, disp, pkg_ns, depth + 1);
            continue;
        }
        if (!S_ISREG(st.st_mode) || strcmp(names[i], "package.xml") == 0)
            continue;
        struct file_class fc;
        if (!classify(full, &fc)) {
            w->o->files_other++;
            continue;
        }
        size_t len;
        int r = read_file(w, full, disp, limit_for(&fc), &len);
        if (r < 0)
            rc = -1;
        else if (r == 0 && process(w, disp, &fc, pkg_ns, len) < 0)
            rc = -1;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

/* ---- zip archives --------------------------------------------------------- */

struct zns {
    char dir[1024];
    const char *ns;
};

static int zip_entry(struct walker *w, zip_t *z, zip_uint64_t i, size_t limit, const char *disp, size_t *len)
{
    zip_stat_t st;
    if (zip_stat_index(z, i, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE)) {
        md_org_diag(w->o, md_strdup(&w->o->arena, disp), 0, "zip entry unreadable: %s", zip_strerror(z));
        return 1;
    }
    if (st.size > limit) {
        md_org_diag(w->o, md_strdup(&w->o->arena, disp), 0, "zip entry of %llu bytes skipped (limit %zu)",
                    (unsigned long long)st.size, limit);
        return 1;
    }
    if (ensure(w, (size_t)st.size + 1) < 0)
        return -1;
    zip_file_t *zf = zip_fopen_index(z, i, 0);
    if (!zf) {
        md_org_diag(w->o, md_strdup(&w->o->arena, disp), 0, "zip entry cannot be opened: %s", zip_strerror(z));
        return 1;
    }
    /* read one byte more than announced: a lying size is caught, never trusted */
    zip_int64_t got = zip_fread(zf, w->buf, (zip_uint64_t)st.size + (st.size < w->cap - 1 ? 1 : 0));
    zip_fclose(zf);
    if (got < 0 || (zip_uint64_t)got != st.size) {
        md_org_diag(w->o, md_strdup(&w->o->arena, disp), 0, "zip entry corrupt or of the wrong size");
        return 1;
    }
    w->buf[got] = '\0';
    *len = (size_t)got;
    return 0;
}

static int walk_zip(struct walker *w, const char *path, struct tr_error *err)
{
    int zerr = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        tr_errorf(err, "'%s': cannot open as zip: %s", path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return -1;
    }
    const char *zbase = base_name(path);
    zip_int64_t n = zip_get_num_entries(z, 0);
    struct zns nss[64];
    size_t nns = 0;
    int rc = 0;
    /* pass 1: package.xml files and their namespaces */
    for (zip_int64_t i = 0; i < n && rc == 0; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        if (!name || strcmp(base_name(name), "package.xml") != 0)
            continue;
        char disp[4096];
        snprintf(disp, sizeof disp, "%s!/%s", zbase, name);
        size_t len;
        int r = zip_entry(w, z, (zip_uint64_t)i, MD_XML_MAX_BYTES, disp, &len);
        if (r < 0)
            rc = -1;
        if (r != 0)
            continue;
        const char *ns = NULL;
        struct md_xml_file xf = { md_strdup(&w->o->arena, disp), "package", NULL, MD_XML_PACKAGE };
        w->o->files_xml++;
        if (md_xml_read(w->o, w->buf, len, &xf, &ns) < 0)
            rc = -1;
        if (ns && nns < sizeof nss / sizeof nss[0]) {
            size_t dl = (size_t)(base_name(name) - name);
            if (dl < sizeof nss[nns].dir) {
                memcpy(nss[nns].dir, name, dl);
                nss[nns].dir[dl] = '\0';
                nss[nns].ns = ns;
                nns++;
            }
        }
    }
    for (zip_int64_t i = 0; i < n && rc == 0; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        if (!name || ends_with(name, "/") || strcmp(base_name(name), "package.xml") == 0)
            continue;
        struct file_class fc;
        if (!classify(name, &fc)) {
            w->o->files_other++;
            continue;
        }
        const char *pkg_ns = NULL;
        size_t best = 0;
        for (size_t k = 0; k < nns; k++) {
            size_t dl = strlen(nss[k].dir);
            if (dl >= best && strncmp(name, nss[k].dir, dl) == 0) {
                best = dl;
                pkg_ns = nss[k].ns;
            }
        }
        char disp[4096];
        snprintf(disp, sizeof disp, "%s!/%s", zbase, name);
        size_t len;
        int r = zip_entry(w, z, (zip_uint64_t)i, limit_for(&fc), disp, &len);
        if (r < 0)
            rc = -1;
        else if (r == 0 && process(w, disp, &fc, pkg_ns, len) < 0)
            rc = -1;
    }
    zip_discard(z);
    if (rc < 0)
        tr_errorf(err, "'%s': out of memory", path);
    return rc;
}

static int exists(const char *dir, const char *name)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat st;
    return stat(p, &st) == 0;
}

int md_read_path(struct md_org *o, const char *path, struct tr_error *err)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return tr_errorf(err, "'%s': %s", path, strerror(errno));
    struct walker w = { .o = o };
    xmlInitParser();
    int rc;
    if (S_ISDIR(st.st_mode)) {
        if (exists(path, "sfdx-project.json"))
            o->layout = "sfdx";
        else if (exists(path, "package.xml") || exists(path, "src/package.xml"))
            o->layout = "mdapi";
        else
            o->layout = "files";
        rc = walk_dir(&w, path, "", NULL, 0);
        if (rc < 0)
            tr_errorf(err, "'%s': out of memory", path);
    } else if (ends_with(path, ".zip") || ends_with(path, ".ZIP")) {
        o->layout = "zip";
        rc = walk_zip(&w, path, err);
    } else {
        struct file_class fc;
        o->layout = "files";
        rc = 0;
        if (!classify(path, &fc)) {
            rc = tr_errorf(err, "'%s': not an Apex or metadata file, a directory or a .zip", path);
        } else {
            size_t len;
            int r = read_file(&w, path, path, limit_for(&fc), &len);
            if (r < 0 || (r == 0 && process(&w, path, &fc, NULL, len) < 0))
                rc = tr_errorf(err, "'%s': out of memory", path);
        }
    }
    apex_scratch_free(&w.sc);
    free(w.buf);
    return rc;
}
