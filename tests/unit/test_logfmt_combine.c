/* The combiner in front of the aggregate must give exactly the counts of one
 * aggregate_add per observation, through growth, forced flushes and day changes,
 * in each of its modes (rows resolved with the day apart, rows resolved with the
 * day in the tuple, keys built by the aggregate), with values given escaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyze/aggregate.h"
#include "ingest/logfmt_combine.h"
#include "ingest/useragent.h"
#include "tls/version.h"

enum mode {
    SPLIT_DAY,  /* the `logs` configuration: rows resolved, the day counted apart */
    DAY_PAIR,   /* a pair on the day: rows resolved, the day stays in the tuple */
    BY_KEY,     /* a dim the combiner does not resolve (login type): the aggregate builds keys */
};

static struct agg_config config(enum mode m)
{
    struct agg_config cfg = {
        .dims = AGG_DIM_BIT(AGG_CLIENT_IP) | AGG_DIM_BIT(AGG_USER_AGENT) | AGG_DIM_BIT(AGG_SERVER) |
                AGG_DIM_BIT(AGG_DAY) | AGG_DIM_BIT(AGG_CIPHER) | AGG_DIM_BIT(AGG_FINGERPRINT),
        .min_version = TLSV_TLS12,
        .pairs = { { AGG_SERVER, AGG_CLIENT_IP, 1 }, { AGG_CLIENT_IP, AGG_USER_AGENT, 0 } },
        .n_pairs = 2,
    };
    if (m == DAY_PAIR)
        cfg.pairs[cfg.n_pairs++] = (struct agg_pair_spec){ AGG_DAY, AGG_CLIENT_IP, 0 };
    if (m == BY_KEY)
        cfg.dims |= AGG_DIM_BIT(AGG_LOGIN_TYPE);
    return cfg;
}

/* Every pair row of a equals b's: per a-row of the pair, the same b-values with the same counts. */
static void same_pairs(struct aggregate *a, struct aggregate *b, const struct agg_config *cfg)
{
    for (int p = 0; p < cfg->n_pairs; p++) {
        enum agg_dim da = cfg->pairs[p].a, db = cfg->pairs[p].b;
        const struct agg_row *ra = aggregate_rows(a, da);
        for (size_t i = 0; i < aggregate_count(a, da); i++) {
            const struct agg_row *rb = aggregate_find(b, da, ra[i].key, ra[i].key_len);
            assert_non_null(rb);
            size_t n = aggregate_top_count(a, p, &ra[i]);
            assert_int_equal(n, aggregate_top_count(b, p, rb));
            const struct agg_row **oa = calloc(n + 1, sizeof *oa), **ob = calloc(n + 1, sizeof *ob);
            const struct agg_pair_row **pa = calloc(n + 1, sizeof *pa), **pb = calloc(n + 1, sizeof *pb);
            assert_true(oa && ob && pa && pb);
            assert_int_equal(aggregate_top(a, p, &ra[i], oa, pa, n), n);
            assert_int_equal(aggregate_top(b, p, rb, ob, pb, n), n);
            for (size_t k = 0; k < n; k++) {
                /* ties in the order may differ: find a's value among b's */
                size_t m = 0;
                while (m < n && !(ob[m]->key_len == oa[k]->key_len && memcmp(ob[m]->key, oa[k]->key, oa[k]->key_len) == 0))
                    m++;
                assert_true(m < n);
                (void)db;
                assert_int_equal(pa[k]->total, pb[m]->total);
                assert_int_equal(pa[k]->legacy, pb[m]->legacy);
                assert_int_equal(pa[k]->failed, pb[m]->failed);
                assert_int_equal(pa[k]->first_seen, pb[m]->first_seen);
                assert_int_equal(pa[k]->last_legacy, pb[m]->last_legacy);
            }
            free(oa), free(ob), free(pa), free(pb);
        }
    }
}

static void same_rows(const struct aggregate *a, const struct aggregate *b, enum agg_dim d)
{
    assert_int_equal(aggregate_count(a, d), aggregate_count(b, d));
    const struct agg_row *ra = aggregate_rows(a, d);
    for (size_t i = 0; i < aggregate_count(a, d); i++) {
        const struct agg_row *rb = aggregate_find(b, d, ra[i].key, ra[i].key_len);
        assert_non_null(rb);
        assert_memory_equal(ra[i].versions, rb->versions, sizeof ra[i].versions);
        assert_memory_equal(ra[i].offered, rb->offered, sizeof ra[i].offered);
        assert_int_equal(ra[i].total, rb->total);
        assert_int_equal(ra[i].legacy, rb->legacy);
        assert_int_equal(ra[i].failed, rb->failed);
        assert_int_equal(ra[i].failed_legacy, rb->failed_legacy);
        assert_int_equal(ra[i].first_seen, rb->first_seen);
        assert_int_equal(ra[i].last_seen, rb->last_seen);
        assert_int_equal(ra[i].first_legacy, rb->first_legacy);
        assert_int_equal(ra[i].last_legacy, rb->last_legacy);
    }
}

