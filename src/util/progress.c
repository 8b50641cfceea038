/* Progress line on a terminal: see progress.h. */
#include "util/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

double now_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(struct progress *p)
{
    p->enabled = isatty(2);
    p->last = 0;
    p->drawn = 0;
}

void progress_update(struct progress *p, int force, const char *fmt, ...)
{
    if (!p->enabled)
        return;
    double t = now_monotonic();
    if (!force && t - p->last < 0.2)
        return;
    p->last = t;
    va_list ap;
    va_start(ap, fmt);
    fputs("\r\033[K", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fflush(stderr);
    p->drawn = 1;
}

void progress_done(struct progress *p)
{
    if (p->enabled && p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->drawn = 0;
}
