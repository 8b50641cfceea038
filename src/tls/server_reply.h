/*
 * What the server sent back after our ClientHello, decoded by a pure,
 * restartable parser: call it again with the whole receive buffer (old bytes
 * plus new) until it stops saying REPLY_NEED_MORE. It never allocates; all
 * views point into `buf` or into the caller's scratch buffer.
 *
 * Wire formats:
 *   record (RFC 5246 6.2.1):  type8 | version16 | length16 (<= 2^14 + 2048) | fragment
 *   handshake (7.4):          msg_type8 | length24 | body   (may span records;
 *                             several may share a record)
 *   ServerHello (7.4.1.3, RFC 8446 4.1.3): version16 | random[32] | session_id<0..32>
 *                             | cipher_suite16 | compression8 | extensions<0..2^16-1>
 *   HelloRetryRequest: a ServerHello whose random is SHA-256("HelloRetryRequest")
 *   alert (7.2):              level8 | description8
 *   SSLv2 SERVER-HELLO:       [0x80|len_hi, len_lo] | 4 | session_id_hit8 | cert_type8
 *                             | version16 | cert_len16 | cipher_specs_len16 | conn_id_len16 | ...
 *
 * Limits: a record longer than 2^14 + 2048 is MALFORMED; a handshake message
 * longer than 64 KB (a Certificate longer than 512 KB) is MALFORMED and is
 * never buffered.
 */
#ifndef TR_TLS_SERVER_REPLY_H
#define TR_TLS_SERVER_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "tls/server_key_exchange.h"

enum server_reply_status {
    REPLY_NEED_MORE = 0,   /* incomplete: call again with more bytes */
    REPLY_SERVER_HELLO,    /* a ServerHello (for server_flight_parse: the whole flight) */
    REPLY_HELLO_RETRY,     /* TLS 1.3 HelloRetryRequest */
    REPLY_ALERT,           /* an alert record (possibly after a ServerHello: see have_server_hello) */
    REPLY_SSL2,            /* an SSLv2 SERVER-HELLO (or SSLv2 ERROR) */
    REPLY_NOT_TLS,         /* not TLS at all (HTTP, SSH banner, random bytes): see reason */
    REPLY_MALFORMED,       /* TLS-shaped but broken: see reason and offset */
};

#define TLS_RECORD_MAX_LEN (16384 + 2048)
#define TLS_HANDSHAKE_MAX_LEN (64 * 1024)
#define TLS_CERTIFICATE_MAX_LEN (512 * 1024)
#define SERVER_REPLY_MAX_EXT 32
#define SERVER_FLIGHT_MAX_CERTS 16
/* Scratch a caller gives server_flight_parse: enough for the largest flight we accept. */
#define SERVER_FLIGHT_SCRATCH (TLS_CERTIFICATE_MAX_LEN + 4 * (TLS_HANDSHAKE_MAX_LEN + 4))

struct tls_view {
    const uint8_t *data;
    size_t len;
};

struct server_reply {
    int status;                   /* last return value */
    uint16_t record_version;      /* of the first record */
    /* ServerHello / HelloRetryRequest */
    int have_server_hello;
    uint16_t server_version;      /* legacy_version */
    uint16_t supported_version;   /* from the supported_versions extension; 0 if absent */
    int selected_version;         /* enum tls_version; TLSV_NONE if the wire code is unknown */
    uint8_t random[32];
    int downgrade_sentinel;       /* RFC 8446 4.1.3 "DOWNGRD" in random: 0, 1 (tls1.2) or 2 (tls1.1-) */
    uint16_t cipher_suite;
    uint8_t compression;
    uint8_t session_id_len;
    uint16_t extensions[SERVER_REPLY_MAX_EXT];  /* types in wire order */
    size_t n_extensions;
    int extensions_truncated;
    uint16_t selected_group;      /* key_share (SH: server share group; HRR: requested group); 0 if none */
    int renegotiation_info;       /* extension 0xff01 present */
    int extended_master_secret;
    char alpn[64];                /* selected ALPN protocol (sanitised), "" if none */
    /* alert */
    int have_alert;
    uint8_t alert_level;
    uint8_t alert_description;
    /* SSLv2 */
    uint16_t ssl2_version;        /* 0x0002 */
    uint16_t ssl2_n_ciphers;      /* cipher specs (3 bytes each) the server listed */
    uint32_t ssl2_ciphers[64];    /* first 64 cipher specs as 24-bit codes */
    int ssl2_error;               /* SSLv2 ERROR message: error code, else 0 */
    /* the rest of the flight (server_flight_parse only; TLS 1.2 and below) */
    int flight_complete;          /* ServerHelloDone seen (or TLS 1.3: nothing more in clear) */
    int have_certificate;
    struct tls_view certs[SERVER_FLIGHT_MAX_CERTS];  /* DER, leaf first, each length-checked */
    size_t n_certs;
    int certs_truncated;          /* more than SERVER_FLIGHT_MAX_CERTS certificates */
    int have_server_key_exchange;
    struct server_key_exchange ske;
    int have_certificate_request;
    int have_certificate_status;  /* stapled OCSP response */
    /* diagnostics */
    char reason[128];             /* for NOT_TLS / MALFORMED: what was wrong */
    size_t offset;                /* byte offset in buf where it went wrong */
    size_t consumed;              /* bytes of buf used by the result (records fully read) */
};

/*
 * Parses the start of the server's reply, stopping at the first decisive
 * item: ServerHello, HelloRetryRequest, alert, SSLv2 hello, or not-TLS.
 * `out` is fully overwritten on each call. Returns enum server_reply_status.
 */
int server_reply_parse(const uint8_t *buf, size_t len, struct server_reply *out);

/*
 * Like server_reply_parse but continues past a TLS <= 1.2 ServerHello through
 * Certificate, CertificateStatus, ServerKeyExchange, CertificateRequest, up to
 * ServerHelloDone; returns REPLY_NEED_MORE until then. Handshake bytes are
 * reassembled into `scratch` (caller-owned, SERVER_FLIGHT_SCRATCH recommended);
 * the certificate views point into it. A flight that does not fit is MALFORMED.
 * For a TLS 1.3 ServerHello it returns at once (the rest is encrypted) with
 * flight_complete set.
 */
int server_flight_parse(const uint8_t *buf, size_t len, uint8_t *scratch, size_t scratch_cap,
                        struct server_reply *out);

/* "handshake_failure", "protocol_version", ...; NULL if unassigned. */
const char *tls_alert_name(uint8_t desc);
/* "NEED_MORE", "SERVER_HELLO", ... */
const char *server_reply_status_name(int status);

#endif
