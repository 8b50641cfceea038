/*
 * A small JSON writer over a tr_buf that places commas itself, so writers only
 * say what they mean: json_key(w, "port"); json_int(w, 443). Strings are
 * escaped per RFC 8259; bytes that are not valid UTF-8 are written as U+FFFD,
 * so a hostile log line or SNI can never produce invalid JSON.
 * Every JSON output of tlsready (scan lines, logins documents, serve's /json)
 * goes through this file.
 */
#ifndef TR_REPORT_JSON_H
#define TR_REPORT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define JSON_MAX_DEPTH 32

struct json_writer {
    struct tr_buf *out;
    int depth;
    uint8_t count[JSON_MAX_DEPTH]; /* values written at each depth: 0 or "some" */
    int after_key;                 /* a key was just written: no comma before the value */
};

void json_init(struct json_writer *w, struct tr_buf *out);
void json_object_begin(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w);
void json_array_end(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);
void json_string(struct json_writer *w, const char *s);          /* NULL writes null */
void json_string_n(struct json_writer *w, const char *s, size_t n);
void json_int(struct json_writer *w, int64_t v);
void json_uint(struct json_writer *w, uint64_t v);
void json_double(struct json_writer *w, double v, int decimals);
void json_bool(struct json_writer *w, int v);
void json_null(struct json_writer *w);

/* Appends `s` escaped (without quotes) to `out`: used by the writer and by HTML/CSV helpers. */
void json_escape_into(struct tr_buf *out, const char *s, size_t n);

#endif
