/*
 * The deep scan strategy as a pure state machine: a scripted server model
 * answers each requested hello the way a real server would (version choice,
 * suite choice by its own or the client's order, groups with HelloRetryRequest
 * for groups without a key share, ServerKeyExchange curve / DH size / sigalg,
 * fallback SCSV), and the strategy's findings must equal the model's
 * configuration. Several probes are kept "in flight" at once, answered out of
 * order, as the engine does with the per-address cap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyze/profile.h"
#include "probe/classify.h"
#include "probe/enum.h"
#include "probe/probe.h"
#include "probe/scan.h"
#include "tls/client_hello.h"
#include "tls/registry.h"

struct model {
    unsigned versions;             /* bit per tls_version */
    const uint16_t *suites12;      /* for every version below 1.3 (filtered by usability) */
    size_t n12;
    const uint16_t *suites13;
    size_t n13;
    int server_pref;
    const uint16_t *groups;        /* server's groups, its preference first (1.2 curves and 1.3 groups) */
    size_t n_groups;
    const uint16_t *sigalgs;
    size_t n_sigalgs;
    int dh_bits;
    int fallback;                  /* supports TLS_FALLBACK_SCSV */
};

static int has(const uint16_t *l, size_t n, uint16_t c)
{
    for (size_t i = 0; i < n; i++)
        if (l[i] == c)
            return 1;
    return 0;
}

static struct server_reply alert(uint8_t desc)
{
    struct server_reply r;
    memset(&r, 0, sizeof r);
    r.status = REPLY_ALERT;
    r.have_alert = 1;
    r.alert_description = desc;
    return r;
}

static struct server_reply answer(const struct model *m, const struct probe_request *req)
{
    const struct client_hello_config *h = &req->hello;
    uint16_t dg[64], ds[64];
    const uint16_t *groups = h->groups, *sig = h->sigalgs;
    size_t ng = h->n_groups, nsig = h->n_sigalgs;
    if (!groups) {
        ng = client_hello_default_groups(dg, 64);
        groups = dg;
    }
    if (!sig) {
        nsig = client_hello_default_sigalgs(ds, 64);
        sig = ds;
    }
    int v = TLSV_NONE, top = TLSV_NONE;
    for (int k = TLSV_SSL3; k <= TLSV_TLS13; k++)
        if (m->versions & (1u << k))
            top = k;
    for (int k = h->max_version; k >= h->min_version; k--)
        if (m->versions & (1u << k)) {
            v = k;
            break;
        }
    if (h->max_version <= TLSV_TLS12 && v != h->max_version && !(v >= 0 && h->max_version > top))
        v = TLSV_NONE;
    if (v == TLSV_NONE)
        return alert(70);
    if (h->fallback_scsv && m->fallback && v < top)
        return alert(86);
    /* the group: server's preference among the offered ones */
    uint16_t g = 0;
    for (size_t i = 0; i < m->n_groups && !g; i++)
        if (has(groups, ng, m->groups[i]))
            g = m->groups[i];
    uint16_t s = 0;
    for (size_t i = 0; i < m->n_sigalgs && !s; i++)
        if (has(sig, nsig, m->sigalgs[i]))
            s = m->sigalgs[i];
    const uint16_t *own = v == TLSV_TLS13 ? m->suites13 : m->suites12;
    size_t nown = v == TLSV_TLS13 ? m->n13 : m->n12;
    uint16_t chosen = 0;
    for (size_t i = 0; i < (m->server_pref ? nown : h->n_suites) && !chosen; i++) {
        uint16_t c = m->server_pref ? own[i] : h->suites[i];
        const struct cipher_suite *cs = cipher_suite_lookup(c);
        if (!has(own, nown, c) || !has(h->suites, h->n_suites, c) || !cipher_suite_usable_at(cs, v))
            continue;
        if (v < TLSV_TLS13 && strcmp(cs->kx, "ECDHE") == 0 && !g)
            continue;
        if ((v == TLSV_TLS13 || strcmp(cs->kx, "RSA") != 0) && !s)
            continue;
        chosen = c;
    }
    if (!chosen || (v == TLSV_TLS13 && !g))
        return alert(40);
    struct server_reply r;
    memset(&r, 0, sizeof r);
    r.have_server_hello = 1;
    r.status = REPLY_SERVER_HELLO;
    r.selected_version = v;
    r.cipher_suite = chosen;
    r.renegotiation_info = v < TLSV_TLS13;
    if (v == TLSV_TLS13) {
        /* a key share was sent for x25519 only when x25519 was offered: use it if we can */
        if (has(groups, ng, 0x001d) && has(m->groups, m->n_groups, 0x001d))
            r.selected_group = 0x001d;
        else {
            r.status = REPLY_HELLO_RETRY;
            r.selected_group = g;
        }
        return r;
    }
    const struct cipher_suite *cs = cipher_suite_lookup(chosen);
    if (req->want_flight && strcmp(cs->kx, "ECDHE") == 0) {
        r.have_server_key_exchange = 1;
        r.ske.kind = SKE_ECDHE;
        r.ske.group = g;
        r.ske.sig_scheme = s;
    } else if (req->want_flight && strcmp(cs->kx, "DHE") == 0) {
        r.have_server_key_exchange = 1;
        r.ske.kind = SKE_DHE;
        r.ske.dh_p_bits = (uint16_t)m->dh_bits;
        r.ske.sig_scheme = s;
    }
    return r;
}

