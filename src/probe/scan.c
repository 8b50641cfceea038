/*
 * The scan engine: keeps up to --concurrency probes in flight on one thread
 * (masscan/zmap style: one event loop, no thread per target), respecting a
 * per-address cap and a connection rate, and turns finished endpoints into
 * results in input order.
 *
 * Objects and their lifetimes:
 *   job       one target (host, port, SNI): opened lazily, resolved, done, emitted
 *   endpoint  one (target, address): a strategy's state and the result being filled
 *   slot      one address:port, shared by endpoints that resolve to it: the per-address cap
 *   probe     one connection; a fixed buffer holds first the hello, then the reply
 *
 * Scheduling (pump): endpoints that may want a probe wait in a FIFO "ready"
 * queue; an endpoint whose slot is full waits on the slot instead and is woken
 * when one of the slot's probes ends. New targets are opened only when no
 * ready endpoint can use a free connection, and at most WINDOW targets are
 * open but not yet emitted, so memory stays bounded however long the list is
 * and however slow its first target.
 *
 * A silent address (a probe timed out and no probe to it got any answer)
 * gets its remaining probes marked "not probed" instead of waiting another
 * timeout for each: a black-holed target costs one timeout, not six.
 */
#include "probe/scan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/loop.h"
#include "probe/probe.h"
#include "probe/resolve.h"
#include "probe/starttls.h"
#include "tls/client_hello.h"
#include "tls/server_reply.h"

/* the hello (<= 16 KB record) and then the reply: one record of at most 2^14 + 2048 */
#define PROBE_BUF (5 + TLS_RECORD_MAX_LEN)

enum job_state { JOB_NEW = 0, JOB_RESOLVING, JOB_ACTIVE, JOB_DONE };
enum probe_phase { PH_CONNECTING = 0, PH_SENDING, PH_READING, PH_PREAMBLE };

struct scan;
struct endpoint;

struct slot {
    struct sockaddr_storage sa;
    socklen_t salen;
    int inflight;
    struct endpoint *wait_head, *wait_tail;
    struct slot *hnext;
};

struct job {
    int state;
    double start;
    struct endpoint **eps;
    size_t n_eps, n_done;
};

struct endpoint {
    struct scan *sc;
    struct job *job;
    struct sockaddr_storage sa;
    socklen_t salen;
    struct slot *slot;        /* NULL for an endpoint that never connects (DNS failure) */
    int inflight;
    int any_reply;            /* the address answered something: not silent */
    int silent;
    int exhausted;            /* the strategy said -1 */
    int queued;               /* in the ready queue or a slot's wait list */
    int finished;
    struct endpoint *qnext;
    struct endpoint_result res;
    alignas(max_align_t) unsigned char state[]; /* the strategy's state */
};

/* A STARTTLS dialogue in progress: allocated only for probes that need one, so
 * plain scans keep their small per-probe footprint. */
struct preamble {
    struct starttls st;
    size_t len;               /* server bytes not consumed yet */
    uint8_t in[8192];
};

struct probe {
    struct scan *sc;
    struct endpoint *ep;
    int fd;
    int phase;
    int deferred_kind;        /* >= 0: an outcome decided at start, delivered by the timer */
    int deferred_errno;
    size_t out_len, out_off, in_len;
    double start;
    struct ev_timer timer;
    struct probe *free_next;
    struct probe_request req;
    struct preamble *pre;     /* STARTTLS before the hello (res.starttls != 0), else NULL */
    char pre_reason[96];
    uint8_t buf[PROBE_BUF];
};

struct scan {
    const struct scan_options *o;
    const struct scan_strategy *strat;
    const struct scan_target *targets;
    size_t n;
    struct job *jobs;
    size_t next_open, next_emit, open_targets, window, dns_pending;
    struct ev_loop *loop;
    struct resolver *resolver;
    struct endpoint *ready_head, *ready_tail;
    struct slot **buckets;
    size_t nbuckets;
    size_t inflight;
    size_t concurrency;
    double next_conn;
    struct ev_timer rate_timer;
    int in_pump;
    int stopping;
    struct probe *free_probes;
    uint8_t x25519[32];
    uint64_t rng;
    struct server_reply reply;           /* parser output, shared: one thread */
    uint8_t *flight_scratch;             /* server_flight_parse reassembly (deep scans only) */
    struct probe_request scratch_req;    /* for skipped probes */
    struct cert_store *cert_store;       /* --certs: trust anchors, loaded once per run */
    void (*on_result)(const struct endpoint_result *, void *);
    void *ctx;
    struct scan_stats *stats;
};

