/* Unit tests for the aggregation engine and its writers: counts, legacy rules,
 * failed logins apart, tops, sorted access, and exact merging at every split. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyze/aggregate.h"
#include "analyze/trend.h"
#include "report/agg_report.h"

static const char *const cat_names[] = { "people", "tools", "integrations", "other" };

static int classify_by_app(void *ctx, const struct observation *o)
{
    (void)ctx;
    if (!o->application)
        return 3;
    if (strcmp(o->application, "Browser") == 0)
        return 0;
    if (strstr(o->application, "Loader"))
        return 1;
    return 2;
}

static struct agg_config full_config(int min)
{
    struct agg_config c = { 0 };
    c.dims = (1u << AGG_DIM_COUNT) - 1;
    c.min_version = min;
    c.classify = classify_by_app;
    c.category_names = cat_names;
    c.n_categories = 4;
    c.pairs[0] = (struct agg_pair_spec){ AGG_USER, AGG_APPLICATION, 1 };
    c.pairs[1] = (struct agg_pair_spec){ AGG_USER, AGG_CLIENT_IP, 0 };
    c.n_pairs = 2;
    return c;
}

static struct observation obs(int64_t t, const char *user, const char *app, const char *ip, int v, int success)
{
    struct observation o = { 0 };
    o.time = t;
    o.user = user;
    o.application = app;
    o.client_ip = ip;
    o.version = v;
    o.max_offered = TLSV_NONE;
    o.success = success;
    return o;
}

static void test_counts(void **state)
{
    (void)state;
    struct agg_config cfg = full_config(TLSV_TLS12);
    struct aggregate *a = aggregate_new(&cfg);
    assert_non_null(a);
    struct observation o[] = {
        obs(1488363753, "jane@x.com", "Browser", "10.0.0.1", TLSV_TLS10, 1),  /* 2017-03-01T10:22:33Z */
        obs(1488450153, "jane@x.com", "Browser", "10.0.0.1", TLSV_TLS12, 1),  /* 2017-03-02 */
        obs(1488450154, "jane@x.com", "Dataloader Bulk", "10.0.0.2", TLSV_TLS11, 1),
        obs(1488450155, "jane@x.com", "Browser", "10.0.0.1", TLSV_TLS10, 0),  /* failed */
        obs(OBS_TIME_UNKNOWN, "erp@x.com", "Boomi", "192.0.2.7", TLSV_UNKNOWN, -1),
        obs(1488536553, NULL, NULL, NULL, TLSV_NONE, 1),
    };
    o[5].user_id = "005000000000001AAA";
    for (size_t i = 0; i < sizeof o / sizeof o[0]; i++)
        assert_int_equal(aggregate_add(a, &o[i]), 0);

    const struct agg_row *t = aggregate_totals(a);
    assert_int_equal(t->total, 5);
    assert_int_equal(t->failed, 1);
    assert_int_equal(t->failed_legacy, 1);
    assert_int_equal(t->legacy, 2);
    assert_int_equal(t->versions[TLSV_TLS10], 1);
    assert_int_equal(t->versions[TLSV_TLS11], 1);
    assert_int_equal(t->versions[TLSV_TLS12], 1);
    assert_int_equal(t->versions[TLSV_UNKNOWN], 2);
    assert_int_equal(t->first_seen, 1488363753);
    assert_int_equal(t->last_seen, 1488536553);
    assert_int_equal(t->first_legacy, 1488363753);
    assert_int_equal(t->last_legacy, 1488450155); /* the failed legacy one is the latest legacy */

    assert_int_equal(aggregate_count(a, AGG_USER), 3);
    assert_int_equal(aggregate_count_legacy(a, AGG_USER), 1);
    const struct agg_row *jane = aggregate_find(a, AGG_USER, "jane@x.com", 10);
    assert_non_null(jane);
    assert_int_equal(jane->total, 3);
    assert_int_equal(jane->legacy, 2);
    assert_int_equal(jane->failed, 1);
    assert_non_null(aggregate_find(a, AGG_USER, "005000000000001AAA", 18)); /* id when no username */
    assert_int_equal(agg_row_category(jane, 4), 0); /* 2 legacy in people (1 failed), 1 in tools */
    assert_string_equal(aggregate_category_name(a, 0), "people");

    /* day keys, undated observations under "" */
    assert_int_equal(aggregate_count(a, AGG_DAY), 4);
    const struct agg_row *d = aggregate_find(a, AGG_DAY, "2017-03-02", 10);
    assert_non_null(d);
    assert_int_equal(d->total, 2);
    assert_int_equal(d->failed, 1);
    assert_non_null(aggregate_find(a, AGG_DAY, "", 0));

    /* multi-part keys */
    const struct agg_row *cl = aggregate_find(a, AGG_CLIENT, "Browser\x1f\x1f\x1f", 10);
    assert_non_null(cl);
    size_t len;
    const char *p = agg_key_part(cl->key, cl->key_len, 0, &len);
    assert_int_equal(len, 7);
    assert_memory_equal(p, "Browser", 7);
    assert_non_null(agg_key_part(cl->key, cl->key_len, 3, &len));
    assert_int_equal(len, 0);
    assert_null(agg_key_part(cl->key, cl->key_len, 4, &len));

    /* tops: jane's legacy applications (legacy-only pair), by legacy count */
    const struct agg_row *top[4];
    const struct agg_pair_row *pr[4];
    size_t n = aggregate_top(a, 0, jane, top, pr, 4);
    assert_int_equal(n, 2);
    assert_string_equal(top[0]->key, "Browser");
    assert_int_equal(pr[0]->failed_legacy, 1);
    assert_int_equal(pr[0]->legacy, 1);
    assert_string_equal(top[1]->key, "Dataloader Bulk");
    assert_int_equal(aggregate_top_count(a, 1, jane), 2); /* every IP, legacy or not */

    /* sorted access */
    size_t k;
    const struct agg_row **v = aggregate_sorted(a, AGG_USER, AGG_BY_LEGACY, 1, &k);
    assert_int_equal(k, 1);
    assert_string_equal(v[0]->key, "jane@x.com");
    free(v);
    v = aggregate_sorted(a, AGG_DAY, AGG_BY_KEY, 0, &k);
    assert_int_equal(k, 4);
    assert_string_equal(v[0]->key, "");
    assert_string_equal(v[1]->key, "2017-03-01");
    assert_string_equal(v[3]->key, "2017-03-03");
    free(v);
    aggregate_free(a);
}

