/*
 * libFuzzer target: the STARTTLS dialogues (probe/starttls.h). Input: byte 0
 * picks the protocol, byte 1 the chunk size the server's bytes arrive in,
 * the rest is what the server says. Invariants: consumed never exceeds the
 * input, out_len fits out[], an error always has a reason, and nothing is
 * READY with bytes left over that the TLS layer would then misread.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/starttls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t in[1 << 17];
    if (size < 2 || size - 2 > sizeof in)
        return 0;
    int proto = 1 + data[0] % (STARTTLS_COUNT - 1);
    size_t chunk = 1 + data[1] % 64;
    const uint8_t *srv = data + 2;
    size_t n = size - 2, pos = 0, len = 0;
    struct starttls s;
    starttls_init(&s, proto, "fuzz.example");
    if (s.out_len > STARTTLS_OUT_MAX)
        abort();
    while (pos < n) {
        size_t k = n - pos < chunk ? n - pos : chunk;
        memcpy(in + len, srv + pos, k);
        len += k;
        pos += k;
        size_t used;
        int st;
        do {
            st = starttls_feed(&s, in, len, &used);
            if (used > len || s.out_len > STARTTLS_OUT_MAX)
                abort();
            if (st == STARTTLS_ERROR && s.reason[0] == 0)
                abort();
            if (st == STARTTLS_READY && used != len)
                abort();
            memmove(in, in + used, len - used);
            len -= used;
        } while (st == STARTTLS_NEED_MORE && used && len);
        if (st != STARTTLS_NEED_MORE)
            break;
    }
    return 0;
}
