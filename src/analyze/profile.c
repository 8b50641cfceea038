/*
 * Mozilla server-side TLS guidelines v5.7 as data (the JSON at
 * https://ssl-config.mozilla.org/guidelines/5.7.json: tls_versions,
 * ciphersuites + ciphers.iana, tls_curves, dh_param_size,
 * server_preferred_order, certificate_types, rsa_key_size,
 * certificate_signatures), and the check of a scan result against them.
 * Suites are kept by IANA name, resolved through the registry (a unit test
 * checks every name resolves), so the table reads like the source.
 */
#include "analyze/profile.h"

#include "probe/cert_fetch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tls/registry.h"
#include "tls/version.h"

#define V(x) (1u << (x))

static const char *const tls13_suites[] = {
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
};

static const char *const intermediate_suites[] = {
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
};

static const char *const old_suites[] = {
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_RSA_WITH_AES_256_CBC_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
};

/* tls_curves is the same in all three: X25519, prime256v1, secp384r1 */
static const uint16_t curves[] = { 0x001d, 0x0017, 0x0018 };

struct profile_data {
    const char *name;
    unsigned versions;
    const char *const *suites;
    size_t n_suites;
    int dh_min_bits;
    int server_preference;
    const char *cert_types;
    int rsa_min_bits;
    const char *cert_signatures;
};

static const struct profile_data data[] = {
    [PROFILE_MODERN] = { "mozilla-modern", V(TLSV_TLS13), NULL, 0, 0, 0, "ecdsa", 0,
                         "ecdsa-with-SHA256,ecdsa-with-SHA384,ecdsa-with-SHA512" },
    [PROFILE_INTERMEDIATE] = { "mozilla-intermediate", V(TLSV_TLS12) | V(TLSV_TLS13), intermediate_suites,
                               sizeof intermediate_suites / sizeof intermediate_suites[0], 2048, 0, "ecdsa,rsa", 2048,
                               "sha256WithRSAEncryption,ecdsa-with-SHA256,ecdsa-with-SHA384,ecdsa-with-SHA512" },
    [PROFILE_OLD] = { "mozilla-old", V(TLSV_TLS10) | V(TLSV_TLS11) | V(TLSV_TLS12) | V(TLSV_TLS13), old_suites,
                      sizeof old_suites / sizeof old_suites[0], 1024, 1, "rsa", 2048, "sha256WithRSAEncryption" },
};

int profile_parse(const char *name)
{
    if (!name)
        return PROFILE_NONE;
    for (int id = PROFILE_MODERN; id <= PROFILE_OLD; id++) {
        const char *full = data[id].name;
        if (strcasecmp(name, full) == 0 || strcasecmp(name, full + strlen("mozilla-")) == 0)
            return id;
    }
    return PROFILE_NONE;
}

const char *profile_name(int id)
{
    return id >= PROFILE_MODERN && id <= PROFILE_OLD ? data[id].name : NULL;
}

/* Is suite code allowed by profile id (TLS 1.3 suites: the three; older: the profile's list)? */
int profile_allows_suite(int id, uint16_t code)
{
    if (id < PROFILE_MODERN || id > PROFILE_OLD)
        return 0;
    for (size_t i = 0; i < sizeof tls13_suites / sizeof tls13_suites[0]; i++) {
        const struct cipher_suite *cs = cipher_suite_by_name(tls13_suites[i]);
        if (cs && cs->code == code)
            return 1;
    }
    for (size_t i = 0; i < data[id].n_suites; i++) {
        const struct cipher_suite *cs = cipher_suite_by_name(data[id].suites[i]);
        if (cs && cs->code == code)
            return 1;
    }
    return 0;
}

/* Every suite name in the table resolves in the registry (for the unit test): count of those that do not. */
size_t profile_unresolved_names(void)
{
    size_t bad = 0;
    for (int id = PROFILE_MODERN; id <= PROFILE_OLD; id++)
        for (size_t i = 0; i < data[id].n_suites; i++)
            bad += cipher_suite_by_name(data[id].suites[i]) == NULL;
    for (size_t i = 0; i < sizeof tls13_suites / sizeof tls13_suites[0]; i++)
        bad += cipher_suite_by_name(tls13_suites[i]) == NULL;
    return bad;
}

static void deviation(struct scan_details *d, const char *fmt, ...)
{
    if (d->n_deviations >= PROFILE_DEVIATIONS_MAX) {
        d->deviations_truncated = 1;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->deviations[d->n_deviations++], PROFILE_DEVIATION_LEN, fmt, ap);
    va_end(ap);
}

static void check_certificate(const struct profile_data *p, const struct endpoint_result *res, struct scan_details *d);

static void versions_list(unsigned mask, char *dst, size_t cap)
{
    size_t len = 0;
    dst[0] = 0;
    for (int v = 0; v < TLSV_COUNT && len < cap; v++)
        if (mask & V(v))
            len += (size_t)snprintf(dst + len, cap - len, "%s%s", len ? ", " : "", tls_version_name(v));
}