static void test_legacy_rules(void **state)
{
    (void)state;
    struct agg_config cfg = { .dims = AGG_DIM_BIT(AGG_CLIENT_IP), .min_version = TLSV_TLS11 };
    struct aggregate *a = aggregate_new(&cfg);
    struct observation o = obs(0, NULL, NULL, "1.2.3.4", TLSV_TLS10, 1);
    aggregate_add(a, &o);               /* legacy under tls1.1 */
    o.version = TLSV_TLS11;
    aggregate_add(a, &o);               /* not legacy */
    o.version = TLSV_NONE;
    o.max_offered = TLSV_TLS10;         /* refused: nothing negotiated, offered 1.0 */
    o.success = 0;
    aggregate_add(a, &o);
    const struct agg_row *t = aggregate_totals(a);
    assert_int_equal(t->legacy, 1);
    assert_int_equal(t->failed_legacy, 1);
    assert_int_equal(t->offered[TLSV_TLS10], 1);
    assert_true(aggregate_is_legacy_version(a, TLSV_TLS10));
    assert_false(aggregate_is_legacy_version(a, TLSV_UNKNOWN));
    assert_false(aggregate_is_legacy_version(a, TLSV_NONE));
    aggregate_free(a);

    cfg.legacy_rule = AGG_LEGACY_OFFERED;
    cfg.min_version = TLSV_TLS12;
    a = aggregate_new(&cfg);
    o = obs(0, NULL, NULL, "1.2.3.4", TLSV_TLS10, 1);
    o.max_offered = TLSV_TLS12;         /* negotiated 1.0 but can do 1.2: survives the cut-over */
    aggregate_add(a, &o);
    o.max_offered = TLSV_TLS11;
    aggregate_add(a, &o);
    assert_int_equal(aggregate_totals(a)->legacy, 1);
    aggregate_free(a);

    struct agg_config bad = { .n_categories = AGG_MAX_CATEGORIES + 1 };
    assert_null(aggregate_new(&bad));
}