/* Runs the strategy to the end against the model, `cap` probes in flight, answering the newest first. */
static void run(const struct model *m, unsigned deep, int cap, struct endpoint_result *res, void **state_out)
{
    void *st = calloc(1, deep_strategy.state_size);
    struct probe_request *reqs = calloc((size_t)cap, sizeof *reqs);
    int *busy = calloc((size_t)cap, sizeof *busy);
    static const struct scan_target target = { 0 };
    memset(res, 0, sizeof *res);
    res->target = &target;
    res->deep = deep;
    deep_strategy.init(st, res);
    unsigned probes = 0;
    for (;;) {
        int r = 1, inflight = 0;
        for (int i = 0; i < cap; i++) {
            if (busy[i] || r != 1)
                continue;
            r = deep_strategy.next(st, res, &reqs[i]);
            if (r == 1)
                busy[i] = 1;
        }
        for (int i = 0; i < cap; i++)
            inflight += busy[i];
        if (inflight == 0) {
            assert_int_equal(r, -1);
            break;
        }
        for (int i = cap - 1; i >= 0; i--) {
            if (!busy[i])
                continue;
            struct server_reply rep = answer(m, &reqs[i]);
            struct probe_outcome o = { .kind = OUTCOME_REPLY, .reply = &rep };
            busy[i] = 0;
            probes++;
            deep_strategy.outcome(st, res, &reqs[i], &o);
            break;
        }
        assert_true(probes < 5000);
    }
    deep_strategy.finish(st, res);
    deep_after_certs(st, res);
    scan_policy_apply(res, TLSV_TLS12);
    free(reqs);
    free(busy);
    *state_out = st;
}

static const uint16_t s12[] = { 0x0035, 0xC02F, 0x000A, 0x0005, 0x0033, 0xC030, 0x0003 };   /* legacy included */
static const uint16_t s13[] = { 0x1302, 0x1303 };
static const uint16_t groups_pq[] = { 0x11EC, 0x6399, 0x001d, 0x0018 };
static const uint16_t sigs[] = { 0x0804, 0x0401 };

