/* CSV for scan results: one row per (target, address), columns in docs/scan.md. */
#include <stdio.h>

#include "report/csv.h"
#include "report/scan_report.h"
#include "tls/version.h"

void scan_csv_header(struct tr_buf *out)
{
    static const char *const cols[] = {
        "target", "host", "port", "address", "sni",
        "ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3", "preferred", "verdict", "elapsed_ms",
        "ssl3_reason", "tls1.0_reason", "tls1.1_reason", "tls1.2_reason", "tls1.3_reason", "notes",
    };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        csv_field(out, cols[i], i == 0);
    csv_row_end(out);
}

void scan_csv_row(struct tr_buf *out, const struct endpoint_result *r)
{
    csv_field(out, r->target->given, 1);
    csv_field(out, r->target->host, 0);
    csv_field_u64(out, r->target->port, 0);
    csv_field(out, r->address, 0);
    csv_field(out, r->sni ? r->sni : "", 0);
    for (int v = 0; v < TLSV_COUNT; v++)
        csv_field(out, version_status_name(r->status[v]), 0);
    csv_field(out, r->preferred >= 0 ? tls_version_name(r->preferred) : "", 0);
    csv_field(out, scan_verdict_name(r->verdict), 0);
    csv_field_u64(out, (uint64_t)(r->elapsed_ms + 0.5), 0);
    for (int v = 0; v < TLSV_COUNT; v++)
        csv_field(out, r->reason[v], 0);
    char notes[SCAN_NOTES_MAX * (SCAN_NOTE_LEN + 2)];
    size_t len = 0;
    notes[0] = 0;
    for (int i = 0; i < r->n_notes; i++)
        len += (size_t)snprintf(notes + len, sizeof notes - len, "%s%s", i ? "; " : "", r->notes[i]);
    csv_field(out, notes, 0);
    csv_row_end(out);
}
