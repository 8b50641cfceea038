/*
 * The audit report as one self-contained HTML file: inline CSS, inline SVG
 * charts and one small inline script for sorting and filtering tables. No
 * external scripts, fonts or images, so it can be mailed or archived as is.
 * Sections carry stable ids (summary, checklist, charts, area-<name>,
 * access-logs, captures) that the tests and a reader's links rely on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/scan.h"
#include "report/audit_report.h"
#include "report/html.h"
#include "report/svg.h"

#define ROW_LIMIT 500 /* rows per table; the JSON has them all */

static const char *const css =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d2733;max-width:1100px;margin:0 auto;padding:24px}"
    "h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #d5dde5;padding-bottom:4px}"
    "h3{font-size:15px;margin:18px 0 6px}.meta{color:#5b6b7b}"
    ".verdict{padding:14px 18px;border-radius:8px;margin:16px 0;font-size:16px}"
    ".verdict.ready{background:#e3f4e9;border:1px solid #3a9d5d}.verdict.not-ready{background:#fbe7e4;border:1px solid #c8412f}"
    ".verdict .badge{font-weight:700;font-size:20px;display:block}"
    ".tiles{display:flex;flex-wrap:wrap;gap:10px}.tile{flex:1 1 120px;border:1px solid #d5dde5;border-radius:6px;padding:8px 12px}"
    ".tile .n{font-size:22px;font-weight:700}.tile .l{color:#5b6b7b;font-size:12px}"
    "table.data{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}"
    "table.data th{background:#eef2f6;text-align:left;padding:5px 8px;cursor:pointer;white-space:nowrap}"
    "table.data td{border-top:1px solid #e3e8ee;padding:4px 8px;vertical-align:top}td.num{text-align:right}"
    "th[data-dir=asc]::after{content:' \\25B2'}th[data-dir=desc]::after{content:' \\25BC'}"
    "input.filter{margin:4px 0;padding:4px 8px;width:260px;border:1px solid #c4ced8;border-radius:4px}"
    ".todo{color:#b3261e;font-weight:600}.done{color:#2d7d46;font-weight:600}.not-evaluated{color:#6b7785}"
    ".accepted{background:#e3f4e9}.refused{background:#f3f5f7}.unknown{background:#eee}.below{background:#fde8d2}"
    ".fail{color:#b3261e;font-weight:600}.ok{color:#2d7d46}.unreachable{color:#8a6d00}"
    "svg.chart{width:100%;height:auto;margin:6px 0 14px}svg .grid{stroke:#e3e8ee}svg .axis{font-size:11px;fill:#5b6b7b}"
    "svg .line{fill:none;stroke:#c8412f;stroke-width:2}svg .dot{fill:#c8412f}svg .marker{stroke:#1d2733;stroke-dasharray:4 3}"
    "svg .marker-label{font-size:11px;font-weight:600}svg .good{fill:#3a9d5d}svg .warn{fill:#d9822b}svg .bad{fill:#c8412f}"
    ".empty{color:#6b7785;font-style:italic}"
    "@media print{input.filter{display:none}body{max-width:none;padding:0}h2{break-after:avoid}table.data{break-inside:auto}"
    "tr{break-inside:avoid}.verdict{border-width:2px}}";

static const char *const version_colors[TLSV_SLOTS] = { "#7a1f14", "#c8412f", "#e0823c", "#6aa0d4", "#2d6fb0", "#b8c2cc" };

static void num_tile(struct tr_buf *o, const char *id, unsigned long long n, const char *label)
{
    tr_buf_printf(o, "<div class=\"tile\"><div class=\"n\" id=\"%s\">%llu</div><div class=\"l\">", id, n);
    html_escape(o, label);
    tr_buf_puts(o, "</div></div>");
}

static void p_empty(struct tr_buf *o, const char *text)
{
    tr_buf_puts(o, "<p class=\"empty\">");
    html_escape(o, text);
    tr_buf_puts(o, "</p>\n");
}

