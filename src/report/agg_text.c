/*
 * The terminal report of an aggregate: a summary first (how much legacy, where,
 * and whether it is falling), then the top rows of each table, by category
 * where the command asks for it.
 */
#include "report/agg_common.h"

#include <stdlib.h>
#include <string.h>

#include "analyze/trend.h"

#define LABEL_W 40

/*
 * Values come from untrusted input: a key may hold a line break (Salesforce
 * application names do) or a terminal escape sequence. Control bytes become
 * spaces, in place, so the report stays one row per line and inert.
 */
static const char *inert(const char *s, char *buf, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
    buf[i] = 0;
    return buf;
}

static void heading(struct tr_buf *out, int color, const char *fmt, const char *a, const char *b)
{
    tr_buf_puts(out, color ? "\n\033[1m" : "\n");
    tr_buf_printf(out, fmt, a, b);
    tr_buf_puts(out, color ? "\033[0m\n" : "\n");
}

static void summary(struct tr_buf *out, struct aggregate *a, const struct agg_report *rep)
{
    const struct agg_config *cfg = aggregate_config(a);
    const struct agg_row *t = aggregate_totals(a);
    char b1[32], b2[32], b3[32];
    tr_buf_printf(out, "  %-20s %s read", "records", agg_fmt_count(rep->rows_read, b1, sizeof b1));
    if (rep->rows_skipped)
        tr_buf_printf(out, ", %s malformed and skipped", agg_fmt_count(rep->rows_skipped, b2, sizeof b2));
    tr_buf_puts(out, "\n");
    tr_buf_printf(out, "  %-20s %s of %s (%.1f%%)", "legacy", agg_fmt_count(t->legacy, b1, sizeof b1),
                  agg_fmt_count(t->total, b2, sizeof b2), 100.0 * agg_row_share(t));
    const char *sep = ": ";
    for (int v = 0; v < TLSV_COUNT; v++) {
        if (v >= cfg->min_version || !t->versions[v])
            continue;
        tr_buf_printf(out, "%s%s %s", sep, tls_version_name(v), agg_fmt_count(t->versions[v], b3, sizeof b3));
        sep = ", ";
    }
    tr_buf_printf(out, "\n  %-20s", "by version");
    for (int v = 0; v < TLSV_SLOTS; v++)
        if (t->versions[v])
            tr_buf_printf(out, " %s %s", tls_version_name(v), agg_fmt_count(t->versions[v], b3, sizeof b3));
    tr_buf_puts(out, "\n");
    if (t->failed)
        tr_buf_printf(out, "  %-20s %s (%s of them with legacy TLS), counted apart\n", "failed",
                      agg_fmt_count(t->failed, b1, sizeof b1), agg_fmt_count(t->failed_legacy, b2, sizeof b2));
    for (int i = 0; i < rep->n_tables; i++) {
        const struct agg_table_spec *ts = &rep->tables[i];
        if (!ts->summary_count)
            continue;
        tr_buf_printf(out, "  %-20s %s of %s on legacy TLS\n", ts->name,
                      agg_fmt_count(aggregate_count_legacy(a, ts->dim), b1, sizeof b1),
                      agg_fmt_count(aggregate_count(a, ts->dim), b2, sizeof b2));
    }
    int first_cat = 1;
    for (int c = 0; c < cfg->n_categories; c++) {
        if (!t->cat_legacy[c])
            continue;
        tr_buf_printf(out, "  %-20s %s: %s legacy", first_cat ? "by category" : "",
                      rep->category_titles ? rep->category_titles[c] : cfg->category_names[c],
                      agg_fmt_count(t->cat_legacy[c], b1, sizeof b1));
        first_cat = 0;
        for (int i = 0; i < rep->n_tables; i++) {
            const struct agg_table_spec *ts = &rep->tables[i];
            if (!ts->summary_count)
                continue;
            size_t n = aggregate_count(a, ts->dim), k = 0;
            const struct agg_row *rows = aggregate_rows(a, ts->dim);
            for (size_t j = 0; j < n; j++)
                k += rows[j].legacy + rows[j].failed_legacy && agg_row_category(&rows[j], cfg->n_categories) == c;
            tr_buf_printf(out, ", %s %s", agg_fmt_count(k, b2, sizeof b2), ts->name);
        }
        tr_buf_puts(out, "\n");
    }
    struct agg_trend tr;
    if (aggregate_count(a, AGG_DAY) && agg_trend_compute(a, rep->cutover, &tr) == 0 && tr.have_days) {
        tr_buf_printf(out, "  %-20s %s .. %s: legacy share %.1f%% in the first week, %.1f%% in the last: %s\n",
                      "trend", tr.first_day, tr.last_day, 100 * tr.first_week_share, 100 * tr.last_week_share,
                      tr.direction < 0 ? "falling" : tr.direction > 0 ? "rising" : "flat");
        if (rep->cutover != OBS_TIME_UNKNOWN)
            tr_buf_printf(out, "  %-20s %s: %s legacy before it, %s on or after it\n", "cut-over",
                          agg_format_day(rep->cutover, b1, sizeof b1), agg_fmt_count(tr.legacy_before, b2, sizeof b2),
                          agg_fmt_count(tr.legacy_after, b3, sizeof b3));
    }
    if (t->last_legacy != OBS_TIME_UNKNOWN)
        tr_buf_printf(out, "  %-20s %s\n", "last legacy", agg_format_time(t->last_legacy, b1, sizeof b1));
}

