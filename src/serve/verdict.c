/*
 * The cut-over policy for one client: will it keep working once the platform
 * refuses everything below r->cutover? See report.h. The reasons are the
 * plain-words sentences the page, the JSON and the log all show.
 */
#include "serve/report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tls/registry.h"
#include "tls/version.h"

void serve_report_init(struct serve_report *r)
{
    memset(r, 0, sizeof *r);
    r->server_min = r->server_max = TLSV_NONE;
    r->cutover = TLSV_TLS12;
    r->negotiated = TLSV_NONE;
    r->handshake_us = -1;
    r->ch.max_offered = TLSV_NONE;
}

unsigned serve_suite_flags(uint16_t code)
{
    const struct cipher_suite *cs = cipher_suite_lookup(code);
    unsigned f = 0;
    if (!cs || cipher_suite_is_scsv(code))
        return 0; /* the SCSVs are signals, not ciphers (the registry gives them cipher "NULL") */
    if (cs->cipher && strncmp(cs->cipher, "RC4", 3) == 0)
        f |= SUITE_RC4;
    if (cs->cipher && strstr(cs->cipher, "3DES"))
        f |= SUITE_3DES;
    else if (cs->cipher && strncmp(cs->cipher, "DES", 3) == 0)
        f |= SUITE_DES;
    if (cs->is_export || strstr(cs->iana, "EXPORT"))
        f |= SUITE_EXPORT;
    if (cs->cipher && strcmp(cs->cipher, "NULL") == 0)
        f |= SUITE_NULL;
    if ((cs->auth && strcmp(cs->auth, "anon") == 0) || strstr(cs->iana, "_anon_"))
        f |= SUITE_ANON;
    return f;
}

const char *serve_suite_name(uint16_t code, char *tmp, size_t cap)
{
    const struct cipher_suite *cs = cipher_suite_lookup(code);
    if (cs && cs->iana)
        return cs->iana;
    /* the two signalling values, in case the registry leaves them out */
    if (code == 0x00ff)
        return "TLS_EMPTY_RENEGOTIATION_INFO_SCSV";
    if (code == 0x5600)
        return "TLS_FALLBACK_SCSV";
    snprintf(tmp, cap, "0x%04X", code);
    return tmp;
}

size_t serve_offered_versions(const struct client_hello_info *ch, int *out, size_t cap)
{
    size_t n = 0;
    if (!ch->has_supported_versions) {
        int v = tls_version_from_wire(ch->legacy_version);
        if (v != TLSV_NONE && cap)
            out[n++] = v;
        return n;
    }
    for (size_t i = 0; i < ch->n_supported_versions && n < cap; i++) {
        if (tls_is_grease(ch->supported_versions[i]))
            continue;
        int v = tls_version_from_wire(ch->supported_versions[i]);
        int dup = 0;
        for (size_t j = 0; j < n; j++)
            dup |= out[j] == v;
        if (v != TLSV_NONE && !dup)
            out[n++] = v;
    }
    return n;
}

const char *serve_verdict_name(enum serve_verdict v)
{
    return v == SERVE_VERDICT_OK ? "ok" : "fail";
}

__attribute__((format(printf, 2, 3))) static void say(struct serve_reasons *why, const char *fmt, ...)
{
    if (why->n >= SERVE_MAX_REASONS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why->text[why->n++], SERVE_TEXT_MAX, fmt, ap);
    va_end(ap);
}

/* Human spelling for sentences ("TLS 1.2"); the JSON keys use tls_version_name. */
static const char *words(int v)
{
    static const char *const w[] = { "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3" };
    return v >= 0 && v < TLSV_COUNT ? w[v] : "an unknown version";
}

/* Can some offered suite be used at some offered version >= cutover? */
static int has_suite_for_cutover(const struct client_hello_info *ch, const int *vers, size_t nv, int cutover)
{
    for (size_t i = 0; i < ch->n_suites; i++) {
        const struct cipher_suite *cs = cipher_suite_lookup(ch->suites[i]);
        if (!cs || cipher_suite_is_scsv(cs->code))
            continue;
        for (size_t j = 0; j < nv; j++)
            if (vers[j] >= cutover && cipher_suite_usable_at(cs, vers[j]))
                return 1;
    }
    return 0;
}

static void note_suites(const struct client_hello_info *ch, struct serve_reasons *why)
{
    static const struct { unsigned flag; const char *name; } kinds[] = {
        { SUITE_RC4, "RC4" }, { SUITE_3DES, "3DES" }, { SUITE_DES, "DES" },
        { SUITE_EXPORT, "EXPORT" }, { SUITE_NULL, "NULL" }, { SUITE_ANON, "anonymous" },
    };
    size_t count[sizeof kinds / sizeof kinds[0]] = { 0 };
    size_t any = 0;
    for (size_t i = 0; i < ch->n_suites; i++) {
        unsigned f = serve_suite_flags(ch->suites[i]);
        any += f != 0;
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
            count[k] += (f & kinds[k].flag) != 0;
    }
    if (!any)
        return;
    char list[160] = "";
    size_t off = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (count[k] && off < sizeof list)
            off += (size_t)snprintf(list + off, sizeof list - off, "%s%s: %zu", off ? ", " : "", kinds[k].name, count[k]);
    say(why, "It offers %zu insecure cipher suite%s (%s); a server with a modern policy never picks them, "
             "but they should be switched off in the client.", any, any == 1 ? "" : "s", list);
}

