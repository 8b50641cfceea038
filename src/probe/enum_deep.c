/*
 * The deep scan strategy (probe/enum.h has the method). A pure state machine
 * over tasks: first the version scan runs as it always does (delegated to
 * versions_strategy); when its last outcome is in, the tasks for the accepted
 * versions are built and run side by side. A *chain* task (suites of one
 * chunk, groups, order/sort) has one probe in flight and decides its next
 * hello from the last answer; a *batch* task (signature schemes) has
 * independent probes; the rest are single probes. Tags are TAG_BASE + task
 * index, so versions' tags (-2..4) never collide.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/profile.h"
#include "probe/classify.h"
#include "probe/enum.h"
#include "tls/registry.h"

#define TAG_BASE 1000
#define MAX_TASKS 40
#define LIST_MAX ENUM_SUITES_MAX
#define ALERT_INAPPROPRIATE_FALLBACK 86

enum task_kind { TK_SUITES = 1, TK_ORDER, TK_GROUPS12, TK_DHE, TK_GROUPS13, TK_SIGALGS,
                 TK_FALLBACK, TK_RENEG, TK_COMPRESSION };

struct task {
    uint8_t kind;
    int8_t version;
    uint8_t done;
    uint8_t phase;            /* TK_ORDER: 0 reversed probe, 1 sorting chain */
    uint16_t busy;            /* probes in flight */
    uint16_t n, n_found;      /* list[0..n): still to offer; found[0..n_found): in the server's order */
    uint16_t idx;             /* batch: next registry index */
    uint16_t list[LIST_MAX];
    uint16_t found[LIST_MAX];
};

struct deep_state {
    alignas(max_align_t) unsigned char vs[64];   /* versions_strategy's state */
    int vs_all_sent;
    int started;
    unsigned inflight;
    unsigned rr;
    size_t n_tasks;
    struct task tasks[MAX_TASKS];
    struct scan_details d;
};

const char *check_result_name(int r)
{
    switch (r) {
    case CHECK_YES: return "yes";
    case CHECK_NO: return "no";
    case CHECK_NA: return "n/a";
    case CHECK_UNKNOWN: return "unknown";
    default: return "not run";
    }
}

const char *enum_state_name(int s)
{
    return s == ENUM_COMPLETE ? "complete" : s == ENUM_PARTIAL ? "partial" : "not run";
}

const char *suite_order_name(int o)
{
    return o == ORDER_SERVER ? "server" : o == ORDER_CLIENT ? "client" : "unknown";
}

/* ---------- lists from the registry ---------- */

static int kx_is(const struct cipher_suite *cs, const char *kx)
{
    return cs->kx && strcmp(cs->kx, kx) == 0;
}

/* Every suite negotiable at v, strongest first (TLS 1.3: every 1.3-only suite). */
static size_t suites_for(int v, uint16_t *out, size_t cap)
{
    if (v != TLSV_TLS13)
        return client_hello_default_suites(v, out, cap);
    size_t n = 0;
    for (size_t i = 0; i < cipher_suite_count() && n < cap; i++) {
        const struct cipher_suite *cs = cipher_suite_at(i);
        if (cs->min_version == TLSV_TLS13)
            out[n++] = cs->code;
    }
    return n;
}

/* Suites at v whose key exchange is kx ("ECDHE", "DHE"); signed_only drops anon/PSK. */
static size_t suites_kx(int v, const char *kx, int signed_only, uint16_t *out, size_t cap)
{
    uint16_t all[PROBE_SUITES_MAX];
    size_t n = suites_for(v, all, PROBE_SUITES_MAX), k = 0;
    for (size_t i = 0; i < n && k < cap; i++) {
        const struct cipher_suite *cs = cipher_suite_lookup(all[i]);
        if (!cs || !kx_is(cs, kx))
            continue;
        if (signed_only && strcmp(cs->auth, "RSA") != 0 && strcmp(cs->auth, "ECDSA") != 0 &&
            strcmp(cs->auth, "DSS") != 0)
            continue;
        out[k++] = all[i];
    }
    return k;
}

