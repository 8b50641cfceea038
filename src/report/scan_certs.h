/*
 * The certificate and STARTTLS parts of scan output (issue 4): JSON keys
 * added to each JSON Lines object, and a short certificate block per
 * endpoint under the terminal table. The contract is in docs/scan.md.
 */
#ifndef TR_REPORT_SCAN_CERTS_H
#define TR_REPORT_SCAN_CERTS_H

#include "probe/scan.h"
#include "report/json.h"
#include "util/buf.h"

/* Writes "starttls" and, when certificates were checked, "certificate", "chain", "cert_flags", ... */
void scan_json_certs(struct json_writer *w, const struct endpoint_result *r);
/* A few lines about the endpoint's certificate (nothing when not checked). */
void scan_text_certs(struct tr_buf *out, const struct endpoint_result *r, int color);
/* Certificate flags that count as findings (exit code 1): everything but none. */
int scan_cert_has_findings(const struct endpoint_result *r);

#endif
