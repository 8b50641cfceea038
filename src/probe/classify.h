/*
 * What one probe's outcome says about the version it offered: accepted,
 * refused (and how), or unknown (and why). Pure: no I/O. The rules, and why
 * they are what they are, are in docs/scan.md ("How a version is decided").
 */
#ifndef TR_PROBE_CLASSIFY_H
#define TR_PROBE_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "probe/probe.h"

#define CLASSIFY_ALL (-2)  /* `offered` for the probe that offers every version */

/*
 * offered: enum tls_version of a single-version probe, or CLASSIFY_ALL.
 * Returns enum version_status. *chosen is the version the server picked
 * (ServerHello or HelloRetryRequest), else TLSV_NONE. reason gets a short
 * phrase: "alert protocol_version", "server chose tls1.2", "connection refused", ...
 */
int classify_outcome(int offered, const struct probe_outcome *o, int *chosen, char *reason, size_t cap);

/*
 * The same, also checking the server's choice against what was offered: a
 * ServerHello (or HelloRetryRequest) naming a cipher suite that is not in
 * suites[0..n) or that cannot be used at the chosen version is a broken
 * server, not an acceptance (unknown, with the reason).
 */
int classify_outcome_checked(int offered, const uint16_t *suites, size_t n, const struct probe_outcome *o,
                             int *chosen, char *reason, size_t cap);

#endif
