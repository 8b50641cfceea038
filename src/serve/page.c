/*
 * The "/" page: tells a person in plain words what their browser or program
 * offered and whether it keeps working after the cut-over (after
 * howsmyssl.com, but local and with this server's policy). It only renders
 * what report.h and verdict.c decided. No script, no external resource.
 */
#include "serve/report.h"

#include <stdio.h>
#include <string.h>

#include "tls/fingerprint.h"
#include "tls/registry.h"
#include "tls/version.h"

static void esc(struct tr_buf *o, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': tr_buf_puts(o, "&amp;"); break;
        case '<': tr_buf_puts(o, "&lt;"); break;
        case '>': tr_buf_puts(o, "&gt;"); break;
        case '"': tr_buf_puts(o, "&quot;"); break;
        case '\'': tr_buf_puts(o, "&#39;"); break;
        default: tr_buf_push_u8(o, (uint8_t)*s);
        }
    }
}

static const char *human(int v)
{
    static const char *const w[] = { "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3" };
    return v >= 0 && v < TLSV_COUNT ? w[v] : "unknown";
}

static void row_begin(struct tr_buf *o, const char *label)
{
    tr_buf_puts(o, "<tr><th>");
    esc(o, label);
    tr_buf_puts(o, "</th><td>");
}

static void row_text(struct tr_buf *o, const char *label, const char *value)
{
    row_begin(o, label);
    esc(o, value && *value ? value : "(none)");
    tr_buf_puts(o, "</td></tr>\n");
}

static void row_codes(struct tr_buf *o, const char *label, const uint16_t *codes, size_t n,
                      const char *(*name_of)(uint16_t))
{
    row_begin(o, label);
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        if (tls_is_grease(codes[i]))
            continue;
        const char *name = name_of(codes[i]);
        if (shown++)
            tr_buf_puts(o, ", ");
        if (name)
            esc(o, name);
        else
            tr_buf_printf(o, "0x%04x", codes[i]);
    }
    if (!shown)
        tr_buf_puts(o, "(none)");
    tr_buf_puts(o, "</td></tr>\n");
}

static const char *group_name(uint16_t c)
{
    const struct named_group *g = group_lookup(c);
    return g ? g->name : NULL;
}

static const char *sigalg_name(uint16_t c)
{
    const struct sig_scheme *s = sigalg_lookup(c);
    return s ? s->name : NULL;
}

static void suites_table(struct tr_buf *o, const struct client_hello_info *ch)
{
    char tmp[8];
    tr_buf_puts(o, "<h2>Cipher suites offered, in the client's order</h2>\n<ol class=\"suites\">\n");
    for (size_t i = 0; i < ch->n_suites; i++) {
        if (tls_is_grease(ch->suites[i]))
            continue;
        unsigned f = serve_suite_flags(ch->suites[i]);
        tr_buf_puts(o, f ? "<li class=\"bad\">" : "<li>");
        esc(o, serve_suite_name(ch->suites[i], tmp, sizeof tmp));
        if (f) {
            tr_buf_puts(o, " &mdash; insecure:");
            if (f & SUITE_RC4) tr_buf_puts(o, " RC4");
            if (f & SUITE_3DES) tr_buf_puts(o, " 3DES");
            if (f & SUITE_DES) tr_buf_puts(o, " DES");
            if (f & SUITE_EXPORT) tr_buf_puts(o, " EXPORT");
            if (f & SUITE_NULL) tr_buf_puts(o, " NULL");
            if (f & SUITE_ANON) tr_buf_puts(o, " anonymous");
        }
        tr_buf_puts(o, "</li>\n");
    }
    tr_buf_puts(o, "</ol>\n");
}

