/* The audit report as Markdown and as a short terminal summary: see audit_report.h. */
#include <stdio.h>
#include <string.h>

#include "probe/scan.h"
#include "report/audit_report.h"

#define MD_ROW_LIMIT 200

/*
 * A table cell. Values come from files and servers we do not trust: pipes and
 * line breaks would break the table, raw HTML would be rendered by most
 * Markdown viewers, and control bytes would reach a terminal. So: \| for pipes,
 * entities for < > &, a space for CR/LF/TAB, U+FFFD for other control bytes.
 */
static void cell(struct tr_buf *o, const char *s)
{
    tr_buf_puts(o, " ");
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '|': tr_buf_puts(o, "\\|"); break;
        case '<': tr_buf_puts(o, "&lt;"); break;
        case '>': tr_buf_puts(o, "&gt;"); break;
        case '&': tr_buf_puts(o, "&amp;"); break;
        case '\n': case '\r': case '\t': tr_buf_push_u8(o, ' '); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                tr_buf_puts(o, "\xef\xbf\xbd");
            else
                tr_buf_push_u8(o, *p);
        }
    }
    tr_buf_puts(o, " |");
}

static void cell_u(struct tr_buf *o, unsigned long long v)
{
    tr_buf_printf(o, " %llu |", v);
}

static void header(struct tr_buf *o, const char *const *h, size_t n)
{
    tr_buf_puts(o, "|");
    for (size_t i = 0; i < n; i++)
        cell(o, h[i]);
    tr_buf_puts(o, "\n|");
    for (size_t i = 0; i < n; i++)
        tr_buf_puts(o, " --- |");
    tr_buf_puts(o, "\n");
}

static void area(struct tr_buf *o, const struct readiness *rd, const struct audit_inputs *in, int a)
{
    const struct area_summary *s = &rd->areas[a];
    const struct area_view *v = &rd->view[a];
    char d1[16], d2[16], buf[600];
    tr_buf_printf(o, "\n## %d. %s\n\n", a + 1, audit_area_title(a));
    if (in->logins)
        tr_buf_printf(o, "%zu users made %llu legacy logins (%llu already refused).\n", s->legacy_users,
                      (unsigned long long)s->legacy, (unsigned long long)s->failed_legacy);
    if (a == AREA_INTEGRATIONS || a == AREA_VENDORS)
        tr_buf_printf(o, "%zu of %zu endpoints break at the cut-over, %zu could not be reached.\n", s->endpoints_fail,
                      s->endpoints, s->endpoints_unreachable);
    if (in->logins && v->n_users) {
        static const char *const h[] = { "User", "Legacy logins here", "Refused", "First legacy", "Last legacy", "With" };
        tr_buf_puts(o, "\n");
        header(o, h, 6);
        for (size_t i = 0; i < v->n_users && i < MD_ROW_LIMIT; i++) {
            const struct agg_row *r = v->users[i];
            tr_buf_puts(o, "|");
            cell(o, r->key);
            cell_u(o, area_row_legacy(in->logins, r, a));
            cell_u(o, r->failed_legacy);
            cell(o, audit_day(r->first_legacy, d1, sizeof d1));
            cell(o, audit_day(r->last_legacy, d2, sizeof d2));
            cell(o, audit_tops(in->logins, AUDIT_PAIR_USER_CLIENT, r, 1, 3, buf, sizeof buf));
            tr_buf_puts(o, "\n");
        }
    }
    if (v->n_endpoints) {
        static const char *const h[] = { "Endpoint", "Owner", "Verdict", "Accepts", "Note", "Certificate days left" };
        tr_buf_puts(o, "\n");
        header(o, h, 6);
        for (size_t i = 0; i < v->n_endpoints; i++) {
            const struct audit_endpoint *e = &in->endpoints[v->endpoints[i]];
            char acc[64] = "";
            for (int k = 0; k < TLSV_COUNT && e->scanned; k++)
                if (e->status[k] == VS_ACCEPTED) {
                    strncat(acc, acc[0] ? " " : "", sizeof acc - strlen(acc) - 1);
                    strncat(acc, tls_version_name(k), sizeof acc - strlen(acc) - 1);
                }
            tr_buf_puts(o, "|");
            cell(o, e->name);
            cell(o, e->owner ? e->owner : "org");
            cell(o, e->verdict >= 0 ? scan_verdict_name(e->verdict) : "not scanned");
            cell(o, acc);
            cell(o, e->note);
            if (e->has_cert)
                tr_buf_printf(o, " %ld |", e->cert_days_left);
            else
                cell(o, "");
            tr_buf_puts(o, "\n");
        }
    }
}

