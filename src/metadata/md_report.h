/*
 * Writers for `tlsready endpoints`: terminal table, JSON (the contract is in
 * docs/endpoints.md), CSV, and the target list for `tlsready scan`. They
 * render what md_join (and md_scan) decided; they never compute.
 */
#ifndef TR_METADATA_MD_REPORT_H
#define TR_METADATA_MD_REPORT_H

#include "metadata/md_join.h"
#include "metadata/md_org.h"
#include "util/buf.h"

struct md_report_opts {
    const char *input;      /* the path read, as given */
    int scanned;            /* --scan ran: write the scan fields */
    const char *min;        /* policy minimum name, for --scan */
    int show_tests;         /* text: list the test bucket's rows (JSON/CSV always do) */
};

void md_report_json(struct tr_buf *out, const struct md_org *o, const struct md_result *r, const struct md_report_opts *opt);
void md_report_text(struct tr_buf *out, const struct md_org *o, const struct md_result *r, const struct md_report_opts *opt);
void md_report_csv(struct tr_buf *out, const struct md_org *o, const struct md_result *r, const struct md_report_opts *opt);
/* One host:port per line, each distinct target once, in row order. Returns the count. */
size_t md_report_targets(struct tr_buf *out, const struct md_result *r);

#endif
