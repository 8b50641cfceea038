/*
 * A byte buffer for builders (ClientHello, JSON, CSV), after picotls's
 * ptls_buffer_t: it may start in a caller's stack array and moves to the heap
 * only when it must grow. Failure is sticky: after an allocation failure or an
 * oversized length-prefixed block, `failed` stays set and further pushes do
 * nothing, so a builder checks once at the end instead of after every push.
 */
#ifndef TR_BUF_H
#define TR_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct tr_buf {
    uint8_t *base;
    size_t len;
    size_t cap;
    int is_heap;  /* base was allocated by us and must be freed */
    int failed;   /* sticky: an allocation or a block length overflowed */
};

/* Starts empty over `small` (may be NULL with cap 0: heap from the first push). */
void tr_buf_init(struct tr_buf *b, void *small, size_t small_cap);
/* Frees heap memory (never the caller's stack array) and empties the buffer. */
void tr_buf_free(struct tr_buf *b);
/* Ensures room for `extra` more bytes; returns 0, or -1 and sets `failed`. */
int tr_buf_reserve(struct tr_buf *b, size_t extra);

void tr_buf_push(struct tr_buf *b, const void *src, size_t n);
void tr_buf_push_u8(struct tr_buf *b, uint8_t v);
void tr_buf_push_u16(struct tr_buf *b, uint16_t v);  /* network byte order */
void tr_buf_push_u24(struct tr_buf *b, uint32_t v);
void tr_buf_push_u32(struct tr_buf *b, uint32_t v);
void tr_buf_puts(struct tr_buf *b, const char *s);
/* Decimal text of an integer, without printf: report writers emit millions of them. */
void tr_buf_put_u64(struct tr_buf *b, uint64_t v);
void tr_buf_put_i64(struct tr_buf *b, int64_t v);
void tr_buf_printf(struct tr_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tr_buf_vprintf(struct tr_buf *b, const char *fmt, va_list ap);

/*
 * Length-prefixed blocks: open writes a zero length of `len_bytes` (1, 2 or 3)
 * and returns the block's start; close back-fills the body's length, setting
 * `failed` if it does not fit in len_bytes. Blocks nest.
 */
size_t tr_buf_block_open(struct tr_buf *b, int len_bytes);
void tr_buf_block_close(struct tr_buf *b, size_t start, int len_bytes);

/* Returns a NUL-terminated view (the NUL is not counted in len). */
const char *tr_buf_cstr(struct tr_buf *b);

#endif
