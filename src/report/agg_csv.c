/* One table of an aggregate as CSV: columns documented in agg_report.h. */
#include "report/agg_common.h"

#include <stdlib.h>
#include <string.h>

#include "report/csv.h"

static void time_field(struct tr_buf *out, int64_t t)
{
    char buf[32];
    csv_field(out, agg_format_time(t, buf, sizeof buf), 0);
}

void agg_write_csv(struct tr_buf *out, struct aggregate *a, const struct agg_report *rep,
                   const struct agg_table_spec *t)
{
    const struct agg_config *cfg = aggregate_config(a);
    /* header */
    if (t->n_parts) {
        for (int i = 0; i < t->n_parts; i++)
            csv_field(out, t->parts[i], i == 0);
    } else {
        csv_field(out, t->key, 1);
    }
    for (int v = 0; v < TLSV_SLOTS; v++)
        csv_field(out, tls_version_name(v), 0);
    static const char *const cols[] = { "total", "legacy", "failed", "failed_legacy", "first_seen",
                                        "last_seen", "first_legacy", "last_legacy" };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        csv_field(out, cols[i], 0);
    if (cfg->n_categories)
        csv_field(out, "category", 0);
    for (int k = 0; k < t->n_tops; k++)
        csv_field(out, t->tops[k].name, 0);
    if (rep->hooks.csv_header)
        rep->hooks.csv_header(rep->hooks.ctx, t, out);
    csv_row_end(out);

    size_t n;
    const struct agg_row **rows = aggregate_sorted(a, t->dim, t->order, 0, &n);
    char buf[1024];
    struct tr_buf list;
    tr_buf_init(&list, NULL, 0);
    for (size_t j = 0; j < n; j++) {
        const struct agg_row *r = rows[j];
        if (t->n_parts) {
            for (int i = 0; i < t->n_parts; i++) {
                size_t len = 0;
                const char *p = agg_key_part(r->key, r->key_len, i, &len);
                snprintf(buf, sizeof buf, "%.*s", p ? (int)len : 0, p ? p : "");
                csv_field(out, buf, i == 0);
            }
        } else {
            csv_field(out, r->key, 1);
        }
        for (int v = 0; v < TLSV_SLOTS; v++)
            csv_field_u64(out, r->versions[v], 0);
        csv_field_u64(out, r->total, 0);
        csv_field_u64(out, r->legacy, 0);
        csv_field_u64(out, r->failed, 0);
        csv_field_u64(out, r->failed_legacy, 0);
        time_field(out, r->first_seen);
        time_field(out, r->last_seen);
        time_field(out, r->first_legacy);
        time_field(out, r->last_legacy);
        if (cfg->n_categories)
            csv_field(out, aggregate_category_name(a, agg_row_category(r, cfg->n_categories)), 0);
        for (int k = 0; k < t->n_tops; k++) {
            size_t max = t->tops[k].max ? t->tops[k].max : 10;
            const struct agg_row **top = calloc(max, sizeof *top);
            size_t m = top ? aggregate_top(a, t->tops[k].pair, r, top, NULL, max) : 0;
            list.len = 0;
            for (size_t i = 0; i < m; i++) {
                if (i)
                    tr_buf_puts(&list, "; ");
                tr_buf_puts(&list, top[i]->key_len ? agg_display_key(top[i], buf, sizeof buf) : "(unknown)");
            }
            csv_field(out, tr_buf_cstr(&list), 0);
            free(top);
        }
        if (rep->hooks.csv_row)
            rep->hooks.csv_row(rep->hooks.ctx, t, r, out);
        csv_row_end(out);
    }
    tr_buf_free(&list);
    free(rows);
}