static void test_suites_groups_pq_checks(void **state)
{
    (void)state;
    struct model m = { .versions = (1u << TLSV_TLS10) | (1u << TLSV_TLS12) | (1u << TLSV_TLS13),
                       .suites12 = s12, .n12 = 7, .suites13 = s13, .n13 = 2, .server_pref = 1,
                       .groups = groups_pq, .n_groups = 4, .sigalgs = sigs, .n_sigalgs = 2, .dh_bits = 1024,
                       .fallback = 1 };
    for (int cap = 1; cap <= 5; cap += 4) {
        struct endpoint_result res;
        void *st;
        run(&m, SCAN_DEEP_CIPHERS | SCAN_DEEP_GROUPS | SCAN_DEEP_CHECKS | SCAN_DEEP_SIGALGS |
                    (PROFILE_INTERMEDIATE << SCAN_DEEP_PROFILE_SHIFT), cap, &res, &st);
        const struct scan_details *d = res.details;
        assert_non_null(d);
        assert_int_equal(res.status[TLSV_TLS12], VS_ACCEPTED);
        assert_int_equal(res.status[TLSV_TLS11], VS_REFUSED);
        /* tls1.2: every suite, in the server's order (several chunks: sorted by asking) */
        assert_int_equal(d->v[TLSV_TLS12].suites_state, ENUM_COMPLETE);
        assert_int_equal(d->v[TLSV_TLS12].order, ORDER_SERVER);
        assert_int_equal(d->v[TLSV_TLS12].n_suites, 7);
        assert_memory_equal(d->v[TLSV_TLS12].suites, s12, sizeof s12);
        /* tls1.0: the TLS 1.2-only suites drop out (0xC02F and 0xC030 are GCM) */
        static const uint16_t s10[] = { 0x0035, 0x000A, 0x0005, 0x0033, 0x0003 };
        assert_int_equal(d->v[TLSV_TLS10].n_suites, 5);
        assert_memory_equal(d->v[TLSV_TLS10].suites, s10, sizeof s10);
        assert_int_equal(d->v[TLSV_TLS13].n_suites, 2);
        assert_memory_equal(d->v[TLSV_TLS13].suites, s13, sizeof s13);
        /* tls1.3 groups: x25519 from the key share, then the hybrids by HelloRetryRequest */
        assert_int_equal(d->v[TLSV_TLS13].n_groups, 4);
        assert_int_equal(d->v[TLSV_TLS13].groups[0], 0x001d);
        assert_int_equal(d->v[TLSV_TLS13].groups[1], 0x11EC);
        assert_int_equal(d->v[TLSV_TLS13].groups[2], 0x6399);
        assert_int_equal(d->v[TLSV_TLS13].groups[3], 0x0018);
        /* tls1.2 curves from the ServerKeyExchange: the two EC ones the server has */
        assert_int_equal(d->v[TLSV_TLS12].n_groups, 2);
        assert_int_equal(d->v[TLSV_TLS12].groups[0], 0x001d);
        assert_int_equal(d->v[TLSV_TLS12].groups[1], 0x0018);
        assert_int_equal(d->v[TLSV_TLS12].dhe_bits, 1024);
        assert_int_equal(d->v[TLSV_TLS12].n_sigalgs, 2);
        assert_int_equal(d->v[TLSV_TLS12].sigalgs[0], 0x0401);
        assert_int_equal(d->v[TLSV_TLS12].sigalgs[1], 0x0804);
        assert_int_equal(d->fallback_scsv, CHECK_YES);
        assert_int_equal(d->secure_renegotiation, CHECK_YES);
        assert_int_equal(d->compression, CHECK_NO);
        /* profile: tls1.0, the legacy suites, the PQ groups (not in v5.7) and DHE-1024 deviate */
        assert_true(d->n_deviations >= 8);
        assert_string_equal(d->deviations[0], "accepts tls1.0 (mozilla-intermediate allows tls1.2, tls1.3)");
        free(st);
    }
}

static void test_client_order_and_refusals(void **state)
{
    (void)state;
    static const uint16_t few[] = { 0xC030, 0xC02F };
    static const uint16_t g[] = { 0x0017 };
    struct model m = { .versions = 1u << TLSV_TLS12, .suites12 = few, .n12 = 2, .server_pref = 0,
                       .groups = g, .n_groups = 1, .sigalgs = sigs, .n_sigalgs = 2 };
    struct endpoint_result res;
    void *st;
    run(&m, SCAN_DEEP_CIPHERS | SCAN_DEEP_GROUPS | SCAN_DEEP_CHECKS, 3, &res, &st);
    const struct scan_details *d = res.details;
    assert_int_equal(d->v[TLSV_TLS12].order, ORDER_CLIENT);
    assert_int_equal(d->v[TLSV_TLS12].n_suites, 2);
    assert_int_equal(d->v[TLSV_TLS13].suites_state, ENUM_NOT_RUN);
    assert_int_equal(d->v[TLSV_TLS12].n_groups, 1);
    assert_int_equal(d->v[TLSV_TLS12].groups[0], 0x0017);
    assert_int_equal(d->v[TLSV_TLS12].dhe_bits, 0);
    assert_int_equal(d->fallback_scsv, CHECK_NA);
    assert_int_equal(d->version_intolerant, CHECK_NO);
    free(st);
}

