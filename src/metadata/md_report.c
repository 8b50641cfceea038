/* Writers for endpoint rows: see md_report.h and docs/endpoints.md. */
#include "metadata/md_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/csv.h"
#include "report/json.h"
#include "tls/version.h"

static const char *short_type(const char *type)
{
    if (strcmp(type, "RemoteSiteSetting") == 0)
        return "RSS";
    if (strcmp(type, "NamedCredential") == 0)
        return "NC";
    return type;
}

static void json_site(struct json_writer *w, const struct md_site *s)
{
    json_key(w, "type");
    json_string(w, s->type);
    json_key(w, "via");
    json_string(w, s->via);
    json_key(w, "file");
    json_string(w, s->file);
    json_key(w, "line");
    json_uint(w, s->line);
    json_key(w, "component");
    json_string(w, s->component);
    json_key(w, "owner");
    json_string(w, s->owner ? s->owner : "org");
    json_key(w, "expression");
    json_string(w, s->expr);
}

static void json_flags(struct json_writer *w, unsigned flags)
{
    json_array_begin(w);
    for (unsigned b = 0; b < MD_FLAG_COUNT; b++)
        if (flags & (1u << b))
            json_string(w, md_flag_name(1u << b));
    json_array_end(w);
}

static void json_versions(struct json_writer *w, unsigned mask)
{
    json_array_begin(w);
    for (int v = 0; v < TLSV_COUNT; v++)
        if (mask & (1u << v))
            json_string(w, tls_version_name(v));
    json_array_end(w);
}

static size_t count_bucket(const struct md_result *r, enum md_bucket b)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nrows; i++)
        n += r->rows[i].bucket == b;
    return n;
}

static size_t count_flag(const struct md_result *r, unsigned f)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nrows; i++)
        n += (r->rows[i].flags & f) != 0;
    return n;
}

static size_t count_verdict(const struct md_result *r, const char *v)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nrows; i++)
        n += r->rows[i].scan.done && r->rows[i].scan.verdict && strcmp(r->rows[i].scan.verdict, v) == 0;
    return n;
}

