/*
 * Cursor + end decoding helpers for untrusted TLS bytes, after picotls's
 * ptls_decode8/16/24 and ptls_decode_open_block (STYLE.md section 2).
 *
 * Every reader takes `const uint8_t **src` (advanced on success) and `end`
 * (one past the last readable byte), checks the remaining length before it
 * touches a byte, and returns 0 on success or -1 when the input is short.
 * A failed read never moves the cursor. Nothing here allocates.
 */
#ifndef TR_TLS_DECODE_H
#define TR_TLS_DECODE_H

#include <stddef.h>
#include <stdint.h>

static inline int tls_decode8(uint8_t *v, const uint8_t **src, const uint8_t *end)
{
    if (end - *src < 1)
        return -1;
    *v = (*src)[0];
    *src += 1;
    return 0;
}

static inline int tls_decode16(uint16_t *v, const uint8_t **src, const uint8_t *end)
{
    if (end - *src < 2)
        return -1;
    *v = (uint16_t)((*src)[0] << 8 | (*src)[1]);
    *src += 2;
    return 0;
}

static inline int tls_decode24(uint32_t *v, const uint8_t **src, const uint8_t *end)
{
    if (end - *src < 3)
        return -1;
    *v = (uint32_t)(*src)[0] << 16 | (uint32_t)(*src)[1] << 8 | (*src)[2];
    *src += 3;
    return 0;
}

/* Skips n bytes. */
static inline int tls_decode_skip(size_t n, const uint8_t **src, const uint8_t *end)
{
    if ((size_t)(end - *src) < n)
        return -1;
    *src += n;
    return 0;
}

/*
 * Opens a block with a `len_bytes` (1, 2 or 3) length prefix: on success
 * *block_end is the block's end (inside [src, end]) and *src its first byte.
 * The caller reads the body with `*block_end` as its end and may check
 * afterwards that *src == *block_end (the picotls "no trailing bytes" rule).
 */
static inline int tls_decode_open_block(const uint8_t **src, const uint8_t *end, int len_bytes,
                                        const uint8_t **block_end)
{
    const uint8_t *p = *src;
    uint32_t n = 0;
    if (len_bytes < 1 || len_bytes > 3 || end - p < len_bytes)
        return -1;
    for (int i = 0; i < len_bytes; i++)
        n = n << 8 | p[i];
    p += len_bytes;
    if ((size_t)(end - p) < n)
        return -1;
    *src = p;
    *block_end = p + n;
    return 0;
}

static inline uint16_t tls_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t tls_get24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

#endif