/* Deterministic pseudo-random observations with a small key space (collisions matter). */
static uint64_t rng = 0x1234567;
static uint32_t rnd(uint32_t n)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng >> 33) % n;
}

#define NOBS 120
static char users[NOBS][16], apps[NOBS][16], ips[NOBS][16];
static struct observation many[NOBS];

static void make_many(void)
{
    for (int i = 0; i < NOBS; i++) {
        snprintf(users[i], sizeof users[i], "u%u", rnd(9));
        snprintf(apps[i], sizeof apps[i], rnd(3) ? "Browser" : "App%u", rnd(4));
        snprintf(ips[i], sizeof ips[i], "10.0.0.%u", rnd(6));
        many[i] = obs(rnd(4) ? 1488363753 + (int64_t)rnd(30) * 86400 + rnd(86400) : OBS_TIME_UNKNOWN, users[i],
                      apps[i], ips[i], (int)rnd(TLSV_SLOTS + 1) - 1, (int)rnd(3) - 1);
        many[i].max_offered = rnd(2) ? TLSV_NONE : (int)rnd(TLSV_COUNT);
        many[i].cipher = rnd(2) ? "AES128-SHA" : NULL;
    }
}

static void assert_rows_equal(const struct agg_row *x, const struct agg_row *y)
{
    assert_int_equal(x->key_len, y->key_len);
    assert_memory_equal(x->key, y->key, x->key_len);
    assert_memory_equal(x->versions, y->versions, sizeof x->versions);
    assert_memory_equal(x->offered, y->offered, sizeof x->offered);
    assert_int_equal(x->total, y->total);
    assert_int_equal(x->legacy, y->legacy);
    assert_int_equal(x->failed, y->failed);
    assert_int_equal(x->failed_legacy, y->failed_legacy);
    assert_int_equal(x->first_seen, y->first_seen);
    assert_int_equal(x->last_seen, y->last_seen);
    assert_int_equal(x->first_legacy, y->first_legacy);
    assert_int_equal(x->last_legacy, y->last_legacy);
    assert_memory_equal(x->cat_all, y->cat_all, sizeof x->cat_all);
    assert_memory_equal(x->cat_legacy, y->cat_legacy, sizeof x->cat_legacy);
}

static void assert_aggregates_equal(struct aggregate *x, struct aggregate *y)
{
    assert_rows_equal(aggregate_totals(x), aggregate_totals(y));
    for (int d = 0; d < AGG_DIM_COUNT; d++) {
        size_t n = aggregate_count(x, d);
        assert_int_equal(n, aggregate_count(y, d));
        for (size_t i = 0; i < n; i++) {
            const struct agg_row *rx = &aggregate_rows(x, d)[i];
            const struct agg_row *ry = aggregate_find(y, d, rx->key, rx->key_len);
            assert_non_null(ry);
            assert_rows_equal(rx, ry);
        }
    }
    /* pairs, through the top lists of every user */
    for (int p = 0; p < 2; p++) {
        for (size_t i = 0; i < aggregate_count(x, AGG_USER); i++) {
            const struct agg_row *ux = &aggregate_rows(x, AGG_USER)[i];
            const struct agg_row *uy = aggregate_find(y, AGG_USER, ux->key, ux->key_len);
            const struct agg_row *tx[16], *ty[16];
            const struct agg_pair_row *px[16], *py[16];
            size_t nx = aggregate_top(x, p, ux, tx, px, 16), ny = aggregate_top(y, p, uy, ty, py, 16);
            assert_int_equal(nx, ny);
            for (size_t j = 0; j < nx; j++) {
                assert_string_equal(tx[j]->key, ty[j]->key);
                assert_int_equal(px[j]->total, py[j]->total);
                assert_int_equal(px[j]->legacy, py[j]->legacy);
                assert_int_equal(px[j]->failed, py[j]->failed);
                assert_int_equal(px[j]->failed_legacy, py[j]->failed_legacy);
                assert_int_equal(px[j]->first_seen, py[j]->first_seen);
                assert_int_equal(px[j]->last_legacy, py[j]->last_legacy);
            }
        }
    }
}

