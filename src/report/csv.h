/*
 * CSV output (RFC 4180): a field is quoted only when it holds a comma, a quote,
 * CR or LF; quotes are doubled. Rows end with "\n".
 */
#ifndef TR_REPORT_CSV_H
#define TR_REPORT_CSV_H

#include <stdint.h>

#include "util/buf.h"

/* Appends one field; `first` is nonzero for the first field of a row (no comma). */
void csv_field(struct tr_buf *out, const char *s, int first);
void csv_field_u64(struct tr_buf *out, uint64_t v, int first);
void csv_row_end(struct tr_buf *out);

#endif