/* Timeouts stop a chain and say so: partial, with the reason. */
static void test_partial_on_timeout(void **state)
{
    (void)state;
    void *st = calloc(1, deep_strategy.state_size);
    static const struct scan_target target = { 0 };
    struct endpoint_result res;
    memset(&res, 0, sizeof res);
    res.target = &target;
    res.deep = SCAN_DEEP_CIPHERS;
    deep_strategy.init(st, &res);
    struct probe_request req;
    int r, n = 0;
    while ((r = deep_strategy.next(st, &res, &req)) == 1) {
        struct server_reply rep;
        memset(&rep, 0, sizeof rep);
        struct probe_outcome o = { .kind = OUTCOME_READ_TIMEOUT };
        if (req.tag < 1000 && (req.tag == -2 || req.tag == TLSV_TLS12)) {
            rep.status = REPLY_SERVER_HELLO;
            rep.have_server_hello = 1;
            rep.selected_version = TLSV_TLS12;
            rep.cipher_suite = req.hello.suites[0];
            o.kind = OUTCOME_REPLY;
            o.reply = &rep;
        }
        deep_strategy.outcome(st, &res, &req, &o);
        assert_true(++n < 100);
    }
    assert_int_equal(r, -1);
    deep_strategy.finish(st, &res);
    assert_int_equal(res.details->v[TLSV_TLS12].suites_state, ENUM_PARTIAL);
    assert_string_equal(res.details->v[TLSV_TLS12].suites_reason, "timeout (no reply)");
    free(st);
}

static void test_profile_table(void **state)
{
    (void)state;
    assert_int_equal(profile_unresolved_names(), 0);
    assert_int_equal(profile_parse("mozilla-modern"), PROFILE_MODERN);
    assert_int_equal(profile_parse("intermediate"), PROFILE_INTERMEDIATE);
    assert_int_equal(profile_parse("mozilla-ancient"), PROFILE_NONE);
    assert_true(profile_allows_suite(PROFILE_OLD, 0x000A));          /* 3DES in old */
    assert_false(profile_allows_suite(PROFILE_INTERMEDIATE, 0x000A));
    assert_true(profile_allows_suite(PROFILE_MODERN, 0x1303));
    assert_false(profile_allows_suite(PROFILE_MODERN, 0xC02F));

    /* the certificate: an RSA-1024 SHA-1 leaf against modern and intermediate */
    struct endpoint_result res;
    struct scan_details *d = calloc(1, sizeof *d);
    memset(&res, 0, sizeof res);
    res.status[TLSV_TLS13] = VS_ACCEPTED;
    res.cert.status = CERTS_OK;
    res.cert.n_chain = 1;
    snprintf(res.cert.chain[0].key_type, sizeof res.cert.chain[0].key_type, "RSA");
    res.cert.chain[0].key_bits = 1024;
    snprintf(res.cert.chain[0].sig_alg, sizeof res.cert.chain[0].sig_alg, "sha1WithRSAEncryption");
    profile_check(PROFILE_INTERMEDIATE, &res, d);
    assert_int_equal(d->n_deviations, 2);
    assert_string_equal(d->deviations[0], "certificate key RSA 1024 bits (mozilla-intermediate wants at least 2048)");
    assert_string_equal(d->deviations[1], "certificate signature sha1WithRSAEncryption (mozilla-intermediate wants "
                                          "sha256WithRSAEncryption,ecdsa-with-SHA256,ecdsa-with-SHA384,ecdsa-with-SHA512)");
    res.cert.chain[0].key_bits = 2048;
    snprintf(res.cert.chain[0].sig_alg, sizeof res.cert.chain[0].sig_alg, "sha256WithRSAEncryption");
    profile_check(PROFILE_INTERMEDIATE, &res, d);
    assert_int_equal(d->n_deviations, 0);
    profile_check(PROFILE_MODERN, &res, d);
    assert_int_equal(d->n_deviations, 2);
    assert_string_equal(d->deviations[0], "certificate key RSA 2048 bits (mozilla-modern wants ecdsa)");
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suites_groups_pq_checks),
        cmocka_unit_test(test_client_order_and_refusals),
        cmocka_unit_test(test_partial_on_timeout),
        cmocka_unit_test(test_profile_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
