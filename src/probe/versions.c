/*
 * The version scan strategy: one probe offering every version (ssl3..tls1.3
 * through supported_versions, with the legacy suites too) tells which version
 * the server prefers; one probe per version tells whether it is accepted.
 *
 * Order: the all-versions probe first, then ssl3, tls1.0, tls1.1, tls1.2 and
 * tls1.3 last. With the default per-address cap of 5, the sixth probe waits
 * for a slot; by then the all-versions probe has usually answered, and when
 * it shows the server picking tls1.3 (the usual answer of a modern server)
 * that answer already proves tls1.3 accepted, so the sixth connection is
 * never made.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "probe/classify.h"
#include "probe/probe.h"
#include "probe/scan.h"
#include "tls/registry.h"
#include "tls/version.h"

#define TAG_ALL (-2)   /* == CLASSIFY_ALL */

static const int order[] = { TAG_ALL, TLSV_SSL3, TLSV_TLS10, TLSV_TLS11, TLSV_TLS12, TLSV_TLS13 };
#define N_ORDER (sizeof order / sizeof order[0])

/*
 * Suite order for version probes. Which suite the server picks does not
 * matter here, but what it costs the server does: servers follow the
 * client's order by default (OpenSSL, nginx), and a DHE suite makes them
 * generate a finite-field key (milliseconds) for a handshake we drop after
 * the ServerHello. Static RSA first costs them nothing before our next
 * message (which never comes), ECDHE next, DHE last.
 */
static int kx_rank(uint16_t code)
{
    const struct cipher_suite *cs = cipher_suite_lookup(code);
    if (!cs || !cs->kx)
        return 2;
    if (strcmp(cs->kx, "RSA") == 0)
        return 0;
    if (strcmp(cs->kx, "ECDHE") == 0)
        return 1;
    if (strncmp(cs->kx, "DHE", 3) == 0)
        return 3;
    return 2;
}

static void order_suites(uint16_t *s, size_t n)
{
    uint16_t tmp[PROBE_SUITES_MAX];
    int rank[PROBE_SUITES_MAX];
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        rank[i] = kx_rank(s[i]);
    for (int r = 0; r <= 3; r++)
        for (size_t i = 0; i < n; i++)
            if (rank[i] == r)
                tmp[k++] = s[i];
    memcpy(s, tmp, k * sizeof *s);
}

/*
 * The suite lists are the same for every probe of a version: built once per
 * process (read-only afterwards), so a probe costs a copy, not a sort
 * (measured: this is most of the per-probe CPU at scale).
 */
#define LIST_ALL TLSV_COUNT
static struct {
    uint16_t suites[TLSV_COUNT + 1][PROBE_SUITES_MAX];
    size_t n[TLSV_COUNT + 1];
} lists;
static pthread_once_t lists_once = PTHREAD_ONCE_INIT;

static void lists_build(void)
{
    for (int v = 0; v < TLSV_COUNT; v++) {
        lists.n[v] = client_hello_default_suites(v, lists.suites[v], PROBE_SUITES_MAX);
        if (v != TLSV_TLS13)
            order_suites(lists.suites[v], lists.n[v]);
    }
    /* all versions: the TLS 1.3 suites and every older one: whatever the
     * server would pick for any version is on offer */
    uint16_t *a = lists.suites[LIST_ALL];
    size_t n = client_hello_default_suites(TLSV_TLS13, a, PROBE_SUITES_MAX);
    size_t n13 = n;
    n += client_hello_default_suites(TLSV_TLS12, a + n, PROBE_SUITES_MAX - n);
    order_suites(a + n13, n - n13);
    lists.n[LIST_ALL] = n;
}

struct versions_state {
    unsigned next;        /* index into order[] */
    unsigned decided;     /* bit v: status[v] known (by its own probe or by inference) */
};

static void v_init(void *state, struct endpoint_result *res)
{
    struct versions_state *s = state;
    memset(s, 0, sizeof *s);
    for (int v = 0; v < TLSV_COUNT; v++) {
        res->status[v] = VS_UNKNOWN;
        snprintf(res->reason[v], sizeof res->reason[v], "not probed");
    }
    res->preferred = TLSV_NONE;
    snprintf(res->preferred_reason, sizeof res->preferred_reason, "not probed");
}

static int v_next(void *state, struct endpoint_result *res, struct probe_request *req)
{
    struct versions_state *s = state;
    while (s->next < N_ORDER) {
        int tag = order[s->next++];
        if (tag != TAG_ALL && (s->decided & (1u << tag)))
            continue;
        memset(req, 0, sizeof *req - sizeof req->suites);
        req->tag = tag;
        pthread_once(&lists_once, lists_build);
        int list = tag == TAG_ALL ? LIST_ALL : tag;
        if (tag == TAG_ALL)
            client_hello_config_init(&req->hello, TLSV_TLS13, TLSV_SSL3);
        else
            client_hello_config_init(&req->hello, tag, tag);
        /* explicit, so the outcome can check the server chose from it */
        memcpy(req->suites, lists.suites[list], lists.n[list] * sizeof req->suites[0]);
        req->hello.suites = req->suites;
        req->hello.n_suites = lists.n[list];
        return 1;
    }
    return -1;
}

static void v_outcome(void *state, struct endpoint_result *res, const struct probe_request *req,
                      const struct probe_outcome *o)
{
    struct versions_state *s = state;
    int chosen;
    char reason[96];
    int st = classify_outcome_checked(req->tag, req->hello.suites, req->hello.n_suites, o, &chosen, reason, sizeof reason);
    if (req->tag == TAG_ALL) {
        if (st == VS_ACCEPTED) {
            res->preferred = chosen;
            res->preferred_suite = o->reply && o->reply->status == REPLY_SERVER_HELLO ? o->reply->cipher_suite : 0;
            snprintf(res->preferred_reason, sizeof res->preferred_reason, "%s", reason);
            if (chosen >= 0 && chosen < TLSV_COUNT && !(s->decided & (1u << chosen))) {
                s->decided |= 1u << chosen;
                res->status[chosen] = VS_ACCEPTED;
                snprintf(res->reason[chosen], sizeof res->reason[chosen], "chosen when all offered: %s", reason);
            }
        } else {
            res->preferred = TLSV_NONE;
            snprintf(res->preferred_reason, sizeof res->preferred_reason, "%s", reason);
        }
        return;
    }
    int v = req->tag;
    if (v < 0 || v >= TLSV_COUNT)
        return;
    /* a version's own probe is the authority; inference only fills gaps */
    s->decided |= 1u << v;
    res->status[v] = st;
    snprintf(res->reason[v], sizeof res->reason[v], "%s", reason);
}

const struct scan_strategy versions_strategy = {
    .name = "versions",
    .state_size = sizeof(struct versions_state),
    .init = v_init,
    .next = v_next,
    .outcome = v_outcome,
    .finish = NULL,
};
