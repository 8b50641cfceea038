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


/* "mozilla-modern", "mozilla-intermediate", "mozilla-old" (also without "mozilla-"); PROFILE_NONE if unknown */
int profile_parse(const char *name);
const char *profile_name(int id);                 /* NULL for PROFILE_NONE or unknown */
int profile_allows_suite(int id, uint16_t code);
size_t profile_unresolved_names(void);            /* suite names in the table the registry lacks (test) */

/*
 * Fills d->deviations (and n_deviations) with what res/d do differently from
 * profile id. Versions are checked from res->status; suites and groups only
 * where they were enumerated. Pure.
 */
void profile_check(int id, const struct endpoint_result *res, struct scan_details *d);

#endif