void md_report_json(struct tr_buf *out, const struct md_org *o, const struct md_result *r, const struct md_report_opts *opt)
{
    struct json_writer w;
    json_init(&w, out);
    json_object_begin(&w);
    json_key(&w, "input");
    json_string(&w, opt->input);
    json_key(&w, "layout");
    json_string(&w, o->layout);
    json_key(&w, "files");
    json_object_begin(&w);
    json_key(&w, "apex");
    json_uint(&w, o->files_apex);
    json_key(&w, "xml");
    json_uint(&w, o->files_xml);
    json_key(&w, "other");
    json_uint(&w, o->files_other);
    json_key(&w, "bytes");
    json_uint(&w, o->bytes);
    json_object_end(&w);

    struct tr_buf tb;
    tr_buf_init(&tb, NULL, 0);
    size_t ntargets = md_report_targets(&tb, r);
    tr_buf_free(&tb);
    json_key(&w, "summary");
    json_object_begin(&w);
    json_key(&w, "endpoints");
    json_uint(&w, r->nrows);
    for (int b = 0; b < MD_BUCKETS; b++) {
        json_key(&w, md_bucket_name((enum md_bucket)b));
        json_uint(&w, count_bucket(r, (enum md_bucket)b));
    }
    json_key(&w, "dynamic");
    json_uint(&w, r->ndyn);
    json_key(&w, "not_allowed");
    json_uint(&w, count_flag(r, MD_FLAG_NOT_ALLOWED));
    json_key(&w, "unused_settings");
    json_uint(&w, count_flag(r, MD_FLAG_UNUSED_SETTING));
    json_key(&w, "plain_http");
    json_uint(&w, count_flag(r, MD_FLAG_PLAIN_HTTP));
    json_key(&w, "targets");
    json_uint(&w, ntargets);
    json_key(&w, "diagnostics");
    json_uint(&w, o->ndiags);
    if (opt->scanned) {
        json_key(&w, "min");
        json_string(&w, opt->min);
        json_key(&w, "ok");
        json_uint(&w, count_verdict(r, "ok"));
        json_key(&w, "fail");
        json_uint(&w, count_verdict(r, "fail"));
        json_key(&w, "unreachable");
        json_uint(&w, count_verdict(r, "unreachable"));
    }
    json_object_end(&w);

    json_key(&w, "endpoints");
    json_array_begin(&w);
    for (size_t i = 0; i < r->nrows; i++) {
        const struct md_row *row = &r->rows[i];
        json_object_begin(&w);
        json_key(&w, "bucket");
        json_string(&w, md_bucket_name(row->bucket));
        json_key(&w, "owner");
        json_string(&w, row->owner ? row->owner : "org");
        json_key(&w, "url");
        json_string(&w, row->url);
        json_key(&w, "scheme");
        json_string(&w, row->scheme);
        json_key(&w, "host");
        json_string(&w, row->host);
        json_key(&w, "port");
        json_int(&w, row->port);
        json_key(&w, "path");
        json_string(&w, row->path);
        json_key(&w, "flags");
        json_flags(&w, row->flags);
        json_key(&w, "allowed_by");
        json_array_begin(&w);
        for (size_t k = 0; k < row->nallowed; k++) {
            const struct md_site *s = &o->sites[row->allowed_by[k]];
            json_object_begin(&w);
            json_key(&w, "type");
            json_string(&w, s->type);
            json_key(&w, "name");
            json_string(&w, s->component);
            json_key(&w, "file");
            json_string(&w, s->file);
            json_key(&w, "line");
            json_uint(&w, s->line);
            json_key(&w, "active");
            json_bool(&w, !s->inactive);
            json_object_end(&w);
        }
        json_array_end(&w);
        json_key(&w, "found");
        json_array_begin(&w);
        for (size_t k = 0; k < row->nplaces; k++) {
            const struct md_place *p = &row->places[k];
            json_object_begin(&w);
            json_site(&w, &o->sites[p->site]);
            json_key(&w, "value");
            json_string(&w, p->value);
            json_key(&w, "named_credential");
            json_string(&w, p->named_credential);
            json_key(&w, "partial");
            json_bool(&w, p->partial);
            json_key(&w, "unused");
            json_bool(&w, p->unused);
            json_object_end(&w);
        }
        json_array_end(&w);
        if (opt->scanned) {
            json_key(&w, "scan");
            if (!row->scan.done) {
                json_null(&w);
            } else {
                json_object_begin(&w);
                json_key(&w, "verdict");
                json_string(&w, row->scan.verdict);
                json_key(&w, "accepted");
                json_versions(&w, row->scan.accepted);
                json_key(&w, "unknown");
                json_versions(&w, row->scan.unknown);
                json_key(&w, "note");
                json_string(&w, row->scan.note);
                json_object_end(&w);
            }
        }
        json_object_end(&w);
    }
    json_array_end(&w);

    json_key(&w, "dynamic");
    json_array_begin(&w);
    for (size_t i = 0; i < r->ndyn; i++) {
        const struct md_dynamic *d = &r->dyn[i];
        json_object_begin(&w);
        json_key(&w, "bucket");
        json_string(&w, md_bucket_name(d->bucket));
        json_site(&w, &o->sites[d->site]);
        json_key(&w, "known");
        json_string(&w, d->known);
        json_key(&w, "reason");
        json_string(&w, d->reason);
        json_object_end(&w);
    }
    json_array_end(&w);

    json_key(&w, "diagnostics");
    json_array_begin(&w);
    for (size_t i = 0; i < o->ndiags; i++) {
        json_object_begin(&w);
        json_key(&w, "file");
        json_string(&w, o->diags[i].file);
        json_key(&w, "line");
        json_uint(&w, o->diags[i].line);
        json_key(&w, "message");
        json_string(&w, o->diags[i].message);
        json_object_end(&w);
    }
    json_array_end(&w);
    json_object_end(&w);
    tr_buf_push_u8(out, '\n');
}

static void flags_text(struct tr_buf *out, unsigned flags)
{
    int first = 1;
    for (unsigned b = 0; b < MD_FLAG_COUNT; b++) {
        if (!(flags & (1u << b)))
            continue;
        tr_buf_printf(out, "%s%s", first ? "" : ", ", md_flag_name(1u << b));
        first = 0;
    }
}

static const char *bucket_title(enum md_bucket b)
{
    switch (b) {
    case MD_BUCKET_ORG: return "The org's own outbound endpoints";
    case MD_BUCKET_PACKAGE: return "Installed packages' endpoints (vendors' servers)";
    case MD_BUCKET_TEST: return "Test classes (fake hosts, not called in production)";
    case MD_BUCKET_CLIENT_SIDE: return "Client-side endpoints (the user's browser connects: CSP, OAuth pages, CTI)";
    default: return "Inbound: URLs that call or redirect into the org (connected apps, CORS)";
    }
}

