/*
 * The deep scan (issue 4): after the version scan, for every accepted
 * version, which cipher suites the server accepts (and in which order it
 * prefers them), which key exchange groups (hybrid post-quantum included) and
 * signature schemes, the DHE prime size, and the checks that matter for a
 * legacy cut-over (TLS_FALLBACK_SCSV, secure renegotiation, compression,
 * version intolerance). All of it from tlsready's own ClientHellos, so legacy
 * suites the local OpenSSL cannot speak (RC4, 3DES, EXPORT, NULL, anon) and
 * groups it cannot compute (X25519MLKEM768, X25519Kyber768Draft00) are found.
 *
 * How (deep_strategy, probe/enum_deep.c; the rules in docs/scan.md):
 *   suites   per version, the registry list in chunks of ENUM_CHUNK (hellos stay
 *            small: some servers reject huge ones); each chunk is a chain: offer
 *            the chunk, remove the suite the server chose, offer again, until it
 *            refuses. Chunks and versions run in parallel (the per-address cap
 *            bounds them). Order: the found set offered in reverse; the server
 *            picking its own favourite = server preference (then, when the set
 *            came from several chunks, a selection chain sorts it).
 *   groups   tls1.2 (or the highest older version): ECDHE suites, supported_groups
 *            = the remaining EC curves, the ServerKeyExchange names the curve;
 *            tls1.3: supported_groups = every registry group, a key share for
 *            x25519 only; the ServerHello's key_share or the HelloRetryRequest
 *            names the group: remove, offer again.
 *   DHE      one probe offering DHE suites only: ServerKeyExchange prime bits.
 *   sigalgs  one probe per signature scheme (tls1.2: signed ECDHE/DHE suites,
 *            the ServerKeyExchange must carry that scheme; tls1.3: a ServerHello).
 *   checks   fallback: the second-highest version with 0x5600 (alert
 *            inappropriate_fallback = supported); renegotiation_info in the
 *            ServerHello; DEFLATE offered and chosen; intolerance from the version
 *            scan (a TLS 1.3-style hello and a tls1.2 hello must both negotiate
 *            the server's highest version).
 */
#ifndef TR_PROBE_ENUM_H
#define TR_PROBE_ENUM_H

#include <stddef.h>
#include <stdint.h>

#include "probe/probe.h"
#include "probe/scan.h"
#include "tls/version.h"

#define ENUM_CHUNK 128          /* suites per hello in the suite chains */
#define ENUM_SUITES_MAX 192     /* accepted suites kept per version */
#define ENUM_GROUPS_MAX 48
#define ENUM_SIGALGS_MAX 48
#define ENUM_REASON_LEN 96
#define PROFILE_DEVIATIONS_MAX 32
#define PROFILE_DEVIATION_LEN 192

/* scan_options.deep / endpoint_result.deep: the profile rides in bits 8..11 */
#define SCAN_DEEP_PROFILE_SHIFT 8
#define SCAN_DEEP_PROFILE(deep) (((deep) >> SCAN_DEEP_PROFILE_SHIFT) & 0xfu)

enum enum_state {
    ENUM_NOT_RUN = 0,   /* not asked for, or the version is not accepted */
    ENUM_COMPLETE,      /* ran to the server's refusal */
    ENUM_PARTIAL,       /* stopped early: reason says why (timeout, reset, odd reply) */
};

enum suite_order {
    ORDER_UNKNOWN = 0,  /* fewer than two suites, or not decided */
    ORDER_SERVER,       /* the server picks by its own preference: suites[] is that order */
    ORDER_CLIENT,       /* the server follows the client's order */
};

enum check_result {
    CHECK_NOT_RUN = 0,
    CHECK_YES,
    CHECK_NO,
    CHECK_NA,           /* does not apply (e.g. fallback with one version) */
    CHECK_UNKNOWN,
};

struct version_enum {
    int suites_state;                    /* enum enum_state */
    char suites_reason[ENUM_REASON_LEN];
    uint16_t suites[ENUM_SUITES_MAX];
    size_t n_suites;
    int order;                           /* enum suite_order */
    int groups_state;
    char groups_reason[ENUM_REASON_LEN];
    uint16_t groups[ENUM_GROUPS_MAX];    /* in the order the server chose them */
    size_t n_groups;
    int dhe_bits;                        /* DHE prime size seen, 0 if none */
    int sigalgs_state;
    uint16_t sigalgs[ENUM_SIGALGS_MAX];
    size_t n_sigalgs;
};

struct scan_details {
    struct version_enum v[TLSV_COUNT];
    int fallback_scsv;                   /* enum check_result: YES = server supports it */
    char fallback_reason[ENUM_REASON_LEN];
    int secure_renegotiation;
    char reneg_reason[ENUM_REASON_LEN];
    int compression;                     /* YES = the server chose DEFLATE (CRIME) */
    char compression_reason[ENUM_REASON_LEN];
    int version_intolerant;              /* YES = does not negotiate its highest version */
    char intolerance_reason[ENUM_REASON_LEN * 2];
    int profile;                         /* enum profile_id (analyze/profile.h), 0 = none */
    char deviations[PROFILE_DEVIATIONS_MAX][PROFILE_DEVIATION_LEN];
    int n_deviations;
    int deviations_truncated;
};

const char *check_result_name(int r);     /* "yes", "no", "n/a", "unknown", "not run" */
const char *enum_state_name(int s);       /* "complete", "partial", "not run" */
const char *suite_order_name(int o);      /* "server", "client", "unknown" */

#endif
