/* A serve report as a few lines of text, for `serve --once` on a terminal. */
#include "serve/report.h"

#include "tls/fingerprint.h"
#include "tls/registry.h"
#include "tls/version.h"

static const char *vname(int v)
{
    const char *n = v >= 0 && v < TLSV_COUNT ? tls_version_name(v) : NULL;
    return n ? n : "-";
}

void serve_report_text(struct tr_buf *o, const struct serve_report *r)
{
    char tmp[8];
    const struct client_hello_info *ch = &r->ch;
    tr_buf_printf(o, "client    %s -> %s\n", r->client, r->server);
    if (r->outcome == SERVE_ACCEPTED)
        tr_buf_printf(o, "outcome   accepted, %s %s\n", vname(r->negotiated),
                      r->have_cipher ? serve_suite_name(r->cipher, tmp, sizeof tmp) : "-");
    else
        tr_buf_printf(o, "outcome   refused: %s\n", r->refused_reason);
    if (r->hello_state == SERVE_HELLO_PARSED) {
        int vers[CHI_MAX_VERSIONS];
        size_t nv = serve_offered_versions(ch, vers, CHI_MAX_VERSIONS);
        tr_buf_puts(o, "offered  ");
        for (size_t i = 0; i < nv; i++)
            tr_buf_printf(o, " %s", vname(vers[i]));
        tr_buf_printf(o, " (max %s)\n", vname(ch->max_offered));
        tr_buf_puts(o, "suites   ");
        for (size_t i = 0; i < ch->n_suites; i++)
            if (!tls_is_grease(ch->suites[i]))
                tr_buf_printf(o, " %s%s", serve_suite_name(ch->suites[i], tmp, sizeof tmp),
                              serve_suite_flags(ch->suites[i]) ? "(!)" : "");
        tr_buf_puts(o, "\n");
        tr_buf_printf(o, "sni       %s\n", ch->has_sni ? ch->sni : "-");
        char ja3h[33], ja4h[JA4_STR_MAX];
        tr_buf_printf(o, "ja3       %s\n", ja3_hash(ch, ja3h) == 0 ? ja3h : "-");
        tr_buf_printf(o, "ja4       %s\n", ja4(ch, 't', ja4h) == 0 ? ja4h : "-");
    } else if (r->hello_state == SERVE_HELLO_BAD) {
        tr_buf_printf(o, "hello     unreadable: %s\n", r->hello_error);
    }
    struct serve_reasons why;
    enum serve_verdict v = serve_judge(r, &why);
    tr_buf_printf(o, "verdict   %s (cut-over minimum %s)\n", serve_verdict_name(v), vname(r->cutover));
    for (size_t i = 0; i < why.n; i++)
        tr_buf_printf(o, "  - %s\n", why.text[i]);
}