static void summary(struct tr_buf *o, const struct readiness *rd, const struct audit_inputs *in)
{
    size_t users = rd->legacy_users;
    tr_buf_printf(o, "<section id=\"summary\"><div class=\"verdict %s\"><span class=\"badge\" id=\"verdict\">%s</span>",
                  rd->ready ? "ready" : "not-ready", rd->ready ? "READY" : "NOT READY");
    tr_buf_puts(o, "<span id=\"headline\">");
    html_escape(o, rd->headline);
    tr_buf_puts(o, "</span></div>\n<div class=\"tiles\">");
    num_tile(o, "n-observations", rd->observations, "connections analysed (logins, requests, handshakes)");
    num_tile(o, "n-legacy", rd->legacy, "on legacy TLS");
    num_tile(o, "n-recent-legacy", rd->recent_legacy, "legacy in the recent window");
    num_tile(o, "n-legacy-users", users, "users on legacy TLS");
    num_tile(o, "n-endpoints", rd->endpoints, "outbound endpoints");
    num_tile(o, "n-endpoints-fail", rd->endpoints_fail, "endpoints that break at the cut-over");
    tr_buf_puts(o, "</div>\n");
    char a[16], b[16];
    tr_buf_printf(o, "<p class=\"meta\">Legacy share %.1f%% of all connections. Data from %s to %s. "
                     "Endpoints unreachable: %zu; callouts whose URL is only known at run time: %zu.</p></section>\n",
                  rd->legacy_share * 100, audit_day(rd->data_first, a, sizeof a)[0] ? a : "-",
                  audit_day(rd->data_last, b, sizeof b)[0] ? b : "-", rd->endpoints_unreachable, in->dynamic_endpoints);
}

static void checklist(struct tr_buf *o, const struct readiness *rd)
{
    static const char *const h[] = { "#", "Step", "Status", "Evidence from this run" };
    tr_buf_puts(o, "<section id=\"checklist\"><h2>Readiness checklist</h2>\n");
    html_table_begin(o, "checklist-table", h, 4, 0);
    for (int i = 0; i < rd->n_items; i++) {
        const struct check_item *it = &rd->items[i];
        const char *cls = it->status == CHECK_DONE ? "done" : it->status == CHECK_TODO ? "todo" : "not-evaluated";
        tr_buf_puts(o, "<tr>");
        html_td_num(o, (unsigned long long)i + 1, NULL);
        html_td(o, it->step, NULL);
        html_td(o, check_status_name(it->status), cls);
        html_td(o, it->evidence, NULL);
        tr_buf_puts(o, "</tr>\n");
    }
    html_table_end(o);
    tr_buf_puts(o, "</section>\n");
}