/* The legacy version columns: ssl3 only when the input has any. */
static int first_column(const struct aggregate *a)
{
    const struct agg_row *t = aggregate_totals(a);
    return t->versions[TLSV_SSL3] || t->offered[TLSV_SSL3] ? TLSV_SSL3 : TLSV_TLS10;
}

static void table_header(struct tr_buf *out, const struct aggregate *a, const struct agg_table_spec *t)
{
    tr_buf_printf(out, "  %-*s %8s %7s", LABEL_W, t->key, "legacy", "share");
    for (int v = first_column(a); v < aggregate_config(a)->min_version; v++)
        tr_buf_printf(out, " %7s", tls_version_name(v));
    tr_buf_printf(out, " %7s  %-20s  %s\n", "failed", "last legacy", t->n_tops ? t->tops[0].name : "");
}

static void table_row(struct tr_buf *out, struct aggregate *a, const struct agg_report *rep,
                      const struct agg_table_spec *t, const struct agg_row *r)
{
    char lab[512], key[1024], tb[32];
    const char *label = NULL;
    if (rep->hooks.text_label)
        label = rep->hooks.text_label(rep->hooks.ctx, t, r, lab, sizeof lab);
    if (!label)
        label = r->key_len ? agg_display_key(r, key, sizeof key) : "(unknown)";
    char clean[512];
    label = inert(label, clean, sizeof clean);
    size_t ll = strlen(label);
    if (ll > LABEL_W)
        tr_buf_printf(out, "  %.*s… %8llu", LABEL_W - 1, label, (unsigned long long)r->legacy);
    else
        tr_buf_printf(out, "  %-*s %8llu", LABEL_W, label, (unsigned long long)r->legacy);
    tr_buf_printf(out, " %6.1f%%", 100.0 * agg_row_share(r));
    for (int v = first_column(a); v < aggregate_config(a)->min_version; v++)
        tr_buf_printf(out, " %7llu", (unsigned long long)r->versions[v]);
    const char *last = agg_format_time(r->last_legacy, tb, sizeof tb);
    tr_buf_printf(out, " %7llu  %-20s  ", (unsigned long long)r->failed, last ? last : "-");
    if (t->n_tops) {
        const struct agg_row *top[3];
        size_t n = aggregate_top(a, t->tops[0].pair, r, top, NULL, 3);
        size_t all = aggregate_top_count(a, t->tops[0].pair, r);
        for (size_t i = 0; i < n; i++)
            tr_buf_printf(out, "%s%s", i ? ", " : "",
                          top[i]->key_len ? inert(agg_display_key(top[i], key, sizeof key), clean, sizeof clean)
                                          : "(unknown)");
        if (all > n)
            tr_buf_printf(out, " +%zu more", all - n);
    }
    tr_buf_puts(out, "\n");
}

static void table(struct tr_buf *out, struct aggregate *a, const struct agg_report *rep,
                  const struct agg_table_spec *t, int color)
{
    size_t n;
    const struct agg_row **rows = aggregate_sorted(a, t->dim, t->order, t->text_legacy_only, &n);
    size_t limit = t->text_limit > 0 ? (size_t)t->text_limit : 10;
    const struct agg_config *cfg = aggregate_config(a);
    char b2[64];
    if (!n) {
        heading(out, color, "%s%s", t->title, ": none");
        free(rows);
        return;
    }
    if (!t->text_by_category || !cfg->n_categories) {
        snprintf(b2, sizeof b2, " (%s%zu of %zu)", n > limit ? "top " : "", n > limit ? limit : n, n);
        heading(out, color, "%s%s", t->title, b2);
        table_header(out, a, t);
        for (size_t i = 0; i < n && i < limit; i++)
            table_row(out, a, rep, t, rows[i]);
        free(rows);
        return;
    }
    for (int c = -1; c < cfg->n_categories; c++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            k += agg_row_category(rows[i], cfg->n_categories) == (c < 0 ? AGG_NO_CATEGORY : c);
        if (!k)
            continue;
        snprintf(b2, sizeof b2, " (%s%zu of %zu)", k > limit ? "top " : "", k > limit ? limit : k, k);
        char title[256];
        snprintf(title, sizeof title, "%s — %s", t->title,
                 c < 0 ? "uncategorised" : rep->category_titles ? rep->category_titles[c] : cfg->category_names[c]);
        heading(out, color, "%s%s", title, b2);
        table_header(out, a, t);
        size_t shown = 0;
        for (size_t i = 0; i < n && shown < limit; i++) {
            if (agg_row_category(rows[i], cfg->n_categories) != (c < 0 ? AGG_NO_CATEGORY : c))
                continue;
            table_row(out, a, rep, t, rows[i]);
            shown++;
        }
    }
    free(rows);
}

void agg_write_text(struct tr_buf *out, struct aggregate *a, const struct agg_report *rep, int color)
{
    const struct agg_config *cfg = aggregate_config(a);
    tr_buf_printf(out, "tlsready %s: minimum %s (below it is legacy TLS)\n", rep->command,
                  tls_version_name(cfg->min_version));
    heading(out, color, "%s%s", "Summary", "");
    summary(out, a, rep);
    for (int i = 0; i < rep->n_tables; i++)
        if (rep->tables[i].title)
            table(out, a, rep, &rep->tables[i], color);
}
