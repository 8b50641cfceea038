/*
 * The scan library: many endpoints at once, each asked which TLS/SSL versions
 * it accepts. `tlsready scan`, `endpoints --scan` and `audit` all call
 * scan_run(); results arrive through a callback, one per (target, address),
 * in input order. Library code: no printing, no exit.
 */
#ifndef TR_PROBE_SCAN_H
#define TR_PROBE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include <time.h>

#include "probe/cert_fetch.h"
#include "probe/target.h"
#include "tls/version.h"
#include "util/error.h"

enum version_status {
    VS_UNKNOWN = 0,   /* could not decide: reason says why (timeout, connection refused, dns, not TLS) */
    VS_ACCEPTED,
    VS_REFUSED,       /* reason says how (alert ..., server chose ..., connection closed) */
};

/* scan_options.deep: enumerations beyond versions (issue 4; probe/enum.h) */
#define SCAN_DEEP_CIPHERS 1u   /* every accepted cipher suite per version, server preference */
#define SCAN_DEEP_GROUPS 2u    /* key exchange groups per version (incl. hybrid post-quantum), DH size */
#define SCAN_DEEP_SIGALGS 4u   /* signature schemes accepted for tls1.2 / tls1.3 */
#define SCAN_DEEP_CHECKS 8u    /* fallback SCSV, secure renegotiation, compression, version intolerance */
struct scan_details;

enum scan_verdict {
    VERDICT_OK = 0,       /* accepts a version at or above the minimum */
    VERDICT_FAIL,         /* reachable, but accepts none at or above the minimum */
    VERDICT_UNREACHABLE,  /* could not tell (DNS, connect, timeouts, not TLS) */
};

#define SCAN_REASON_MAX 128
#define SCAN_NOTES_MAX 4
#define SCAN_NOTE_LEN 160
#define SCAN_ADDR_LEN 46

struct endpoint_result {
    size_t target_index;          /* position in the targets array */
    size_t address_index;         /* 0.. for --all-addresses */
    const struct scan_target *target;
    char address[SCAN_ADDR_LEN];  /* "" when the name did not resolve */
    const char *sni;              /* sent server_name, NULL for none */
    int status[TLSV_COUNT];       /* enum version_status */
    char reason[TLSV_COUNT][SCAN_REASON_MAX];
    int preferred;                /* version chosen when all are offered, or TLSV_NONE */
    char preferred_reason[SCAN_REASON_MAX];  /* why preferred is null, or the suite chosen */
    uint16_t preferred_suite;     /* cipher suite of the all-versions probe, 0 if none */
    int verdict;                  /* enum scan_verdict */
    char notes[SCAN_NOTES_MAX][SCAN_NOTE_LEN];
    int n_notes;
    double elapsed_ms;
    unsigned probes;              /* connections made for this endpoint */
    /* issue 4, certificates and STARTTLS (probe/cert_fetch.h, probe/starttls.h) */
    int starttls;                 /* enum starttls_proto spoken before every ClientHello (0 = none) */
    struct cert_summary cert;     /* status CERTS_NOT_RUN unless scan_options.certs */
    /* issue 4, deep scan (probe/enum.h): what was asked (SCAN_DEEP_* bits) and what
     * was found; details is NULL for a versions-only scan */
    unsigned deep;
    const struct scan_details *details;
};

struct scan_options {
    double timeout_s;          /* connect timeout and, separately, reply timeout (default 5) */
    int concurrency;           /* probes (connections) in flight at once (default 100) */
    int per_address;           /* connections at once to one address:port (default 5) */
    double rate;               /* new connections per second; 0 = no cap */
    int family;                /* AF_UNSPEC (default), AF_INET (-4), AF_INET6 (-6) */
    int all_addresses;         /* probe every resolved address, not just the first */
    int min_version;           /* policy minimum (default TLSV_TLS12) */
    const char *sni;           /* --sni: overrides the host name for every target without its own */
    const struct resolve_override *resolves;
    size_t n_resolves;
    int starttls;              /* STARTTLS_* for every target; -1 (default) = by port (starttls_for_port) */
    int certs;                 /* fetch and check each endpoint's certificate chain (cert_fetch.h) */
    const char *ca_file;       /* trust anchors for certs; NULL = the system store */
    int warn_days;             /* certs: flag expiring within this many days (default 30) */
    time_t cert_now;           /* certs: the time to check validity at; 0 = now */
    /* progress (may be NULL): called after each finished endpoint and at most every ~0.2 s */
    void (*on_progress)(size_t targets_done, size_t targets_total, size_t in_flight, void *ctx);
    unsigned deep;             /* SCAN_DEEP_* bits; 0 = versions only */
};

void scan_options_init(struct scan_options *o);

/* Totals of a run, for exit codes and benchmarks. */
struct scan_stats {
    size_t endpoints;
    size_t ok, fail, unreachable;
    uint64_t probes;           /* connections attempted */
    size_t peak_in_flight;
};

/*
 * Scans targets[0..n). on_result is called once per (target, address), in
 * input order (results of later targets wait for earlier ones); the result and
 * its strings are valid only during the call. Returns 0, or -1 with err for a
 * failure of the run itself (not of a target: those are results).
 */
int scan_run(const struct scan_options *opts, const struct scan_target *targets, size_t n,
             void (*on_result)(const struct endpoint_result *res, void *ctx), void *ctx,
             struct scan_stats *stats, struct tr_error *err);

/* Applies the policy: verdict and notes from the per-version statuses. */
void scan_policy_apply(struct endpoint_result *res, int min_version);

const char *version_status_name(int s);   /* "accepted", "refused", "unknown" */
const char *scan_verdict_name(int v);     /* "ok", "fail", "unreachable" */

#endif
