/* Unit tests for the bounded reassembler and the flow table (ingest/tcp_flow.c), with hand-built segments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/tcp_flow.h"

static const char text[] = "0123456789abcdefghijklmnopqrstuvwxyz";

static uint32_t add(struct reasm *r, uint32_t seq, uint32_t from, uint32_t n)
{
    return reasm_add(r, seq, (const uint8_t *)text + from, n);
}

static void test_in_order(void **state)
{
    (void)state;
    struct reasm r;
    reasm_init(&r, 1024);
    reasm_syn(&r, 999);
    assert_int_equal(add(&r, 1000, 0, 10), 10);
    assert_int_equal(add(&r, 1010, 10, 10), 20);
    assert_memory_equal(r.data, text, 20);
    assert_false(r.clipped);
    reasm_release(&r);
}

static void test_out_of_order(void **state)
{
    (void)state;
    struct reasm r;
    reasm_init(&r, 1024);
    reasm_syn(&r, 99);
    assert_int_equal(add(&r, 110, 10, 10), 0);  /* a hole at 0..9 */
    assert_int_equal(add(&r, 120, 20, 5), 0);
    assert_int_equal(add(&r, 100, 0, 10), 25); /* filled: everything is contiguous */
    assert_memory_equal(r.data, text, 25);
    reasm_release(&r);
}

static void test_duplicate_and_overlap(void **state)
{
    (void)state;
    struct reasm r;
    reasm_init(&r, 1024);
    reasm_syn(&r, 0);
    assert_int_equal(add(&r, 1, 0, 10), 10);
    assert_int_equal(add(&r, 1, 0, 10), 10);   /* an exact retransmission */
    /* an overlapping segment with different bytes: the first copy wins */
    const uint8_t other[] = "XXXXXXXXXXXXXXX";
    assert_int_equal(reasm_add(&r, 6, other, 15), 20);
    assert_memory_equal(r.data, text, 10);
    assert_memory_equal(r.data + 10, other + 5, 10);
    /* an old retransmission from before the stream start is ignored */
    assert_int_equal(reasm_add(&r, 0xfffffff0u, other, 5), 20);
    reasm_release(&r);
}

static void test_gap_never_filled(void **state)
{
    (void)state;
    struct reasm r;
    reasm_init(&r, 64);
    reasm_syn(&r, 0);
    assert_int_equal(add(&r, 1, 0, 5), 5);
    assert_int_equal(add(&r, 11, 10, 10), 5);
    assert_int_equal(add(&r, 21, 20, 10), 5);
    /* far beyond the cap: dropped and flagged, never buffered */
    assert_int_equal(add(&r, 1000, 0, 10), 5);
    assert_true(r.clipped);
    assert_true(r.alloc <= 64);
    reasm_release(&r);
}

static void test_cap(void **state)
{
    (void)state;
    struct reasm r;
    reasm_init(&r, 16);
    reasm_syn(&r, 0);
    assert_int_equal(add(&r, 1, 0, 30), 16); /* clipped at the cap */
    assert_true(r.clipped);
    assert_memory_equal(r.data, text, 16);
    reasm_release(&r);
}

static void test_synless_midstream(void **state)
{
    (void)state;
    struct reasm r;
    reasm_init(&r, 1024);
    /* no SYN: the first segment sets the start */
    assert_int_equal(add(&r, 5000, 10, 10), 10);
    /* an earlier segment arrives late: the start moves back */
    assert_int_equal(add(&r, 4990, 0, 10), 20);
    assert_memory_equal(r.data, text, 20);
    /* once the start is fixed (bytes were parsed), earlier bytes are old */
    reasm_fix_base(&r);
    assert_int_equal(add(&r, 4980, 0, 10), 20);
    assert_int_equal(r.base_seq, 4990);
    reasm_release(&r);

    /* a late earlier segment with a hole between */
    reasm_init(&r, 1024);
    assert_int_equal(add(&r, 5020, 20, 5), 5);
    assert_int_equal(add(&r, 5000, 0, 10), 10); /* the new start, then a hole */
    assert_int_equal(add(&r, 5010, 10, 10), 25);
    assert_memory_equal(r.data, text, 25);
    reasm_release(&r);
}

