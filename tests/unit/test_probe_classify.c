/*
 * Unit tests for the version decisions (classify), the policy (verdicts and
 * notes), the version strategy's inference, and the event loop's timer heap.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "probe/classify.h"
#include "probe/loop.h"
#include "probe/scan.h"
#include "tls/version.h"

static struct server_reply hello(int status, int selected, uint16_t suite)
{
    struct server_reply r;
    memset(&r, 0, sizeof r);
    r.status = status;
    r.have_server_hello = 1;
    r.selected_version = selected;
    r.cipher_suite = suite;
    return r;
}

static int run(int offered, const struct probe_outcome *o, int *chosen, char *reason)
{
    return classify_outcome(offered, o, chosen, reason, 96);
}

static void test_classify_replies(void **state)
{
    (void)state;
    char reason[96];
    int chosen;
    struct probe_outcome o = { .kind = OUTCOME_REPLY };

    struct server_reply r = hello(REPLY_SERVER_HELLO, TLSV_TLS12, 0xc02f);
    o.reply = &r;
    assert_int_equal(run(TLSV_TLS12, &o, &chosen, reason), VS_ACCEPTED);
    assert_int_equal(chosen, TLSV_TLS12);
    assert_string_equal(reason, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");

    /* a tls1.0 probe answered with a tls1.2 ServerHello: refused, says what it chose */
    assert_int_equal(run(TLSV_TLS10, &o, &chosen, reason), VS_REFUSED);
    assert_string_equal(reason, "server chose tls1.2");
    /* the all-versions probe: accepted, chosen is the preferred version */
    assert_int_equal(run(CLASSIFY_ALL, &o, &chosen, reason), VS_ACCEPTED);
    assert_int_equal(chosen, TLSV_TLS12);

    r = hello(REPLY_SERVER_HELLO, TLSV_NONE, 0x1301);
    r.supported_version = 0x0305;
    assert_int_equal(run(TLSV_TLS13, &o, &chosen, reason), VS_REFUSED);
    assert_string_equal(reason, "server chose unknown version 0x0305");

    /* HelloRetryRequest: the server will speak 1.3, only wants another key share */
    r = hello(REPLY_HELLO_RETRY, TLSV_TLS13, 0x1301);
    r.selected_group = 0x0017;
    assert_int_equal(run(TLSV_TLS13, &o, &chosen, reason), VS_ACCEPTED);
    assert_int_equal(chosen, TLSV_TLS13);
    assert_string_equal(reason, "hello retry request for secp256r1");
    assert_int_equal(run(CLASSIFY_ALL, &o, &chosen, reason), VS_ACCEPTED);
    assert_int_equal(chosen, TLSV_TLS13);

    memset(&r, 0, sizeof r);
    r.status = REPLY_ALERT;
    r.have_alert = 1;
    r.alert_level = 2;
    r.alert_description = 70;
    assert_int_equal(run(TLSV_TLS10, &o, &chosen, reason), VS_REFUSED);
    assert_int_equal(chosen, TLSV_NONE);
    assert_string_equal(reason, "alert protocol_version");
    r.alert_description = 40;
    assert_int_equal(run(TLSV_SSL3, &o, &chosen, reason), VS_REFUSED);
    assert_string_equal(reason, "alert handshake_failure");
    r.alert_description = 0xee;
    assert_int_equal(run(TLSV_SSL3, &o, &chosen, reason), VS_REFUSED);
    assert_string_equal(reason, "alert 238");

    memset(&r, 0, sizeof r);
    r.status = REPLY_NOT_TLS;
    strcpy(r.reason, "starts with 'HTTP/'");
    assert_int_equal(run(TLSV_TLS12, &o, &chosen, reason), VS_UNKNOWN);
    assert_string_equal(reason, "not TLS: starts with 'HTTP/'");
    r.status = REPLY_MALFORMED;
    strcpy(r.reason, "record length 40000 over 18432");
    assert_int_equal(run(TLSV_TLS12, &o, &chosen, reason), VS_UNKNOWN);
    assert_string_equal(reason, "malformed reply: record length 40000 over 18432");
    r.status = REPLY_SSL2;
    assert_int_equal(run(TLSV_SSL3, &o, &chosen, reason), VS_REFUSED);
    assert_string_equal(reason, "server answered in sslv2");
}