/* Post-quantum hybrids are not part of the cut-over, but people ask "is my browser ready for them?" */
static void note_groups(const struct client_hello_info *ch, int max, struct serve_reasons *why)
{
    for (size_t i = 0; i < ch->n_groups; i++) {
        const struct named_group *g = group_lookup(ch->groups[i]);
        if (g && g->pq) {
            say(why, "It offers post-quantum key exchange (%s).", g->name);
            return;
        }
    }
    if (max == TLSV_TLS13)
        say(why, "It offers no post-quantum key exchange group yet (not needed for the cut-over).");
}

enum serve_verdict serve_judge(const struct serve_report *r, struct serve_reasons *why)
{
    enum serve_verdict v = SERVE_VERDICT_OK;
    const struct client_hello_info *ch = &r->ch;
    int vers[CHI_MAX_VERSIONS];
    size_t nv = 0;
    int max = TLSV_NONE;

    why->n = 0;
    if (r->hello_state == SERVE_HELLO_PARSED) {
        nv = serve_offered_versions(ch, vers, CHI_MAX_VERSIONS);
        max = ch->max_offered;
    } else if (r->hello_state == SERVE_HELLO_BAD) {
        say(why, "What it sent is not a ClientHello tlsready could read (%s).", r->hello_error);
    } else {
        say(why, "It sent no ClientHello.");
    }
    if (max == TLSV_NONE && r->outcome == SERVE_ACCEPTED)
        max = r->negotiated; /* at least that much */

    if (max == TLSV_NONE || max >= TLSV_COUNT) {
        v = SERVE_VERDICT_FAIL;
        say(why, "Which TLS versions it supports is unknown, so it cannot be shown to work after the cut-over.");
    } else if (max < r->cutover) {
        v = SERVE_VERDICT_FAIL;
        say(why, "The newest version it offers is %s; after the cut-over the server requires %s or newer, "
                 "so this client will be refused.", words(max), words(r->cutover));
    } else {
        say(why, "It offers %s, which meets the cut-over minimum of %s.", words(max), words(r->cutover));
        if (r->hello_state == SERVE_HELLO_PARSED && !has_suite_for_cutover(ch, vers, nv, r->cutover)) {
            v = SERVE_VERDICT_FAIL;
            say(why, "But none of its cipher suites can be used with %s or newer.", words(r->cutover));
        }
    }

    if (r->outcome == SERVE_REFUSED && r->client_aborted) {
        say(why, "The client itself ended the handshake (%s); usually it does not trust this server's certificate, "
                 "which says nothing about the cut-over.", r->refused_reason);
    } else if (r->outcome == SERVE_REFUSED) {
        if (r->server_min >= r->cutover) {
            v = SERVE_VERDICT_FAIL;
            say(why, "This server accepts %s to %s, like the platform after the cut-over, and refused it: %s.",
                words(r->server_min), words(r->server_max), r->refused_reason);
        } else {
            say(why, "This server (accepting %s to %s) refused it: %s.", words(r->server_min),
                words(r->server_max), r->refused_reason);
        }
    } else if (r->outcome == SERVE_ACCEPTED && r->negotiated != TLSV_NONE && r->negotiated < r->cutover &&
               max != TLSV_NONE && max >= r->cutover) {
        say(why, "This connection used %s only because this server stops at %s.", words(r->negotiated),
            words(r->server_max));
    }

    if (r->hello_state != SERVE_HELLO_PARSED)
        return v;
    if (ch->has_supported_versions && max >= r->cutover) {
        char low[64] = "";
        size_t off = 0;
        for (size_t i = 0; i < nv; i++)
            if (vers[i] < r->cutover && off < sizeof low)
                off += (size_t)snprintf(low + off, sizeof low - off, "%s%s", off ? ", " : "", words(vers[i]));
        if (off)
            say(why, "It also offers %s, which the cut-over switches off; that is harmless, it will use the newer one.",
                low);
    }
    if (ch->fallback_scsv)
        say(why, "It sent TLS_FALLBACK_SCSV: this hello is a retry at a lower version after a failed attempt.");
    note_suites(ch, why);
    note_groups(ch, max, why);
    for (size_t i = 0; i < ch->n_compression; i++)
        if (ch->compression[i] != 0) {
            say(why, "It offers TLS compression (CRIME); servers refuse it.");
            break;
        }
    return v;
}
