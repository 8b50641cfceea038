/*
 * libFuzzer target for serve's report: any bytes a client can send are
 * parsed as the server does (client_hello_from_records), then judged and
 * rendered as JSON, HTML and text. The renderers walk every parsed list and
 * string, so this checks them against every hello the parser accepts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/json.h"
#include "serve/report.h"
#include "tls/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct serve_report r; /* 4 KB: keep it off the fuzzer's stack */
    struct tr_error err;
    size_t used = 0;
    serve_report_init(&r);
    int rc = client_hello_from_records(data, size, &r.ch, &used, &err);
    if (rc == CH_OK) {
        r.hello_state = SERVE_HELLO_PARSED;
    } else {
        r.hello_state = SERVE_HELLO_BAD;
        memcpy(r.hello_error, "unreadable", 11);
    }
    r.outcome = size & 1 ? SERVE_ACCEPTED : SERVE_REFUSED;
    r.negotiated = size & 1 ? (int)(size % TLSV_COUNT) : TLSV_NONE;
    r.server_min = TLSV_TLS10;
    r.server_max = TLSV_TLS13;
    r.cutover = (int)(size % TLSV_COUNT);
    struct tr_buf b;
    tr_buf_init(&b, NULL, 0);
    struct json_writer w;
    json_init(&w, &b);
    serve_report_json(&w, &r);
    if (b.failed || w.depth != 0)
        abort();
    tr_buf_free(&b);
    tr_buf_init(&b, NULL, 0);
    serve_report_html(&b, &r);
    serve_report_text(&b, &r);
    tr_buf_free(&b);
    return 0;
}
