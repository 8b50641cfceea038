/* JSON writer: see json.h. */
#include "report/json.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void json_init(struct json_writer *w, struct tr_buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

static void before_value(struct json_writer *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth > 0 && w->depth <= JSON_MAX_DEPTH && w->count[w->depth - 1])
        tr_buf_push_u8(w->out, ',');
    if (w->depth > 0 && w->depth <= JSON_MAX_DEPTH)
        w->count[w->depth - 1] = 1;
}

static void open(struct json_writer *w, char c)
{
    before_value(w);
    tr_buf_push_u8(w->out, (uint8_t)c);
    w->depth++;
    if (w->depth <= JSON_MAX_DEPTH)
        w->count[w->depth - 1] = 0;
}

static void close_(struct json_writer *w, char c)
{
    if (w->depth > 0)
        w->depth--;
    tr_buf_push_u8(w->out, (uint8_t)c);
}

void json_object_begin(struct json_writer *w) { open(w, '{'); }
void json_object_end(struct json_writer *w) { close_(w, '}'); }
void json_array_begin(struct json_writer *w) { open(w, '['); }
void json_array_end(struct json_writer *w) { close_(w, ']'); }

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not valid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
    else return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

void json_escape_into(struct tr_buf *out, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            run++;
            continue;
        }
        size_t u = c >= 0x80 ? utf8_seq(s + i, n - i) : 0;
        if (u > 1) {
            i += u;
            run += u;
            continue;
        }
        tr_buf_push(out, s + i - run, run);
        run = 0;
        switch (c) {
        case '"': tr_buf_puts(out, "\\\""); break;
        case '\\': tr_buf_puts(out, "\\\\"); break;
        case '\n': tr_buf_puts(out, "\\n"); break;
        case '\r': tr_buf_puts(out, "\\r"); break;
        case '\t': tr_buf_puts(out, "\\t"); break;
        default:
            if (c < 0x20)
                tr_buf_printf(out, "\\u%04x", c);
            else
                tr_buf_puts(out, "\\ufffd"); /* invalid UTF-8 byte */
        }
        i++;
    }
    tr_buf_push(out, s + i - run, run);
}

void json_key(struct json_writer *w, const char *key)
{
    before_value(w);
    tr_buf_push_u8(w->out, '"');
    json_escape_into(w->out, key, strlen(key));
    tr_buf_puts(w->out, "\":");
    w->after_key = 1;
}

void json_string_n(struct json_writer *w, const char *s, size_t n)
{
    before_value(w);
    tr_buf_push_u8(w->out, '"');
    json_escape_into(w->out, s, n);
    tr_buf_push_u8(w->out, '"');
}

void json_string(struct json_writer *w, const char *s)
{
    if (!s)
        json_null(w);
    else
        json_string_n(w, s, strlen(s));
}

void json_int(struct json_writer *w, int64_t v)
{
    before_value(w);
    tr_buf_put_i64(w->out, v);
}

void json_uint(struct json_writer *w, uint64_t v)
{
    before_value(w);
    tr_buf_put_u64(w->out, v);
}

void json_double(struct json_writer *w, double v, int decimals)
{
    before_value(w);
    if (!isfinite(v))
        tr_buf_puts(w->out, "null");
    else
        tr_buf_printf(w->out, "%.*f", decimals, v);
}

void json_bool(struct json_writer *w, int v)
{
    before_value(w);
    tr_buf_puts(w->out, v ? "true" : "false");
}

void json_null(struct json_writer *w)
{
    before_value(w);
    tr_buf_puts(w->out, "null");
}