static void charts(struct tr_buf *o, const struct readiness *rd, const struct audit_inputs *in)
{
    tr_buf_puts(o, "<section id=\"charts\"><h2>Trend and breakdown</h2>\n<h3>Legacy share per day</h3>\n");
    const char *labels[4096];
    size_t n = rd->n_days < 4096 ? rd->n_days : 4096;
    for (size_t i = 0; i < n; i++)
        labels[i] = rd->days[i];
    char mark[64] = "";
    if (in->cutover != OBS_TIME_UNKNOWN) {
        char d[16];
        snprintf(mark, sizeof mark, "cut-over %s", audit_day(in->cutover, d, sizeof d));
    }
    svg_share_line(o, "Share of connections on legacy TLS per day", labels, rd->day_share, n,
                   in->cutover != OBS_TIME_UNKNOWN ? rd->cutover_at : -1, mark);

    /* breakdown: logins per area by version, then logs and captures as rows */
    const char *rows[AREA_COUNT + 2];
    unsigned long long vals[(AREA_COUNT + 2) * TLSV_SLOTS];
    const char *series[TLSV_SLOTS];
    for (int v = 0; v < TLSV_SLOTS; v++)
        series[v] = tls_version_name(v);
    size_t nr = 0;
    memset(vals, 0, sizeof vals);
    if (in->logins) {
        for (int a = 0; a < AREA_COUNT; a++) {
            rows[nr] = audit_area_name(a);
            for (int v = 0; v < TLSV_SLOTS; v++)
                vals[nr * TLSV_SLOTS + v] = rd->areas[a].versions[v];
            nr++;
        }
    }
    struct aggregate *traffic[2] = { in->logs, in->pcap };
    const char *tname[2] = { "access logs", "captures" };
    for (int k = 0; k < 2; k++) {
        if (!traffic[k])
            continue;
        const struct agg_row *t = aggregate_totals(traffic[k]);
        rows[nr] = tname[k];
        for (int v = 0; v < TLSV_SLOTS; v++)
            vals[nr * TLSV_SLOTS + v] = t->versions[v];
        nr++;
    }
    tr_buf_puts(o, "<h3>Connections by area and version</h3>\n");
    if (nr)
        svg_stacked_bars(o, "Connections by area and TLS version", rows, nr, series, version_colors, TLSV_SLOTS, vals);
    else
        p_empty(o, "no client-side data");

    tr_buf_puts(o, "<h3>Endpoint version matrix</h3>\n");
    size_t ne = 0;
    for (size_t i = 0; i < in->n_endpoints; i++)
        ne += in->endpoints[i].scanned;
    if (ne) {
        const char **er = calloc(ne, sizeof *er);
        unsigned char *cells = calloc(ne * TLSV_COUNT, 1);
        const char *cols[TLSV_COUNT];
        for (int v = 0; v < TLSV_COUNT; v++)
            cols[v] = tls_version_name(v);
        size_t k = 0;
        for (size_t i = 0; er && cells && i < in->n_endpoints; i++) {
            const struct audit_endpoint *e = &in->endpoints[i];
            if (!e->scanned)
                continue;
            er[k] = e->name;
            for (int v = 0; v < TLSV_COUNT; v++)
                cells[k * TLSV_COUNT + v] = e->status[v] == VS_ACCEPTED ? (v < in->min_version ? 3 : 1)
                                          : e->status[v] == VS_REFUSED ? 2 : 0;
            k++;
        }
        if (er && cells)
            svg_matrix(o, "Versions each endpoint accepts", er, k, cols, TLSV_COUNT, cells);
        free(er);
        free(cells);
    } else {
        p_empty(o, in->n_endpoints ? "endpoints were not scanned (use --scan)" : "no endpoints");
    }
    tr_buf_puts(o, "<h3>Certificate expiry</h3>\n");
    if (rd->n_certs) {
        const char **names = calloc(rd->n_certs, sizeof *names);
        long *days = calloc(rd->n_certs, sizeof *days);
        for (size_t i = 0; names && days && i < rd->n_certs; i++) {
            names[i] = in->endpoints[rd->cert_order[i]].name;
            days[i] = in->endpoints[rd->cert_order[i]].cert_days_left;
        }
        if (names && days)
            svg_days_bars(o, "Days until each endpoint's certificate expires", names, days, rd->n_certs,
                          in->warn_days);
        free(names);
        free(days);
    } else {
        p_empty(o, in->scanned ? "no certificate could be fetched" : "endpoints were not scanned");
    }
    tr_buf_puts(o, "</section>\n");
}

static void users_table(struct tr_buf *o, const struct audit_inputs *in, const struct area_view *v, int area,
                        const char *id)
{
    static const char *const h[] = { "User", "Legacy logins here", "Refused", "All logins", "First legacy", "Last legacy",
                                     "With (client)", "From (IP)" };
    html_table_begin(o, id, h, 8, 1);
    for (size_t i = 0; i < v->n_users && i < ROW_LIMIT; i++) {
        const struct agg_row *r = v->users[i];
        char a[16], b[16], c[600], d[600];
        tr_buf_puts(o, "<tr>");
        html_td(o, r->key_len ? r->key : "(not recorded)", NULL);
        html_td_num(o, area_row_legacy(in->logins, r, area), NULL);
        html_td_num(o, r->failed_legacy, NULL);
        html_td_num(o, r->total + r->failed, NULL);
        html_td(o, audit_day(r->first_legacy, a, sizeof a), NULL);
        html_td(o, audit_day(r->last_legacy, b, sizeof b), NULL);
        html_td(o, audit_tops(in->logins, AUDIT_PAIR_USER_CLIENT, r, 1, 3, c, sizeof c), NULL);
        html_td(o, audit_tops(in->logins, AUDIT_PAIR_USER_IP, r, 0, 3, d, sizeof d), NULL);
        tr_buf_puts(o, "</tr>\n");
    }
    html_table_end(o);
}