static void test_classify_connection_outcomes(void **state)
{
    (void)state;
    char reason[96];
    int chosen;
    struct probe_outcome o;
    memset(&o, 0, sizeof o);

    o.kind = OUTCOME_CLOSED;
    assert_int_equal(run(TLSV_TLS10, &o, &chosen, reason), VS_REFUSED);
    assert_string_equal(reason, "connection closed");
    o.bytes_received = 3;
    assert_int_equal(run(TLSV_TLS10, &o, &chosen, reason), VS_UNKNOWN);
    assert_string_equal(reason, "connection closed mid-reply after 3 bytes");
    o.kind = OUTCOME_RESET;
    o.bytes_received = 0;
    assert_int_equal(run(TLSV_TLS11, &o, &chosen, reason), VS_REFUSED);
    assert_string_equal(reason, "connection reset");
    o.kind = OUTCOME_CONNECT_FAILED;
    o.sys_errno = ECONNREFUSED;
    assert_int_equal(run(TLSV_TLS12, &o, &chosen, reason), VS_UNKNOWN);
    assert_string_equal(reason, "connection refused");
    o.sys_errno = ENETUNREACH;
    assert_int_equal(run(TLSV_TLS12, &o, &chosen, reason), VS_UNKNOWN);
    assert_string_equal(reason, "network unreachable");
    o.kind = OUTCOME_CONNECT_TIMEOUT;
    assert_int_equal(run(TLSV_TLS12, &o, &chosen, reason), VS_UNKNOWN);
    assert_string_equal(reason, "connect timeout");
    o.kind = OUTCOME_READ_TIMEOUT;
    assert_int_equal(run(TLSV_TLS12, &o, &chosen, reason), VS_UNKNOWN);
    assert_string_equal(reason, "timeout (no reply)");
    o.kind = OUTCOME_SKIPPED;
    strcpy(o.reason, "not probed: address silent");
    assert_int_equal(run(TLSV_TLS12, &o, &chosen, reason), VS_UNKNOWN);
    assert_string_equal(reason, "not probed: address silent");
}

static void test_classify_checked(void **state)
{
    (void)state;
    char reason[96];
    int chosen;
    const uint16_t offered12[] = { 0x002f, 0xc02f };
    const uint16_t offered_all[] = { 0x1301, 0x002f, 0xc02f };
    struct server_reply r = hello(REPLY_SERVER_HELLO, TLSV_TLS12, 0xc02f);
    struct probe_outcome o = { .kind = OUTCOME_REPLY, .reply = &r };
    assert_int_equal(classify_outcome_checked(TLSV_TLS12, offered12, 2, &o, &chosen, reason, sizeof reason), VS_ACCEPTED);
    /* a suite nobody offered */
    r.cipher_suite = 0x0005;
    assert_int_equal(classify_outcome_checked(TLSV_TLS12, offered12, 2, &o, &chosen, reason, sizeof reason), VS_UNKNOWN);
    assert_int_equal(chosen, TLSV_NONE);
    assert_string_equal(reason, "malformed reply: server chose cipher suite 0x0005, which was not offered");
    /* a TLS 1.3 suite in a TLS 1.2 ServerHello */
    r.cipher_suite = 0x1301;
    assert_int_equal(classify_outcome_checked(CLASSIFY_ALL, offered_all, 3, &o, &chosen, reason, sizeof reason), VS_UNKNOWN);
    assert_string_equal(reason, "malformed reply: cipher suite TLS_AES_128_GCM_SHA256 cannot be used with tls1.2");
    /* supported_versions in a TLS 1.2 ServerHello */
    r.cipher_suite = 0xc02f;
    r.supported_version = 0x0303;
    assert_int_equal(classify_outcome_checked(TLSV_TLS12, offered12, 2, &o, &chosen, reason, sizeof reason), VS_UNKNOWN);
    assert_string_equal(reason, "malformed reply: supported_versions extension 0x0303 in a ServerHello below tls1.3");
    /* TLS 1.3 via supported_versions to a hello that did not send it */
    r = hello(REPLY_SERVER_HELLO, TLSV_TLS13, 0x1301);
    r.supported_version = 0x0304;
    const uint16_t offered_13[] = { 0x1301 };
    assert_int_equal(classify_outcome_checked(TLSV_TLS12, offered_13, 1, &o, &chosen, reason, sizeof reason), VS_UNKNOWN);
    assert_string_equal(reason, "malformed reply: supported_versions extension 0x0304 in a ServerHello to a hello without it");
    assert_int_equal(classify_outcome_checked(TLSV_TLS13, offered_13, 1, &o, &chosen, reason, sizeof reason), VS_ACCEPTED);
}