static int list_remove(uint16_t *list, uint16_t *n, uint16_t code)
{
    for (uint16_t i = 0; i < *n; i++)
        if (list[i] == code) {
            memmove(list + i, list + i + 1, (size_t)(*n - i - 1) * sizeof *list);
            (*n)--;
            return 1;
        }
    return 0;
}

/* ---------- building the tasks ---------- */

static struct task *task_add(struct deep_state *s, int kind, int version)
{
    if (s->n_tasks == MAX_TASKS)
        return NULL;
    struct task *t = &s->tasks[s->n_tasks++];
    memset(t, 0, offsetof(struct task, list));
    t->kind = (uint8_t)kind;
    t->version = (int8_t)version;
    return t;
}

static int highest_accepted(const struct endpoint_result *res, int from, int to)
{
    for (int v = to; v >= from; v--)
        if (res->status[v] == VS_ACCEPTED)
            return v;
    return TLSV_NONE;
}

static void build_tasks(struct deep_state *s, const struct endpoint_result *res)
{
    unsigned deep = res->deep;
    if (deep & SCAN_DEEP_CIPHERS) {
        for (int v = 0; v < TLSV_COUNT; v++) {
            if (res->status[v] != VS_ACCEPTED)
                continue;
            uint16_t all[PROBE_SUITES_MAX];
            size_t n = suites_for(v, all, PROBE_SUITES_MAX);
            for (size_t off = 0; off < n; off += ENUM_CHUNK) {
                struct task *t = task_add(s, TK_SUITES, v);
                if (!t)
                    break;
                size_t k = n - off < ENUM_CHUNK ? n - off : ENUM_CHUNK;
                memcpy(t->list, all + off, k * sizeof all[0]);
                t->n = (uint16_t)k;
            }
            task_add(s, TK_ORDER, v);
            s->d.v[v].suites_state = ENUM_COMPLETE;   /* until a chain says partial */
        }
    }
    int v12 = highest_accepted(res, TLSV_TLS10, TLSV_TLS12);
    if ((deep & SCAN_DEEP_GROUPS) && v12 != TLSV_NONE) {
        struct task *t = task_add(s, TK_GROUPS12, v12);
        if (t) {
            for (size_t i = 0; i < group_count(); i++) {
                const struct named_group *g = group_at(i);
                if (g->code >= 0x0001 && g->code <= 0x001e)   /* the RFC 8422 / 7748 curves usable in 1.2 */
                    t->list[t->n++] = g->code;
            }
            s->d.v[v12].groups_state = ENUM_COMPLETE;
        }
        task_add(s, TK_DHE, v12);
    }
    if ((deep & SCAN_DEEP_GROUPS) && res->status[TLSV_TLS13] == VS_ACCEPTED) {
        struct task *t = task_add(s, TK_GROUPS13, TLSV_TLS13);
        if (t) {
            for (size_t i = 0; i < group_count() && t->n < 64; i++) {
                const struct named_group *g = group_at(i);
                if (g->code < 0xff00)
                    t->list[t->n++] = g->code;
            }
            s->d.v[TLSV_TLS13].groups_state = ENUM_COMPLETE;
        }
    }
    if (deep & SCAN_DEEP_SIGALGS) {
        for (int v = TLSV_TLS12; v <= TLSV_TLS13; v++)
            if (res->status[v] == VS_ACCEPTED && task_add(s, TK_SIGALGS, v))
                s->d.v[v].sigalgs_state = ENUM_COMPLETE;
    }
    if (deep & SCAN_DEEP_CHECKS) {
        int hi = highest_accepted(res, TLSV_SSL3, TLSV_TLS13);
        int second = hi > TLSV_SSL3 ? highest_accepted(res, TLSV_SSL3, hi - 1) : TLSV_NONE;
        if (hi == TLSV_NONE || second == TLSV_NONE) {
            s->d.fallback_scsv = CHECK_NA;
            snprintf(s->d.fallback_reason, sizeof s->d.fallback_reason, "fewer than two versions accepted");
        } else {
            task_add(s, TK_FALLBACK, second);
        }
        int low = highest_accepted(res, TLSV_SSL3, TLSV_TLS12);
        if (low == TLSV_NONE) {
            s->d.secure_renegotiation = s->d.compression = CHECK_NA;
            snprintf(s->d.reneg_reason, sizeof s->d.reneg_reason, "no version below tls1.3 accepted");
            snprintf(s->d.compression_reason, sizeof s->d.compression_reason, "no version below tls1.3 accepted");
        } else {
            task_add(s, TK_RENEG, low);
            task_add(s, TK_COMPRESSION, low);
        }
    }
}