static void clients_table(struct tr_buf *o, const struct audit_inputs *in, const struct area_view *v, const char *id)
{
    static const char *const h[] = { "Client (application, version, browser, platform)", "Legacy logins", "tls1.0",
                                     "tls1.1", "Users", "Last legacy" };
    html_table_begin(o, id, h, 6, 1);
    for (size_t i = 0; i < v->n_clients && i < ROW_LIMIT; i++) {
        const struct agg_row *r = v->clients[i];
        char a[16], c[300];
        tr_buf_puts(o, "<tr>");
        html_td(o, audit_client_label(r->key, r->key_len, c, sizeof c), NULL);
        html_td_num(o, r->legacy + r->failed_legacy, NULL);
        html_td_num(o, r->versions[TLSV_TLS10], NULL);
        html_td_num(o, r->versions[TLSV_TLS11], NULL);
        html_td_num(o, aggregate_top_count(in->logins, AUDIT_PAIR_CLIENT_USER, r), NULL);
        html_td(o, audit_day(r->last_legacy, a, sizeof a), NULL);
        tr_buf_puts(o, "</tr>\n");
    }
    html_table_end(o);
}

static void endpoints_table(struct tr_buf *o, const struct audit_inputs *in, const struct area_view *v, const char *id)
{
    const char *h[4 + TLSV_COUNT + 3] = { "Endpoint", "Owner", "Found in", "Verdict" };
    for (int k = 0; k < TLSV_COUNT; k++)
        h[4 + k] = tls_version_name(k);
    h[4 + TLSV_COUNT] = "Preferred";
    h[5 + TLSV_COUNT] = "Note";
    h[6 + TLSV_COUNT] = "Certificate";
    html_table_begin(o, id, h, 7 + TLSV_COUNT, 1);
    for (size_t i = 0; i < v->n_endpoints; i++) {
        const struct audit_endpoint *e = &in->endpoints[v->endpoints[i]];
        tr_buf_puts(o, "<tr>");
        html_td(o, e->name, NULL);
        html_td(o, e->owner ? e->owner : "org", NULL);
        html_td(o, e->found_in, NULL);
        const char *verdict = e->verdict >= 0 ? scan_verdict_name(e->verdict) : "not scanned";
        html_td(o, verdict, e->verdict >= 0 ? verdict : NULL);
        for (int k = 0; k < TLSV_COUNT; k++) {
            const char *w = audit_status_word(e, k);
            html_td(o, w, e->scanned && e->status[k] == VS_ACCEPTED && k < in->min_version ? "below" : w);
        }
        html_td(o, e->preferred >= 0 ? tls_version_name(e->preferred) : "", NULL);
        html_td(o, e->note, NULL);
        if (e->has_cert) {
            char c[400];
            snprintf(c, sizeof c, "%s; %ld days left%s%s", e->cert_subject, e->cert_days_left,
                     e->cert_flags[0] ? "; " : "", e->cert_flags);
            html_td(o, c, e->cert_days_left < in->warn_days ? "below" : NULL);
        } else {
            html_td(o, "", NULL);
        }
        tr_buf_puts(o, "</tr>\n");
    }
    html_table_end(o);
}

static void area(struct tr_buf *o, const struct readiness *rd, const struct audit_inputs *in, int a)
{
    const struct area_summary *s = &rd->areas[a];
    const struct area_view *v = &rd->view[a];
    char id[64], last[16];
    tr_buf_printf(o, "<section id=\"area-%s\"><h2>%d. ", audit_area_name(a), a + 1);
    html_escape(o, audit_area_title(a));
    tr_buf_puts(o, "</h2>\n<p>");
    if (in->logins)
        tr_buf_printf(o, "<span class=\"area-users\">%zu</span> users made <span class=\"area-legacy\">%llu</span> "
                         "legacy logins (%llu already refused), last on %s. ",
                      s->legacy_users, (unsigned long long)s->legacy, (unsigned long long)s->failed_legacy,
                      audit_day(s->last_legacy, last, sizeof last)[0] ? last : "-");
    if (a == AREA_INTEGRATIONS || a == AREA_VENDORS)
        tr_buf_printf(o, "<span class=\"area-endpoints-fail\">%zu</span> of %zu endpoints break at the cut-over, "
                         "%zu could not be reached.",
                      s->endpoints_fail, s->endpoints, s->endpoints_unreachable);
    tr_buf_puts(o, "</p>\n");
    if (in->logins && a != AREA_VENDORS) {
        tr_buf_puts(o, "<h3>Action list: users on legacy TLS</h3>\n");
        snprintf(id, sizeof id, "users-%s", audit_area_name(a));
        if (v->n_users)
            users_table(o, in, v, a, id);
        else
            p_empty(o, "nobody in this area is on legacy TLS");
        tr_buf_puts(o, "<h3>Clients on legacy TLS</h3>\n");
        snprintf(id, sizeof id, "clients-%s", audit_area_name(a));
        if (v->n_clients)
            clients_table(o, in, v, id);
        else
            p_empty(o, "no legacy clients in this area");
    }
    if (a == AREA_INTEGRATIONS || a == AREA_VENDORS) {
        tr_buf_puts(o, "<h3>Endpoints</h3>\n");
        snprintf(id, sizeof id, "endpoints-%s", audit_area_name(a));
        if (v->n_endpoints)
            endpoints_table(o, in, v, id);
        else
            p_empty(o, "no endpoints in this area");
    }
    tr_buf_puts(o, "</section>\n");
}

