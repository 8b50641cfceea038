/* Shared pieces of the aggregate writers: see agg_report.h and agg_common.h. */
#include "report/agg_common.h"

#include <stdio.h>
#include <string.h>

const struct agg_table_spec *agg_report_table(const struct agg_report *r, const char *name)
{
    for (int i = 0; i < r->n_tables; i++)
        if (strcmp(r->tables[i].name, name) == 0)
            return &r->tables[i];
    return NULL;
}

int agg_flush(struct tr_buf *out, FILE *f)
{
    int rc = out->failed ? -1 : 0;
    if (!rc && out->len && fwrite(out->base, 1, out->len, f) != out->len)
        rc = -1;
    tr_buf_free(out);
    return rc;
}

const char *agg_display_key(const struct agg_row *r, char *buf, size_t cap)
{
    if (!memchr(r->key, AGG_KEY_SEP, r->key_len))
        return r->key;
    size_t at = 0;
    size_t len;
    const char *p;
    buf[0] = 0;
    for (int i = 0; (p = agg_key_part(r->key, r->key_len, i, &len)); i++) {
        if (!len)
            continue;
        int w = snprintf(buf + at, cap - at, "%s%.*s", at ? " / " : "", (int)len, p);
        if (w < 0 || (size_t)w >= cap - at)
            break;
        at += (size_t)w;
    }
    return buf;
}

double agg_row_share(const struct agg_row *r) { return r->total ? (double)r->legacy / (double)r->total : 0.0; }

const char *agg_fmt_count(uint64_t v, char *buf, size_t cap)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
    size_t at = 0;
    for (int i = 0; i < n && at + 2 < cap; i++) {
        if (i && (n - i) % 3 == 0)
            buf[at++] = ',';
        buf[at++] = tmp[i];
    }
    buf[at] = 0;
    return buf;
}
