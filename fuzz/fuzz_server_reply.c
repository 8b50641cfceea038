/*
 * libFuzzer target: the server reply parser, both modes, plus the JA3S/JA4S
 * fingerprints of whatever it decoded. Invariants checked: the status is in
 * range, consumed never exceeds the input, certificate views lie inside the
 * input or the scratch buffer, and a reason is given for every refusal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/fingerprint.h"
#include "tls/server_reply.h"

static int inside(const uint8_t *p, size_t n, const uint8_t *base, size_t len)
{
    return p >= base && p + n <= base + len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t scratch[SERVER_FLIGHT_SCRATCH];
    struct server_reply r;
    char s[1024], j[JA4_STR_MAX], h[33];

    int st = server_reply_parse(data, size, &r);
    if (st < REPLY_NEED_MORE || st > REPLY_MALFORMED || r.consumed > size)
        abort();
    if ((st == REPLY_MALFORMED || st == REPLY_NOT_TLS) && r.reason[0] == 0)
        abort();
    if (r.have_server_hello) {
        ja3s_string(&r, s, sizeof s);
        ja3s_hash(&r, h);
        ja4s(&r, 't', j);
    }
    st = server_flight_parse(data, size, scratch, sizeof scratch, &r);
    if (st < REPLY_NEED_MORE || st > REPLY_MALFORMED || r.consumed > size)
        abort();
    for (size_t i = 0; i < r.n_certs; i++)
        if (!inside(r.certs[i].data, r.certs[i].len, data, size) &&
            !inside(r.certs[i].data, r.certs[i].len, scratch, sizeof scratch))
            abort();
    /* a small scratch must fail cleanly, never overflow */
    server_flight_parse(data, size, scratch, 64, &r);
    return 0;
}
