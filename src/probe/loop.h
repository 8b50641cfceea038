/*
 * The scanner's event loop, after redis's ae: one struct holds the epoll
 * handle, a table of file handlers indexed by fd, and the timers. Timers are
 * caller-owned structs kept in a binary min-heap (thousands of probes each
 * carry a deadline, so redis's linear timer list would cost O(n) per pass).
 *
 * Single-threaded; handlers may add and remove fds and timers (including their
 * own) while they run: after each handler the loop re-reads the fd's entry.
 */
#ifndef TR_PROBE_LOOP_H
#define TR_PROBE_LOOP_H

#include <stddef.h>

#include "util/error.h"

#define EV_READ 1
#define EV_WRITE 2
#define EV_ERROR 4   /* reported only: EPOLLERR / EPOLLHUP */
#define EV_EDGE 8    /* register edge-triggered (the handler must drain until EAGAIN) */

struct ev_loop;

typedef void ev_file_fn(struct ev_loop *loop, int fd, void *data, int mask);
typedef void ev_timer_fn(struct ev_loop *loop, void *data);

/* A one-shot timer embedded in the caller's struct; zero it (or ev_timer_init) before use. */
struct ev_timer {
    double when;          /* monotonic seconds */
    size_t heap_index;    /* position in the heap + 1; 0 = not armed */
    ev_timer_fn *fn;
    void *data;
};

/* setsize: the largest fd + 1 the loop can watch. */
struct ev_loop *ev_loop_new(int setsize, struct tr_error *err);
void ev_loop_free(struct ev_loop *loop);

/* Watches fd for mask (EV_READ | EV_WRITE [| EV_EDGE]); replaces an existing entry. */
int ev_add(struct ev_loop *loop, int fd, int mask, ev_file_fn *fn, void *data, struct tr_error *err);
/* Stops watching fd (call before close). Safe on an fd that is not watched. */
void ev_del(struct ev_loop *loop, int fd);
/* Forgets fd without a system call, for an fd about to be closed (close()
 * removes it from epoll itself, as long as it was never dup'ed). */
void ev_forget(struct ev_loop *loop, int fd);

void ev_timer_init(struct ev_timer *t, ev_timer_fn *fn, void *data);
/* (Re)arms t to fire `delay` seconds from the loop's current time. */
int ev_timer_start(struct ev_loop *loop, struct ev_timer *t, double delay);
void ev_timer_stop(struct ev_loop *loop, struct ev_timer *t);
static inline int ev_timer_armed(const struct ev_timer *t) { return t->heap_index != 0; }

/* The loop's clock (monotonic seconds), refreshed once per pass. */
double ev_now(const struct ev_loop *loop);
void ev_now_update(struct ev_loop *loop);

/* Runs passes until ev_stop (or until nothing is watched and no timer is armed). */
int ev_run(struct ev_loop *loop, struct tr_error *err);
void ev_stop(struct ev_loop *loop);

#endif
