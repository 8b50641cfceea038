/*
 * libFuzzer target: the JSON writer's promise that no input can produce
 * invalid JSON (src/report/json.h: "a hostile log line or SNI can never
 * produce invalid JSON"). The input is split at its first NUL into a key and
 * a value, both written through json_key/json_string_n inside an object and
 * an array; the output is then checked by a strict validator written here
 * (RFC 8259 string grammar, and RFC 3629 UTF-8: no overlong forms, no
 * surrogates, nothing above U+10FFFF; a \u escape of a surrogate must be a
 * high-low pair). Any violation aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/json.h"
#include "util/buf.h"

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int read_u4(const uint8_t *p, const uint8_t *end, unsigned *v)
{
    if (end - p < 4)
        return -1;
    *v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            return -1;
        *v = *v << 4 | (unsigned)h;
    }
    return 0;
}

/* One UTF-8 sequence at p (RFC 3629 table); returns its length or 0. */
static size_t utf8_len(const uint8_t *p, const uint8_t *end)
{
    uint8_t c = p[0];
    if (c < 0x80)
        return 1;
    size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (!n || (size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if (c == 0xe0 && p[1] < 0xa0)
        return 0; /* overlong */
    if (c == 0xed && p[1] > 0x9f)
        return 0; /* surrogate */
    if (c == 0xf0 && p[1] < 0x90)
        return 0; /* overlong */
    if (c == 0xf4 && p[1] > 0x8f)
        return 0; /* above U+10FFFF */
    return n;
}

/* A JSON string starting at the opening quote; returns the byte after it or NULL. */
static const uint8_t *string_end(const uint8_t *p, const uint8_t *end)
{
    if (p >= end || *p != '"')
        return NULL;
    for (p++; p < end;) {
        if (*p == '"')
            return p + 1;
        if (*p < 0x20)
            return NULL;
        if (*p == '\\') {
            if (end - p < 2)
                return NULL;
            uint8_t e = p[1];
            if (e == 'u') {
                unsigned v, lo;
                if (read_u4(p + 2, end, &v) < 0)
                    return NULL;
                p += 6;
                if (v >= 0xdc00 && v <= 0xdfff)
                    return NULL; /* a lone low surrogate */
                if (v >= 0xd800 && v <= 0xdbff) {
                    if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || read_u4(p + 2, end, &lo) < 0 ||
                        lo < 0xdc00 || lo > 0xdfff)
                        return NULL;
                    p += 6;
                }
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || e == 0)
                return NULL;
            p += 2;
            continue;
        }
        size_t n = utf8_len(p, end);
        if (!n)
            return NULL;
        p += n;
    }
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    const uint8_t *nul = memchr(data, 0, len);
    size_t klen = nul ? (size_t)(nul - data) : 0;
    const uint8_t *val = nul ? nul + 1 : data;
    size_t vlen = nul ? len - klen - 1 : len;
    char *key = malloc(klen + 1);
    if (!key)
        return 0;
    memcpy(key, data, klen);
    key[klen] = 0;

    struct tr_buf out;
    tr_buf_init(&out, NULL, 0);
    struct json_writer w;
    json_init(&w, &out);
    json_object_begin(&w);
    json_key(&w, key);
    json_string_n(&w, (const char *)val, vlen);
    json_key(&w, "a");
    json_array_begin(&w);
    json_string_n(&w, (const char *)val, vlen);
    json_string(&w, key);
    json_array_end(&w);
    json_object_end(&w);

    /* expected shape: {KEY:VALUE,"a":[VALUE,KEY]} with each string valid */
    const uint8_t *p = (const uint8_t *)tr_buf_cstr(&out), *end = p + out.len;
    int okay = !out.failed && strlen((const char *)p) == out.len; /* no raw NUL */
    okay = okay && p < end && *p++ == '{';
    okay = okay && (p = string_end(p, end)) && p < end && *p++ == ':';
    okay = okay && (p = string_end(p, end)) && p < end && *p++ == ',';
    okay = okay && (p = string_end(p, end)) && p < end && *p++ == ':';
    okay = okay && p < end && *p++ == '[';
    okay = okay && (p = string_end(p, end)) && p < end && *p++ == ',';
    okay = okay && (p = string_end(p, end)) && p < end && *p++ == ']';
    okay = okay && p < end && *p++ == '}';
    while (okay && p < end && (*p == '\n' || *p == ' '))
        p++;
    if (!okay || p != end)
        abort();
    tr_buf_free(&out);
    free(key);
    return 0;
}
