/*
 * Mozilla's server-side TLS configurations (guidelines v5.7,
 * https://ssl-config.mozilla.org/guidelines/5.7.json) as data, and the check
 * of one deep-scan result against one of them: every deviation listed
 * (versions, cipher suites, groups, DH size, and the certificate's key and
 * signature when the result carries a certificate).
 */
#ifndef TR_ANALYZE_PROFILE_H
#define TR_ANALYZE_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "probe/enum.h"
#include "probe/scan.h"

enum profile_id {
    PROFILE_NONE = 0,
    PROFILE_MODERN,
    PROFILE_INTERMEDIATE,
    PROFILE_OLD,
};

struct tls_profile {
    int id;
    const char *name;                 /* "mozilla-intermediate" */
    unsigned versions;                /* bit per enum tls_version allowed */
    const uint16_t *suites;           /* allowed suites, all versions (IANA codes) */
    size_t n_suites;
    const uint16_t *groups;           /* recommended groups (tls_curves) */
    size_t n_groups;
    int dh_min_bits;                  /* 0: DHE not recommended at all */
    int server_preference;            /* 1: server_preferred_order true */
    const char *cert_types;           /* "ecdsa", "ecdsa,rsa", "rsa" */
    int rsa_min_bits;                 /* 0 = no RSA certificates */
    const char *cert_signatures;      /* comma list: "ecdsa-with-SHA256,..." */
};

/* "mozilla-modern", "mozilla-intermediate", "mozilla-old" (also without "mozilla-"); PROFILE_NONE if unknown */
int profile_parse(const char *name);
const struct tls_profile *profile_get(int id);   /* NULL for PROFILE_NONE or unknown */

/*
 * Fills d->deviations (and n_deviations) with what res/d do differently from
 * profile id. Versions are checked from res->status; suites and groups only
 * where they were enumerated. Pure.
 */
void profile_check(int id, const struct endpoint_result *res, struct scan_details *d);

#endif