void scan_options_init(struct scan_options *o)
{
    memset(o, 0, sizeof *o);
    o->timeout_s = 5.0;
    o->concurrency = 100;
    o->per_address = 5;
    o->family = AF_UNSPEC;
    o->min_version = TLSV_TLS12;
    o->starttls = -1;
    o->warn_days = 30;
}

static void pump(struct scan *sc);

/* ---------- queues ---------- */

static void ready_push(struct scan *sc, struct endpoint *ep)
{
    ep->queued = 1;
    ep->qnext = NULL;
    if (sc->ready_tail)
        sc->ready_tail->qnext = ep;
    else
        sc->ready_head = ep;
    sc->ready_tail = ep;
}

static void ready_push_front(struct scan *sc, struct endpoint *ep)
{
    ep->queued = 1;
    ep->qnext = sc->ready_head;
    sc->ready_head = ep;
    if (!sc->ready_tail)
        sc->ready_tail = ep;
}

static struct endpoint *ready_pop(struct scan *sc)
{
    struct endpoint *ep = sc->ready_head;
    if (ep) {
        sc->ready_head = ep->qnext;
        if (!sc->ready_head)
            sc->ready_tail = NULL;
        ep->qnext = NULL;
        ep->queued = 0;
    }
    return ep;
}

static void slot_wait(struct slot *s, struct endpoint *ep)
{
    ep->queued = 1;
    ep->qnext = NULL;
    if (s->wait_tail)
        s->wait_tail->qnext = ep;
    else
        s->wait_head = ep;
    s->wait_tail = ep;
}

static void slot_wake(struct scan *sc, struct slot *s)
{
    struct endpoint *ep = s->wait_head;
    if (!ep)
        return;
    s->wait_head = ep->qnext;
    if (!s->wait_head)
        s->wait_tail = NULL;
    ready_push(sc, ep);
}

/* ---------- slots (address:port) ---------- */

static uint64_t sa_hash(const struct sockaddr_storage *sa)
{
    const uint8_t *p;
    size_t n;
    uint16_t port;
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        p = (const uint8_t *)&s4->sin_addr;
        n = 4;
        port = s4->sin_port;
    } else {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        p = (const uint8_t *)&s6->sin6_addr;
        n = 16;
        port = s6->sin6_port;
    }
    uint64_t h = 1469598103934665603ull ^ port;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static int sa_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return 0;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
    return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
}

static struct slot *slot_get(struct scan *sc, const struct sockaddr_storage *sa, socklen_t salen)
{
    size_t b = (size_t)sa_hash(sa) & (sc->nbuckets - 1);
    for (struct slot *s = sc->buckets[b]; s; s = s->hnext)
        if (sa_equal(&s->sa, sa))
            return s;
    struct slot *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->sa = *sa;
    s->salen = salen;
    s->hnext = sc->buckets[b];
    sc->buckets[b] = s;
    return s;
}

/* ---------- results ---------- */

static void emit_ready(struct scan *sc)
{
    while (sc->next_emit < sc->n && sc->jobs[sc->next_emit].state == JOB_DONE) {
        struct job *job = &sc->jobs[sc->next_emit];
        for (size_t i = 0; i < job->n_eps; i++) {
            struct endpoint *ep = job->eps[i];
            if (!sc->stopping) {
                if (sc->stats) {
                    sc->stats->endpoints++;
                    if (ep->res.verdict == VERDICT_OK)
                        sc->stats->ok++;
                    else if (ep->res.verdict == VERDICT_FAIL)
                        sc->stats->fail++;
                    else
                        sc->stats->unreachable++;
                }
                sc->on_result(&ep->res, sc->ctx);
            }
            free(ep);
        }
        free(job->eps);
        job->eps = NULL;
        job->n_eps = 0;
        sc->next_emit++;
        sc->open_targets--;
        if (sc->o->on_progress && !sc->stopping)
            sc->o->on_progress(sc->next_emit, sc->n, sc->inflight, sc->ctx);
    }
    if (sc->next_emit == sc->n)
        ev_stop(sc->loop);
}

