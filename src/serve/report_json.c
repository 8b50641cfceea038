/*
 * A serve report as one JSON object: the body of /json, one --log line, and
 * `--once --json`. The keys are a contract (docs/serve.md): add keys, never
 * change what one means. Version names are tls_version_name()'s; suites carry
 * IANA names; GREASE values (RFC 8701) are left out of the lists and
 * reported as "grease": true.
 */
#include "serve/report.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tls/fingerprint.h"
#include "tls/registry.h"
#include "tls/version.h"

static void version_or_null(struct json_writer *w, int v)
{
    const char *n = v >= 0 && v < TLSV_COUNT ? tls_version_name(v) : NULL;
    json_string(w, n);
}

static void time_iso(struct json_writer *w, int64_t ms)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    char buf[40];
    gmtime_r(&s, &tm);
    size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof buf - n, ".%03dZ", (int)(ms % 1000));
    json_string(w, buf);
}

static void hex_code(struct json_writer *w, uint16_t code)
{
    char tmp[8];
    snprintf(tmp, sizeof tmp, "0x%04x", code);
    json_string(w, tmp);
}

static int any_grease(const struct client_hello_info *ch)
{
    for (size_t i = 0; i < ch->n_suites; i++)
        if (tls_is_grease(ch->suites[i]))
            return 1;
    for (size_t i = 0; i < ch->n_extensions; i++)
        if (tls_is_grease(ch->extensions[i]))
            return 1;
    for (size_t i = 0; i < ch->n_groups; i++)
        if (tls_is_grease(ch->groups[i]))
            return 1;
    return 0;
}

static void flag_names(struct json_writer *w, unsigned f)
{
    json_array_begin(w);
    if (f & SUITE_RC4) json_string(w, "RC4");
    if (f & SUITE_3DES) json_string(w, "3DES");
    if (f & SUITE_DES) json_string(w, "DES");
    if (f & SUITE_EXPORT) json_string(w, "EXPORT");
    if (f & SUITE_NULL) json_string(w, "NULL");
    if (f & SUITE_ANON) json_string(w, "anon");
    json_array_end(w);
}

static void suites(struct json_writer *w, const struct client_hello_info *ch)
{
    char tmp[8];
    json_key(w, "cipher_suites");
    json_array_begin(w);
    for (size_t i = 0; i < ch->n_suites; i++)
        if (!tls_is_grease(ch->suites[i]))
            json_string(w, serve_suite_name(ch->suites[i], tmp, sizeof tmp));
    json_array_end(w);
    json_key(w, "flagged_suites");
    json_array_begin(w);
    for (size_t i = 0; i < ch->n_suites; i++) {
        unsigned f = serve_suite_flags(ch->suites[i]);
        if (!f)
            continue;
        json_object_begin(w);
        json_key(w, "suite");
        json_string(w, serve_suite_name(ch->suites[i], tmp, sizeof tmp));
        json_key(w, "flags");
        flag_names(w, f);
        json_object_end(w);
    }
    json_array_end(w);
}

