/*
 * Writers of the readiness report (`tlsready audit`): one self-contained HTML
 * file, a JSON document and Markdown with the same content, and a short
 * terminal summary. They only render what analyze/readiness.h decided.
 */
#ifndef TR_REPORT_AUDIT_REPORT_H
#define TR_REPORT_AUDIT_REPORT_H

#include "analyze/readiness.h"
#include "util/buf.h"

void audit_write_html(struct tr_buf *out, const struct readiness *rd, const struct audit_inputs *in);
void audit_write_json(struct tr_buf *out, const struct readiness *rd, const struct audit_inputs *in);
void audit_write_markdown(struct tr_buf *out, const struct readiness *rd, const struct audit_inputs *in);
void audit_write_text(struct tr_buf *out, const struct readiness *rd, const struct audit_inputs *in, int color);

/* Shared by the writers. */
/* "Salesforce for Outlook 2.4, Windows 10" from an AGG_CLIENT key (empty and N/A parts left out). */
const char *audit_client_label(const char *key, size_t key_len, char *buf, size_t cap);
/* "a, b, c (+N more)" of the top b-values of a pair for one row. */
const char *audit_tops(struct aggregate *agg, int pair, const struct agg_row *r, int is_client, size_t max,
                       char *buf, size_t cap);
/* "2026-03-01" or "" */
const char *audit_day(int64_t t, char *buf, size_t cap);
/* endpoint cell words: "accepted", "refused", "unknown", "-" (not scanned) */
const char *audit_status_word(const struct audit_endpoint *e, int version);

#endif
