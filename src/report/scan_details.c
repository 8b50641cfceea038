/*
 * Writers for the deep scan's details (probe/enum.h): the JSON keys added to
 * each scan line, the per-suite CSV, and the terminal section per target.
 * They render what the strategy and the profile decided; nothing more.
 */
#include <stdio.h>
#include <string.h>

#include "analyze/profile.h"
#include "probe/enum.h"
#include "report/csv.h"
#include "report/json.h"
#include "report/scan_report.h"
#include "tls/registry.h"
#include "tls/version.h"

static const char *group_name(uint16_t g, char *tmp, size_t cap)
{
    const struct named_group *ng = group_lookup(g);
    if (ng)
        return ng->name;
    snprintf(tmp, cap, "0x%04X", g);
    return tmp;
}

static const char *sigalg_name(uint16_t s, char *tmp, size_t cap)
{
    const struct sig_scheme *ss = sigalg_lookup(s);
    if (ss)
        return ss->name;
    snprintf(tmp, cap, "0x%04X", s);
    return tmp;
}

static void json_check(struct json_writer *w, const char *key, int result, const char *reason)
{
    json_key(w, key);
    json_object_begin(w);
    json_key(w, "result");
    json_string(w, check_result_name(result));
    json_key(w, "reason");
    json_string(w, reason[0] ? reason : NULL);
    json_object_end(w);
}

void scan_json_details(struct json_writer *w, const struct endpoint_result *r)
{
    const struct scan_details *d = r->details;
    char tmp[16];
    if (!d)
        return;
    if (r->deep & (SCAN_DEEP_CIPHERS | SCAN_DEEP_GROUPS | SCAN_DEEP_SIGALGS)) {
        json_key(w, "enumeration");
        json_object_begin(w);
        for (int v = 0; v < TLSV_COUNT; v++) {
            const struct version_enum *ve = &d->v[v];
            if (ve->suites_state == ENUM_NOT_RUN && ve->groups_state == ENUM_NOT_RUN &&
                ve->sigalgs_state == ENUM_NOT_RUN && !ve->dhe_bits)
                continue;
            json_key(w, tls_version_name(v));
            json_object_begin(w);
            if (ve->suites_state != ENUM_NOT_RUN) {
                json_key(w, "suites_state");
                json_string(w, enum_state_name(ve->suites_state));
                if (ve->suites_state == ENUM_PARTIAL) {
                    json_key(w, "suites_reason");
                    json_string(w, ve->suites_reason);
                }
                json_key(w, "order");
                json_string(w, suite_order_name(ve->order));
                json_key(w, "suites");
                json_array_begin(w);
                for (size_t i = 0; i < ve->n_suites; i++) {
                    const struct cipher_suite *cs = cipher_suite_lookup(ve->suites[i]);
                    snprintf(tmp, sizeof tmp, "0x%04X", ve->suites[i]);
                    json_object_begin(w);
                    json_key(w, "code");
                    json_string(w, tmp);
                    json_key(w, "iana");
                    json_string(w, cs ? cs->iana : NULL);
                    json_key(w, "openssl");
                    json_string(w, cs ? cs->openssl : NULL);
                    json_key(w, "strength");
                    json_string(w, cs ? cipher_strength_name(cs->strength) : "unknown");
                    json_key(w, "reason");
                    json_string(w, cs ? cs->reason : NULL);
                    json_object_end(w);
                }
                json_array_end(w);
            }
            if (ve->groups_state != ENUM_NOT_RUN) {
                json_key(w, "groups_state");
                json_string(w, enum_state_name(ve->groups_state));
                if (ve->groups_state == ENUM_PARTIAL) {
                    json_key(w, "groups_reason");
                    json_string(w, ve->groups_reason);
                }
                json_key(w, "groups");
                json_array_begin(w);
                for (size_t i = 0; i < ve->n_groups; i++)
                    json_string(w, group_name(ve->groups[i], tmp, sizeof tmp));
                json_array_end(w);
                json_key(w, "pq_groups");
                json_array_begin(w);
                for (size_t i = 0; i < ve->n_groups; i++) {
                    const struct named_group *ng = group_lookup(ve->groups[i]);
                    if (ng && ng->pq)
                        json_string(w, ng->name);
                }
                json_array_end(w);
            }
            if (ve->dhe_bits) {
                json_key(w, "dhe_bits");
                json_int(w, ve->dhe_bits);
            }
            if (ve->sigalgs_state != ENUM_NOT_RUN) {
                json_key(w, "sigalgs_state");
                json_string(w, enum_state_name(ve->sigalgs_state));
                json_key(w, "sigalgs");
                json_array_begin(w);
                for (size_t i = 0; i < ve->n_sigalgs; i++)
                    json_string(w, sigalg_name(ve->sigalgs[i], tmp, sizeof tmp));
                json_array_end(w);
            }
            json_object_end(w);
        }
        json_object_end(w);
    }
    if (r->deep & SCAN_DEEP_CHECKS) {
        json_key(w, "checks");
        json_object_begin(w);
        json_check(w, "fallback_scsv", d->fallback_scsv, d->fallback_reason);
        json_check(w, "secure_renegotiation", d->secure_renegotiation, d->reneg_reason);
        json_check(w, "compression", d->compression, d->compression_reason);
        json_check(w, "version_intolerance", d->version_intolerant, d->intolerance_reason);
        json_object_end(w);
    }
    if (d->profile) {
        json_key(w, "profile");
        json_object_begin(w);
        json_key(w, "name");
        json_string(w, profile_name(d->profile));
        json_key(w, "compliant");
        json_bool(w, d->n_deviations == 0);
        json_key(w, "deviations");
        json_array_begin(w);
        for (int i = 0; i < d->n_deviations; i++)
            json_string(w, d->deviations[i]);
        json_array_end(w);
        json_key(w, "truncated");
        json_bool(w, d->deviations_truncated);
        json_object_end(w);
    }
}