static void set(struct endpoint_result *r, const char *codes)
{
    /* one letter per version ssl3..tls1.3: a accepted, r refused, u unknown */
    memset(r, 0, sizeof *r);
    for (int v = 0; v < TLSV_COUNT; v++)
        r->status[v] = codes[v] == 'a' ? VS_ACCEPTED : codes[v] == 'r' ? VS_REFUSED : VS_UNKNOWN;
}

static void test_policy(void **state)
{
    (void)state;
    struct endpoint_result r;
    set(&r, "rrraa");
    scan_policy_apply(&r, TLSV_TLS12);
    assert_int_equal(r.verdict, VERDICT_OK);
    assert_int_equal(r.n_notes, 0);

    set(&r, "raaar");
    scan_policy_apply(&r, TLSV_TLS12);
    assert_int_equal(r.verdict, VERDICT_OK);
    assert_int_equal(r.n_notes, 1);
    assert_string_equal(r.notes[0], "also accepts tls1.0, tls1.1 below the minimum tls1.2");

    set(&r, "rarrr");
    scan_policy_apply(&r, TLSV_TLS12);
    assert_int_equal(r.verdict, VERDICT_FAIL);
    assert_string_equal(r.notes[0], "accepts tls1.0 below the minimum tls1.2");

    /* nothing at or above the minimum accepted, one of them unknown: cannot say fail */
    set(&r, "rarru");
    scan_policy_apply(&r, TLSV_TLS12);
    assert_int_equal(r.verdict, VERDICT_UNREACHABLE);

    set(&r, "uuuuu");
    scan_policy_apply(&r, TLSV_TLS12);
    assert_int_equal(r.verdict, VERDICT_UNREACHABLE);
    assert_int_equal(r.n_notes, 0);

    /* the 2017 cut-over: --min tls1.1 */
    set(&r, "aaaru");
    scan_policy_apply(&r, TLSV_TLS11);
    assert_int_equal(r.verdict, VERDICT_OK);
    assert_string_equal(r.notes[0], "also accepts ssl3, tls1.0 below the minimum tls1.1");

    set(&r, "rrrrr");
    scan_policy_apply(&r, TLSV_SSL3);
    assert_int_equal(r.verdict, VERDICT_FAIL);
    assert_string_equal(version_status_name(VS_ACCEPTED), "accepted");
    assert_string_equal(scan_verdict_name(VERDICT_UNREACHABLE), "unreachable");
}

