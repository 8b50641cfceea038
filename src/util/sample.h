/*
 * Untrusted bytes in messages: a bounded, sanitised sample (after redis's
 * setProtocolError). Printable ASCII stays as it is; every other byte becomes
 * \xHH, so a hostile file or server can never put terminal escape sequences
 * or invalid UTF-8 into a diagnostic. Longer input is cut and ends with "...".
 */
#ifndef TR_UTIL_SAMPLE_H
#define TR_UTIL_SAMPLE_H

#include <stddef.h>

/* Writes the sample of s[0..n) into buf (cap >= 8) and returns buf. */
const char *tr_sample(const char *s, size_t n, char *buf, size_t cap);

#endif
