/*
 * Fuzzes the Salesforce path end to end on arbitrary bytes: the CSV reader,
 * header detection, rows to observations (times, versions, ELF codes, user
 * agents), the category rules (the bytes parsed as a rules file too) and the
 * aggregation of what comes out, then the JSON writer over it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/aggregate.h"
#include "analyze/sf_rules.h"
#include "ingest/csv.h"
#include "ingest/salesforce.h"
#include "report/agg_report.h"

static struct sf_rules *default_rules(void)
{
    static struct sf_rules *r;
    if (!r) {
        struct tr_error err;
        r = sf_rules_new();
        sf_rules_add_text(r, sf_rules_default, strlen(sf_rules_default), "built-in", &err);
    }
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    struct tr_error err;
    int64_t t;
    sf_parse_time((const char *)data, len, len & 1, 3600, &t);
    struct sf_rules *mine = sf_rules_new();
    sf_rules_add_text(mine, (const char *)data, len, "fuzz", &err);
    sf_rules_free(mine);

    struct sf_classifier *cl = sf_classifier_new(default_rules());
    struct agg_config cfg = { .dims = (1u << AGG_DIM_COUNT) - 1, .min_version = TLSV_TLS12,
                              .classify = sf_classify_login, .classify_ctx = cl,
                              .category_names = sf_category_names, .n_categories = SF_CAT_COUNT,
                              .pairs = { { AGG_USER, AGG_APPLICATION, 1 } }, .n_pairs = 1 };
    struct aggregate *agg = aggregate_new(&cfg);
    struct csv_limits lim = { .max_field = 256, .max_row = 4096, .max_fields = 64, .chunk = 512 };
    struct csv_reader r;
    if (!agg || !cl || csv_init(&r, &lim) < 0) {
        aggregate_free(agg);
        sf_classifier_free(cl);
        return 0;
    }
    size_t pos = 0;
    struct sf_layout layout;
    int have = 0;
    for (;;) {
        struct csv_row row;
        int st = csv_next(&r, &row);
        if (st == CSV_END)
            break;
        if (st == CSV_NEED_MORE) {
            if (pos == len) {
                csv_set_eof(&r);
                continue;
            }
            pos += csv_feed(&r, data + pos, len - pos);
            continue;
        }
        if (st != CSV_ROW)
            continue;
        csv_terminate(&row);
        if (!have) {
            have = sf_layout_from_header(&layout, &row, len > 2 ? (enum sf_format)(data[len - 1] % 4) : SF_AUTO,
                                         &err) == 0;
            continue;
        }
        struct sf_login lg;
        if (sf_login_from_row(&lg, &layout, &row, NULL, 0, &err) == 0)
            aggregate_add(agg, &lg.obs);
    }
    csv_free(&r);
    static const struct agg_table_spec tables[] = {
        { .dim = AGG_USER, .name = "users", .key = "user", .title = "Users",
          .tops = { { 0, "applications", "application", 3 } }, .n_tops = 1, .text_by_category = 1 },
        { .dim = AGG_DAY, .name = "days", .key = "day", .order = AGG_BY_KEY },
    };
    struct agg_report rep = { .command = "logins", .unit = "logins", .cutover = OBS_TIME_UNKNOWN,
                              .tables = tables, .n_tables = 2 };
    struct tr_buf out;
    tr_buf_init(&out, NULL, 0);
    agg_write_json(&out, agg, &rep);
    agg_write_text(&out, agg, &rep, 0);
    tr_buf_free(&out);
    aggregate_free(agg);
    sf_classifier_free(cl);
    return 0;
}