/* ---------- asking ---------- */

static void req_begin(struct probe_request *req, int tag, int maxv, int minv)
{
    memset(req, 0, offsetof(struct probe_request, suites));
    req->tag = tag;
    client_hello_config_init(&req->hello, maxv, minv);
}

static void req_suites(struct probe_request *req, const uint16_t *s, size_t n)
{
    if (n > PROBE_SUITES_MAX)
        n = PROBE_SUITES_MAX;
    memcpy(req->suites, s, n * sizeof *s);
    req->hello.suites = req->suites;
    req->hello.n_suites = n;
}

static void req_groups(struct probe_request *req, const uint16_t *g, size_t n)
{
    if (n > sizeof req->groups / sizeof req->groups[0])
        n = sizeof req->groups / sizeof req->groups[0];
    memcpy(req->groups, g, n * sizeof *g);
    req->hello.groups = req->groups;
    req->hello.n_groups = n;
}

static int suites_chains_done(const struct deep_state *s, int v)
{
    for (size_t i = 0; i < s->n_tasks; i++)
        if (s->tasks[i].kind == TK_SUITES && s->tasks[i].version == v && !s->tasks[i].done)
            return 0;
    return 1;
}

/* Gathers the chains' finds of version v into the result, chunk by chunk. Returns how many chunks found any. */
static int gather_suites(struct deep_state *s, int v)
{
    struct version_enum *ve = &s->d.v[v];
    int chunks = 0;
    ve->n_suites = 0;
    for (size_t i = 0; i < s->n_tasks; i++) {
        const struct task *t = &s->tasks[i];
        if (t->kind != TK_SUITES || t->version != v || !t->n_found)
            continue;
        chunks++;
        for (uint16_t k = 0; k < t->n_found && ve->n_suites < ENUM_SUITES_MAX; k++)
            ve->suites[ve->n_suites++] = t->found[k];
    }
    return chunks;
}