/* nginx's escaping of a value: '"', '\\' and bytes outside printable ASCII as \xHH; here also '/'
 * (nginx would not), to give a second raw spelling of the same value */
static void nginx_escape(const char *v, char *out, size_t cap)
{
    size_t o = 0;
    for (; *v && o + 5 < cap; v++) {
        unsigned char ch = (unsigned char)*v;
        if (ch == '"' || ch == '\\' || ch == '/' || ch < 0x20 || ch > 0x7e)
            o += (size_t)snprintf(out + o, cap - o, "\\x%02X", ch);
        else
            out[o++] = (char)ch;
    }
    out[o] = 0;
}

static void run_limited(size_t max_entries, int shuffle_days, enum mode m, size_t values_max);

static void run(size_t max_entries, int shuffle_days, enum mode m) { run_limited(max_entries, shuffle_days, m, 0); }

/* values_max 0: the default bound on the interned values' bytes */
static void run_limited(size_t max_entries, int shuffle_days, enum mode m, size_t values_max)
{
    struct agg_config cfg = config(m);
    struct aggregate *direct = aggregate_new(&cfg), *combined = aggregate_new(&cfg);
    struct ua_cache *ua = ua_cache_new(64);
    struct combiner *c = combiner_new(max_entries, combined, ua, 0);
    assert_non_null(direct);
    assert_non_null(c);
    if (values_max)
        combiner_limit_values(c, values_max);
    static const char *const uas[] = { "curl/7.88.1", "Java/1.6.0_45", "Mozilla/5.0 Chrome/119.0", "", NULL,
                                       "Agent \"quoted\" 1.0" };
    static const char *const servers[] = { "a.example", "b.example", NULL };
    static const char *const ciphers[] = { "AES128-SHA", "TLS_AES_128_GCM_SHA256", NULL };
    uint64_t x = 12345;
    char ip[64], fam[64], esc_ua[128];
    for (int i = 0; i < 20000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t r = (uint32_t)(x >> 33);
        if (r % 7 == 0)
            snprintf(ip, sizeof ip, "2001:db8::%x", r % 50);
        else if (r % 11 == 0)
            snprintf(ip, sizeof ip, "010.1.2.%u", r % 3); /* not a canonical IPv4: kept as a string */
        else if (r % 13 == 0)
            snprintf(ip, sizeof ip, "10.0.0.%u", 300 + r % 3); /* not an address at all */
        else if (r % 17 == 0) {
            /* near misses of the IPv4 reader, and its edges: each must keep its own text */
            static const char *const odd[] = { "1.2.3.4.5", "1.2.3", "1.2.3.04", "255.255.255.255", "0.0.0.0",
                                               "1..2.3", "1.2.3.4 ", "1.2.3.1000", "123.123.1", "12.34.56.", "9.9.9.9" };
            snprintf(ip, sizeof ip, "%s", odd[(r >> 5) % 11]);
        }
        else
            snprintf(ip, sizeof ip, "10.0.%u.%u", (r >> 8) % 4, r % 200);
        struct observation o;
        memset(&o, 0, sizeof o);
        o.client_ip = r % 97 == 0 ? NULL : ip;
        o.user_agent = uas[(r >> 3) % 6];
        o.server = servers[(r >> 6) % 3];
        o.cipher = ciphers[(r >> 9) % 3];
        o.fingerprint = (r >> 12) % 5 == 0 ? "t13d_x" : NULL;
        o.version = (int)((r >> 14) % 7) - 1; /* TLSV_NONE .. TLSV_UNKNOWN */
        o.max_offered = (int)((r >> 17) % 6) - 1;
        o.success = (int)((r >> 20) % 3) - 1;
        o.status = o.success == 0 ? "refused" : NULL;
        int64_t day = shuffle_days ? (r >> 22) % 5 : i / 4000;
        o.time = (r >> 25) % 50 == 0 ? OBS_TIME_UNKNOWN : 1793664000 + day * 86400 + (r >> 10) % 86400;
        struct logfmt_request req;
        logfmt_request_from_obs(&o, &req);
        if (o.user_agent && o.user_agent[0] && (r >> 27) % 2) {
            /* the same agent as a line written by nginx: escaped bytes, unescaped once by the combiner */
            nginx_escape(o.user_agent, esc_ua, sizeof esc_ua);
            req.user_agent = (struct logfmt_span){ esc_ua, strlen(esc_ua) };
            req.escape = ESC_NGINX;
        }
        assert_int_equal(combiner_add(c, &req), 0);
        /* the direct path sees what the combiner hands on: the family, not the raw agent */
        if (o.user_agent) {
            useragent_family(o.user_agent, strlen(o.user_agent), fam, sizeof fam);
            o.user_agent = fam[0] ? fam : NULL;
        }
        o.browser = o.user_agent;
        assert_int_equal(aggregate_add(direct, &o), 0);
    }
    assert_int_equal(combiner_flush(c), 0);
    const struct agg_row *ta = aggregate_totals(direct), *tb = aggregate_totals(combined);
    assert_memory_equal(ta->versions, tb->versions, sizeof ta->versions);
    assert_int_equal(ta->total, tb->total);
    assert_int_equal(ta->legacy, tb->legacy);
    assert_int_equal(ta->failed, tb->failed);
    assert_int_equal(ta->first_seen, tb->first_seen);
    assert_int_equal(ta->last_seen, tb->last_seen);
    assert_int_equal(ta->last_legacy, tb->last_legacy);
    for (int d = 0; d < AGG_DIM_COUNT; d++)
        if (cfg.dims & AGG_DIM_BIT(d))
            same_rows(direct, combined, (enum agg_dim)d);
    same_pairs(direct, combined, &cfg);
    combiner_free(c);
    ua_cache_free(ua);
    aggregate_free(direct);
    aggregate_free(combined);
}