/* The version strategy: order of probes, and the all-versions answer saving a probe. */
static void test_versions_strategy(void **state)
{
    (void)state;
    void *st = calloc(1, versions_strategy.state_size);
    struct endpoint_result res;
    struct probe_request *req = calloc(6, sizeof *req);
    memset(&res, 0, sizeof res);
    versions_strategy.init(st, &res);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(versions_strategy.next(st, &res, &req[i]), 1);
        if (i == 0) {
            assert_int_equal(req[i].hello.max_version, TLSV_TLS13);
            assert_int_equal(req[i].hello.min_version, TLSV_SSL3);
            assert_true(req[i].hello.n_suites > 5);
        } else {
            assert_int_equal(req[i].hello.max_version, req[i].tag);
            assert_non_null(req[i].hello.suites);
        }
    }
    assert_int_equal(req[0].tag, CLASSIFY_ALL);
    assert_int_equal(req[1].tag, TLSV_SSL3);
    assert_int_equal(req[4].tag, TLSV_TLS12);
    /* the all-versions probe answers: TLS 1.3 chosen */
    struct server_reply r = hello(REPLY_SERVER_HELLO, TLSV_TLS13, 0x1302);
    struct probe_outcome o = { .kind = OUTCOME_REPLY, .reply = &r };
    versions_strategy.outcome(st, &res, &req[0], &o);
    assert_int_equal(res.preferred, TLSV_TLS13);
    assert_int_equal(res.status[TLSV_TLS13], VS_ACCEPTED);
    assert_string_equal(res.reason[TLSV_TLS13], "chosen when all offered: TLS_AES_256_GCM_SHA384");
    /* so no tls1.3 probe is asked for */
    assert_int_equal(versions_strategy.next(st, &res, &req[5]), -1);
    /* a tls1.2 ServerHello with a suite the tls1.2 probe did not offer is no acceptance */
    r = hello(REPLY_SERVER_HELLO, TLSV_TLS12, 0x1301);
    versions_strategy.outcome(st, &res, &req[4], &o);
    assert_int_equal(res.status[TLSV_TLS12], VS_UNKNOWN);
    assert_string_equal(res.reason[TLSV_TLS12], "malformed reply: server chose cipher suite 0x1301, which was not offered");
    /* a version's own probe decides it: tls1.0 refused */
    memset(&r, 0, sizeof r);
    r.status = REPLY_ALERT;
    r.alert_description = 70;
    versions_strategy.outcome(st, &res, &req[2], &o);
    assert_int_equal(res.status[TLSV_TLS10], VS_REFUSED);
    assert_string_equal(res.reason[TLSV_TLS10], "alert protocol_version");
    assert_string_equal(res.reason[TLSV_SSL3], "not probed");
    free(req);
    free(st);
}

struct fired {
    int order[8];
    int n;
};
struct tagged {
    struct ev_timer t;
    struct fired *f;
    int id;
};

static void on_fire(struct ev_loop *loop, void *data)
{
    struct tagged *x = data;
    x->f->order[x->f->n++] = x->id;
}

static void test_loop_timers(void **state)
{
    (void)state;
    struct tr_error err;
    struct ev_loop *loop = ev_loop_new(64, &err);
    assert_non_null(loop);
    struct fired f = { .n = 0 };
    struct tagged t[5];
    double delays[5] = { 0.05, 0.01, 0.03, 0.02, 0.04 };
    for (int i = 0; i < 5; i++) {
        t[i].f = &f;
        t[i].id = i;
        ev_timer_init(&t[i].t, on_fire, &t[i]);
        assert_int_equal(ev_timer_start(loop, &t[i].t, delays[i]), 0);
    }
    ev_timer_stop(loop, &t[2].t);              /* removed from the middle of the heap */
    assert_false(ev_timer_armed(&t[2].t));
    assert_int_equal(ev_timer_start(loop, &t[4].t, 0.001), 0);  /* re-armed earlier */
    assert_int_equal(ev_run(loop, &err), 0);   /* returns when nothing is left */
    assert_int_equal(f.n, 4);
    assert_int_equal(f.order[0], 4);
    assert_int_equal(f.order[1], 1);
    assert_int_equal(f.order[2], 3);
    assert_int_equal(f.order[3], 0);
    ev_loop_free(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_replies),
        cmocka_unit_test(test_classify_connection_outcomes),
        cmocka_unit_test(test_classify_checked),
        cmocka_unit_test(test_policy),
        cmocka_unit_test(test_versions_strategy),
        cmocka_unit_test(test_loop_timers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