/* Fills req for task t if it can ask now; 1 when it did. */
static int task_ask(struct deep_state *s, struct task *t, int tag, struct probe_request *req)
{
    int v = t->version;
    uint16_t tmp[PROBE_SUITES_MAX];
    size_t n;
    if (t->done)
        return 0;
    switch (t->kind) {
    case TK_SUITES:
        if (t->busy)
            return 0;
        req_begin(req, tag, v, v);
        req_suites(req, t->list, t->n);
        return 1;
    case TK_ORDER: {
        if (t->busy || !suites_chains_done(s, v))
            return 0;
        struct version_enum *ve = &s->d.v[v];
        if (t->phase == 0) {
            int chunks = gather_suites(s, v);
            if (ve->n_suites < 2) {
                t->done = 1;
                return 0;
            }
            t->idx = (uint16_t)chunks;
        }
        req_begin(req, tag, v, v);
        if (t->phase == 0) {                                /* the set as found */
            req_suites(req, ve->suites, ve->n_suites);
        } else if (t->phase == 1) {                         /* the set reversed */
            for (size_t i = 0; i < ve->n_suites; i++)
                tmp[i] = ve->suites[ve->n_suites - 1 - i];
            req_suites(req, tmp, ve->n_suites);
        } else {                                            /* phase 2: selection chain */
            req_suites(req, t->list, t->n);
        }
        return 1;
    }
    case TK_GROUPS12:
        if (t->busy)
            return 0;
        n = suites_kx(v, "ECDHE", 0, tmp, PROBE_SUITES_MAX);
        if (n == 0 || t->n == 0) {
            t->done = 1;
            return 0;
        }
        req_begin(req, tag, v, v);
        req_suites(req, tmp, n);
        req_groups(req, t->list, t->n);
        req->want_flight = 1;
        return 1;
    case TK_DHE:
        if (t->busy)
            return 0;
        n = suites_kx(v, "DHE", 0, tmp, PROBE_SUITES_MAX);
        if (n == 0) {
            t->done = 1;
            return 0;
        }
        req_begin(req, tag, v, v);
        req_suites(req, tmp, n);
        req->want_flight = 1;
        return 1;
    case TK_GROUPS13:
        if (t->busy)
            return 0;
        n = suites_for(TLSV_TLS13, tmp, PROBE_SUITES_MAX);
        req_begin(req, tag, TLSV_TLS13, TLSV_TLS13);
        req_suites(req, tmp, n);
        req_groups(req, t->list, t->n);   /* the builder sends a share only if x25519 is listed */
        return 1;
    case TK_SIGALGS: {
        if (t->idx >= sigalg_count())
            return 0;
        uint16_t code = sigalg_at(t->idx++)->code;
        if (v == TLSV_TLS13) {
            n = suites_for(TLSV_TLS13, tmp, PROBE_SUITES_MAX);
        } else {
            n = suites_kx(v, "ECDHE", 1, tmp, PROBE_SUITES_MAX);
            n += suites_kx(v, "DHE", 1, tmp + n, PROBE_SUITES_MAX - n);
        }
        req_begin(req, tag, v, v);
        req_suites(req, tmp, n);
        req->sigalgs[0] = code;
        req->hello.sigalgs = req->sigalgs;
        req->hello.n_sigalgs = 1;
        req->want_flight = v != TLSV_TLS13;
        return 1;
    }
    case TK_FALLBACK:
    case TK_RENEG:
    case TK_COMPRESSION:
        if (t->busy)
            return 0;
        n = suites_for(v, tmp, PROBE_SUITES_MAX);
        req_begin(req, tag, v, v);
        req_suites(req, tmp, n);
        req->hello.fallback_scsv = t->kind == TK_FALLBACK;
        req->hello.offer_compression = t->kind == TK_COMPRESSION;
        return 1;
    }
    return 0;
}

static void d_init(void *state, struct endpoint_result *res)
{
    struct deep_state *s = state;
    memset(s, 0, offsetof(struct deep_state, tasks));
    memset(&s->d, 0, sizeof s->d);
    s->d.profile = (int)SCAN_DEEP_PROFILE(res->deep);
    res->details = &s->d;
    if (versions_strategy.state_size <= sizeof s->vs)
        versions_strategy.init(s->vs, res);
    else
        s->vs_all_sent = 1;
}

static int d_next(void *state, struct endpoint_result *res, struct probe_request *req)
{
    struct deep_state *s = state;
    if (!s->started) {
        if (!s->vs_all_sent) {
            int r = versions_strategy.next(s->vs, res, req);
            if (r == 1) {
                s->inflight++;
                return 1;
            }
            s->vs_all_sent = 1;
        }
        if (s->inflight)
            return 0;
        s->started = 1;
        build_tasks(s, res);
    }
    for (size_t k = 0; k < s->n_tasks; k++) {
        size_t i = (s->rr + k) % s->n_tasks;
        struct task *t = &s->tasks[i];
        if (task_ask(s, t, TAG_BASE + (int)i, req)) {
            t->busy++;
            s->inflight++;
            s->rr = (unsigned)(i + 1);
            return 1;
        }
    }
    if (s->inflight)
        return 0;
    return -1;
}

