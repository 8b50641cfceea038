/*
 * libFuzzer target: ClientHello parsing from records and as a bare body,
 * then JA3/JA4 over the result (serve and pcap feed client bytes straight in).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/client_hello_parse.h"
#include "tls/fingerprint.h"

static void fingerprints(const struct client_hello_info *ch)
{
    char s[JA3_STR_MAX], h[33], j[JA4_STR_MAX], raw[8192];
    ja3_string(ch, s, sizeof s);
    ja3_hash(ch, h);
    ja4(ch, 't', j);
    ja4_raw(ch, 't', raw, sizeof raw);
    if (ch->n_suites > CHI_MAX_SUITES || ch->n_extensions > CHI_MAX_EXTENSIONS || strlen(ch->sni) > CHI_SNI_LEN)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct client_hello_info ch;
    struct tr_error err;
    size_t used = 0;

    int st = client_hello_from_records(data, size, &ch, &used, &err);
    if (st == CH_OK) {
        if (used == 0 || used > size)
            abort();
        fingerprints(&ch);
    } else if (st != CH_NEED_MORE && st != CH_ERROR) {
        abort();
    }
    if (client_hello_parse(data, size, &ch, &err) == CH_OK)
        fingerprints(&ch);
    return 0;
}
