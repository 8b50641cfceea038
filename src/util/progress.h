/*
 * A progress line on stderr for long runs, shown only when stderr is a
 * terminal and redrawn at most a few times a second, so pipes and CI logs
 * stay clean.
 */
#ifndef TR_UTIL_PROGRESS_H
#define TR_UTIL_PROGRESS_H

struct progress {
    int enabled;
    double last;     /* monotonic seconds of the last redraw */
    int drawn;       /* a line is on screen and must be cleared */
};

void progress_init(struct progress *p);
/* Redraws "\r<text>" if enabled and 0.2 s have passed (or force). */
void progress_update(struct progress *p, int force, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Clears the line. */
void progress_done(struct progress *p);

/* Monotonic clock in seconds. */
double now_monotonic(void);

#endif