/* ---------- CSV: one row per (target, address, version, suite) ---------- */

void scan_csv_suites_header(struct tr_buf *out)
{
    static const char *const cols[] = {
        "target", "host", "port", "address", "sni", "version", "rank", "order", "code", "iana", "openssl",
        "strength", "reason", "kx", "auth", "cipher", "bits", "verdict",
    };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        csv_field(out, cols[i], i == 0);
    csv_row_end(out);
}

void scan_csv_suites_rows(struct tr_buf *out, const struct endpoint_result *r)
{
    const struct scan_details *d = r->details;
    if (!d)
        return;
    char tmp[16];
    for (int v = 0; v < TLSV_COUNT; v++) {
        const struct version_enum *ve = &d->v[v];
        for (size_t i = 0; i < ve->n_suites; i++) {
            const struct cipher_suite *cs = cipher_suite_lookup(ve->suites[i]);
            csv_field(out, r->target->given, 1);
            csv_field(out, r->target->host, 0);
            csv_field_u64(out, r->target->port, 0);
            csv_field(out, r->address, 0);
            csv_field(out, r->sni ? r->sni : "", 0);
            csv_field(out, tls_version_name(v), 0);
            csv_field_u64(out, i + 1, 0);
            csv_field(out, suite_order_name(ve->order), 0);
            snprintf(tmp, sizeof tmp, "0x%04X", ve->suites[i]);
            csv_field(out, tmp, 0);
            csv_field(out, cs ? cs->iana : "", 0);
            csv_field(out, cs && cs->openssl ? cs->openssl : "", 0);
            csv_field(out, cs ? cipher_strength_name(cs->strength) : "unknown", 0);
            csv_field(out, cs && cs->reason ? cs->reason : "", 0);
            csv_field(out, cs ? cs->kx : "", 0);
            csv_field(out, cs ? cs->auth : "", 0);
            csv_field(out, cs ? cs->cipher : "", 0);
            csv_field_u64(out, cs ? cs->bits : 0, 0);
            csv_field(out, scan_verdict_name(r->verdict), 0);
            csv_row_end(out);
        }
    }
}

/* ---------- terminal: one section per target ---------- */

#define C_RESET "\033[0m"
#define C_GREEN "\033[32m"
#define C_RED "\033[31m"
#define C_YELLOW "\033[33m"
#define C_BOLD "\033[1m"

static void colored(struct tr_buf *out, int color, const char *c, const char *text)
{
    if (color)
        tr_buf_puts(out, c);
    tr_buf_puts(out, text);
    if (color)
        tr_buf_puts(out, C_RESET);
}

