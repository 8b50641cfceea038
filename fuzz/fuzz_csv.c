/*
 * Fuzzes the streaming CSV reader: arbitrary bytes, fed whole and fed in
 * pieces (cut positions taken from the input), must never read out of bounds
 * and must return exactly the same rows both ways.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/csv.h"

/* A running digest of everything returned, so two runs compare cheaply. */
static uint64_t run(const uint8_t *data, size_t len, size_t step)
{
    struct csv_limits lim = { .max_field = 64, .max_row = 256, .max_fields = 16, .chunk = 32 };
    struct csv_reader r;
    if (csv_init(&r, &lim) < 0)
        return 0;
    uint64_t h = 1469598103934665603ULL;
    size_t pos = 0;
    for (;;) {
        struct csv_row row;
        int st = csv_next(&r, &row);
        if (st == CSV_END)
            break;
        if (st == CSV_NEED_MORE) {
            if (pos == len) {
                csv_set_eof(&r);
                continue;
            }
            size_t n = len - pos < step ? len - pos : step;
            pos += csv_feed(&r, data + pos, n);
            continue;
        }
        h = (h ^ (uint64_t)st ^ row.line * 31) * 1099511628211ULL;
        for (size_t i = 0; i < row.n; i++) {
            h = (h ^ row.f[i].len) * 1099511628211ULL;
            for (size_t k = 0; k < row.f[i].len; k++)
                h = (h ^ (uint8_t)row.f[i].p[k]) * 1099511628211ULL;
        }
    }
    csv_free(&r);
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    uint64_t whole = run(data, len, len ? len : 1);
    size_t step = len ? (size_t)data[0] % 37 + 1 : 1;
    if (run(data, len, step) != whole)
        abort();
    char buf[4096];
    if (len > 8 && len < sizeof buf) {
        memcpy(buf, data, len);
        csv_guess_row_start(buf, len, data[1] % len, (size_t)data[2] % 8 + 1, ',');
    }
    return 0;
}
