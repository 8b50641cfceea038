/* The generated tables behind registry.h (registry_data.c, tools/gen_registry.py). */
#ifndef TR_TLS_REGISTRY_DATA_H
#define TR_TLS_REGISTRY_DATA_H

#include "tls/registry.h"
#include "tls/version.h"

struct tls_extension_type {
    uint16_t code;
    const char *name;
};

extern const struct cipher_suite registry_cipher_suites[];
extern const size_t registry_n_cipher_suites;
/* Indexes of every suite in default-hello preference order (same count as the table). */
extern const uint16_t registry_suite_rank[];
extern const struct named_group registry_groups[];
extern const size_t registry_n_groups;
extern const struct sig_scheme registry_sigalgs[];
extern const size_t registry_n_sigalgs;
extern const struct tls_extension_type registry_extensions[];
extern const size_t registry_n_extensions;

#endif
