/* Error values: see error.h. */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int tr_errorf(struct tr_error *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int tr_error_prefix(struct tr_error *err, const char *fmt, ...)
{
    if (err) {
        char prefix[TR_ERRMSG_MAX], old[TR_ERRMSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof prefix, fmt, ap);
        va_end(ap);
        memcpy(old, err->msg, sizeof old);
        size_t pl = strnlen(prefix, sizeof prefix - 1);
        size_t ol = strnlen(old, sizeof old - 1);
        if (pl + ol >= sizeof err->msg)
            ol = sizeof err->msg - 1 - pl;
        memcpy(err->msg, prefix, pl);
        memcpy(err->msg + pl, old, ol);
        err->msg[pl + ol] = 0;
    }
    return -1;
}