/* ---------- hearing ---------- */

static void partial(int *state, char *reason, size_t cap, const char *why)
{
    if (*state != ENUM_PARTIAL) {
        *state = ENUM_PARTIAL;
        snprintf(reason, cap, "%s", why);
    }
}

static void hear_suites(struct deep_state *s, struct task *t, int st, const struct probe_outcome *o, const char *reason)
{
    struct version_enum *ve = &s->d.v[t->version];
    if (st == VS_ACCEPTED) {
        uint16_t cs = o->reply->cipher_suite;
        if (list_remove(t->list, &t->n, cs) && t->n_found < LIST_MAX)
            t->found[t->n_found++] = cs;
        if (t->n == 0)
            t->done = 1;
        return;
    }
    t->done = 1;
    if (st != VS_REFUSED)
        partial(&ve->suites_state, ve->suites_reason, sizeof ve->suites_reason, reason);
}

/*
 * Order: the set offered as found, then reversed. A server following the
 * client takes the first offered both times; a server with its own order
 * takes its favourite both times. With its own order and a set gathered from
 * several chunks (each chunk's chain saw only its part), a selection chain
 * then asks for the favourite of what is left until the order is known.
 */
static void hear_order(struct deep_state *s, struct task *t, int st, const struct probe_outcome *o, const char *reason)
{
    struct version_enum *ve = &s->d.v[t->version];
    if (st != VS_ACCEPTED) {
        t->done = 1;
        if (t->phase == 2)
            partial(&ve->suites_state, ve->suites_reason, sizeof ve->suites_reason, reason);
        return;
    }
    uint16_t cs = o->reply->cipher_suite;
    if (t->phase == 0) {
        t->found[0] = cs;
        t->phase = 1;
        return;
    }
    if (t->phase == 1) {
        int client = t->found[0] == ve->suites[0] && cs == ve->suites[ve->n_suites - 1];
        ve->order = client ? ORDER_CLIENT : ORDER_SERVER;
        if (client || t->idx < 2) {
            t->done = 1;                  /* one chunk: the chain's order is the server's */
            return;
        }
        t->phase = 2;
        t->n = 0;
        for (size_t i = 0; i < ve->n_suites && i < LIST_MAX; i++)
            t->list[t->n++] = ve->suites[i];
        t->n_found = 0;
    }
    if (list_remove(t->list, &t->n, cs) && t->n_found < LIST_MAX)
        t->found[t->n_found++] = cs;
    if (t->n == 1 && t->n_found < LIST_MAX)
        t->found[t->n_found++] = t->list[--t->n];
    if (t->n == 0) {
        memcpy(ve->suites, t->found, t->n_found * sizeof t->found[0]);
        ve->n_suites = t->n_found;
        t->done = 1;
    }
}

static void hear_groups(struct deep_state *s, struct task *t, int st, const struct probe_outcome *o, const char *reason)
{
    struct version_enum *ve = &s->d.v[t->version];
    if (st != VS_ACCEPTED) {
        t->done = 1;
        if (st != VS_REFUSED)
            partial(&ve->groups_state, ve->groups_reason, sizeof ve->groups_reason, reason);
        return;
    }
    const struct server_reply *r = o->reply;
    uint16_t g = 0;
    if (t->kind == TK_GROUPS13)
        g = r->selected_group;
    else if (r->have_server_key_exchange && r->ske.kind == SKE_ECDHE)
        g = r->ske.group;
    char why[ENUM_REASON_LEN];
    if (g == 0 || !list_remove(t->list, &t->n, g)) {
        const struct named_group *ng = group_lookup(g);
        if (g == 0)
            snprintf(why, sizeof why, "no group in the server's reply");
        else
            snprintf(why, sizeof why, "server chose %s, which was not offered", ng ? ng->name : "an unknown group");
        partial(&ve->groups_state, ve->groups_reason, sizeof ve->groups_reason, why);
        t->done = 1;
        return;
    }
    if (ve->n_groups < ENUM_GROUPS_MAX)
        ve->groups[ve->n_groups++] = g;
    if (t->n == 0)
        t->done = 1;
}