static void endpoint_finish(struct endpoint *ep)
{
    struct scan *sc = ep->sc;
    if (ep->finished)
        return;
    ep->finished = 1;
    if (sc->strat->finish)
        sc->strat->finish(ep->state, &ep->res);
    if (sc->cert_store && ep->slot) {
        /* blocking, on connections of its own (cert_fetch.h): the loop's other
         * probes wait meanwhile; their replies are read before their timers fire */
        struct cert_fetch_params cp = {
            .sa = &ep->sa, .salen = ep->salen, .sni = ep->res.sni, .host = ep->res.target->host,
            .starttls = ep->res.starttls, .timeout_s = sc->o->timeout_s,
        };
        cert_scan_endpoint(&cp, ep->res.status, sc->cert_store, sc->o->cert_now ? sc->o->cert_now : time(NULL),
                           sc->o->warn_days, &ep->res.cert);
        ev_now_update(sc->loop);
    }
    if (sc->strat == &deep_strategy)
        deep_after_certs(ep->state, &ep->res);   /* the profile sees the certificate too */
    scan_policy_apply(&ep->res, sc->o->min_version);
    ep->res.elapsed_ms = (ev_now(sc->loop) - ep->job->start) * 1000.0;
    struct job *job = ep->job;
    if (++job->n_done == job->n_eps) {
        job->state = JOB_DONE;
        emit_ready(sc);
    }
}

static struct endpoint *endpoint_new(struct scan *sc, struct job *job, size_t ti, size_t ai,
                                     const struct sockaddr_storage *sa, socklen_t salen)
{
    struct endpoint *ep = calloc(1, sizeof *ep + sc->strat->state_size);
    if (!ep)
        return NULL;
    const struct scan_target *t = &sc->targets[ti];
    ep->sc = sc;
    ep->job = job;
    ep->res.target_index = ti;
    ep->res.address_index = ai;
    ep->res.target = t;
    ep->res.sni = t->sni ? t->sni : sc->o->sni ? sc->o->sni : t->literal_family ? NULL : t->host;
    ep->res.starttls = sc->o->starttls >= 0 ? sc->o->starttls : starttls_for_port(t->port);
    ep->res.preferred = TLSV_NONE;
    ep->res.deep = sc->o->deep;
    sc->strat->init(ep->state, &ep->res);
    if (sa) {
        ep->sa = *sa;
        ep->salen = salen;
        if (sa->ss_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ep->res.address, sizeof ep->res.address);
        else
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ep->res.address, sizeof ep->res.address);
        ep->slot = slot_get(sc, sa, salen);
    }
    return ep;
}

/* An endpoint that cannot be probed at all (DNS failure, excluded family): every version unknown. */
static void job_fail(struct scan *sc, struct job *job, size_t ti, const char *reason)
{
    job->eps = calloc(1, sizeof *job->eps);
    struct endpoint *ep = job->eps ? endpoint_new(sc, job, ti, 0, NULL, 0) : NULL;
    if (!ep) {
        free(job->eps);
        job->eps = NULL;
        job->n_eps = 0;
        job->state = JOB_DONE;
        emit_ready(sc);
        return;
    }
    job->eps[0] = ep;
    job->n_eps = 1;
    job->state = JOB_ACTIVE;
    for (int v = 0; v < TLSV_COUNT; v++) {
        ep->res.status[v] = VS_UNKNOWN;
        snprintf(ep->res.reason[v], SCAN_REASON_MAX, "%s", reason);
    }
    ep->res.preferred = TLSV_NONE;
    snprintf(ep->res.preferred_reason, SCAN_REASON_MAX, "%s", reason);
    endpoint_finish(ep);
}

/* Creates the endpoints of a resolved job and queues them. */
static void job_start(struct scan *sc, struct job *job, size_t ti, const struct sockaddr_storage *addrs, size_t n)
{
    if (!sc->o->all_addresses && n > 1)
        n = 1;
    job->eps = calloc(n, sizeof *job->eps);
    if (!job->eps) {
        job_fail(sc, job, ti, "out of memory");
        return;
    }
    uint16_t port = htons(sc->targets[ti].port);
    for (size_t i = 0; i < n; i++) {
        struct sockaddr_storage sa = addrs[i];
        socklen_t salen;
        if (sa.ss_family == AF_INET) {
            ((struct sockaddr_in *)&sa)->sin_port = port;
            salen = sizeof(struct sockaddr_in);
        } else {
            ((struct sockaddr_in6 *)&sa)->sin6_port = port;
            salen = sizeof(struct sockaddr_in6);
        }
        struct endpoint *ep = endpoint_new(sc, job, ti, i, &sa, salen);
        if (!ep || !ep->slot) {
            free(ep);
            for (size_t k = 0; k < job->n_eps; k++)
                free(job->eps[k]);
            free(job->eps);
            job->eps = NULL;
            job->n_eps = 0;
            job_fail(sc, job, ti, "out of memory");
            return;
        }
        job->eps[job->n_eps++] = ep;
    }
    job->state = JOB_ACTIVE;
    for (size_t i = 0; i < job->n_eps; i++)
        ready_push(sc, job->eps[i]);
}

struct lookup_ctx {
    struct scan *sc;
    size_t ti;
};