static void test_merge_every_split(void **state)
{
    (void)state;
    make_many();
    struct agg_config cfg = full_config(TLSV_TLS12);
    struct aggregate *whole = aggregate_new(&cfg);
    for (int i = 0; i < NOBS; i++)
        aggregate_add(whole, &many[i]);
    for (int k = 0; k <= NOBS; k++) {
        struct aggregate *x = aggregate_new(&cfg), *y = aggregate_new(&cfg);
        for (int i = 0; i < k; i++)
            aggregate_add(x, &many[i]);
        for (int i = k; i < NOBS; i++)
            aggregate_add(y, &many[i]);
        /* query tops before merging so the index must be rebuilt afterwards */
        if (aggregate_count(x, AGG_USER)) {
            const struct agg_row *t[2];
            aggregate_top(x, 0, &aggregate_rows(x, AGG_USER)[0], t, NULL, 2);
        }
        assert_int_equal(aggregate_merge(x, y), 0);
        assert_aggregates_equal(whole, x);
        assert_aggregates_equal(x, whole);
        aggregate_free(x);
        aggregate_free(y);
    }
    /* three-way, merged in another order */
    struct aggregate *p[3];
    for (int j = 0; j < 3; j++) {
        p[j] = aggregate_new(&cfg);
        for (int i = j * NOBS / 3; i < (j + 1) * NOBS / 3; i++)
            aggregate_add(p[j], &many[i]);
    }
    assert_int_equal(aggregate_merge(p[2], p[0]), 0);
    assert_int_equal(aggregate_merge(p[2], p[1]), 0);
    assert_aggregates_equal(whole, p[2]);
    for (int j = 0; j < 3; j++)
        aggregate_free(p[j]);

    /* batches of every size count the same as one by one */
    const struct observation *ptr[NOBS];
    for (int i = 0; i < NOBS; i++)
        ptr[i] = &many[i];
    for (size_t step = 1; step <= NOBS; step = step * 3 + 1) {
        struct aggregate *b = aggregate_new(&cfg);
        for (size_t i = 0; i < NOBS; i += step)
            assert_int_equal(aggregate_add_batch(b, ptr + i, i + step <= NOBS ? step : NOBS - i), 0);
        assert_aggregates_equal(whole, b);
        aggregate_free(b);
    }
    /* weighted adds (logs pre-combines identical requests): n at once = n single adds */
    struct aggregate *w1 = aggregate_new(&cfg), *w2 = aggregate_new(&cfg);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(aggregate_add_n(w1, &many[i], 3, many[i].time), 0);
        for (int k = 0; k < 3; k++)
            aggregate_add(w2, &many[i]);
    }
    assert_aggregates_equal(w1, w2);
    aggregate_free(w1);
    aggregate_free(w2);

    struct agg_config other = cfg;
    other.min_version = TLSV_TLS11;
    struct aggregate *o = aggregate_new(&other);
    assert_int_equal(aggregate_merge(o, whole), -1);
    aggregate_free(o);
    aggregate_free(whole);
}

