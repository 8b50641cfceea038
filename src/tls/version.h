/*
 * The one vocabulary for protocol versions (DESIGN.md): ssl3, tls1.0, tls1.1,
 * tls1.2, tls1.3 in every output and option. Inputs spell versions many ways
 * (Salesforce "TLS 1.0", nginx "TLSv1", Event Monitoring "TLSv1.1", HAProxy
 * "TLSv1.2", Caddy's numeric 771, ...); tls_version_parse accepts them all.
 */
#ifndef TR_TLS_VERSION_H
#define TR_TLS_VERSION_H

#include <stddef.h>
#include <stdint.h>

enum tls_version {
    TLSV_SSL3 = 0,
    TLSV_TLS10,
    TLSV_TLS11,
    TLSV_TLS12,
    TLSV_TLS13,
    TLSV_COUNT,          /* number of real versions */
    TLSV_UNKNOWN = TLSV_COUNT, /* a count slot for "version not known" */
    TLSV_SLOTS           /* versions + unknown: size of per-version count arrays */
};

#define TLSV_NONE (-1)   /* "no version" where an int version is stored */

/* "ssl3", "tls1.0", ..., "tls1.3"; "unknown" for TLSV_UNKNOWN; NULL when out of range. */
const char *tls_version_name(int v);
/* Wire code: 0x0300 .. 0x0304; 0 when out of range. */
uint16_t tls_version_wire(int v);
/* enum from a wire code; TLS 1.3 drafts (0x7fxx) and 0xfb1a-style
 * experimental 1.3 codes map to tls1.3; TLSV_NONE for anything else. */
int tls_version_from_wire(uint16_t wire);
/*
 * Parses any common spelling: "tls1.2", "TLS 1.2", "TLSv1.2", "TLSv1", "TLS1_2",
 * "1.2", "ssl3", "SSLv3", "SSL 3.0", decimal "771" or hex "0x0303".
 * Returns the enum, TLSV_UNKNOWN for an explicit "unknown", or TLSV_NONE.
 */
int tls_version_parse(const char *s, size_t n);
/* Parses an option value: one of the canonical names only. TLSV_NONE if invalid. */
int tls_version_parse_option(const char *s);

#endif
