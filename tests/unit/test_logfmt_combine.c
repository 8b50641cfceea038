/* The combiner in front of the aggregate must give exactly the counts of one
 * aggregate_add per observation, through growth, forced flushes and day changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "analyze/aggregate.h"
#include "ingest/logfmt_combine.h"
#include "ingest/useragent.h"
#include "tls/version.h"

static struct agg_config config(void)
{
    struct agg_config cfg = {
        .dims = AGG_DIM_BIT(AGG_CLIENT_IP) | AGG_DIM_BIT(AGG_USER_AGENT) | AGG_DIM_BIT(AGG_SERVER) |
                AGG_DIM_BIT(AGG_DAY) | AGG_DIM_BIT(AGG_CIPHER) | AGG_DIM_BIT(AGG_FINGERPRINT),
        .min_version = TLSV_TLS12,
        .pairs = { { AGG_SERVER, AGG_CLIENT_IP, 1 }, { AGG_CLIENT_IP, AGG_USER_AGENT, 0 } },
        .n_pairs = 2,
    };
    return cfg;
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

static void run(size_t max_entries, int shuffle_days)
{
    struct agg_config cfg = config();
    struct aggregate *direct = aggregate_new(&cfg), *combined = aggregate_new(&cfg);
    struct ua_cache *ua = ua_cache_new(64);
    struct combiner *c = combiner_new(max_entries, combined, ua, 0);
    assert_non_null(direct);
    assert_non_null(c);
    static const char *const uas[] = { "curl/7.88.1", "Java/1.6.0_45", "Mozilla/5.0 Chrome/119.0", "", NULL };
    static const char *const servers[] = { "a.example", "b.example", NULL };
    static const char *const ciphers[] = { "AES128-SHA", "TLS_AES_128_GCM_SHA256", NULL };
    uint64_t x = 12345;
    char ip[64], fam[64];
    for (int i = 0; i < 20000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t r = (uint32_t)(x >> 33);
        if (r % 7 == 0)
            snprintf(ip, sizeof ip, "2001:db8::%x", r % 50);
        else if (r % 11 == 0)
            snprintf(ip, sizeof ip, "010.1.2.%u", r % 3); /* not a canonical IPv4: kept as a string */
        else
            snprintf(ip, sizeof ip, "10.0.%u.%u", (r >> 8) % 4, r % 200);
        struct observation o;
        memset(&o, 0, sizeof o);
        o.client_ip = r % 97 == 0 ? NULL : ip;
        o.user_agent = uas[(r >> 3) % 5];
        o.server = servers[(r >> 6) % 3];
        o.cipher = ciphers[(r >> 9) % 3];
        o.fingerprint = (r >> 12) % 5 == 0 ? "t13d_x" : NULL;
        o.version = (int)((r >> 14) % 7) - 1; /* TLSV_NONE .. TLSV_UNKNOWN */
        o.max_offered = (int)((r >> 17) % 6) - 1;
        o.success = (int)((r >> 20) % 3) - 1;
        o.status = o.success == 0 ? "refused" : NULL;
        int64_t day = shuffle_days ? (r >> 22) % 5 : i / 4000;
        o.time = (r >> 25) % 50 == 0 ? OBS_TIME_UNKNOWN : 1793664000 + day * 86400 + (r >> 10) % 86400;
        assert_int_equal(combiner_add(c, &o), 0);
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
    assert_int_equal(ta->legacy, tb->legacy);
    assert_int_equal(ta->failed, tb->failed);
    assert_int_equal(ta->first_seen, tb->first_seen);
    assert_int_equal(ta->last_legacy, tb->last_legacy);
    for (int d = 0; d < AGG_DIM_COUNT; d++)
        if (cfg.dims & AGG_DIM_BIT(d))
            same_rows(direct, combined, (enum agg_dim)d);
    combiner_free(c);
    ua_cache_free(ua);
    aggregate_free(direct);
    aggregate_free(combined);
}

static void test_combine_large(void **state)
{
    (void)state;
    run(1 << 16, 0);
}

static void test_combine_tiny_forces_flushes(void **state)
{
    (void)state;
    run(16, 1);
}

static void test_combine_days_shuffled(void **state)
{
    (void)state;
    run(4096, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_combine_large),
        cmocka_unit_test(test_combine_tiny_forces_flushes),
        cmocka_unit_test(test_combine_days_shuffled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