static void code_list(struct json_writer *w, const char *key, const uint16_t *codes, size_t n,
                      const char *(*name_of)(uint16_t))
{
    json_key(w, key);
    json_array_begin(w);
    for (size_t i = 0; i < n; i++) {
        if (tls_is_grease(codes[i]))
            continue;
        const char *name = name_of(codes[i]);
        if (name)
            json_string(w, name);
        else
            hex_code(w, codes[i]);
    }
    json_array_end(w);
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

static void hello_fields(struct json_writer *w, const struct serve_report *r)
{
    const struct client_hello_info *ch = &r->ch;
    int parsed = r->hello_state == SERVE_HELLO_PARSED;
    int vers[CHI_MAX_VERSIONS];
    size_t nv = parsed ? serve_offered_versions(ch, vers, CHI_MAX_VERSIONS) : 0;

    json_key(w, "max_offered");
    version_or_null(w, parsed ? ch->max_offered : TLSV_NONE);
    json_key(w, "legacy_version");
    version_or_null(w, parsed ? tls_version_from_wire(ch->legacy_version) : TLSV_NONE);
    json_key(w, "offered_versions");
    json_array_begin(w);
    for (size_t i = 0; i < nv; i++)
        json_string(w, tls_version_name(vers[i]));
    json_array_end(w);
    json_key(w, "supported_versions_extension");
    json_bool(w, parsed && ch->has_supported_versions);
    if (!parsed) {
        /* keep the shape: empty lists and nulls, never missing keys */
        static const char *const lists[] = { "cipher_suites", "flagged_suites", "groups", "key_shares",
                                             "signature_algorithms", "extensions", "alpn" };
        for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
            json_key(w, lists[i]);
            json_array_begin(w);
            json_array_end(w);
        }
        static const char *const nulls[] = { "sni", "ja3", "ja3_string", "ja4", "ja4_r" };
        for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++) {
            json_key(w, nulls[i]);
            json_null(w);
        }
        json_key(w, "fallback_scsv");
        json_bool(w, 0);
        json_key(w, "grease");
        json_bool(w, 0);
        return;
    }
    suites(w, ch);
    code_list(w, "groups", ch->groups, ch->n_groups, group_name);
    code_list(w, "key_shares", ch->key_share_groups, ch->n_key_shares, group_name);
    code_list(w, "signature_algorithms", ch->sigalgs, ch->n_sigalgs, sigalg_name);
    code_list(w, "extensions", ch->extensions, ch->n_extensions, tls_extension_name);
    json_key(w, "alpn");
    json_array_begin(w);
    for (size_t i = 0; i < ch->n_alpn; i++)
        json_string(w, ch->alpn[i]);
    json_array_end(w);
    json_key(w, "sni");
    json_string(w, ch->has_sni ? ch->sni : NULL);

    char ja3s[JA3_STR_MAX], ja3h[33], ja4h[JA4_STR_MAX], ja4r[JA3_STR_MAX];
    int ok3 = ja3_string(ch, ja3s, sizeof ja3s) == 0 && ja3_hash(ch, ja3h) == 0;
    int ok4 = ja4(ch, 't', ja4h) == 0;
    int ok4r = ja4_raw(ch, 't', ja4r, sizeof ja4r) == 0;
    json_key(w, "ja3");
    json_string(w, ok3 ? ja3h : NULL);
    json_key(w, "ja3_string");
    json_string(w, ok3 ? ja3s : NULL);
    json_key(w, "ja4");
    json_string(w, ok4 ? ja4h : NULL);
    json_key(w, "ja4_r");
    json_string(w, ok4r ? ja4r : NULL);
    json_key(w, "fallback_scsv");
    json_bool(w, ch->fallback_scsv);
    json_key(w, "grease");
    json_bool(w, any_grease(ch));
}

void serve_report_json(struct json_writer *w, const struct serve_report *r)
{
    char tmp[8];
    json_object_begin(w);
    json_key(w, "time");
    time_iso(w, r->time_ms);
    json_key(w, "client");
    json_string(w, r->client);
    json_key(w, "server");
    json_string(w, r->server);
    json_key(w, "outcome");
    json_string(w, r->outcome == SERVE_ACCEPTED ? "accepted" : "refused");
    json_key(w, "refused_reason");
    json_string(w, r->outcome == SERVE_ACCEPTED ? NULL : r->refused_reason);
    json_key(w, "negotiated");
    version_or_null(w, r->negotiated);
    json_key(w, "cipher");
    json_string(w, r->have_cipher ? serve_suite_name(r->cipher, tmp, sizeof tmp) : NULL);
    json_key(w, "alpn_selected");
    json_string(w, r->alpn[0] ? r->alpn : NULL);
    json_key(w, "handshake_ms");
    if (r->handshake_us >= 0)
        json_double(w, (double)r->handshake_us / 1000.0, 3);
    else
        json_null(w);
    hello_fields(w, r);
    json_key(w, "hello_error");
    json_string(w, r->hello_state == SERVE_HELLO_BAD ? r->hello_error : NULL);
    json_key(w, "request");
    json_string(w, r->have_request ? r->path : NULL);
    json_key(w, "user_agent");
    json_string(w, r->have_request && r->user_agent[0] ? r->user_agent : NULL);
    json_key(w, "policy_min");
    json_string(w, tls_version_name(r->cutover));
    json_key(w, "server_min");
    version_or_null(w, r->server_min);
    json_key(w, "server_max");
    version_or_null(w, r->server_max);

    struct serve_reasons why;
    enum serve_verdict v = serve_judge(r, &why);
    json_key(w, "verdict");
    json_string(w, serve_verdict_name(v));
    json_key(w, "reasons");
    json_array_begin(w);
    for (size_t i = 0; i < why.n; i++)
        json_string(w, why.text[i]);
    json_array_end(w);
    json_object_end(w);
}