static void details(struct tr_buf *o, const struct serve_report *r)
{
    const struct client_hello_info *ch = &r->ch;
    int vers[CHI_MAX_VERSIONS];
    size_t nv = serve_offered_versions(ch, vers, CHI_MAX_VERSIONS);
    char line[256];
    size_t off = 0;
    line[0] = 0;
    for (size_t i = 0; i < nv && off < sizeof line; i++)
        off += (size_t)snprintf(line + off, sizeof line - off, "%s%s", i ? ", " : "", human(vers[i]));

    tr_buf_puts(o, "<h2>What your client offered</h2>\n<table>\n");
    row_text(o, "Versions offered", line);
    row_text(o, "Newest version offered", human(ch->max_offered));
    row_text(o, "Server name (SNI)", ch->has_sni ? ch->sni : NULL);
    off = 0;
    line[0] = 0;
    for (size_t i = 0; i < ch->n_alpn && off < sizeof line; i++)
        off += (size_t)snprintf(line + off, sizeof line - off, "%s%s", i ? ", " : "", ch->alpn[i]);
    row_text(o, "Application protocols (ALPN)", line);
    row_codes(o, "Key exchange groups", ch->groups, ch->n_groups, group_name);
    row_codes(o, "Signature algorithms", ch->sigalgs, ch->n_sigalgs, sigalg_name);
    row_codes(o, "Extensions", ch->extensions, ch->n_extensions, tls_extension_name);
    char ja3h[33], ja4h[JA4_STR_MAX];
    row_text(o, "JA3 fingerprint", ja3_hash(ch, ja3h) == 0 ? ja3h : NULL);
    row_text(o, "JA4 fingerprint", ja4(ch, 't', ja4h) == 0 ? ja4h : NULL);
    tr_buf_puts(o, "</table>\n");
    suites_table(o, ch);
}

void serve_report_html(struct tr_buf *o, const struct serve_report *r)
{
    struct serve_reasons why;
    enum serve_verdict v = serve_judge(r, &why);
    char tmp[8];

    tr_buf_puts(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<title>tlsready: your TLS client and the cut-over</title>\n<style>\n"
                   "body{font-family:sans-serif;max-width:52em;margin:2em auto;padding:0 1em;color:#222}\n"
                   ".verdict{padding:1em 1.2em;border-radius:6px;font-size:1.25em}\n"
                   ".ok{background:#e3f4e1;border:2px solid #3c8d2f}.fail{background:#fbe4e2;border:2px solid #b3261e}\n"
                   "table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;"
                   "padding:.35em .6em;border-bottom:1px solid #ddd}th{width:15em;font-weight:600}\n"
                   "td{font-family:monospace;word-break:break-all}.suites{font-family:monospace}"
                   ".bad{color:#b3261e;font-weight:600}\n"
                   "footer{margin-top:2em;color:#666;font-size:.9em}</style></head>\n<body>\n");
    tr_buf_puts(o, "<h1>Your TLS client and the cut-over</h1>\n");
    tr_buf_printf(o, "<div class=\"verdict %s\" id=\"verdict\"><strong>", v == SERVE_VERDICT_OK ? "ok" : "fail");
    if (v == SERVE_VERDICT_OK)
        tr_buf_printf(o, "Your browser or program will keep working after the cut-over to %s.", human(r->cutover));
    else
        tr_buf_printf(o, "Your browser or program will stop working after the cut-over to %s.", human(r->cutover));
    tr_buf_puts(o, "</strong></div>\n<p id=\"connection\">");
    if (r->outcome == SERVE_ACCEPTED && r->negotiated != TLSV_NONE) {
        tr_buf_printf(o, "You are connected with <strong>%s</strong>", human(r->negotiated));
        if (r->have_cipher) {
            tr_buf_puts(o, " using the cipher suite <code>");
            esc(o, serve_suite_name(r->cipher, tmp, sizeof tmp));
            tr_buf_puts(o, "</code>");
        }
        tr_buf_puts(o, ".");
    }
    if (r->hello_state == SERVE_HELLO_PARSED)
        tr_buf_printf(o, " The newest version your client offers is <strong>%s</strong>.", human(r->ch.max_offered));
    tr_buf_printf(o, " This server accepts %s to %s; the cut-over policy requires %s or newer.</p>\n",
                  human(r->server_min), human(r->server_max), human(r->cutover));
    tr_buf_puts(o, "<h2>Why</h2>\n<ul id=\"reasons\">\n");
    for (size_t i = 0; i < why.n; i++) {
        tr_buf_puts(o, "<li>");
        esc(o, why.text[i]);
        tr_buf_puts(o, "</li>\n");
    }
    tr_buf_puts(o, "</ul>\n");
    if (r->hello_state == SERVE_HELLO_PARSED)
        details(o, r);
    if (r->have_request && r->user_agent[0]) {
        tr_buf_puts(o, "<p>Your client calls itself: <code>");
        esc(o, r->user_agent);
        tr_buf_puts(o, "</code></p>\n");
    }
    tr_buf_puts(o, "<footer>Served by <code>tlsready serve</code> from your connection's raw ClientHello, "
                   "read before the TLS library saw it. The same report for programs: "
                   "<a href=\"/json\">/json</a>.</footer>\n</body></html>\n");
}
