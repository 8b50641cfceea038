/*
 * Lookups over the generated registry tables (registry_data.c). The tables
 * are sorted by code, so lookups are binary searches; name lookups are a
 * linear scan (a few hundred entries, used only for option parsing).
 */
#include "tls/registry.h"

#include <strings.h>
#include <string.h>

#include "tls/registry_data.h"
#include "tls/version.h"

const struct cipher_suite *cipher_suite_lookup(uint16_t code)
{
    size_t lo = 0, hi = registry_n_cipher_suites;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint16_t c = registry_cipher_suites[mid].code;
        if (c == code)
            return &registry_cipher_suites[mid];
        if (c < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct cipher_suite *cipher_suite_by_name(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < registry_n_cipher_suites; i++) {
        const struct cipher_suite *cs = &registry_cipher_suites[i];
        if (strcmp(cs->iana, name) == 0 || (cs->openssl && strcmp(cs->openssl, name) == 0))
            return cs;
    }
    for (size_t i = 0; i < registry_n_cipher_suites; i++) {
        const struct cipher_suite *cs = &registry_cipher_suites[i];
        if (strcasecmp(cs->iana, name) == 0 || (cs->openssl && strcasecmp(cs->openssl, name) == 0))
            return cs;
    }
    return NULL;
}

size_t cipher_suite_count(void)
{
    return registry_n_cipher_suites;
}

const struct cipher_suite *cipher_suite_at(size_t i)
{
    return i < registry_n_cipher_suites ? &registry_cipher_suites[i] : NULL;
}

const char *cipher_strength_name(int strength)
{
    switch (strength) {
    case CS_SECURE: return "secure";
    case CS_WEAK: return "weak";
    case CS_INSECURE: return "insecure";
    default: return "unknown";
    }
}

int cipher_suite_usable_at(const struct cipher_suite *cs, int version)
{
    return cs != NULL && !cipher_suite_is_scsv(cs->code) && version >= cs->min_version &&
           version <= cs->max_version;
}

int cipher_suite_is_scsv(uint16_t code)
{
    return code == 0x00ff || code == 0x5600;
}

const struct named_group *group_lookup(uint16_t code)
{
    for (size_t i = 0; i < registry_n_groups; i++)
        if (registry_groups[i].code == code)
            return &registry_groups[i];
    return NULL;
}

const struct named_group *group_by_name(const char *name)
{
    static const struct { const char *alias, *name; } aliases[] = {
        { "P-256", "secp256r1" }, { "P-384", "secp384r1" }, { "P-521", "secp521r1" },
        { "prime256v1", "secp256r1" }, { "X448", "x448" },
    };
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcasecmp(name, aliases[i].alias) == 0)
            name = aliases[i].name;
    for (size_t i = 0; i < registry_n_groups; i++)
        if (strcasecmp(registry_groups[i].name, name) == 0)
            return &registry_groups[i];
    return NULL;
}

size_t group_count(void)
{
    return registry_n_groups;
}

const struct named_group *group_at(size_t i)
{
    return i < registry_n_groups ? &registry_groups[i] : NULL;
}

const struct sig_scheme *sigalg_lookup(uint16_t code)
{
    for (size_t i = 0; i < registry_n_sigalgs; i++)
        if (registry_sigalgs[i].code == code)
            return &registry_sigalgs[i];
    return NULL;
}

size_t sigalg_count(void)
{
    return registry_n_sigalgs;
}

const struct sig_scheme *sigalg_at(size_t i)
{
    return i < registry_n_sigalgs ? &registry_sigalgs[i] : NULL;
}

const char *tls_extension_name(uint16_t type)
{
    for (size_t i = 0; i < registry_n_extensions; i++)
        if (registry_extensions[i].code == type)
            return registry_extensions[i].name;
    return NULL;
}