/*
 * Terminal safety: the table is built in a scratch buffer, then copied with
 * every byte a terminal could act on made visible: C0 controls (except the
 * table's own newlines) and DEL as \xNN, bytes that are not UTF-8 as \xNN,
 * and C1 controls (U+0080..U+009F, e.g. CSI) as \u00NN. Input (Apex strings,
 * XML values, file names) can never move the cursor or recolour the screen.
 */
static void put_terminal_safe(struct tr_buf *out, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint8_t c = s[i];
        if (c == '\n' || (c >= 0x20 && c < 0x7f)) {
            tr_buf_push_u8(out, c);
            i++;
            continue;
        }
        if (c < 0x80) {
            tr_buf_printf(out, "\\x%02x", c);
            i++;
            continue;
        }
        size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
        uint32_t cp = len == 2 ? c & 0x1fu : len == 3 ? c & 0x0fu : c & 0x07u;
        int ok = len > 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                ok = 0;
            else
                cp = (cp << 6) | (s[i + k] & 0x3fu);
        }
        if (ok && ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp < 0xe000)))
            ok = 0; /* overlong or surrogate */
        if (!ok) {
            tr_buf_printf(out, "\\x%02x", c);
            i++;
        } else if (cp >= 0x80 && cp < 0xa0) {
            tr_buf_printf(out, "\\u%04x", (unsigned)cp);
            i += len;
        } else {
            tr_buf_push(out, s + i, len);
            i += len;
        }
    }
}

static void report_text(struct tr_buf *out, const struct md_org *o, const struct md_result *r, const struct md_report_opts *opt);

void md_report_text(struct tr_buf *out, const struct md_org *o, const struct md_result *r, const struct md_report_opts *opt)
{
    struct tr_buf raw;
    tr_buf_init(&raw, NULL, 0);
    report_text(&raw, o, r, opt);
    if (raw.failed)
        out->failed = 1;
    else
        put_terminal_safe(out, raw.base, raw.len);
    tr_buf_free(&raw);
}

/* With --scan: the answer to "what breaks at the cut-over", one entry per
 * failing host:port with everything that uses it (first occurrence order). */
static void breaking_text(struct tr_buf *out, const struct md_org *o, const struct md_result *r,
                          const struct md_report_opts *opt)
{
    size_t nfail = 0;
    for (size_t i = 0; i < r->nrows; i++)
        nfail += r->rows[i].scan.done && strcmp(r->rows[i].scan.verdict, "fail") == 0;
    if (nfail == 0)
        return;
    tr_buf_printf(out, "\n== Breaks at the cut-over to %s\n", opt->min);
    for (size_t i = 0; i < r->nrows; i++) {
        const struct md_row *row = &r->rows[i];
        if (!row->scan.done || strcmp(row->scan.verdict, "fail") != 0)
            continue;
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = r->rows[k].scan.done && strcmp(r->rows[k].scan.verdict, "fail") == 0 &&
                   r->rows[k].port == row->port && strcmp(r->rows[k].host, row->host) == 0;
        if (seen)
            continue;
        tr_buf_printf(out, "\n%s:%d", row->host, row->port);
        if (row->owner)
            tr_buf_printf(out, " [package %s]", row->owner);
        tr_buf_printf(out, ": %s\n    used by:", row->scan.note ? row->scan.note : "fails the policy");
        for (size_t k = i; k < r->nrows; k++) {
            const struct md_row *rk = &r->rows[k];
            if (rk->port != row->port || strcmp(rk->host, row->host) != 0 || !rk->scan.done)
                continue;
            for (size_t p = 0; p < rk->nplaces; p++) {
                const struct md_site *s = &o->sites[rk->places[p].site];
                tr_buf_printf(out, "\n      %s %s (%s:%u)", s->type, s->component ? s->component : "", s->file,
                              (unsigned)s->line);
            }
        }
        tr_buf_push_u8(out, '\n');
    }
}

