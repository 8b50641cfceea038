/* Joining scan verdicts into endpoint rows: see md_scan.h. */
#include "metadata/md_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/target.h"
#include "tls/version.h"

struct job {
    struct md_org *o;
    struct md_result *r;
    size_t *first_row;   /* per target: one row index with that host:port */
    struct scan_target *targets;
    size_t n;
    int min;
};

static void versions_list(char *buf, size_t cap, unsigned mask)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int v = 0; v < TLSV_COUNT; v++)
        if (mask & (1u << v))
            k += (size_t)snprintf(buf + k, k < cap ? cap - k : 0, "%s%s", k ? ", " : "", tls_version_name(v));
}

static const char *note_for(struct job *j, const struct endpoint_result *res, unsigned accepted)
{
    char vs[96], buf[512];
    versions_list(vs, sizeof vs, accepted);
    const char *min = tls_version_name(j->min);
    if (res->verdict == VERDICT_FAIL) {
        unsigned n = 0;
        for (int v = 0; v < TLSV_COUNT; v++)
            n += (accepted >> v) & 1u;
        snprintf(buf, sizeof buf, "accepts %s%s: this integration breaks at the cut-over to %s",
                 n == 1 ? "only " : "", n ? vs : "no version at or above the minimum", min);
    } else if (res->verdict == VERDICT_OK) {
        unsigned below = accepted & ((1u << j->min) - 1u);
        if (below) {
            char bl[96];
            versions_list(bl, sizeof bl, below);
            snprintf(buf, sizeof buf, "accepts %s: ready for %s (still also accepts %s)", vs, min, bl);
        } else {
            snprintf(buf, sizeof buf, "accepts %s: ready for %s", vs, min);
        }
    } else {
        const char *why = NULL;
        for (int v = TLSV_COUNT - 1; v >= 0 && !why; v--)
            if (res->reason[v][0])
                why = res->reason[v];
        snprintf(buf, sizeof buf, "could not tell%s%s%s%s", res->address[0] ? " (" : "",
                 res->address[0] ? res->address : "", res->address[0] ? ")" : "", "");
        if (why) {
            size_t k = strlen(buf);
            snprintf(buf + k, sizeof buf - k, ": %s", why);
        }
    }
    const char *s = md_strdup(&j->o->arena, buf);
    return s ? s : "";
}

static void on_result(const struct endpoint_result *res, void *ctx)
{
    struct job *j = ctx;
    if (res->target_index >= j->n || res->address_index > 0)
        return;
    const struct scan_target *t = &j->targets[res->target_index];
    unsigned accepted = 0, unknown = 0;
    for (int v = 0; v < TLSV_COUNT; v++) {
        if (res->status[v] == VS_ACCEPTED)
            accepted |= 1u << v;
        else if (res->status[v] == VS_UNKNOWN)
            unknown |= 1u << v;
    }
    const char *note = note_for(j, res, accepted);
    const char *verdict = scan_verdict_name(res->verdict);
    for (size_t i = 0; i < j->r->nrows; i++) {
        struct md_row *row = &j->r->rows[i];
        if (!md_row_is_target(row) || row->port != t->port || strcmp(row->host, t->host) != 0)
            continue;
        row->scan.done = 1;
        row->scan.verdict = verdict;
        row->scan.accepted = accepted;
        row->scan.unknown = unknown;
        row->scan.note = note;
    }
}

int md_scan_rows(struct md_org *o, struct md_result *r, const struct scan_options *opts, struct scan_stats *stats,
                 struct tr_error *err)
{
    struct target_list tl;
    target_list_init(&tl);
    int rc = -1;
    for (size_t i = 0; i < r->nrows; i++) {
        const struct md_row *row = &r->rows[i];
        if (!md_row_is_target(row))
            continue;
        char spec[300];
        if (strchr(row->host, ':'))
            snprintf(spec, sizeof spec, "[%s]:%d", row->host, row->port);
        else
            snprintf(spec, sizeof spec, "%s:%d", row->host, row->port);
        struct scan_target t;
        if (target_parse(spec, strlen(spec), &t, err) < 0) {
            tr_error_prefix(err, "endpoint '%s'", row->url);
            goto out;
        }
        if (target_list_add(&tl, &t, err) < 0)
            goto out;
    }
    struct job j = { o, r, NULL, tl.v, tl.n, opts->min_version };
    if (tl.n == 0) {
        rc = 0;
        goto out;
    }
    rc = scan_run(opts, tl.v, tl.n, on_result, &j, stats, err);
out:
    target_list_free(&tl);
    return rc;
}
