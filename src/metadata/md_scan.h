/*
 * `endpoints --scan`: probes each distinct host:port of the outbound rows
 * (org and packages; TLS schemes; no wildcards) with the scan engine
 * (probe/scan.h) under the policy's minimum, and joins the verdict into every
 * row with that host:port, with a sentence that says what it means for the
 * integration ("accepts only tls1.0: this integration breaks at the cut-over").
 */
#ifndef TR_METADATA_MD_SCAN_H
#define TR_METADATA_MD_SCAN_H

#include "metadata/md_join.h"
#include "metadata/md_org.h"
#include "probe/scan.h"
#include "util/error.h"

/* Returns 0 (results joined; unreachable targets are results) or -1 with err. */
int md_scan_rows(struct md_org *o, struct md_result *r, const struct scan_options *opts,
                 struct scan_stats *stats, struct tr_error *err);

#endif
