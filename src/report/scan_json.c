/* JSON Lines for scan results: the contract in docs/scan.md. */
#include "report/json.h"
#include "report/scan_certs.h"
#include "report/scan_report.h"
#include "tls/version.h"

void scan_json_line(struct tr_buf *out, const struct endpoint_result *r)
{
    struct json_writer w;
    json_init(&w, out);
    json_object_begin(&w);
    json_key(&w, "target");
    json_string(&w, r->target->given);
    json_key(&w, "host");
    json_string(&w, r->target->host);
    json_key(&w, "port");
    json_int(&w, r->target->port);
    json_key(&w, "address");
    json_string(&w, r->address[0] ? r->address : NULL);
    json_key(&w, "sni");
    json_string(&w, r->sni);
    json_key(&w, "versions");
    json_object_begin(&w);
    for (int v = 0; v < TLSV_COUNT; v++) {
        json_key(&w, tls_version_name(v));
        json_string(&w, version_status_name(r->status[v]));
    }
    json_object_end(&w);
    json_key(&w, "reasons");
    json_object_begin(&w);
    for (int v = 0; v < TLSV_COUNT; v++) {
        json_key(&w, tls_version_name(v));
        json_string(&w, r->reason[v]);
    }
    json_object_end(&w);
    json_key(&w, "preferred");
    json_string(&w, r->preferred >= 0 ? tls_version_name(r->preferred) : NULL);
    json_key(&w, "verdict");
    json_string(&w, scan_verdict_name(r->verdict));
    json_key(&w, "elapsed_ms");
    json_int(&w, (int64_t)(r->elapsed_ms + 0.5));
    scan_json_certs(&w, r);
    json_key(&w, "notes");
    json_array_begin(&w);
    for (int i = 0; i < r->n_notes; i++)
        json_string(&w, r->notes[i]);
    json_array_end(&w);
    scan_json_details(&w, r);   /* deep scan keys (docs/scan.md); nothing without details */
    json_object_end(&w);
    tr_buf_push_u8(out, '\n');
}