static void test_combine_large(void **state)
{
    (void)state;
    run(1 << 16, 0, SPLIT_DAY);
}

static void test_combine_tiny_forces_flushes(void **state)
{
    (void)state;
    run(16, 1, SPLIT_DAY);
}

static void test_combine_days_shuffled(void **state)
{
    (void)state;
    run(4096, 1, SPLIT_DAY);
}

static void test_combine_day_in_tuple(void **state)
{
    (void)state;
    run(1 << 16, 0, DAY_PAIR);
    run(16, 1, DAY_PAIR);
}

static void test_combine_by_key(void **state)
{
    (void)state;
    run(1 << 16, 0, BY_KEY);
    run(16, 1, BY_KEY);
}

/* values forgotten every few hundred requests (each table's first allocation passes the bound): same counts */
static void test_combine_values_forgotten(void **state)
{
    (void)state;
    run_limited(1 << 16, 0, SPLIT_DAY, 1);
    run_limited(16, 1, DAY_PAIR, 1);
    run_limited(4096, 1, BY_KEY, 1);
}

/* aggregate_add_n_at refuses what is not a row, and counts only the parts asked for */
static void test_add_at_parts(void **state)
{
    (void)state;
    struct agg_config cfg = config(SPLIT_DAY);
    struct aggregate *a = aggregate_new(&cfg);
    struct observation o = { .client_ip = "192.0.2.1", .time = 1793664000, .version = TLSV_TLS10, .success = 1 };
    int64_t ip = aggregate_row_of(a, AGG_CLIENT_IP, &o), day = aggregate_row_of(a, AGG_DAY, &o);
    assert_true(ip >= 0 && day >= 0);
    assert_int_equal(aggregate_row_of(a, AGG_LOGIN_TYPE, &o), -1); /* not a dim of this aggregate */
    struct agg_at at = { .version = TLSV_TLS10, .max_offered = TLSV_NONE, .success = 1, .first = 1793664000,
                         .last = 1793664100, .n = 3 };
    at.idx[AGG_CLIENT_IP] = (uint32_t)ip;
    at.idx[AGG_DAY] = (uint32_t)day;
    at.idx[AGG_SERVER] = 7; /* no such row */
    assert_int_equal(aggregate_add_n_at(a, &at, 1, AGG_DIM_BIT(AGG_SERVER)), -1);
    assert_int_equal(aggregate_add_n_at(a, &at, 1, AGG_DIM_BIT(AGG_CLIENT_IP) | AGG_AT_TOTALS), 0);
    assert_int_equal(aggregate_totals(a)->versions[TLSV_TLS10], 3);
    assert_int_equal(aggregate_rows(a, AGG_CLIENT_IP)[ip].legacy, 3);
    assert_int_equal(aggregate_rows(a, AGG_CLIENT_IP)[ip].last_legacy, 1793664100);
    assert_int_equal(aggregate_rows(a, AGG_DAY)[day].total, 0); /* not asked for */
    assert_int_equal(aggregate_add_n_at(a, &at, 1, AGG_DIM_BIT(AGG_DAY)), 0);
    assert_int_equal(aggregate_rows(a, AGG_DAY)[day].total, 3);
    assert_int_equal(aggregate_totals(a)->total, 3); /* totals once */
    aggregate_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_combine_large),
        cmocka_unit_test(test_combine_tiny_forces_flushes),
        cmocka_unit_test(test_combine_days_shuffled),
        cmocka_unit_test(test_combine_day_in_tuple),
        cmocka_unit_test(test_combine_by_key),
        cmocka_unit_test(test_combine_values_forgotten),
        cmocka_unit_test(test_add_at_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