static void traffic(struct tr_buf *o, const char *id, const char *title, struct aggregate *agg,
                    const struct source_view *v, int with_agents)
{
    static const char *const h[] = { "Client IP", "Legacy", "tls1.0", "tls1.1", "All", "Last legacy", "User agents" };
    tr_buf_printf(o, "<section id=\"%s\"><h2>", id);
    html_escape(o, title);
    tr_buf_puts(o, "</h2>\n");
    if (!v->n) {
        p_empty(o, "no client on legacy TLS");
    } else {
        char tid[64];
        snprintf(tid, sizeof tid, "%s-clients", id);
        html_table_begin(o, tid, h, with_agents ? 7 : 6, 1);
        for (size_t i = 0; i < v->n && i < ROW_LIMIT; i++) {
            const struct agg_row *r = v->rows[i];
            char a[16], c[600];
            tr_buf_puts(o, "<tr>");
            html_td(o, r->key, NULL);
            html_td_num(o, r->legacy + r->failed_legacy, NULL);
            html_td_num(o, r->versions[TLSV_TLS10], NULL);
            html_td_num(o, r->versions[TLSV_TLS11], NULL);
            html_td_num(o, r->total + r->failed, NULL);
            html_td(o, audit_day(r->last_legacy, a, sizeof a), NULL);
            if (with_agents)
                html_td(o, audit_tops(agg, AUDIT_PAIR_IP_AGENT, r, 0, 3, c, sizeof c), NULL);
            tr_buf_puts(o, "</tr>\n");
        }
        html_table_end(o);
    }
    tr_buf_puts(o, "</section>\n");
}

void audit_write_html(struct tr_buf *o, const struct readiness *rd, const struct audit_inputs *in)
{
    char gen[32], cut[16];
    tr_buf_puts(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                   "<title>TLS readiness audit</title><style>");
    tr_buf_puts(o, css);
    tr_buf_puts(o, "</style></head><body>\n<h1>TLS readiness audit</h1>\n<p class=\"meta\">");
    tr_buf_printf(o, "Policy: minimum <b id=\"policy-min\">%s</b>", tls_version_name(in->min_version));
    if (in->cutover != OBS_TIME_UNKNOWN)
        tr_buf_printf(o, ", cut-over on <b id=\"policy-cutover\">%s</b>", audit_day(in->cutover, cut, sizeof cut));
    tr_buf_printf(o, ". Generated %s by tlsready.</p>\n", agg_format_time(in->now, gen, sizeof gen));
    summary(o, rd, in);
    checklist(o, rd);
    charts(o, rd, in);
    for (int a = 0; a < AREA_COUNT; a++)
        if (a != AREA_OTHER || rd->areas[a].legacy)
            area(o, rd, in, a);
    if (in->logs)
        traffic(o, "access-logs", "Access logs: clients on legacy TLS", in->logs, &rd->logs_clients, 1);
    if (in->pcap)
        traffic(o, "captures", "Packet captures: clients on legacy TLS", in->pcap, &rd->pcap_clients, 0);
    tr_buf_puts(o, "<script>");
    tr_buf_puts(o, html_table_script());
    tr_buf_puts(o, "</script>\n</body></html>\n");
}