static void on_resolved(void *data, const struct sockaddr_storage *addrs, size_t n, const char *errmsg)
{
    struct lookup_ctx *lc = data;
    struct scan *sc = lc->sc;
    size_t ti = lc->ti;
    free(lc);
    sc->dns_pending--;
    if (sc->stopping)
        return;
    struct job *job = &sc->jobs[ti];
    if (n == 0) {
        char reason[SCAN_REASON_MAX];
        snprintf(reason, sizeof reason, "dns: %s", errmsg ? errmsg : "no address");
        job_fail(sc, job, ti, reason);
    } else {
        job_start(sc, job, ti, addrs, n);
    }
    pump(sc);
}

/* Opens the next target: literal and --resolve targets start at once, names go to DNS. */
static int open_next(struct scan *sc)
{
    if (sc->next_open >= sc->n || sc->open_targets >= sc->window || sc->dns_pending >= sc->concurrency)
        return 0;
    size_t ti = sc->next_open++;
    struct job *job = &sc->jobs[ti];
    const struct scan_target *t = &sc->targets[ti];
    sc->open_targets++;
    job->start = ev_now(sc->loop);
    int fam = sc->o->family;

    struct sockaddr_storage addrs[RESOLVE_MAX_ADDRS];
    size_t n = 0;
    memset(addrs, 0, sizeof addrs);
    if (t->literal_family) {
        if (fam != AF_UNSPEC && fam != t->literal_family) {
            job_fail(sc, job, ti, fam == AF_INET ? "not an IPv4 address (-4)" : "not an IPv6 address (-6)");
            return 1;
        }
        if (t->literal_family == AF_INET)
            inet_pton(AF_INET, t->host, &((struct sockaddr_in *)&addrs[0])->sin_addr);
        else
            inet_pton(AF_INET6, t->host, &((struct sockaddr_in6 *)&addrs[0])->sin6_addr);
        addrs[0].ss_family = (sa_family_t)t->literal_family;
        job_start(sc, job, ti, addrs, 1);
        return 1;
    }
    for (size_t i = 0; i < sc->o->n_resolves && n < RESOLVE_MAX_ADDRS; i++) {
        const struct resolve_override *r = &sc->o->resolves[i];
        if (r->port != t->port || strcmp(r->host, t->host) != 0)
            continue;
        if (fam != AF_UNSPEC && fam != r->family)
            continue;
        addrs[n].ss_family = (sa_family_t)r->family;
        if (r->family == AF_INET)
            memcpy(&((struct sockaddr_in *)&addrs[n])->sin_addr, r->addr, 4);
        else
            memcpy(&((struct sockaddr_in6 *)&addrs[n])->sin6_addr, r->addr, 16);
        n++;
    }
    if (n) {
        job_start(sc, job, ti, addrs, n);
        return 1;
    }
    if (!sc->resolver) {
        struct tr_error e;
        sc->resolver = resolver_new(sc->loop, sc->o->timeout_s, &e);
        if (!sc->resolver) {
            job_fail(sc, job, ti, e.msg);
            return 1;
        }
    }
    struct lookup_ctx *lc = malloc(sizeof *lc);
    if (!lc) {
        job_fail(sc, job, ti, "out of memory");
        return 1;
    }
    lc->sc = sc;
    lc->ti = ti;
    job->state = JOB_RESOLVING;
    sc->dns_pending++;
    resolver_lookup(sc->resolver, t->host, fam, on_resolved, lc);
    return 1;
}

/* ---------- probes ---------- */

static uint64_t rng_next(struct scan *sc)
{
    /* xorshift64*: the client random only has to differ between probes */
    uint64_t x = sc->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    sc->rng = x;
    return x * 2685821657736338717ull;
}

static struct probe *probe_alloc(struct scan *sc)
{
    struct probe *p = sc->free_probes;
    if (p)
        sc->free_probes = p->free_next;
    else
        p = malloc(sizeof *p);
    if (p) {
        p->sc = sc;
        p->fd = -1;
        p->free_next = NULL;
    }
    return p;
}

static void probe_release(struct scan *sc, struct probe *p)
{
    p->free_next = sc->free_probes;
    sc->free_probes = p;
}

/* Delivers one outcome to the strategy, for a probe that ran or was skipped. */
static void deliver(struct scan *sc, struct endpoint *ep, const struct probe_request *req, struct probe_outcome *o)
{
    if (o->kind == OUTCOME_CONNECT_TIMEOUT || o->kind == OUTCOME_READ_TIMEOUT) {
        if (!ep->any_reply)
            ep->silent = 1;
    } else if (o->kind != OUTCOME_SKIPPED && o->kind != OUTCOME_LOCAL_ERROR) {
        ep->any_reply = 1;
    }
    sc->strat->outcome(ep->state, &ep->res, req, o);
}