static void test_many_keys(void **state)
{
    (void)state;
    struct agg_config cfg = { .dims = AGG_DIM_BIT(AGG_USER), .min_version = TLSV_TLS12 };
    struct aggregate *a = aggregate_new(&cfg);
    char u[32];
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 50000; i++) {
            snprintf(u, sizeof u, "user%d@example.com", i);
            struct observation o = obs(i, u, NULL, NULL, i % 3 ? TLSV_TLS12 : TLSV_TLS10, 1);
            assert_int_equal(aggregate_add(a, &o), 0);
        }
    assert_int_equal(aggregate_count(a, AGG_USER), 50000);
    assert_int_equal(aggregate_count_legacy(a, AGG_USER), 16667);
    const struct agg_row *r = aggregate_find(a, AGG_USER, "user49999@example.com", 21);
    assert_non_null(r);
    assert_int_equal(r->total, 2);
    assert_null(aggregate_find(a, AGG_USER, "user50000@example.com", 21));
    aggregate_free(a);
}

static void test_time_format(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(agg_format_time(1488363753, b, sizeof b), "2017-03-01T10:22:33Z");
    assert_string_equal(agg_format_time(0, b, sizeof b), "1970-01-01T00:00:00Z");
    assert_string_equal(agg_format_time(951782400, b, sizeof b), "2000-02-29T00:00:00Z");
    assert_string_equal(agg_format_time(253402300799, b, sizeof b), "9999-12-31T23:59:59Z");
    assert_string_equal(agg_format_time(-62135596800, b, sizeof b), "0001-01-01T00:00:00Z");
    assert_null(agg_format_time(253402300800, b, sizeof b)); /* year 10000 */
    assert_null(agg_format_time(0, b, 20));                  /* no room for the NUL */
    assert_null(agg_format_time(OBS_TIME_UNKNOWN, b, sizeof b));
    assert_string_equal(agg_format_day(1488363753, b, sizeof b), "2017-03-01");
    int64_t t;
    assert_int_equal(agg_parse_date("2017-07-22", &t), 0);
    assert_int_equal(t, 1500681600);
    assert_int_equal(agg_parse_date("2017-03-01T10:22:33.000+0000", &t), 0);
    assert_int_equal(t, 1488363753);
    assert_int_equal(agg_parse_date("2017-3-1", &t), -1);
    assert_int_equal(agg_parse_date("2017-03-01X", &t), -1);
}

static void test_trend(void **state)
{
    (void)state;
    struct agg_config cfg = { .dims = AGG_DIM_BIT(AGG_DAY), .min_version = TLSV_TLS12 };
    struct aggregate *a = aggregate_new(&cfg);
    int64_t day0 = 1488326400; /* 2017-03-01 */
    for (int d = 0; d < 28; d++)
        for (int i = 0; i < 10; i++) {
            /* legacy share falls from 50% to 10% */
            struct observation o = obs(day0 + d * 86400 + i, "u", NULL, NULL, i < (d < 7 ? 5 : d < 21 ? 3 : 1) ? TLSV_TLS10 : TLSV_TLS12, 1);
            aggregate_add(a, &o);
        }
    struct agg_trend tr;
    int64_t cut;
    agg_parse_date("2017-03-22", &cut);
    assert_int_equal(agg_trend_compute(a, cut, &tr), 0);
    assert_int_equal(tr.days, 21);
    assert_string_equal(tr.first_day, "2017-03-01");
    assert_string_equal(tr.last_day, "2017-03-21");
    assert_int_equal(tr.legacy_before, 7 * 5 + 14 * 3);
    assert_int_equal(tr.legacy_after, 7 * 1);
    assert_int_equal(tr.direction, -1);
    assert_true(tr.first_week_share > 0.49 && tr.first_week_share < 0.51);
    assert_true(tr.last_week_share > 0.29 && tr.last_week_share < 0.31);
    aggregate_free(a);
}