void scan_text_details(struct tr_buf *out, const struct endpoint_result *r, int color)
{
    const struct scan_details *d = r->details;
    char tmp[16];
    if (!d)
        return;
    tr_buf_puts(out, "\n");
    if (color)
        tr_buf_puts(out, C_BOLD);
    tr_buf_printf(out, "== %s", r->target->given);
    if (r->address[0])
        tr_buf_printf(out, " (%s)", r->address);
    tr_buf_printf(out, "  verdict %s", scan_verdict_name(r->verdict));
    if (color)
        tr_buf_puts(out, C_RESET);
    tr_buf_puts(out, "\n");
    for (int v = TLSV_COUNT - 1; v >= 0; v--) {
        const struct version_enum *ve = &d->v[v];
        if (ve->suites_state == ENUM_NOT_RUN && ve->groups_state == ENUM_NOT_RUN && ve->sigalgs_state == ENUM_NOT_RUN)
            continue;
        tr_buf_printf(out, "  %s", tls_version_name(v));
        if (ve->suites_state != ENUM_NOT_RUN)
            tr_buf_printf(out, ": %zu suite%s, %s order%s%s", ve->n_suites, ve->n_suites == 1 ? "" : "s",
                          suite_order_name(ve->order), ve->suites_state == ENUM_PARTIAL ? ", PARTIAL: " : "",
                          ve->suites_state == ENUM_PARTIAL ? ve->suites_reason : "");
        tr_buf_puts(out, "\n");
        for (size_t i = 0; i < ve->n_suites; i++) {
            const struct cipher_suite *cs = cipher_suite_lookup(ve->suites[i]);
            tr_buf_printf(out, "    %-46s %-30s ", cs ? cs->iana : "?", cs && cs->openssl ? cs->openssl : "-");
            if (!cs || cs->strength == CS_SECURE) {
                colored(out, color, C_GREEN, "secure");
            } else {
                colored(out, color, cs->strength == CS_INSECURE ? C_RED : C_YELLOW, cipher_strength_name(cs->strength));
                tr_buf_printf(out, " (%s)", cs->reason ? cs->reason : "");
            }
            tr_buf_puts(out, "\n");
        }
        if (ve->groups_state != ENUM_NOT_RUN) {
            tr_buf_puts(out, "    groups:");
            for (size_t i = 0; i < ve->n_groups; i++) {
                const struct named_group *ng = group_lookup(ve->groups[i]);
                tr_buf_printf(out, " %s%s", group_name(ve->groups[i], tmp, sizeof tmp), ng && ng->pq ? " (post-quantum hybrid)" : "");
            }
            if (!ve->n_groups)
                tr_buf_puts(out, " none");
            if (ve->groups_state == ENUM_PARTIAL)
                tr_buf_printf(out, " (PARTIAL: %s)", ve->groups_reason);
            tr_buf_puts(out, "\n");
        }
        if (ve->dhe_bits)
            tr_buf_printf(out, "    DHE prime: %d bits\n", ve->dhe_bits);
        if (ve->sigalgs_state != ENUM_NOT_RUN) {
            tr_buf_puts(out, "    signature algorithms:");
            for (size_t i = 0; i < ve->n_sigalgs; i++)
                tr_buf_printf(out, " %s", sigalg_name(ve->sigalgs[i], tmp, sizeof tmp));
            if (!ve->n_sigalgs)
                tr_buf_puts(out, " none");
            if (ve->sigalgs_state == ENUM_PARTIAL)
                tr_buf_puts(out, " (PARTIAL: some probes undecided)");
            tr_buf_puts(out, "\n");
        }
    }
    if (r->deep & SCAN_DEEP_CHECKS) {
        tr_buf_printf(out, "  TLS_FALLBACK_SCSV: %s; secure renegotiation: %s; compression: %s; version intolerant: %s\n",
                      check_result_name(d->fallback_scsv), check_result_name(d->secure_renegotiation),
                      check_result_name(d->compression), check_result_name(d->version_intolerant));
    }
    if (d->profile) {
        tr_buf_printf(out, "  profile %s: ", profile_name(d->profile));
        if (d->n_deviations == 0)
            colored(out, color, C_GREEN, "compliant\n");
        else
            colored(out, color, C_RED, "deviations\n");
        for (int i = 0; i < d->n_deviations; i++)
            tr_buf_printf(out, "    - %s\n", d->deviations[i]);
        if (d->deviations_truncated)
            tr_buf_puts(out, "    - ... more deviations not listed\n");
    }
}