static void probe_end(struct probe *p, int kind, int err, const struct server_reply *reply)
{
    struct scan *sc = p->sc;
    struct endpoint *ep = p->ep;
    ev_timer_stop(sc->loop, &p->timer);
    if (p->fd >= 0) {
        ev_forget(sc->loop, p->fd);
        /* abortive close: no TIME_WAIT left behind per probe, thousands of probes reuse ports */
        struct linger lg = { 1, 0 };
        setsockopt(p->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(p->fd);
        p->fd = -1;
    }
    struct probe_outcome o;
    memset(&o, 0, sizeof o);
    o.kind = kind;
    o.reply = reply;
    o.sys_errno = err;
    o.bytes_received = p->in_len;
    o.elapsed_ms = (ev_now(sc->loop) - p->start) * 1000.0;
    free(p->pre);
    p->pre = NULL;
    if (kind == OUTCOME_LOCAL_ERROR && p->pre_reason[0])
        snprintf(o.reason, sizeof o.reason, "%s", p->pre_reason);
    else if (kind == OUTCOME_LOCAL_ERROR)
        snprintf(o.reason, sizeof o.reason, "local error: %s", strerror(err));
    sc->inflight--;
    ep->inflight--;
    ep->slot->inflight--;
    slot_wake(sc, ep->slot);
    deliver(sc, ep, &p->req, &o);
    probe_release(sc, p);
    if (ep->exhausted && ep->inflight == 0)
        endpoint_finish(ep);
    else if (!ep->queued && !ep->exhausted)
        ready_push(sc, ep);
    pump(sc);
}

static void on_probe_timer(struct ev_loop *loop, void *data)
{
    struct probe *p = data;
    if (p->deferred_kind >= 0)
        probe_end(p, p->deferred_kind, p->deferred_errno, NULL);
    else if (p->phase == PH_PREAMBLE && p->pre && p->pre->st.total + p->pre->len > 0) {
        /* the server spoke, then stalled mid-dialogue: say where (a silent one stays a timeout) */
        snprintf(p->pre_reason, sizeof p->pre_reason, "starttls %s: timeout during the dialogue",
                 starttls_name(p->pre->st.proto));
        probe_end(p, OUTCOME_LOCAL_ERROR, 0, NULL);
    } else
        probe_end(p, p->phase == PH_CONNECTING ? OUTCOME_CONNECT_TIMEOUT : OUTCOME_READ_TIMEOUT, 0, NULL);
}

static void probe_read(struct probe *p)
{
    int eof = 0, rerr = 0;
    for (;;) {
        if (p->in_len == PROBE_BUF)
            break;
        ssize_t n = read(p->fd, p->buf + p->in_len, PROBE_BUF - p->in_len);
        if (n > 0) {
            p->in_len += (size_t)n;
            /* decide as soon as the bytes allow: no read() to EAGAIN for a
             * socket about to be closed (one system call less per probe) */
            int st = p->req.want_flight && p->sc->flight_scratch
                         ? server_flight_parse(p->buf, p->in_len, p->sc->flight_scratch, SERVER_FLIGHT_SCRATCH, &p->sc->reply)
                         : server_reply_parse(p->buf, p->in_len, &p->sc->reply);
            if (st == REPLY_NEED_MORE && p->in_len == PROBE_BUF && p->sc->reply.have_server_hello) {
                /* a flight larger than the probe buffer: the ServerHello still decides */
                p->sc->reply.status = st = REPLY_SERVER_HELLO;
            }
            if (st != REPLY_NEED_MORE) {
                probe_end(p, OUTCOME_REPLY, 0, &p->sc->reply);
                return;
            }
            continue;
        }
        if (n == 0)
            eof = 1;
        else if (errno == EINTR)
            continue;
        else if (errno != EAGAIN && errno != EWOULDBLOCK)
            rerr = errno;
        break;
    }
    if (eof)
        probe_end(p, OUTCOME_CLOSED, 0, NULL);
    else if (rerr)
        probe_end(p, rerr == ECONNRESET ? OUTCOME_RESET : OUTCOME_CONNECT_FAILED, rerr, NULL);
    else if (p->in_len == PROBE_BUF)
        probe_end(p, OUTCOME_TOO_LARGE, 0, NULL);
}

/* Sends what the STARTTLS dialogue wants sent (a few hundred bytes at most: fits a fresh socket buffer). */
static int preamble_send(struct probe *p)
{
    struct starttls *st = &p->pre->st;
    size_t off = 0;
    while (off < st->out_len) {
        ssize_t w = send(p->fd, st->out + off, st->out_len - off, MSG_NOSIGNAL);
        if (w > 0) {
            off += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        snprintf(p->pre_reason, sizeof p->pre_reason, "starttls %s: send failed: %s", starttls_name(p->pre->st.proto),
                 w < 0 ? strerror(errno) : "short write");
        probe_end(p, OUTCOME_LOCAL_ERROR, 0, NULL);
        return -1;
    }
    st->out_len = 0;
    return 0;
}

/* Reads the server's side of the STARTTLS dialogue. 1: ready for the hello, 0: wait, -1: probe ended. */
static int preamble_read(struct probe *p)
{
    struct preamble *pr = p->pre;
    for (;;) {
        if (pr->len == sizeof pr->in) {
            snprintf(p->pre_reason, sizeof p->pre_reason, "starttls %s: reply too long", starttls_name(pr->st.proto));
            probe_end(p, OUTCOME_LOCAL_ERROR, 0, NULL);
            return -1;
        }
        ssize_t n = read(p->fd, pr->in + pr->len, sizeof pr->in - pr->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n <= 0) {
            snprintf(p->pre_reason, sizeof p->pre_reason, "starttls %s: connection %s during the dialogue",
                     starttls_name(pr->st.proto), n == 0 ? "closed" : "reset");
            probe_end(p, OUTCOME_LOCAL_ERROR, 0, NULL);
            return -1;
        }
        pr->len += (size_t)n;
        size_t used;
        int st;
        do { /* again while it makes progress: a server may send ahead of our commands */
            st = starttls_feed(&pr->st, pr->in, pr->len, &used);
            memmove(pr->in, pr->in + used, pr->len - used);
            pr->len -= used;
            if (pr->st.out_len && preamble_send(p) < 0)
                return -1;
        } while (st == STARTTLS_NEED_MORE && used && pr->len);
        if (st == STARTTLS_READY)
            return 1;
        if (st == STARTTLS_ERROR) {
            snprintf(p->pre_reason, sizeof p->pre_reason, "%s", pr->st.reason);
            probe_end(p, OUTCOME_LOCAL_ERROR, 0, NULL);
            return -1;
        }
    }
}

static void on_probe_io(struct ev_loop *loop, int fd, void *data, int mask)
{
    struct probe *p = data;
    if (p->phase == PH_CONNECTING) {
        if (mask & EV_ERROR) {
            int e = 0;
            socklen_t l = sizeof e;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) == 0 && e) {
                probe_end(p, OUTCOME_CONNECT_FAILED, e, NULL);
                return;
            }
        }
        p->phase = PH_SENDING;
        /* the reply timeout starts once connected: connect and reply each get the full timeout */
        ev_timer_start(loop, &p->timer, p->sc->o->timeout_s);
        if (p->pre) {
            /* the STARTTLS dialogue shares the reply timeout */
            p->phase = PH_PREAMBLE;
            if (p->pre->st.out_len && preamble_send(p) < 0)
                return;
        }
    }
    if (p->phase == PH_PREAMBLE) {
        if (!(mask & (EV_READ | EV_ERROR)))
            return;
        if (preamble_read(p) <= 0)
            return;
        p->phase = PH_SENDING;
    }
    if (p->phase == PH_SENDING) {
        while (p->out_off < p->out_len) {
            ssize_t w = send(fd, p->buf + p->out_off, p->out_len - p->out_off, MSG_NOSIGNAL);
            if (w > 0) {
                p->out_off += (size_t)w;
                continue;
            }
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return; /* edge-triggered: the next EPOLLOUT resumes */
            int e = errno;
            if (e == ECONNRESET || e == EPIPE)
                probe_end(p, OUTCOME_RESET, e, NULL);
            else
                probe_end(p, OUTCOME_CONNECT_FAILED, e, NULL);
            return;
        }
        p->phase = PH_READING;
        p->in_len = 0;
        /* edge-triggered: only read now if this event said there is something to read */
        if (!(mask & (EV_READ | EV_ERROR)))
            return;
    }
    if (mask & (EV_READ | EV_ERROR))
        probe_read(p);
}

