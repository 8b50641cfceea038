/* CSV output: see csv.h. */
#include "report/csv.h"

#include <inttypes.h>
#include <string.h>

void csv_field(struct tr_buf *out, const char *s, int first)
{
    if (!first)
        tr_buf_push_u8(out, ',');
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        tr_buf_puts(out, s);
        return;
    }
    tr_buf_push_u8(out, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            tr_buf_push_u8(out, '"');
        tr_buf_push_u8(out, (uint8_t)*p);
    }
    tr_buf_push_u8(out, '"');
}

void csv_field_u64(struct tr_buf *out, uint64_t v, int first)
{
    if (!first)
        tr_buf_push_u8(out, ',');
    tr_buf_put_u64(out, v);
}

void csv_row_end(struct tr_buf *out) { tr_buf_push_u8(out, '\n'); }
