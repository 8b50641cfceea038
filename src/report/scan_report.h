/*
 * Writers of scan results (text table, JSON Lines, CSV). They render finished
 * endpoint_results and decide nothing: verdicts and notes come from the policy.
 * The JSON Lines keys are a stable contract (docs/scan.md); later capabilities
 * add keys, these never change meaning.
 */
#ifndef TR_REPORT_SCAN_REPORT_H
#define TR_REPORT_SCAN_REPORT_H

#include <stddef.h>

#include "probe/scan.h"
#include "util/buf.h"

/* One JSON object and "\n". */
void scan_json_line(struct tr_buf *out, const struct endpoint_result *r);

void scan_csv_header(struct tr_buf *out);
void scan_csv_row(struct tr_buf *out, const struct endpoint_result *r);

/*
 * The terminal table. Rows are kept (a few hundred bytes each) so columns can
 * be sized to their content; scan_table_render writes header, rows, and a
 * summary line.
 */
struct scan_table;
struct scan_table *scan_table_new(int color, int min_version);
int scan_table_add(struct scan_table *t, const struct endpoint_result *r);
void scan_table_render(struct scan_table *t, struct tr_buf *out);
void scan_table_free(struct scan_table *t);

/* Deep scan details (issue 4, report/scan_details.c): added keys of the JSON
 * line, the per-suite CSV (one row per target, address, version, suite) and the
 * terminal section per target. */
struct json_writer;
void scan_json_details(struct json_writer *w, const struct endpoint_result *r);
void scan_csv_suites_header(struct tr_buf *out);
void scan_csv_suites_rows(struct tr_buf *out, const struct endpoint_result *r);
void scan_text_details(struct tr_buf *out, const struct endpoint_result *r, int color);

#endif