/* Starts p: builds the hello into p->buf and connects. Failures are deferred to
 * the timer, so the strategy never hears an outcome from inside pump(). */
static void probe_start(struct scan *sc, struct endpoint *ep, struct probe *p)
{
    p->ep = ep;
    p->phase = PH_CONNECTING;
    p->deferred_kind = -1;
    p->deferred_errno = 0;
    p->out_len = p->out_off = p->in_len = 0;
    p->start = ev_now(sc->loop);
    p->pre_reason[0] = 0;
    p->pre = NULL;
    ev_timer_init(&p->timer, on_probe_timer, p);
    sc->inflight++;
    ep->inflight++;
    ep->slot->inflight++;
    if (sc->stats) {
        sc->stats->probes++;
        if (sc->inflight > sc->stats->peak_in_flight)
            sc->stats->peak_in_flight = sc->inflight;
    }
    ep->res.probes++;
    if (ep->res.starttls != STARTTLS_NONE) {
        p->pre = malloc(sizeof *p->pre);
        if (!p->pre) {
            p->deferred_kind = OUTCOME_LOCAL_ERROR;
            p->deferred_errno = ENOMEM;
            ev_timer_start(sc->loop, &p->timer, 0);
            return;
        }
        starttls_init(&p->pre->st, ep->res.starttls, ep->res.sni ? ep->res.sni : ep->res.target->host);
        p->pre->len = 0;
    }

    struct client_hello_config *cfg = &p->req.hello;
    cfg->sni = ep->res.sni;
    cfg->x25519_public = sc->x25519;
    for (int i = 0; i < 4; i++) {
        uint64_t r = rng_next(sc);
        memcpy(cfg->random + 8 * i, &r, 8);
    }
    struct tr_buf out;
    struct tr_error e;
    tr_buf_init(&out, p->buf, sizeof p->buf);
    int rc = client_hello_build(&out, cfg, &e);
    if (rc < 0 || out.is_heap || out.failed) {
        tr_buf_free(&out);
        p->deferred_kind = OUTCOME_LOCAL_ERROR;
        p->deferred_errno = EMSGSIZE;
        ev_timer_start(sc->loop, &p->timer, 0);
        return;
    }
    p->out_len = out.len;

    int fd = socket(ep->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        p->deferred_kind = OUTCOME_LOCAL_ERROR;
        p->deferred_errno = errno;
        ev_timer_start(sc->loop, &p->timer, 0);
        return;
    }
    p->fd = fd;
    if (connect(fd, (const struct sockaddr *)&ep->sa, ep->salen) < 0 && errno != EINPROGRESS) {
        p->deferred_kind = OUTCOME_CONNECT_FAILED;
        p->deferred_errno = errno;
        ev_timer_start(sc->loop, &p->timer, 0);
        return;
    }
    /* one registration for the probe's life: the connect completion and every
     * reply byte arrive as edges, so no epoll_ctl(MOD) between phases */
    if (ev_add(sc->loop, fd, EV_READ | EV_WRITE | EV_EDGE, on_probe_io, p, &e) < 0) {
        p->deferred_kind = OUTCOME_LOCAL_ERROR;
        p->deferred_errno = EMFILE;
        ev_timer_start(sc->loop, &p->timer, 0);
        return;
    }
    ev_timer_start(sc->loop, &p->timer, sc->o->timeout_s);
}

