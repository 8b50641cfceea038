/* Helpers shared by the aggregate writers (agg_text.c, agg_json.c, agg_csv.c); not a public API. */
#ifndef TR_REPORT_AGG_COMMON_H
#define TR_REPORT_AGG_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "report/agg_report.h"

/* A row's key for display: multi-part keys joined with " / " (empty parts left out). */
const char *agg_display_key(const struct agg_row *r, char *buf, size_t cap);
/* legacy share of a row (failed ones left out, as counted apart) */
double agg_row_share(const struct agg_row *r);
/* "12,345" */
const char *agg_fmt_count(uint64_t v, char *buf, size_t cap);

#endif
