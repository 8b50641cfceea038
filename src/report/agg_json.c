/* The JSON document of an aggregate: shape documented in agg_report.h. */
#include "report/agg_common.h"

#include <stdlib.h>
#include <string.h>

#include "analyze/trend.h"

static void versions(struct json_writer *w, const char *key, const uint64_t *v)
{
    json_key(w, key);
    json_object_begin(w);
    for (int i = 0; i < TLSV_SLOTS; i++) {
        json_key(w, tls_version_name(i));
        json_uint(w, v[i]);
    }
    json_object_end(w);
}

static void time_member(struct json_writer *w, const char *key, int64_t t)
{
    char buf[32];
    json_key(w, key);
    json_string(w, agg_format_time(t, buf, sizeof buf)); /* NULL writes null */
}

static void key_string(struct json_writer *w, const char *s, size_t n)
{
    if (n)
        json_string_n(w, s, n);
    else
        json_null(w);
}

static void counts(struct json_writer *w, const struct agg_row *r)
{
    versions(w, "versions", r->versions);
    json_key(w, "total");
    json_uint(w, r->total);
    json_key(w, "legacy");
    json_uint(w, r->legacy);
    json_key(w, "legacy_share");
    json_double(w, agg_row_share(r), 4);
    json_key(w, "failed");
    json_uint(w, r->failed);
    json_key(w, "failed_legacy");
    json_uint(w, r->failed_legacy);
    time_member(w, "first_seen", r->first_seen);
    time_member(w, "last_seen", r->last_seen);
    time_member(w, "first_legacy", r->first_legacy);
    time_member(w, "last_legacy", r->last_legacy);
    int any = 0;
    for (int i = 0; i < TLSV_SLOTS; i++)
        any |= r->offered[i] != 0;
    if (any)
        versions(w, "offered", r->offered);
}

static void row(struct json_writer *w, struct aggregate *a, const struct agg_report *rep,
                const struct agg_table_spec *t, const struct agg_row *r)
{
    char buf[1024];
    json_object_begin(w);
    json_key(w, t->key);
    if (r->key_len)
        json_string(w, agg_display_key(r, buf, sizeof buf));
    else
        json_null(w);
    for (int i = 0; i < t->n_parts; i++) {
        size_t len = 0;
        const char *p = agg_key_part(r->key, r->key_len, i, &len);
        json_key(w, t->parts[i]);
        key_string(w, p, p ? len : 0);
    }
    counts(w, r);
    const struct agg_config *cfg = aggregate_config(a);
    if (cfg->n_categories) {
        json_key(w, "category");
        json_string(w, aggregate_category_name(a, agg_row_category(r, cfg->n_categories)));
    }
    for (int k = 0; k < t->n_tops; k++) {
        const struct agg_top_spec *ts = &t->tops[k];
        size_t max = ts->max ? ts->max : 10;
        const struct agg_row **top = calloc(max, sizeof *top);
        const struct agg_pair_row **pr = calloc(max, sizeof *pr);
        size_t n = top && pr ? aggregate_top(a, ts->pair, r, top, pr, max) : 0;
        json_key(w, ts->name);
        json_array_begin(w);
        for (size_t i = 0; i < n; i++) {
            json_object_begin(w);
            json_key(w, ts->key);
            if (top[i]->key_len)
                json_string(w, agg_display_key(top[i], buf, sizeof buf));
            else
                json_null(w);
            json_key(w, "legacy");
            json_uint(w, pr[i]->legacy + pr[i]->failed_legacy);
            json_key(w, "total");
            json_uint(w, pr[i]->total + pr[i]->failed);
            time_member(w, "last_legacy", pr[i]->last_legacy);
            json_object_end(w);
        }
        json_array_end(w);
        free(top);
        free(pr);
    }
    if (rep->hooks.json_row)
        rep->hooks.json_row(rep->hooks.ctx, t, r, w);
    json_object_end(w);
}