static void hear_sigalg(struct deep_state *s, struct task *t, const struct probe_request *req, int st,
                        const struct probe_outcome *o)
{
    struct version_enum *ve = &s->d.v[t->version];
    uint16_t code = req->sigalgs[0];
    if (t->idx >= sigalg_count() && t->busy == 1)
        t->done = 1;
    if (st == VS_ACCEPTED) {
        const struct server_reply *r = o->reply;
        int ok = t->version == TLSV_TLS13 ? r->status == REPLY_SERVER_HELLO
                                          : r->have_server_key_exchange && r->ske.sig_scheme == code;
        if (ok && ve->n_sigalgs < ENUM_SIGALGS_MAX)
            ve->sigalgs[ve->n_sigalgs++] = code;
        /* a HelloRetryRequest (no x25519 at the server) comes before any signature: undecided */
        if (r->status == REPLY_HELLO_RETRY)
            ve->sigalgs_state = ENUM_PARTIAL;
    } else if (st != VS_REFUSED) {
        ve->sigalgs_state = ENUM_PARTIAL;
    }
}

static void hear_check(struct deep_state *s, struct task *t, int st, const struct probe_outcome *o, const char *reason)
{
    const struct server_reply *r = o->kind == OUTCOME_REPLY ? o->reply : NULL;
    t->done = 1;
    int *res;
    char *why;
    size_t cap = ENUM_REASON_LEN;
    if (t->kind == TK_FALLBACK) {
        res = &s->d.fallback_scsv;
        why = s->d.fallback_reason;
        if (r && r->status == REPLY_ALERT && r->alert_description == ALERT_INAPPROPRIATE_FALLBACK) {
            *res = CHECK_YES;
            snprintf(why, cap, "%s hello with TLS_FALLBACK_SCSV: alert inappropriate_fallback", tls_version_name(t->version));
        } else if (st == VS_ACCEPTED) {
            *res = CHECK_NO;
            snprintf(why, cap, "%s hello with TLS_FALLBACK_SCSV accepted", tls_version_name(t->version));
        } else {
            *res = CHECK_UNKNOWN;
            snprintf(why, cap, "%s", reason);
        }
        return;
    }
    if (t->kind == TK_RENEG) {
        res = &s->d.secure_renegotiation;
        why = s->d.reneg_reason;
        if (st == VS_ACCEPTED) {
            *res = r->renegotiation_info ? CHECK_YES : CHECK_NO;
            snprintf(why, cap, "%s ServerHello %s renegotiation_info", tls_version_name(t->version),
                     r->renegotiation_info ? "has" : "lacks");
        } else {
            *res = CHECK_UNKNOWN;
            snprintf(why, cap, "%s", reason);
        }
        return;
    }
    res = &s->d.compression;
    why = s->d.compression_reason;
    if (st == VS_ACCEPTED) {
        *res = r->compression == 1 ? CHECK_YES : CHECK_NO;
        snprintf(why, cap, "DEFLATE offered at %s: server chose %s", tls_version_name(t->version),
                 r->compression == 1 ? "DEFLATE" : r->compression == 0 ? "null" : "another method");
    } else {
        *res = CHECK_UNKNOWN;
        snprintf(why, cap, "DEFLATE offered: %s", reason);
    }
}

