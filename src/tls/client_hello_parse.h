/*
 * ClientHello decoding for the passive side (serve, pcap): what a client
 * offered. Pure, no allocation: arrays have fixed caps and a `truncated` flag.
 *
 *   handshake body (RFC 5246 7.4.1.2, RFC 8446 4.1.2):
 *     legacy_version16 | random[32] | session_id<0..32> | cipher_suites<2..2^16-2>
 *     | compression_methods<1..2^8-1> | [extensions<0..2^16-1>]  (absent = pre-RFC 3546)
 *   SSLv2-compatible CLIENT-HELLO (RFC 6101 E.2, RFC 5246 E.2):
 *     [0x80|len_hi, len_lo] | 1 | version16 | cipher_spec_len16 | session_id_len16
 *     | challenge_len16 | cipher_specs (3 bytes each) | session_id | challenge
 *     (specs 0x00XXXX are TLS suites; others are SSLv2 kinds, kept in ssl2_specs)
 */
#ifndef TR_TLS_CLIENT_HELLO_PARSE_H
#define TR_TLS_CLIENT_HELLO_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define CHI_MAX_SUITES 512
#define CHI_MAX_EXTENSIONS 64
#define CHI_MAX_GROUPS 64
#define CHI_MAX_SIGALGS 64
#define CHI_MAX_VERSIONS 16
#define CHI_MAX_POINT_FORMATS 8
#define CHI_MAX_COMPRESSION 16
#define CHI_MAX_ALPN 8
#define CHI_ALPN_LEN 32           /* longer protocol names are cut (and truncated set) */
#define CHI_SNI_LEN 256
#define TLS_MAX_HELLO (64 * 1024)      /* longest ClientHello body accepted from records */

enum client_hello_status {
    CH_OK = 0,
    CH_NEED_MORE = 1,             /* client_hello_from_records: incomplete, call again with more */
    CH_ERROR = -1,                /* malformed / not a ClientHello: err says what and where */
};

struct client_hello_info {
    int is_ssl2;                  /* came as an SSLv2-compatible CLIENT-HELLO */
    uint16_t record_version;      /* first record's version (0 for SSLv2 framing) */
    uint16_t legacy_version;
    uint8_t random[32];
    uint8_t session_id_len;
    uint16_t supported_versions[CHI_MAX_VERSIONS];  /* in order, GREASE included */
    size_t n_supported_versions;
    int has_supported_versions;
    uint16_t suites[CHI_MAX_SUITES];                /* in order, GREASE included */
    size_t n_suites;
    uint32_t ssl2_specs[32];      /* SSLv2-only cipher kinds (3-byte codes) from an SSLv2 hello */
    size_t n_ssl2_specs;
    uint8_t compression[CHI_MAX_COMPRESSION];
    size_t n_compression;
    int has_extensions_block;     /* the extensions length field was present */
    uint16_t extensions[CHI_MAX_EXTENSIONS];        /* types in order, GREASE included */
    size_t n_extensions;
    uint16_t groups[CHI_MAX_GROUPS];                /* supported_groups in order */
    size_t n_groups;
    uint8_t ec_point_formats[CHI_MAX_POINT_FORMATS];
    size_t n_ec_point_formats;
    uint16_t sigalgs[CHI_MAX_SIGALGS];              /* signature_algorithms in order */
    size_t n_sigalgs;
    uint16_t key_share_groups[8];                   /* groups of the offered key shares */
    size_t n_key_shares;
    char alpn[CHI_MAX_ALPN][CHI_ALPN_LEN + 1];      /* NUL-terminated; non-printables as '?' */
    size_t n_alpn;
    uint8_t alpn0_first, alpn0_last;                /* raw first/last byte of the first ALPN value (JA4) */
    size_t alpn0_len;                               /* its length in bytes; 0 = none */
    char sni[CHI_SNI_LEN + 1];                      /* host_name, "" if none; non-printables as '?' */
    int has_sni;
    int renegotiation_info;       /* extension 0xff01 or SCSV 0x00ff offered */
    int fallback_scsv;            /* 0x5600 offered */
    int max_offered;              /* enum tls_version: max of supported_versions minus GREASE, else legacy_version; TLSV_NONE if unknown */
    int truncated;                /* some list hit its cap (the parse still succeeded) */
};

/*
 * Parses a ClientHello handshake message body (after the 4-byte handshake
 * header). Returns CH_OK or CH_ERROR (err: what and at which byte offset).
 */
int client_hello_parse(const uint8_t *msg, size_t len, struct client_hello_info *out,
                       struct tr_error *err);

/*
 * Parses a ClientHello from raw bytes as a client sends them: one or more
 * handshake records (the message may span records), or one SSLv2-compatible
 * CLIENT-HELLO. Returns CH_OK (with *consumed = bytes of the records that held
 * the hello), CH_NEED_MORE, or CH_ERROR. Records hold at most 2^14 bytes and the
 * hello at most 64 KB. `out` is overwritten.
 */
int client_hello_from_records(const uint8_t *buf, size_t len, struct client_hello_info *out,
                              size_t *consumed, struct tr_error *err);

#endif
