/* Helpers shared by the audit writers: see audit_report.h. */
#include <stdio.h>
#include <string.h>

#include "probe/scan.h"
#include "report/audit_report.h"

const char *audit_client_label(const char *key, size_t key_len, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = 0;
    for (int i = 0; i < 4; i++) {
        size_t n;
        const char *p = agg_key_part(key, key_len, i, &n);
        if (!p || n == 0 || (n == 3 && strncmp(p, "N/A", 3) == 0) || (n == 7 && strncmp(p, "Unknown", 7) == 0))
            continue;
        int w = snprintf(buf + used, cap - used, "%s%.*s", used ? (i == 1 ? " " : ", ") : "", (int)n, p);
        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
    }
    if (!used)
        snprintf(buf, cap, "(not recorded)");
    return buf;
}

const char *audit_tops(struct aggregate *agg, int pair, const struct agg_row *r, int is_client, size_t max,
                       char *buf, size_t cap)
{
    const struct agg_row *top[8];
    if (max > 8)
        max = 8;
    size_t n = aggregate_top(agg, pair, r, top, NULL, max);
    size_t all = aggregate_top_count(agg, pair, r);
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n; i++) {
        char lab[200];
        const char *s = is_client ? audit_client_label(top[i]->key, top[i]->key_len, lab, sizeof lab)
                                  : (top[i]->key_len ? top[i]->key : "(not recorded)");
        int w = snprintf(buf + used, cap - used, "%s%s", i ? "; " : "", s);
        if (w < 0 || (size_t)w >= cap - used)
            return buf;
        used += (size_t)w;
    }
    if (all > n)
        snprintf(buf + used, cap - used, " (+%zu more)", all - n);
    return buf;
}

const char *audit_day(int64_t t, char *buf, size_t cap)
{
    const char *s = agg_format_day(t, buf, cap);
    if (!s)
        buf[0] = 0;
    return buf;
}

const char *audit_status_word(const struct audit_endpoint *e, int version)
{
    if (!e->scanned)
        return "-";
    return version_status_name(e->status[version]);
}
