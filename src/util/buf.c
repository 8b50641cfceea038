/* Growable byte buffer with sticky failure: see buf.h. */
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tr_buf_init(struct tr_buf *b, void *small, size_t small_cap)
{
    b->base = small;
    b->len = 0;
    b->cap = small ? small_cap : 0;
    b->is_heap = 0;
    b->failed = 0;
}

void tr_buf_free(struct tr_buf *b)
{
    if (b->is_heap)
        free(b->base);
    b->base = NULL;
    b->len = b->cap = 0;
    b->is_heap = 0;
}

int tr_buf_reserve(struct tr_buf *b, size_t extra)
{
    if (b->failed)
        return -1;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->failed = 1;
        return -1;
    }
    if (b->len + extra + 1 <= b->cap) /* +1 keeps room for tr_buf_cstr's NUL */
        return 0;
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap < b->len + extra + 1)
        ncap *= 2;
    uint8_t *n;
    if (b->is_heap) {
        n = realloc(b->base, ncap);
    } else {
        n = malloc(ncap);
        if (n && b->len)
            memcpy(n, b->base, b->len);
    }
    if (!n) {
        b->failed = 1;
        return -1;
    }
    b->base = n;
    b->cap = ncap;
    b->is_heap = 1;
    return 0;
}

void tr_buf_push(struct tr_buf *b, const void *src, size_t n)
{
    if (n == 0 || tr_buf_reserve(b, n) != 0)
        return;
    memcpy(b->base + b->len, src, n);
    b->len += n;
}

void tr_buf_push_u8(struct tr_buf *b, uint8_t v) { tr_buf_push(b, &v, 1); }

void tr_buf_push_u16(struct tr_buf *b, uint16_t v)
{
    uint8_t t[2] = { (uint8_t)(v >> 8), (uint8_t)v };
    tr_buf_push(b, t, 2);
}

void tr_buf_push_u24(struct tr_buf *b, uint32_t v)
{
    uint8_t t[3] = { (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    tr_buf_push(b, t, 3);
}

void tr_buf_push_u32(struct tr_buf *b, uint32_t v)
{
    uint8_t t[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    tr_buf_push(b, t, 4);
}

void tr_buf_puts(struct tr_buf *b, const char *s) { tr_buf_push(b, s, strlen(s)); }

void tr_buf_put_u64(struct tr_buf *b, uint64_t v)
{
    char d[20];
    size_t n = 0;
    do {
        d[sizeof d - ++n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    tr_buf_push(b, d + sizeof d - n, n);
}

void tr_buf_put_i64(struct tr_buf *b, int64_t v)
{
    if (v < 0) {
        tr_buf_push_u8(b, '-');
        tr_buf_put_u64(b, (uint64_t)0 - (uint64_t)v); /* INT64_MIN too */
    } else {
        tr_buf_put_u64(b, (uint64_t)v);
    }
}

void tr_buf_vprintf(struct tr_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (tr_buf_reserve(b, (size_t)n + 1) != 0)
        return;
    vsnprintf((char *)b->base + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void tr_buf_printf(struct tr_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tr_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

size_t tr_buf_block_open(struct tr_buf *b, int len_bytes)
{
    static const uint8_t zero[3];
    tr_buf_push(b, zero, (size_t)len_bytes);
    return b->len;
}

void tr_buf_block_close(struct tr_buf *b, size_t start, int len_bytes)
{
    if (b->failed)
        return;
    size_t body = b->len - start;
    if (len_bytes < 3 && body >= ((size_t)1 << (8 * len_bytes))) {
        b->failed = 1;
        return;
    }
    if (len_bytes == 3 && body >= ((size_t)1 << 24)) {
        b->failed = 1;
        return;
    }
    for (int i = 0; i < len_bytes; i++)
        b->base[start - 1 - (size_t)i] = (uint8_t)(body >> (8 * i));
}

const char *tr_buf_cstr(struct tr_buf *b)
{
    if (tr_buf_reserve(b, 1) != 0)
        return "";
    b->base[b->len] = 0;
    return (const char *)b->base;
}
