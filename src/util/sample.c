/* Bounded, sanitised samples of untrusted bytes: see sample.h. */
#include "util/sample.h"

#include <stdio.h>

const char *tr_sample(const char *s, size_t n, char *buf, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t need = c >= 0x20 && c < 0x7f && c != '\\' ? 1 : 4;
        if (o + need + 4 > cap) { /* keep room for "..." and the NUL */
            buf[o++] = '.';
            buf[o++] = '.';
            buf[o++] = '.';
            break;
        }
        if (need == 1)
            buf[o++] = (char)c;
        else
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
    }
    buf[o] = 0;
    return buf;
}
