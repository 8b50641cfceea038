/*
 * Client and server TLS fingerprints, to their published definitions:
 *
 *  JA3  (Salesforce, github.com/salesforce/ja3):
 *       "SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats"
 *       decimal values joined by '-', GREASE (RFC 8701) removed, legacy_version as
 *       the version; ja3 hash = MD5 hex of that string.
 *  JA3S "SSLVersion,Cipher,Extensions" of the ServerHello; MD5 hex.
 *  JA4  (FoxIO, github.com/FoxIO-LLC/ja4, JA4 technical details):
 *       ja4_a = protocol ('t' TCP, 'q' QUIC, 'd' DTLS) + version ("13", "12",
 *       "11", "10", "s3", "s2", "00"; highest supported_versions entry minus
 *       GREASE, else legacy_version) + SNI ('d' domain, 'i' none/IP) + 2-digit
 *       count of suites (GREASE removed, max 99) + 2-digit count of extensions
 *       (GREASE removed, SNI and ALPN counted) + ALPN first+last characters
 *       ("00" none; non-alphanumeric: first and last hex digits of the bytes);
 *       ja4_b = first 12 hex of SHA-256 of the sorted 4-hex suites joined by ',';
 *       ja4_c = first 12 hex of SHA-256 of sorted extensions (without SNI 0000 and
 *       ALPN 0010) joined by ',' + '_' + signature algorithms in wire order.
 *       Empty lists hash to "000000000000".
 *  JA4S ja4s_a = 't' + version + 2-digit extension count + ALPN chars;
 *       ja4s_b = 4-hex cipher; ja4s_c = first 12 hex of SHA-256 of extensions in
 *       wire order.
 * MD5 and SHA-256 come from OpenSSL.
 */
#ifndef TR_TLS_FINGERPRINT_H
#define TR_TLS_FINGERPRINT_H

#include <stddef.h>

#include "tls/client_hello_parse.h"
#include "tls/server_reply.h"

#define JA3_STR_MAX 8192        /* enough for every capped list in client_hello_info */
#define JA4_STR_MAX 48          /* "t13d1516h2_8daaf6152771_e5627efa2ab1" is 36 */

/* The JA3 string (before hashing); returns 0 or -1 when `cap` is too small. */
int ja3_string(const struct client_hello_info *ch, char *out, size_t cap);
/* JA3 MD5 as 32 lowercase hex + NUL (hex must hold 33 bytes). */
int ja3_hash(const struct client_hello_info *ch, char hex[33]);

int ja3s_string(const struct server_reply *sr, char *out, size_t cap);
int ja3s_hash(const struct server_reply *sr, char hex[33]);

/* JA4 (hashed form), e.g. "t13d1516h2_8daaf6152771_e5627efa2ab1"; `proto` is 't', 'q' or 'd'. */
int ja4(const struct client_hello_info *ch, char proto, char out[JA4_STR_MAX]);
/* JA4_r: the raw (unhashed) form, useful in tests and debugging. */
int ja4_raw(const struct client_hello_info *ch, char proto, char *out, size_t cap);

/* JA4S, e.g. "t130200_1301_234ea6891581". */
int ja4s(const struct server_reply *sr, char proto, char out[JA4_STR_MAX]);

#endif