/* A silent endpoint: everything it still wants is answered "not probed" at once. */
static void drain_silent(struct scan *sc, struct endpoint *ep)
{
    int r;
    while ((r = sc->strat->next(ep->state, &ep->res, &sc->scratch_req)) == 1) {
        struct probe_outcome o;
        memset(&o, 0, sizeof o);
        o.kind = OUTCOME_SKIPPED;
        snprintf(o.reason, sizeof o.reason, "not probed: address silent (earlier probes timed out)");
        deliver(sc, ep, &sc->scratch_req, &o);
    }
    if (r < 0)
        ep->exhausted = 1;
    if (ep->exhausted && ep->inflight == 0)
        endpoint_finish(ep);
}

static void on_rate_timer(struct ev_loop *loop, void *data)
{
    pump(data);
}

static void pump(struct scan *sc)
{
    if (sc->in_pump || sc->stopping)
        return;
    sc->in_pump = 1;
    while (sc->inflight < sc->concurrency) {
        struct endpoint *ep = ready_pop(sc);
        if (!ep) {
            if (open_next(sc))
                continue;
            break;
        }
        if (ep->finished || ep->exhausted)
            continue;
        if (ep->silent) {
            drain_silent(sc, ep);
            continue;
        }
        if (ep->slot->inflight >= sc->o->per_address) {
            slot_wait(ep->slot, ep);
            continue;
        }
        if (sc->o->rate > 0) {
            double now = ev_now(sc->loop);
            if (now < sc->next_conn) {
                ready_push_front(sc, ep);
                if (!ev_timer_armed(&sc->rate_timer))
                    ev_timer_start(sc->loop, &sc->rate_timer, sc->next_conn - now);
                break;
            }
        }
        struct probe *p = probe_alloc(sc);
        if (!p) {
            ready_push_front(sc, ep);
            break;
        }
        int r = sc->strat->next(ep->state, &ep->res, &p->req);
        if (r == 1) {
            if (sc->o->rate > 0) {
                double now = ev_now(sc->loop);
                sc->next_conn = (sc->next_conn > now ? sc->next_conn : now) + 1.0 / sc->o->rate;
            }
            probe_start(sc, ep, p);
            ready_push(sc, ep);
            continue;
        }
        probe_release(sc, p);
        if (r < 0) {
            ep->exhausted = 1;
            if (ep->inflight == 0)
                endpoint_finish(ep);
        }
    }
    sc->in_pump = 0;
}