static void report_text(struct tr_buf *out, const struct md_org *o, const struct md_result *r, const struct md_report_opts *opt)
{
    tr_buf_printf(out, "%s: %s layout, %llu Apex files, %llu metadata files read\n", opt->input, o->layout,
                  (unsigned long long)o->files_apex, (unsigned long long)o->files_xml);
    for (int b = 0; b < MD_BUCKETS; b++) {
        size_t n = count_bucket(r, (enum md_bucket)b);
        if (n == 0)
            continue;
        tr_buf_printf(out, "\n== %s: %zu\n", bucket_title((enum md_bucket)b), n);
        if (b == MD_BUCKET_TEST && !opt->show_tests) {
            tr_buf_printf(out, "   (listed with --tests, and always in --json / --csv)\n");
            continue;
        }
        for (size_t i = 0; i < r->nrows; i++) {
            const struct md_row *row = &r->rows[i];
            if (row->bucket != (enum md_bucket)b)
                continue;
            tr_buf_printf(out, "\n%s", row->url);
            if (row->owner)
                tr_buf_printf(out, "   [package %s]", row->owner);
            if (row->flags) {
                tr_buf_puts(out, "   ! ");
                flags_text(out, row->flags);
            }
            tr_buf_push_u8(out, '\n');
            if (row->scan.done)
                tr_buf_printf(out, "    scan: %s%s%s\n", row->scan.verdict, row->scan.note ? ": " : "",
                              row->scan.note ? row->scan.note : "");
            if (row->nallowed) {
                tr_buf_puts(out, "    allowed by:");
                for (size_t k = 0; k < row->nallowed; k++) {
                    const struct md_site *s = &o->sites[row->allowed_by[k]];
                    tr_buf_printf(out, " %s %s%s", short_type(s->type), s->component, s->inactive ? " (inactive)" : "");
                }
                tr_buf_push_u8(out, '\n');
            }
            for (size_t k = 0; k < row->nplaces; k++) {
                const struct md_place *p = &row->places[k];
                const struct md_site *s = &o->sites[p->site];
                tr_buf_printf(out, "    %-26s %-24s %s:%u", s->type, s->via, s->file, (unsigned)s->line);
                if (s->component)
                    tr_buf_printf(out, "  %s", s->component);
                if (p->named_credential)
                    tr_buf_printf(out, "  via callout:%s", p->named_credential);
                if (p->partial && s->expr)
                    tr_buf_printf(out, "  (partial: %s)", s->expr);
                if (p->unused)
                    tr_buf_puts(out, "  (no code uses it)");
                tr_buf_push_u8(out, '\n');
            }
        }
    }
    if (opt->scanned)
        breaking_text(out, o, r, opt);
    if (r->ndyn) {
        tr_buf_printf(out, "\n== Dynamic endpoints (not resolvable statically): %zu\n", r->ndyn);
        for (size_t i = 0; i < r->ndyn; i++) {
            const struct md_dynamic *d = &r->dyn[i];
            const struct md_site *s = &o->sites[d->site];
            if (d->bucket == MD_BUCKET_TEST && !opt->show_tests)
                continue;
            tr_buf_printf(out, "    %s:%u  %s  %s(%s)", s->file, (unsigned)s->line, s->component ? s->component : "",
                          s->via, s->expr ? s->expr : (d->known ? d->known : ""));
            tr_buf_printf(out, "  [%s]%s%s\n", md_bucket_name(d->bucket), d->reason ? ": " : "", d->reason ? d->reason : "");
        }
    }
    if (o->ndiags) {
        tr_buf_printf(out, "\n== Files that could not be read completely: %zu\n", o->ndiags);
        for (size_t i = 0; i < o->ndiags; i++)
            tr_buf_printf(out, "    %s:%u: %s\n", o->diags[i].file, (unsigned)o->diags[i].line, o->diags[i].message);
    }
    struct tr_buf tb;
    tr_buf_init(&tb, NULL, 0);
    size_t nt = md_report_targets(&tb, r);
    tr_buf_free(&tb);
    tr_buf_printf(out, "\n%zu endpoints (%zu org, %zu package, %zu test, %zu client-side, %zu inbound), %zu dynamic; "
                       "%zu called without a remote site setting, %zu unused settings; %zu scan targets\n",
                  r->nrows, count_bucket(r, MD_BUCKET_ORG), count_bucket(r, MD_BUCKET_PACKAGE),
                  count_bucket(r, MD_BUCKET_TEST), count_bucket(r, MD_BUCKET_CLIENT_SIDE),
                  count_bucket(r, MD_BUCKET_INBOUND), r->ndyn, count_flag(r, MD_FLAG_NOT_ALLOWED),
                  count_flag(r, MD_FLAG_UNUSED_SETTING), nt);
    if (opt->scanned)
        tr_buf_printf(out, "scan under --min %s: %zu ok, %zu fail, %zu unreachable\n", opt->min,
                      count_verdict(r, "ok"), count_verdict(r, "fail"), count_verdict(r, "unreachable"));
}