static void categories(struct json_writer *w, struct aggregate *a, const struct agg_report *rep)
{
    const struct agg_config *cfg = aggregate_config(a);
    const struct agg_row *tot = aggregate_totals(a);
    json_key(w, "categories");
    json_array_begin(w);
    for (int c = 0; c < cfg->n_categories; c++) {
        json_object_begin(w);
        json_key(w, "category");
        json_string(w, cfg->category_names[c]);
        json_key(w, "legacy");
        json_uint(w, tot->cat_legacy[c]);
        json_key(w, "total");
        json_uint(w, tot->cat_all[c]);
        for (int i = 0; i < rep->n_tables; i++) {
            const struct agg_table_spec *t = &rep->tables[i];
            if (!t->summary_count)
                continue;
            /* rows on legacy whose main category is c */
            size_t n = aggregate_count(a, t->dim), k = 0;
            const struct agg_row *rows = aggregate_rows(a, t->dim);
            for (size_t j = 0; j < n; j++)
                k += rows[j].legacy + rows[j].failed_legacy && agg_row_category(&rows[j], cfg->n_categories) == c;
            char key[96];
            snprintf(key, sizeof key, "legacy_%s", t->name);
            json_key(w, key);
            json_uint(w, k);
        }
        json_object_end(w);
    }
    json_array_end(w);
}

static void trend(struct json_writer *w, const struct aggregate *a, int64_t cutover)
{
    struct agg_trend tr;
    if (agg_trend_compute(a, cutover, &tr) < 0 || !tr.have_days)
        return;
    char buf[32];
    json_key(w, "trend");
    json_object_begin(w);
    json_key(w, "cutover");
    json_string(w, agg_format_day(cutover, buf, sizeof buf));
    json_key(w, "first_day");
    json_string(w, tr.first_day);
    json_key(w, "last_day");
    json_string(w, tr.last_day);
    json_key(w, "days");
    json_uint(w, tr.days);
    json_key(w, "total_before");
    json_uint(w, tr.total_before);
    json_key(w, "legacy_before");
    json_uint(w, tr.legacy_before);
    json_key(w, "total_after");
    json_uint(w, tr.total_after);
    json_key(w, "legacy_after");
    json_uint(w, tr.legacy_after);
    json_key(w, "first_week_share");
    json_double(w, tr.first_week_share, 4);
    json_key(w, "last_week_share");
    json_double(w, tr.last_week_share, 4);
    json_key(w, "direction");
    json_string(w, tr.direction < 0 ? "falling" : tr.direction > 0 ? "rising" : "flat");
    json_object_end(w);
}

void agg_write_json(struct tr_buf *out, struct aggregate *a, const struct agg_report *rep)
{
    struct json_writer w;
    json_init(&w, out);
    const struct agg_config *cfg = aggregate_config(a);
    const struct agg_row *tot = aggregate_totals(a);
    json_object_begin(&w);
    json_key(&w, "command");
    json_string(&w, rep->command);
    json_key(&w, "min");
    json_string(&w, tls_version_name(cfg->min_version));
    json_key(&w, "summary");
    json_object_begin(&w);
    json_key(&w, "rows_read");
    json_uint(&w, rep->rows_read);
    json_key(&w, "rows_skipped");
    json_uint(&w, rep->rows_skipped);
    json_key(&w, "unit");
    json_string(&w, rep->unit);
    counts(&w, tot);
    for (int i = 0; i < rep->n_tables; i++) {
        const struct agg_table_spec *t = &rep->tables[i];
        if (!t->summary_count)
            continue;
        char key[96];
        snprintf(key, sizeof key, "distinct_%s", t->name);
        json_key(&w, key);
        json_uint(&w, aggregate_count(a, t->dim));
        snprintf(key, sizeof key, "legacy_%s", t->name);
        json_key(&w, key);
        json_uint(&w, aggregate_count_legacy(a, t->dim));
    }
    if (cfg->n_categories)
        categories(&w, a, rep);
    if (aggregate_count(a, AGG_DAY))
        trend(&w, a, rep->cutover);
    if (rep->hooks.json_summary)
        rep->hooks.json_summary(rep->hooks.ctx, &w);
    json_object_end(&w);
    for (int i = 0; i < rep->n_tables; i++) {
        const struct agg_table_spec *t = &rep->tables[i];
        size_t n;
        const struct agg_row **rows = aggregate_sorted(a, t->dim, t->order, 0, &n);
        json_key(&w, t->name);
        json_array_begin(&w);
        for (size_t j = 0; j < n; j++)
            row(&w, a, rep, t, rows[j]);
        json_array_end(&w);
        free(rows);
    }
    json_object_end(&w);
    tr_buf_push_u8(out, '\n');
}
