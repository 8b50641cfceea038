/*
 * The ClientHello builder: the scanner crafts its own hello bytes so what it
 * can detect does not depend on the local OpenSSL's policy (DESIGN.md).
 *
 * client_hello_build() writes ONE complete TLS record:
 *
 *   record:    type 22 | version (0x0300 for ssl3, else 0x0301, as real clients do) | length16
 *   handshake: type 1 (client_hello) | length24
 *   body:      legacy_version | random[32] | session_id<0..32> | cipher_suites<2..2^16-2>
 *              | compression_methods<1..255> = {0} (or {1, 0} with offer_compression)
 *              | extensions<0..2^16-1>  (RFC 5246 7.4.1.2,
 *              RFC 8446 4.1.2)
 *
 * max_version <= tls1.2: legacy_version = max_version, no supported_versions.
 * max_version == tls1.3: legacy_version = 0x0303, supported_versions lists
 *   max..min (newest first), a 32-byte legacy session id is sent (middlebox
 *   compatibility, RFC 8446 D.4), key_share carries the caller's x25519 key.
 * ssl3 hellos carry no extensions at all (SSLv3 servers may choke on them);
 *   with secure_reneg the SCSV 0x00FF is appended to the suites instead
 *   (RFC 5746 3.3).
 *
 * Size rule (docs/tls-engine.md): some servers (F5 BIG-IP, RFC 7685 section 1)
 * hang on hellos whose handshake body is 256..511 bytes long. When the
 * handshake message would fall in that window, a padding extension (21) is
 * added to lift it to 512 bytes, like OpenSSL/NSS/BoringSSL do. The whole
 * record must fit in 16384 bytes, otherwise the build fails.
 *
 * The builder is pure: no randomness, no clock, no I/O. Callers fill
 * cfg->random (and x25519_public via x25519_keypair()).
 */
#ifndef TR_TLS_CLIENT_HELLO_H
#define TR_TLS_CLIENT_HELLO_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/error.h"

#define CLIENT_HELLO_MAX_RECORD 16384  /* record body limit (2^14) */

struct client_hello_config {
    int max_version;                /* enum tls_version */
    int min_version;                /* enum tls_version; only used for supported_versions (tls1.3) */
    const char *sni;                /* host name; NULL or "" = no server_name; IP literals are skipped */
    const uint16_t *suites;         /* NULL = client_hello_default_suites(max_version) */
    size_t n_suites;
    const uint16_t *groups;         /* NULL = default groups (x25519, secp256r1, secp384r1, secp521r1, ffdhe2048..8192) */
    size_t n_groups;
    const uint16_t *sigalgs;        /* NULL = default signature schemes; sent for tls1.2+ only */
    size_t n_sigalgs;
    const uint8_t *x25519_public;   /* 32 bytes, for the TLS 1.3 key_share; NULL = empty key_share.
                                       Only sent when x25519 is among the offered groups. */
    uint16_t key_share_group;       /* 0 = x25519 (0x001d) */
    int fallback_scsv;              /* append TLS_FALLBACK_SCSV 0x5600 (RFC 7507) */
    int secure_reneg;               /* send renegotiation_info (or the SCSV for ssl3) */
    const char *const *alpn;        /* protocol names, e.g. {"h2","http/1.1"}; NULL = none */
    size_t n_alpn;
    uint8_t random[32];
    int no_extensions;              /* send no extensions block at all (pre-RFC 3546 client) */
    int no_padding;                 /* do not apply the 256..511 padding rule */
    int no_ec_extensions;           /* omit supported_groups/ec_point_formats (when no EC suite is offered they are omitted anyway) */
    int status_request;             /* send status_request (OCSP stapling) */
    int extended_master_secret;     /* send extended_master_secret (23) */
    int session_ticket;             /* send an empty session_ticket (35) */
    const uint8_t *key_share_data;  /* raw key_exchange bytes for key_share_group (e.g. a P-256 point);
                                       takes precedence over x25519_public */
    size_t key_share_len;
    int offer_compression;          /* offer DEFLATE (1) before null: tests for CRIME-era compression */
};

/* Fills cfg with zeros, sets max/min version and secure_reneg = 1. */
void client_hello_config_init(struct client_hello_config *cfg, int max_version, int min_version);

/*
 * Appends one TLS record holding the ClientHello to `out`.
 * Returns 0, or -1 with err set (bad version, list too long, record > 16 KB,
 * buffer failure).
 */
int client_hello_build(struct tr_buf *out, const struct client_hello_config *cfg, struct tr_error *err);

/*
 * The default suite list for a version, written into `out` (capacity `cap`),
 * returns the count written (never more than cap). ssl3..tls1.1: every suite
 * in the registry usable at that version (incl. legacy RC4/DES/EXPORT/NULL/anon),
 * strongest first; tls1.2: every non-1.3 suite; tls1.3: the five TLS 1.3 suites.
 * SCSVs are never included. The full registry lists fit in 512 entries.
 */
size_t client_hello_default_suites(int version, uint16_t *out, size_t cap);
size_t client_hello_default_groups(uint16_t *out, size_t cap);
size_t client_hello_default_sigalgs(uint16_t *out, size_t cap);

/*
 * An SSLv2 CLIENT-HELLO (RFC 6101 appendix E, draft-hickman-netscape-ssl-00):
 * [0x80|len] | 1 | version 0x0002 | cipher_specs_len | 0 | 16 | specs | challenge.
 * Offers the seven SSLv2 cipher kinds; a server that still speaks SSLv2 answers
 * with a SERVER-HELLO (server_reply_parse: REPLY_SSL2).
 */
int ssl2_client_hello_build(struct tr_buf *out, const uint8_t challenge[16], struct tr_error *err);

/* Generates an X25519 key pair with OpenSSL (tls/keyshare.c); the private
 * key is discarded: the scanner never completes a TLS 1.3 handshake. */
int x25519_keypair(uint8_t pub[32], struct tr_error *err);

#endif
