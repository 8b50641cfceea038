/*
 * libFuzzer target: one DER certificate through cert_info_from_der, and the
 * input split into a two-certificate chain through cert_chain_check (no
 * trust store: only decoding, name matching and flags are exercised).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/certificate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct cert_info ci;
    struct cert_chain_result r;
    struct tr_error err;

    if (cert_info_from_der(data, size, &ci, &err) == 0) {
        if (strlen(ci.subject) >= sizeof ci.subject || ci.n_sans > CERT_MAX_SANS)
            abort();
        cert_days_left(&ci, 1767225600);
    }
    struct tls_view v[2] = { { data, size / 2 }, { data + size / 2, size - size / 2 } };
    cert_chain_check(v, 2, NULL, "www.example.test", 1767225600, 30, &r, &err);
    cert_chain_check(v, 1, NULL, "127.0.0.1", 1767225600, 30, &r, &err);
    return 0;
}