void profile_check(int id, const struct endpoint_result *res, struct scan_details *d)
{
    d->n_deviations = 0;
    d->deviations_truncated = 0;
    d->profile = id;
    if (id < PROFILE_MODERN || id > PROFILE_OLD)
        return;
    const struct profile_data *p = &data[id];
    char allowed[64];
    versions_list(p->versions, allowed, sizeof allowed);
    int any = 0;
    for (int v = 0; v < TLSV_COUNT; v++) {
        if (res->status[v] == VS_ACCEPTED)
            any = 1;
        if (res->status[v] == VS_ACCEPTED && !(p->versions & V(v)))
            deviation(d, "accepts %s (%s allows %s)", tls_version_name(v), p->name, allowed);
    }
    if (!any)
        return;   /* unreachable or nothing accepted: the verdict says so */
    if (res->status[TLSV_TLS13] != VS_ACCEPTED)
        deviation(d, "does not accept tls1.3 (%s allows %s)", p->name, allowed);

    /* suites: one line per suite, with the versions it is accepted at */
    for (int v = 0; v < TLSV_COUNT; v++) {
        const struct version_enum *ve = &d->v[v];
        for (size_t i = 0; i < ve->n_suites; i++) {
            uint16_t c = ve->suites[i];
            if (profile_allows_suite(id, c))
                continue;
            int seen = 0;   /* reported at an earlier version already */
            for (int u = 0; u < v && !seen; u++)
                for (size_t k = 0; k < d->v[u].n_suites; k++)
                    if (d->v[u].suites[k] == c)
                        seen = 1;
            if (seen)
                continue;
            const struct cipher_suite *cs = cipher_suite_lookup(c);
            deviation(d, "suite %s (from %s) not in %s", cs ? cs->iana : "unknown", tls_version_name(v), p->name);
        }
        if (p->server_preference && ve->order == ORDER_CLIENT)
            deviation(d, "%s follows the client's suite order (%s wants the server's)", tls_version_name(v), p->name);
        if (ve->dhe_bits > 0 && p->dh_min_bits == 0)
            deviation(d, "DHE key exchange at %s (%s has none)", tls_version_name(v), p->name);
        else if (ve->dhe_bits > 0 && ve->dhe_bits < p->dh_min_bits)
            deviation(d, "DHE prime of %d bits at %s (%s wants %d)", ve->dhe_bits, tls_version_name(v), p->name,
                      p->dh_min_bits);
    }
    /* groups: the union over versions, each reported once */
    uint16_t reported[ENUM_GROUPS_MAX * 2];
    size_t n_rep = 0;
    for (int v = 0; v < TLSV_COUNT; v++) {
        const struct version_enum *ve = &d->v[v];
        for (size_t i = 0; i < ve->n_groups; i++) {
            uint16_t g = ve->groups[i];
            int ok = 0;
            for (size_t k = 0; k < sizeof curves / sizeof curves[0]; k++)
                ok |= curves[k] == g;
            for (size_t k = 0; k < n_rep; k++)
                ok |= reported[k] == g;
            if (ok)
                continue;
            if (n_rep < sizeof reported / sizeof reported[0])
                reported[n_rep++] = g;
            const struct named_group *ng = group_lookup(g);
            deviation(d, "group %s not in %s (X25519, prime256v1, secp384r1)", ng ? ng->name : "unknown", p->name);
        }
    }
    check_certificate(p, res, d);
}

/* Is `item` one of the comma-separated names in `list`? */
static int in_csv(const char *list, const char *item)
{
    size_t n = strlen(item);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncasecmp(p, item, n) == 0)
            return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

/* The leaf certificate against certificate_types, rsa_key_size, certificate_curves, certificate_signatures. */
static void check_certificate(const struct profile_data *p, const struct endpoint_result *res, struct scan_details *d)
{
    if (res->cert.status != CERTS_OK || res->cert.n_chain == 0)
        return;
    const struct cert_brief *leaf = &res->cert.chain[0];
    const char *type = strcmp(leaf->key_type, "EC") == 0 ? "ecdsa" : strcmp(leaf->key_type, "RSA") == 0 ? "rsa" : leaf->key_type;
    if (!in_csv(p->cert_types, type))
        deviation(d, "certificate key %s %d bits (%s wants %s)", leaf->key_type, leaf->key_bits, p->name, p->cert_types);
    else if (strcmp(type, "rsa") == 0 && leaf->key_bits < p->rsa_min_bits)
        deviation(d, "certificate key RSA %d bits (%s wants at least %d)", leaf->key_bits, p->name, p->rsa_min_bits);
    else if (strcmp(type, "ecdsa") == 0 && !in_csv("prime256v1,secp384r1,P-256,P-384", leaf->key_curve))
        deviation(d, "certificate curve %s (%s wants prime256v1 or secp384r1)", leaf->key_curve[0] ? leaf->key_curve : "unknown", p->name);
    if (!in_csv(p->cert_signatures, leaf->sig_alg))
        deviation(d, "certificate signature %s (%s wants %s)", leaf->sig_alg, p->name, p->cert_signatures);
}