static void test_wraparound(void **state)
{
    (void)state;
    struct reasm r;
    reasm_init(&r, 1024);
    reasm_syn(&r, 0xfffffff0u);               /* data starts at 0xfffffff1 */
    assert_int_equal(add(&r, 0xfffffff1u, 0, 10), 10);
    assert_int_equal(add(&r, 0xfffffffbu, 10, 10), 20); /* crosses 2^32 */
    assert_int_equal(add(&r, 0x00000005u, 20, 10), 30);
    assert_memory_equal(r.data, text, 30);
    reasm_release(&r);
}

static void test_syn_after_data(void **state)
{
    (void)state;
    struct reasm r;
    reasm_init(&r, 1024);
    assert_int_equal(add(&r, 110, 10, 10), 10);
    reasm_syn(&r, 99); /* the SYN shows the stream starts 10 bytes earlier */
    assert_int_equal(r.contig, 0);
    assert_int_equal(add(&r, 100, 0, 10), 20);
    assert_memory_equal(r.data, text, 20);
    reasm_release(&r);
}

static struct tcp_segment seg(uint8_t a, uint16_t ap, uint8_t b, uint16_t bp)
{
    struct tcp_segment s;
    memset(&s, 0, sizeof s);
    s.family = 4;
    s.src[0] = 10; s.src[3] = a;
    s.dst[0] = 10; s.dst[3] = b;
    s.sport = ap;
    s.dport = bp;
    return s;
}

static void count_visit(void *ctx, struct flow *f) { (void)f; (*(int *)ctx)++; }

static void test_flow_table(void **state)
{
    (void)state;
    struct flow_table t;
    assert_int_equal(flow_table_init(&t, 5000), 0);
    /* both directions of one connection map to one key */
    struct tcp_segment s1 = seg(1, 50000, 2, 443), s2 = seg(2, 443, 1, 50000);
    struct flow_key k1, k2;
    int d1, d2;
    flow_key_of(&s1, &k1, &d1);
    flow_key_of(&s2, &k2, &d2);
    assert_memory_equal(&k1, &k2, sizeof k1);
    assert_int_not_equal(d1, d2);
    assert_int_equal(flow_key_hash(&k1), flow_key_hash(&k2));
    /* many flows: beyond the first bucket array and the first chunk */
    for (int i = 0; i < 5000; i++) {
        struct tcp_segment s = seg((uint8_t)(i % 250), (uint16_t)(1000 + i), 2, 443);
        struct flow_key k;
        int d;
        flow_key_of(&s, &k, &d);
        struct flow *f = flow_add(&t, &k, flow_key_hash(&k), 1);
        assert_non_null(f);
        f->last_us = i;
    }
    assert_int_equal(t.count, 5000);
    /* full */
    assert_null(flow_add(&t, &k1, flow_key_hash(&k1), 1));
    for (int i = 0; i < 5000; i += 7) {
        struct tcp_segment s = seg(2, 443, (uint8_t)(i % 250), (uint16_t)(1000 + i));
        struct flow_key k;
        int d;
        flow_key_of(&s, &k, &d);
        struct flow *f = flow_find(&t, &k, flow_key_hash(&k));
        assert_non_null(f);
        assert_int_equal(f->last_us, i);
    }
    /* expire the older half; their slots are reused */
    int visited = 0;
    assert_int_equal(flow_table_expire(&t, 2500, count_visit, &visited), 2500);
    assert_int_equal(visited, 2500);
    assert_int_equal(t.count, 2500);
    assert_null(flow_find(&t, &k1, flow_key_hash(&k1)));
    struct flow *f = flow_add(&t, &k1, flow_key_hash(&k1), 1);
    assert_non_null(f);
    assert_true(f->idx < 5000);
    assert_ptr_equal(flow_find(&t, &k1, flow_key_hash(&k1)), f);
    flow_remove(&t, f);
    assert_null(flow_find(&t, &k1, flow_key_hash(&k1)));
    /* IPv6 keys */
    struct tcp_segment s6 = seg(1, 1, 2, 2);
    s6.family = 6;
    s6.src[15] = 9;
    struct flow_key k6;
    int d6;
    flow_key_of(&s6, &k6, &d6);
    assert_null(flow_find(&t, &k6, flow_key_hash(&k6)));
    assert_non_null(flow_add(&t, &k6, flow_key_hash(&k6), 1));
    assert_non_null(flow_find(&t, &k6, flow_key_hash(&k6)));
    flow_table_release(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_duplicate_and_overlap),
        cmocka_unit_test(test_gap_never_filled),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_synless_midstream),
        cmocka_unit_test(test_wraparound),
        cmocka_unit_test(test_syn_after_data),
        cmocka_unit_test(test_flow_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
