/*
 * One client of serve, as reported on its /json page, in its --log line and
 * by --once: what the raw ClientHello offered (parsed by tlsready's own
 * parser before OpenSSL saw it), what happened (accepted with the negotiated
 * version and suite, or refused with OpenSSL's reason), and the verdict
 * against the cut-over policy. Policy lives in verdict.c, rendering in
 * report_json.c (JSON), page.c (HTML) and report_text.c (terminal); none of
 * them decides anything the others do not see.
 */
#ifndef TR_SERVE_REPORT_H
#define TR_SERVE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "report/json.h"
#include "tls/client_hello_parse.h"
#include "util/buf.h"

enum serve_hello_state {
    SERVE_HELLO_NONE = 0,     /* no byte received yet */
    SERVE_HELLO_PARSED,       /* ch is valid */
    SERVE_HELLO_BAD,          /* bytes received that are not a ClientHello: hello_error */
};

enum serve_outcome {
    SERVE_PENDING = 0,
    SERVE_ACCEPTED,
    SERVE_REFUSED,
};

enum serve_verdict {
    SERVE_VERDICT_OK = 0,     /* keeps working after the cut-over */
    SERVE_VERDICT_FAIL,       /* breaks at the cut-over (or already refused by this rehearsal) */
};

#define SERVE_TEXT_MAX 256

struct serve_report {
    int64_t time_ms;                   /* when the connection was accepted, Unix ms (UTC) */
    char client[64];                   /* "ip:port" / "[ip6]:port" */
    char server[64];                   /* the listener, same form */
    int server_min, server_max;        /* enum tls_version accepted by that listener */
    int cutover;                       /* policy: minimum version after the cut-over */

    int hello_state;                   /* enum serve_hello_state */
    char hello_error[SERVE_TEXT_MAX];
    size_t hello_bytes;                /* bytes of the records that carried the hello */
    struct client_hello_info ch;

    int outcome;                       /* enum serve_outcome */
    char refused_reason[SERVE_TEXT_MAX];
    int client_aborted;                /* the refusal was the client's alert (e.g. it does not trust our certificate) */
    int negotiated;                    /* enum tls_version or TLSV_NONE */
    int have_cipher;
    uint16_t cipher;                   /* negotiated suite code */
    char alpn[CHI_ALPN_LEN + 1];       /* negotiated ALPN, "" if none */
    int64_t handshake_us;              /* from the first ClientHello byte to Finished; -1 unknown */

    int have_request;
    char method[16];
    char path[SERVE_TEXT_MAX];
    char user_agent[SERVE_TEXT_MAX];
};

#define SERVE_MAX_REASONS 16

struct serve_reasons {
    size_t n;
    char text[SERVE_MAX_REASONS][SERVE_TEXT_MAX];
};

/* Suite properties the report flags; one bit each (a suite may have several). */
enum serve_suite_flag {
    SUITE_RC4 = 1 << 0,
    SUITE_3DES = 1 << 1,
    SUITE_EXPORT = 1 << 2,
    SUITE_NULL = 1 << 3,
    SUITE_ANON = 1 << 4,
    SUITE_DES = 1 << 5,
};

/* Initialises an empty report (no hello, pending, no versions). */
void serve_report_init(struct serve_report *r);

/* The flags of one suite code (0 for unknown codes and clean suites). */
unsigned serve_suite_flags(uint16_t code);
/* IANA name of a suite, or "0xABCD" written into tmp (>= 8 bytes) when unknown. */
const char *serve_suite_name(uint16_t code, char *tmp, size_t cap);

/*
 * Offered versions in the client's order, GREASE and duplicates removed
 * (enum tls_version values into out, up to cap): supported_versions when the
 * hello has it, else the single legacy_version. Returns the count.
 */
size_t serve_offered_versions(const struct client_hello_info *ch, int *out, size_t cap);

/* The verdict and its reasons, in plain words (policy: r->cutover). */
enum serve_verdict serve_judge(const struct serve_report *r, struct serve_reasons *why);
const char *serve_verdict_name(enum serve_verdict v); /* "ok", "fail" */

/*
 * Writes the report as one JSON object (the /json page, the --log line and
 * --once --json share it; docs/serve.md lists the keys).
 */
void serve_report_json(struct json_writer *w, const struct serve_report *r);
/* The HTML page for "/". */
void serve_report_html(struct tr_buf *out, const struct serve_report *r);
/* A few lines of plain text for --once on a terminal. */
void serve_report_text(struct tr_buf *out, const struct serve_report *r);

#endif