/* ---------- the run ---------- */

static size_t fd_budget(size_t want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return 1024;
    rlim_t need = (rlim_t)want + 256;
    if (rl.rlim_cur < need) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return (size_t)rl.rlim_cur;
}

int scan_run(const struct scan_options *opts, const struct scan_target *targets, size_t n,
             void (*on_result)(const struct endpoint_result *res, void *ctx), void *ctx,
             struct scan_stats *stats, struct tr_error *err)
{
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (n == 0)
        return 0;
    if (opts->concurrency < 1 || opts->per_address < 1 || opts->timeout_s <= 0)
        return tr_errorf(err, "concurrency, per-address cap and timeout must be positive");
    struct scan *sc = calloc(1, sizeof *sc);
    if (!sc)
        return tr_errorf(err, "out of memory");
    int rc = -1;
    sc->o = opts;
    sc->strat = opts->deep ? &deep_strategy : &versions_strategy;
    sc->targets = targets;
    sc->n = n;
    sc->on_result = on_result;
    sc->ctx = ctx;
    sc->stats = stats;
    size_t fds = fd_budget((size_t)opts->concurrency);
    sc->concurrency = (size_t)opts->concurrency;
    if (sc->concurrency + 64 > fds)
        sc->concurrency = fds > 128 ? fds - 64 : 64;
    sc->window = sc->concurrency * 8 > 1024 ? sc->concurrency * 8 : 1024;
    sc->nbuckets = 1024;
    while (sc->nbuckets < n && sc->nbuckets < (1u << 20))
        sc->nbuckets <<= 1;
    sc->jobs = calloc(n, sizeof *sc->jobs);
    sc->buckets = calloc(sc->nbuckets, sizeof *sc->buckets);
    if (!sc->jobs || !sc->buckets) {
        tr_errorf(err, "out of memory");
        goto out;
    }
    if (x25519_keypair(sc->x25519, err) < 0)
        goto out;
    if (opts->certs && !(sc->cert_store = cert_store_new(opts->ca_file, err)))
        goto out;
    if (opts->deep && !(sc->flight_scratch = malloc(SERVER_FLIGHT_SCRATCH))) {
        tr_errorf(err, "out of memory");
        goto out;
    }
    if (getrandom(&sc->rng, sizeof sc->rng, 0) != (ssize_t)sizeof sc->rng || sc->rng == 0)
        sc->rng = 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
    /* fds are allocated lowest first: the loop needs room for the probes plus a few */
    size_t setsize = fds < sc->concurrency + 1024 ? fds : sc->concurrency + 1024;
    sc->loop = ev_loop_new((int)setsize, err);
    if (!sc->loop)
        goto out;
    ev_timer_init(&sc->rate_timer, on_rate_timer, sc);
    pump(sc);
    if (sc->next_emit < sc->n && ev_run(sc->loop, err) < 0)
        goto out;
    if (sc->next_emit < sc->n) {
        tr_errorf(err, "scan stopped with %zu of %zu targets unfinished", sc->n - sc->next_emit, sc->n);
        goto out;
    }
    rc = 0;
out:
    sc->stopping = 1;
    if (sc->resolver)
        resolver_free(sc->resolver);
    /* an aborted run: free what is still open (probes still own their sockets) */
    if (sc->jobs) {
        for (size_t i = sc->next_emit; i < sc->n; i++) {
            for (size_t k = 0; k < sc->jobs[i].n_eps; k++)
                free(sc->jobs[i].eps[k]);
            free(sc->jobs[i].eps);
        }
    }
    while (sc->free_probes) {
        struct probe *p = sc->free_probes;
        sc->free_probes = p->free_next;
        free(p);
    }
    if (sc->buckets) {
        for (size_t b = 0; b < sc->nbuckets; b++) {
            while (sc->buckets[b]) {
                struct slot *s = sc->buckets[b];
                sc->buckets[b] = s->hnext;
                free(s);
            }
        }
    }
    free(sc->buckets);
    if (sc->cert_store)
        cert_store_free(sc->cert_store);
    free(sc->flight_scratch);
    free(sc->jobs);
    ev_loop_free(sc->loop);
    free(sc);
    return rc;
}
