/*
 * The certificate part of a scan: fetch the chain an endpoint sends, check it
 * (tls/certificate.h), and compare what the server sends without SNI.
 *
 * Retrieval, after the version probes of the endpoint are done:
 *   - the endpoint accepts a version <= tls1.2: one connection with
 *     tlsready's own ClientHello for the highest such version, reading the
 *     whole plaintext first flight to ServerHelloDone (server_flight_parse):
 *     works for servers the local OpenSSL could not talk to (RC4-only, SSLv3).
 *   - tls1.3 only: the Certificate is encrypted, so a full handshake with
 *     OpenSSL (security level 0, no verification: the chain is checked
 *     afterwards by cert_chain_check).
 * Both are blocking with the scan's timeout on each step (connect, each read),
 * on a connection of their own (repeating the STARTTLS dialogue if any).
 */
#ifndef TR_PROBE_CERT_FETCH_H
#define TR_PROBE_CERT_FETCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "tls/certificate.h"

#define SCAN_CHAIN_MAX 4     /* certificates kept per endpoint (the leaf and 3 more) */
#define SCAN_SANS_MAX 16     /* SANs of the leaf kept */
#define SCAN_SAN_LEN 128

enum cert_scan_status {
    CERTS_NOT_RUN = 0,   /* --certs off, or no TLS version accepted */
    CERTS_OK,            /* chain fetched and checked: see flags */
    CERTS_FAILED,        /* could not fetch or decode: see reason */
};

enum sni_behaviour {
    SNI_NOT_TESTED = 0,  /* no SNI sent (IP target), or no chain with SNI */
    SNI_SAME,            /* the same leaf with and without SNI */
    SNI_DIFFERENT,       /* another leaf without SNI: see nosni_* */
    SNI_REQUIRED,        /* no certificate without SNI (alert, handshake failure, close) */
};

struct cert_brief {
    char subject[CERT_NAME_LEN];
    char issuer[CERT_NAME_LEN];
    char serial[80];
    int64_t not_before, not_after;
    char key_type[16];
    int key_bits;
    char key_curve[32];
    char sig_alg[64];
    char sha256[65];
    int self_signed;
    int is_ca;
};

struct cert_summary {
    int status;                          /* enum cert_scan_status */
    char reason[128];                    /* CERTS_FAILED: why */
    int via_version;                     /* enum tls_version of the connection that delivered the chain */
    int via_handshake;                   /* 1: full OpenSSL handshake (tls1.3), 0: plaintext flight */
    struct cert_brief chain[SCAN_CHAIN_MAX]; /* leaf first, as sent */
    size_t n_chain;                      /* kept */
    size_t chain_sent;                   /* certificates the server sent */
    char sans[SCAN_SANS_MAX][SCAN_SAN_LEN];
    size_t n_sans;
    size_t sans_total;                   /* SANs in the leaf */
    char hostname[256];                  /* the name matched ("" = none checked) */
    unsigned flags;                      /* enum cert_flag bits */
    int verified;
    char verify_message[128];
    int hostname_match;
    long days_left;
    int sni;                             /* enum sni_behaviour */
    char nosni_sha256[65];               /* SNI_DIFFERENT: the leaf sent without SNI */
    char nosni_subject[CERT_NAME_LEN];
    char nosni_reason[128];              /* SNI_REQUIRED: what happened without SNI */
};

struct cert_fetch_params {
    const struct sockaddr_storage *sa;
    socklen_t salen;
    const char *sni;         /* NULL = no server_name */
    const char *host;        /* target host (STARTTLS greeting names, host-name check fallback) */
    int starttls;            /* enum starttls_proto */
    double timeout_s;
    int version;             /* enum tls_version to use (tls1.3 = OpenSSL handshake) */
};

/* DER certificates of one fetch: views into `mem` (owned). */
struct cert_der_chain {
    uint8_t *mem;
    struct tls_view certs[SERVER_FLIGHT_MAX_CERTS];
    size_t n;
};

/* Connects and fetches the chain. Returns 0, or -1 with reason (chain left empty). */
int cert_fetch_chain(const struct cert_fetch_params *p, struct cert_der_chain *out, char *reason, size_t cap);
void cert_der_chain_free(struct cert_der_chain *c);

/*
 * The whole certificate step for one endpoint: fetch with SNI (if any),
 * check against `store` at `now`, and fetch again without SNI to compare.
 * `status` is the endpoint's per-version status array (enum version_status).
 */
void cert_scan_endpoint(const struct cert_fetch_params *base, const int *status, const struct cert_store *store,
                        time_t now, int warn_days, struct cert_summary *out);

const char *sni_behaviour_name(int b);   /* "not_tested", "same", "different", "required" */
const char *cert_scan_status_name(int s); /* "not_run", "ok", "failed" */

#endif
