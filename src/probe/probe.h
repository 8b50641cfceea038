/*
 * One probe = one TCP connection to one endpoint address: connect, send one
 * ClientHello built by tlsready, read until the reply parser decides, close.
 * The engine (scan.c) runs probes; a *strategy* decides which probes an
 * endpoint needs and what their outcomes mean. The version scan
 * (versions.c) is one strategy; deeper enumerations (cipher suites, groups:
 * issue 4) are others, asking for probes one after another as outcomes arrive.
 *
 *   engine                       strategy
 *   ------                       --------
 *   endpoint opened   ------->   init(state, result)
 *   slot free         ------->   next(state, result, &req)   1: start req, 0: wait, -1: finished
 *   probe finished    ------->   outcome(state, result, &req, &outcome)
 *
 * Strategies are pure over their state: no sockets, no clock, no printing.
 */
#ifndef TR_PROBE_PROBE_H
#define TR_PROBE_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "tls/client_hello.h"
#include "tls/server_reply.h"

struct endpoint_result;

#define PROBE_SUITES_MAX 1024

/* What to send. The engine fills hello.sni, hello.random and hello.x25519_public. */
struct probe_request {
    int tag;                          /* the strategy's own label (e.g. the version probed) */
    struct client_hello_config hello; /* suites may point into `suites` below */
    int want_flight;                  /* read past the ServerHello to ServerHelloDone (TLS <= 1.2:
                                         Certificate, ServerKeyExchange) via server_flight_parse */
    uint16_t groups[64];              /* for hello.groups / hello.sigalgs, when a strategy needs its own */
    uint16_t sigalgs[64];
    uint16_t suites[PROBE_SUITES_MAX];   /* keep last: strategies clear everything before it */
};

enum probe_outcome_kind {
    OUTCOME_REPLY = 0,       /* the parser decided: see reply->status */
    OUTCOME_CLOSED,          /* the server closed before a decisive reply (bytes_received may be > 0) */
    OUTCOME_RESET,           /* connection reset before a decisive reply */
    OUTCOME_CONNECT_FAILED,  /* connect() failed: sys_errno (ECONNREFUSED, ENETUNREACH, ...) */
    OUTCOME_CONNECT_TIMEOUT, /* no TCP connection within the timeout */
    OUTCOME_READ_TIMEOUT,    /* connected, hello sent, no decisive reply within the timeout */
    OUTCOME_SKIPPED,         /* not tried: the address stayed silent on earlier probes */
    OUTCOME_LOCAL_ERROR,     /* could not build or send: see reason */
    OUTCOME_TOO_LARGE,       /* the reply did not fit the probe buffer without a decision */
};

struct probe_outcome {
    int kind;                          /* enum probe_outcome_kind */
    const struct server_reply *reply;  /* OUTCOME_REPLY only (valid during the callback) */
    int sys_errno;
    size_t bytes_received;
    double elapsed_ms;
    char reason[96];                   /* LOCAL_ERROR / SKIPPED detail */
};

struct scan_strategy {
    const char *name;
    size_t state_size;
    void (*init)(void *state, struct endpoint_result *res);
    int (*next)(void *state, struct endpoint_result *res, struct probe_request *req);
    void (*outcome)(void *state, struct endpoint_result *res, const struct probe_request *req,
                    const struct probe_outcome *o);
    /* after the last outcome: fill verdict-independent summary fields (may be NULL) */
    void (*finish)(void *state, struct endpoint_result *res);
};

/* The version scan: one probe per version plus one offering all of them. */
extern const struct scan_strategy versions_strategy;
/* The deep scan (issue 4, probe/enum.h): versions first, then suites, groups,
 * signature algorithms and the legacy checks for each accepted version. */
extern const struct scan_strategy deep_strategy;
/* After the engine's certificate step (scan_options.certs): the --profile check,
 * which needs the certificate; `state` is the deep strategy's. */
void deep_after_certs(void *state, struct endpoint_result *res);

#endif