static void test_writers(void **state)
{
    (void)state;
    struct agg_config cfg = full_config(TLSV_TLS12);
    struct aggregate *a = aggregate_new(&cfg);
    struct observation o = obs(1488363753, "jane@x.com", "Browser", "10.0.0.1", TLSV_TLS10, 1);
    o.client_version = "N/A";
    o.browser = "IE 10";
    o.platform = "Windows 7";
    aggregate_add(a, &o);
    o.version = TLSV_TLS12;
    o.user = "bob,\"q\"";
    aggregate_add(a, &o);
    static const char *const parts[] = { "application", "client_version", "browser", "platform" };
    const struct agg_table_spec tables[] = {
        { .dim = AGG_USER, .name = "users", .key = "user", .title = "Users", .order = AGG_BY_LEGACY,
          .summary_count = 1, .tops = { { 0, "applications", "application", 5 } }, .n_tops = 1,
          .text_by_category = 1 },
        { .dim = AGG_CLIENT, .name = "clients", .key = "client", .title = "Clients", .parts = parts,
          .n_parts = 4, .order = AGG_BY_LEGACY },
    };
    struct agg_report rep = { .command = "logins", .unit = "logins", .rows_read = 3, .rows_skipped = 1,
                              .cutover = OBS_TIME_UNKNOWN, .tables = tables, .n_tables = 2 };
    struct tr_buf out;
    tr_buf_init(&out, NULL, 0);
    agg_write_json(&out, a, &rep);
    const char *j = tr_buf_cstr(&out);
    assert_non_null(strstr(j, "\"summary\":{\"rows_read\":3,\"rows_skipped\":1,\"unit\":\"logins\","
                              "\"versions\":{\"ssl3\":0,\"tls1.0\":1,\"tls1.1\":0,\"tls1.2\":1,\"tls1.3\":0,"
                              "\"unknown\":0},\"total\":2,\"legacy\":1,"));
    assert_non_null(strstr(j, "\"distinct_users\":2,\"legacy_users\":1"));
    assert_non_null(strstr(j, "\"users\":[{\"user\":\"jane@x.com\",\"versions\":{\"ssl3\":0,\"tls1.0\":1,"));
    assert_non_null(strstr(j, "\"first_legacy\":\"2017-03-01T10:22:33Z\",\"last_legacy\":\"2017-03-01T10:22:33Z\""));
    assert_non_null(strstr(j, "\"category\":\"people\",\"applications\":[{\"application\":\"Browser\",\"legacy\":1,"));
    assert_non_null(strstr(j, "{\"client\":\"Browser / N/A / IE 10 / Windows 7\",\"application\":\"Browser\","
                              "\"client_version\":\"N/A\",\"browser\":\"IE 10\",\"platform\":\"Windows 7\""));
    assert_non_null(strstr(j, "{\"user\":\"bob,\\\"q\\\"\""));
    out.len = 0;
    agg_write_csv(&out, a, &rep, agg_report_table(&rep, "users"));
    assert_string_equal(tr_buf_cstr(&out),
                        "user,ssl3,tls1.0,tls1.1,tls1.2,tls1.3,unknown,total,legacy,failed,failed_legacy,first_seen,"
                        "last_seen,first_legacy,last_legacy,category,applications\n"
                        "jane@x.com,0,1,0,0,0,0,1,1,0,0,2017-03-01T10:22:33Z,2017-03-01T10:22:33Z,"
                        "2017-03-01T10:22:33Z,2017-03-01T10:22:33Z,people,Browser\n"
                        "\"bob,\"\"q\"\"\",0,0,0,1,0,0,1,0,0,0,2017-03-01T10:22:33Z,2017-03-01T10:22:33Z,,,people,\n");
    out.len = 0;
    agg_write_text(&out, a, &rep, 0);
    const char *t = tr_buf_cstr(&out);
    assert_non_null(strstr(t, "legacy               1 of 2 (50.0%): tls1.0 1\n"));
    assert_non_null(strstr(t, "users                1 of 2 on legacy TLS\n"));
    assert_non_null(strstr(t, "Users — people (2 of 2)"));
    assert_null(agg_report_table(&rep, "nope"));
    tr_buf_free(&out);
    aggregate_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_legacy_rules),
        cmocka_unit_test(test_merge_every_split),
        cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_time_format),
        cmocka_unit_test(test_trend),
        cmocka_unit_test(test_writers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