void md_report_csv(struct tr_buf *out, const struct md_org *o, const struct md_result *r, const struct md_report_opts *opt)
{
    static const char *cols[] = { "kind", "bucket", "owner", "url", "scheme", "host", "port", "path", "flags",
                                  "allowed_by", "verdict", "accepted", "type", "via", "file", "line", "component",
                                  "named_credential", "expression", "reason" };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        csv_field(out, cols[i], i == 0);
    csv_row_end(out);
    struct tr_buf f;
    tr_buf_init(&f, NULL, 0);
    for (size_t i = 0; i < r->nrows; i++) {
        const struct md_row *row = &r->rows[i];
        for (size_t k = 0; k < row->nplaces; k++) {
            const struct md_place *p = &row->places[k];
            const struct md_site *s = &o->sites[p->site];
            csv_field(out, "endpoint", 1);
            csv_field(out, md_bucket_name(row->bucket), 0);
            csv_field(out, row->owner ? row->owner : "org", 0);
            csv_field(out, row->url, 0);
            csv_field(out, row->scheme, 0);
            csv_field(out, row->host, 0);
            csv_field_u64(out, (uint64_t)row->port, 0);
            csv_field(out, row->path, 0);
            f.len = 0;
            for (unsigned b = 0; b < MD_FLAG_COUNT; b++)
                if (row->flags & (1u << b))
                    tr_buf_printf(&f, "%s%s", f.len ? ";" : "", md_flag_name(1u << b));
            csv_field(out, tr_buf_cstr(&f), 0);
            f.len = 0;
            for (size_t a = 0; a < row->nallowed; a++)
                tr_buf_printf(&f, "%s%s:%s", f.len ? ";" : "", o->sites[row->allowed_by[a]].type,
                              o->sites[row->allowed_by[a]].component);
            csv_field(out, tr_buf_cstr(&f), 0);
            csv_field(out, row->scan.done ? row->scan.verdict : "", 0);
            f.len = 0;
            for (int v = 0; v < TLSV_COUNT; v++)
                if (row->scan.accepted & (1u << v))
                    tr_buf_printf(&f, "%s%s", f.len ? ";" : "", tls_version_name(v));
            csv_field(out, tr_buf_cstr(&f), 0);
            csv_field(out, s->type, 0);
            csv_field(out, s->via, 0);
            csv_field(out, s->file, 0);
            csv_field_u64(out, s->line, 0);
            csv_field(out, s->component ? s->component : "", 0);
            csv_field(out, p->named_credential ? p->named_credential : "", 0);
            csv_field(out, s->expr ? s->expr : "", 0);
            csv_field(out, "", 0);
            csv_row_end(out);
        }
    }
    for (size_t i = 0; i < r->ndyn; i++) {
        const struct md_dynamic *d = &r->dyn[i];
        const struct md_site *s = &o->sites[d->site];
        csv_field(out, "dynamic", 1);
        csv_field(out, md_bucket_name(d->bucket), 0);
        csv_field(out, s->owner ? s->owner : "org", 0);
        for (int k = 0; k < 9; k++)
            csv_field(out, k == 0 ? (d->known ? d->known : "") : "", 0);
        csv_field(out, s->type, 0);
        csv_field(out, s->via, 0);
        csv_field(out, s->file, 0);
        csv_field_u64(out, s->line, 0);
        csv_field(out, s->component ? s->component : "", 0);
        csv_field(out, "", 0);
        csv_field(out, s->expr ? s->expr : "", 0);
        csv_field(out, d->reason ? d->reason : "", 0);
        csv_row_end(out);
    }
    tr_buf_free(&f);
    (void)opt;
}

static uint64_t target_hash(const struct md_row *row)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)row->port;
    for (const char *p = row->host; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h;
}

size_t md_report_targets(struct tr_buf *out, const struct md_result *r)
{
    /* distinct host:port in row order: a small open-addressing set of row indices */
    size_t cap = 64;
    while (cap < r->nrows * 2 + 2)
        cap *= 2;
    size_t *set = calloc(cap, sizeof *set);
    if (!set) {
        out->failed = 1;
        return 0;
    }
    size_t n = 0;
    for (size_t i = 0; i < r->nrows; i++) {
        const struct md_row *row = &r->rows[i];
        if (!md_row_is_target(row))
            continue;
        size_t h = (size_t)target_hash(row) & (cap - 1);
        int dup = 0;
        while (set[h]) {
            const struct md_row *o = &r->rows[set[h] - 1];
            if (o->port == row->port && strcmp(o->host, row->host) == 0) {
                dup = 1;
                break;
            }
            h = (h + 1) & (cap - 1);
        }
        if (dup)
            continue;
        set[h] = i + 1;
        if (strchr(row->host, ':'))
            tr_buf_printf(out, "[%s]:%d\n", row->host, row->port);
        else
            tr_buf_printf(out, "%s:%d\n", row->host, row->port);
        n++;
    }
    free(set);
    return n;
}
