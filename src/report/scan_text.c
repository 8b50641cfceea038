/*
 * The terminal table for scan results: one row per (target, address), one
 * column per version (yes = accepted, no = refused, ? = unknown), the
 * preferred version, the verdict and a detail column (the policy's notes, or
 * why the verdict is not ok). Colour only when the caller says so (a TTY
 * without NO_COLOR); the colour follows the verdict and policy, never decides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/scan_report.h"
#include "tls/version.h"

#define C_RESET "\033[0m"
#define C_GREEN "\033[32m"
#define C_RED "\033[31m"
#define C_YELLOW "\033[33m"
#define C_DIM "\033[2m"
#define C_MAGENTA "\033[35m"
#define C_BOLD "\033[1m"

struct row {
    char *target;
    char *address;
    char *detail;
    int status[TLSV_COUNT];
    int preferred;
    int verdict;
};

struct scan_table {
    int color;
    int min_version;
    struct row *rows;
    size_t n, cap;
};

struct scan_table *scan_table_new(int color, int min_version)
{
    struct scan_table *t = calloc(1, sizeof *t);
    if (t) {
        t->color = color;
        t->min_version = min_version;
    }
    return t;
}

void scan_table_free(struct scan_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->rows[i].target);
        free(t->rows[i].address);
        free(t->rows[i].detail);
    }
    free(t->rows);
    free(t);
}

/* Why the verdict is what it is, in a few words, then the notes. */
static void detail_of(const struct endpoint_result *r, int min_version, char *dst, size_t cap)
{
    size_t len = 0;
    dst[0] = 0;
    if (r->verdict != VERDICT_OK) {
        int v = min_version;
        for (int k = min_version; k < TLSV_COUNT; k++)
            if (r->status[k] == VS_UNKNOWN) {
                v = k;
                break;
            }
        if (r->verdict == VERDICT_UNREACHABLE && !r->address[0])
            len += (size_t)snprintf(dst + len, cap - len, "%s", r->reason[v]);
        else
            len += (size_t)snprintf(dst + len, cap - len, "%s: %s", tls_version_name(v), r->reason[v]);
    }
    for (int i = 0; i < r->n_notes && len < cap; i++)
        len += (size_t)snprintf(dst + len, cap - len, "%s%s", len ? "; " : "", r->notes[i]);
}

int scan_table_add(struct scan_table *t, const struct endpoint_result *r)
{
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 32;
        struct row *nr = realloc(t->rows, nc * sizeof *nr);
        if (!nr)
            return -1;
        t->rows = nr;
        t->cap = nc;
    }
    char detail[SCAN_NOTES_MAX * SCAN_NOTE_LEN + SCAN_REASON_MAX + 16];
    detail_of(r, t->min_version, detail, sizeof detail);
    struct row *w = &t->rows[t->n];
    w->target = strdup(r->target->given);
    w->address = strdup(r->address[0] ? r->address : "-");
    w->detail = strdup(detail);
    if (!w->target || !w->address || !w->detail) {
        free(w->target);
        free(w->address);
        free(w->detail);
        return -1;
    }
    memcpy(w->status, r->status, sizeof w->status);
    w->preferred = r->preferred;
    w->verdict = r->verdict;
    t->n++;
    return 0;
}

static void cell(struct tr_buf *out, const char *text, int width, const char *color, int use_color)
{
    if (use_color && color)
        tr_buf_puts(out, color);
    tr_buf_printf(out, "%-*s", width, text);
    if (use_color && color)
        tr_buf_puts(out, C_RESET);
}

void scan_table_render(struct scan_table *t, struct tr_buf *out)
{
    int wt = 6, wa = 7;
    for (size_t i = 0; i < t->n; i++) {
        int lt = (int)strlen(t->rows[i].target), la = (int)strlen(t->rows[i].address);
        wt = lt > wt ? lt : wt;
        wa = la > wa ? la : wa;
    }
    if (wt > 48)
        wt = 48;
    int c = t->color;
    if (c)
        tr_buf_puts(out, C_BOLD);
    tr_buf_printf(out, "%-*s  %-*s  %-6s %-6s %-6s %-6s %-6s %-9s  %-11s  %s", wt, "TARGET", wa, "ADDRESS",
                  "SSL3", "TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3", "PREFERRED", "VERDICT", "DETAIL");
    if (c)
        tr_buf_puts(out, C_RESET);
    tr_buf_push_u8(out, '\n');
    size_t counts[3] = { 0, 0, 0 };
    for (size_t i = 0; i < t->n; i++) {
        const struct row *r = &t->rows[i];
        tr_buf_printf(out, "%-*.*s  %-*s  ", wt, wt, r->target, wa, r->address);
        for (int v = 0; v < TLSV_COUNT; v++) {
            const char *text = "?", *color = C_MAGENTA;
            if (r->status[v] == VS_ACCEPTED) {
                text = "yes";
                color = v < t->min_version ? C_YELLOW : C_GREEN;
            } else if (r->status[v] == VS_REFUSED) {
                text = "no";
                color = C_DIM;
            }
            cell(out, text, 6, color, c);
            tr_buf_push_u8(out, ' ');
        }
        cell(out, r->preferred >= 0 ? tls_version_name(r->preferred) : "-", 9, NULL, c);
        tr_buf_puts(out, "  ");
        const char *vc = r->verdict == VERDICT_OK ? C_GREEN : r->verdict == VERDICT_FAIL ? C_RED : C_YELLOW;
        cell(out, scan_verdict_name(r->verdict), 11, vc, c);
        tr_buf_printf(out, "  %s\n", r->detail);
        if (r->verdict >= 0 && r->verdict < 3)
            counts[r->verdict]++;
    }
    tr_buf_printf(out, "\n%zu endpoint%s: %zu ok, %zu fail, %zu unreachable (minimum %s; yes = accepted, no = refused, ? = unknown: see --json for reasons)\n",
                  t->n, t->n == 1 ? "" : "s", counts[VERDICT_OK], counts[VERDICT_FAIL], counts[VERDICT_UNREACHABLE],
                  tls_version_name(t->min_version));
}