void audit_write_markdown(struct tr_buf *o, const struct readiness *rd, const struct audit_inputs *in)
{
    char cut[16];
    tr_buf_puts(o, "# TLS readiness audit\n\n");
    tr_buf_printf(o, "Policy: minimum **%s**", tls_version_name(in->min_version));
    if (in->cutover != OBS_TIME_UNKNOWN)
        tr_buf_printf(o, ", cut-over on **%s**", audit_day(in->cutover, cut, sizeof cut));
    tr_buf_printf(o, ".\n\n**%s** %s\n\n", rd->ready ? "READY" : "NOT READY", rd->headline);
    size_t users = rd->legacy_users;
    tr_buf_printf(o, "- connections analysed: %llu\n- on legacy TLS: %llu (%.1f%%)\n- legacy in the last %d days of data: %llu\n"
                     "- users on legacy TLS: %zu\n- outbound endpoints: %zu, breaking at the cut-over: %zu, unreachable: %zu\n",
                  (unsigned long long)rd->observations, (unsigned long long)rd->legacy, rd->legacy_share * 100,
                  in->recent_days, (unsigned long long)rd->recent_legacy, users, rd->endpoints, rd->endpoints_fail,
                  rd->endpoints_unreachable);
    static const char *const h[] = { "#", "Step", "Status", "Evidence" };
    tr_buf_puts(o, "\n## Readiness checklist\n\n");
    header(o, h, 4);
    for (int i = 0; i < rd->n_items; i++) {
        tr_buf_printf(o, "| %d |", i + 1);
        cell(o, rd->items[i].step);
        cell(o, check_status_name(rd->items[i].status));
        cell(o, rd->items[i].evidence);
        tr_buf_puts(o, "\n");
    }
    for (int a = 0; a < AREA_COUNT; a++)
        if (a != AREA_OTHER || rd->areas[a].legacy)
            area(o, rd, in, a);
    const struct source_view *tv[2] = { &rd->logs_clients, &rd->pcap_clients };
    const char *tt[2] = { "Access logs: clients on legacy TLS", "Packet captures: clients on legacy TLS" };
    struct aggregate *ta[2] = { in->logs, in->pcap };
    for (int k = 0; k < 2; k++) {
        if (!ta[k])
            continue;
        static const char *const th[] = { "Client IP", "Legacy", "All", "Last legacy" };
        tr_buf_printf(o, "\n## %s\n\n", tt[k]);
        if (!tv[k]->n) {
            tr_buf_puts(o, "No client on legacy TLS.\n");
            continue;
        }
        header(o, th, 4);
        for (size_t i = 0; i < tv[k]->n && i < MD_ROW_LIMIT; i++) {
            const struct agg_row *r = tv[k]->rows[i];
            char d[16];
            tr_buf_puts(o, "|");
            cell(o, r->key);
            cell_u(o, r->legacy + r->failed_legacy);
            cell_u(o, r->total + r->failed);
            cell(o, audit_day(r->last_legacy, d, sizeof d));
            tr_buf_puts(o, "\n");
        }
    }
}

void audit_write_text(struct tr_buf *o, const struct readiness *rd, const struct audit_inputs *in, int color)
{
    const char *on = color ? (rd->ready ? "\033[1;32m" : "\033[1;31m") : "", *off = color ? "\033[0m" : "";
    tr_buf_printf(o, "%s%s%s\n%s\n\n", on, rd->ready ? "READY" : "NOT READY", off, rd->headline);
    for (int a = 0; a < AREA_COUNT; a++) {
        const struct area_summary *s = &rd->areas[a];
        if (a == AREA_OTHER && !s->legacy)
            continue;
        tr_buf_printf(o, "  %d. %-58s", a + 1, audit_area_title(a));
        if (in->logins && a != AREA_VENDORS)
            tr_buf_printf(o, " %5zu users, %7llu legacy logins", s->legacy_users, (unsigned long long)s->legacy);
        if (a == AREA_INTEGRATIONS || a == AREA_VENDORS)
            tr_buf_printf(o, " %3zu/%zu endpoints fail", s->endpoints_fail, s->endpoints);
        tr_buf_puts(o, "\n");
    }
    tr_buf_puts(o, "\nchecklist:\n");
    for (int i = 0; i < rd->n_items; i++)
        tr_buf_printf(o, "  [%s] %s\n", rd->items[i].status == CHECK_DONE ? "x" : rd->items[i].status == CHECK_TODO ? " " : "-",
                      rd->items[i].step);
}