static void d_outcome(void *state, struct endpoint_result *res, const struct probe_request *req,
                      const struct probe_outcome *o)
{
    struct deep_state *s = state;
    if (s->inflight)
        s->inflight--;
    if (req->tag < TAG_BASE) {
        versions_strategy.outcome(s->vs, res, req, o);
        return;
    }
    size_t i = (size_t)(req->tag - TAG_BASE);
    if (i >= s->n_tasks)
        return;
    struct task *t = &s->tasks[i];
    int chosen;
    char reason[96];
    int st = classify_outcome_checked(t->version, req->hello.suites, req->hello.n_suites, o, &chosen, reason, sizeof reason);
    if (st == VS_ACCEPTED && (!o->reply || (o->reply->status != REPLY_SERVER_HELLO && o->reply->status != REPLY_HELLO_RETRY)))
        st = VS_UNKNOWN;
    switch (t->kind) {
    case TK_SUITES: hear_suites(s, t, st, o, reason); break;
    case TK_ORDER: hear_order(s, t, st, o, reason); break;
    case TK_GROUPS12:
    case TK_GROUPS13: hear_groups(s, t, st, o, reason); break;
    case TK_DHE:
        t->done = 1;
        if (st == VS_ACCEPTED && o->reply->have_server_key_exchange && o->reply->ske.kind == SKE_DHE)
            s->d.v[t->version].dhe_bits = o->reply->ske.dh_p_bits;
        break;
    case TK_SIGALGS: hear_sigalg(s, t, req, st, o); break;
    default: hear_check(s, t, st, o, reason); break;
    }
    if (t->busy)
        t->busy--;
}

/* ---------- finishing ---------- */

static int cmp_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static void intolerance(struct scan_details *d, const struct endpoint_result *res)
{
    int hi = highest_accepted(res, TLSV_SSL3, TLSV_TLS13);
    size_t cap = sizeof d->intolerance_reason;
    if (hi == TLSV_NONE) {
        d->version_intolerant = CHECK_NA;
        snprintf(d->intolerance_reason, cap, "no version accepted");
        return;
    }
    if (res->preferred != hi) {
        d->version_intolerant = CHECK_YES;
        snprintf(d->intolerance_reason, cap, "a hello offering ssl3..tls1.3 got '%s', not %s", res->preferred_reason,
                 tls_version_name(hi));
        return;
    }
    if (hi < TLSV_TLS12 && strncmp(res->reason[TLSV_TLS12], "server chose ", 13) != 0) {
        d->version_intolerant = CHECK_YES;
        snprintf(d->intolerance_reason, cap, "a tls1.2 hello got '%s', not %s", res->reason[TLSV_TLS12],
                 tls_version_name(hi));
        return;
    }
    d->version_intolerant = CHECK_NO;
    snprintf(d->intolerance_reason, cap, "negotiates %s when offered more", tls_version_name(hi));
}

static void d_finish(void *state, struct endpoint_result *res)
{
    struct deep_state *s = state;
    for (int v = 0; v < TLSV_COUNT; v++) {
        struct version_enum *ve = &s->d.v[v];
        if (ve->suites_state != ENUM_NOT_RUN && ve->n_suites == 0)
            gather_suites(s, v);
        if (ve->n_sigalgs > 1)
            qsort(ve->sigalgs, ve->n_sigalgs, sizeof ve->sigalgs[0], cmp_u16);
    }
    if (res->deep & SCAN_DEEP_CHECKS)
        intolerance(&s->d, res);
    res->details = &s->d;
}

void deep_after_certs(void *state, struct endpoint_result *res)
{
    struct deep_state *s = state;
    if (s->d.profile)
        profile_check(s->d.profile, res, &s->d);
}

const struct scan_strategy deep_strategy = {
    .name = "deep",
    .state_size = sizeof(struct deep_state),
    .init = d_init,
    .next = d_next,
    .outcome = d_outcome,
    .finish = d_finish,
};
