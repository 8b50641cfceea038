/*
 * One handshake as the reports show it: the decisions (version names, IANA
 * suite names, alert names, fingerprints) made once, so the writers
 * (report/pcap_handshakes.c) and the aggregation only render and count.
 */
#ifndef TR_INGEST_PCAP_RECORD_H
#define TR_INGEST_PCAP_RECORD_H

#include "analyze/observation.h"
#include "ingest/pcap_handshake.h"
#include "tls/fingerprint.h"

struct pcap_record {
    const struct pcap_handshake *hs;
    int64_t time_us;
    char client[64];            /* "ip:port" / "[ip]:port" */
    char server[64];
    char client_ip[48];
    char server_ip[48];
    const char *sni;            /* NULL when the hello had none */
    const char *max_offered;    /* version name or NULL */
    const char *legacy_version; /* the hello's legacy_version as a name, or NULL */
    int max_offered_v;          /* enum tls_version or TLSV_NONE */
    int negotiated_v;           /* enum tls_version or TLSV_NONE */
    const char *negotiated;     /* name or NULL */
    const char *cipher;         /* IANA name, NULL when none chosen */
    char cipher_hex[8];         /* "0x1301" when the suite has no IANA name */
    char cipher_code[8];        /* "0x1301" whenever a suite was chosen, else "" */
    const char *alert;          /* alert name, NULL when none */
    int alert_code;             /* -1 when none */
    int refused_for_version;    /* the alert is protocol_version (70) */
    char ja3[33], ja3s[33];     /* "" when not computable */
    char ja4[JA4_STR_MAX], ja4s[JA4_STR_MAX];
};

/*
 * Fingerprints are costly (string building, MD5, SHA-256) and real traffic
 * repeats a few hundred client and server configurations over and over, so
 * they are memoised: keyed by a 128-bit hash of exactly the fields the JA3/JA4
 * (JA3S/JA4S) definitions read, never by SNI or addresses.
 */
#define FP_CACHE_CLIENT 4096
#define FP_CACHE_SERVER 1024

struct fp_entry {
    uint64_t h1, h2;            /* 0, 0: empty */
    char a[33];                 /* ja3 / ja3s */
    char b[JA4_STR_MAX];        /* ja4 / ja4s */
};

struct pcap_fp_cache {
    struct fp_entry client[FP_CACHE_CLIENT];
    struct fp_entry server[FP_CACHE_SERVER];
    uint64_t hits, misses;
};

/* Which fingerprints to compute (the rest stay ""). */
#define PCAP_FP_CLIENT 1        /* ja3, ja4 */
#define PCAP_FP_SERVER 2        /* ja3s, ja4s */

/* Fills r from hs; `cache` may be NULL (no memo). */
void pcap_record_from(struct pcap_record *r, const struct pcap_handshake *hs, struct pcap_fp_cache *cache,
                      int fp_flags);

/* The observation for the aggregation engine; its strings point into r. */
void pcap_record_observation(const struct pcap_record *r, struct observation *obs);

/* "0x1301" style name for a code without an IANA name. */
const char *pcap_suite_name(uint16_t code, char buf[8]);

#endif
