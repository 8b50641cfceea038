/* epoll event loop with a timer heap: see loop.h. */
#include "probe/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS 512

struct file_event {
    int mask;             /* registered EV_* bits, 0 = free */
    ev_file_fn *fn;
    void *data;
};

struct ev_loop {
    int epfd;
    int setsize;
    int nwatched;
    int stop;
    double now;
    struct file_event *files;       /* indexed by fd */
    struct ev_timer **heap;         /* min-heap on `when` */
    size_t nheap, capheap;
    struct epoll_event events[MAX_EVENTS];
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct ev_loop *ev_loop_new(int setsize, struct tr_error *err)
{
    struct ev_loop *l = calloc(1, sizeof *l);
    if (!l) {
        tr_errorf(err, "out of memory");
        return NULL;
    }
    l->setsize = setsize;
    l->files = calloc((size_t)setsize, sizeof *l->files);
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!l->files || l->epfd < 0) {
        tr_errorf(err, "cannot create the event loop: %s", l->files ? strerror(errno) : "out of memory");
        if (l->epfd >= 0)
            close(l->epfd);
        free(l->files);
        free(l);
        return NULL;
    }
    l->now = mono();
    return l;
}

void ev_loop_free(struct ev_loop *l)
{
    if (!l)
        return;
    close(l->epfd);
    free(l->files);
    free(l->heap);
    free(l);
}

int ev_add(struct ev_loop *l, int fd, int mask, ev_file_fn *fn, void *data, struct tr_error *err)
{
    if (fd < 0 || fd >= l->setsize)
        return tr_errorf(err, "file descriptor %d beyond the loop's size %d", fd, l->setsize);
    struct epoll_event ee = { 0 };
    ee.events = (mask & EV_READ ? EPOLLIN : 0) | (mask & EV_WRITE ? EPOLLOUT : 0) | (mask & EV_EDGE ? EPOLLET : 0);
    ee.data.fd = fd;
    int op = l->files[fd].mask ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(l->epfd, op, fd, &ee) < 0)
        return tr_errorf(err, "epoll_ctl: %s", strerror(errno));
    if (!l->files[fd].mask)
        l->nwatched++;
    l->files[fd].mask = mask & (EV_READ | EV_WRITE | EV_EDGE);
    if (!l->files[fd].mask)
        l->files[fd].mask = EV_EDGE; /* registered with no interest: still "watched" */
    l->files[fd].fn = fn;
    l->files[fd].data = data;
    return 0;
}

void ev_del(struct ev_loop *l, int fd)
{
    if (fd < 0 || fd >= l->setsize || !l->files[fd].mask)
        return;
    epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
    l->files[fd].mask = 0;
    l->files[fd].fn = NULL;
    l->files[fd].data = NULL;
    l->nwatched--;
}

void ev_forget(struct ev_loop *l, int fd)
{
    if (fd < 0 || fd >= l->setsize || !l->files[fd].mask)
        return;
    l->files[fd].mask = 0;
    l->files[fd].fn = NULL;
    l->files[fd].data = NULL;
    l->nwatched--;
}

/* ---- timer heap (1-based heap_index stored in each timer) ---- */

static void heap_set(struct ev_loop *l, size_t i, struct ev_timer *t)
{
    l->heap[i] = t;
    t->heap_index = i + 1;
}

static void sift_up(struct ev_loop *l, size_t i)
{
    struct ev_timer *t = l->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (l->heap[p]->when <= t->when)
            break;
        heap_set(l, i, l->heap[p]);
        i = p;
    }
    heap_set(l, i, t);
}

static void sift_down(struct ev_loop *l, size_t i)
{
    struct ev_timer *t = l->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= l->nheap)
            break;
        if (c + 1 < l->nheap && l->heap[c + 1]->when < l->heap[c]->when)
            c++;
        if (l->heap[c]->when >= t->when)
            break;
        heap_set(l, i, l->heap[c]);
        i = c;
    }
    heap_set(l, i, t);
}

void ev_timer_init(struct ev_timer *t, ev_timer_fn *fn, void *data)
{
    t->when = 0;
    t->heap_index = 0;
    t->fn = fn;
    t->data = data;
}

void ev_timer_stop(struct ev_loop *l, struct ev_timer *t)
{
    if (!t->heap_index)
        return;
    size_t i = t->heap_index - 1;
    t->heap_index = 0;
    l->nheap--;
    if (i == l->nheap)
        return;
    struct ev_timer *last = l->heap[l->nheap];
    heap_set(l, i, last);
    if (i > 0 && l->heap[(i - 1) / 2]->when > last->when)
        sift_up(l, i);
    else
        sift_down(l, i);
}

int ev_timer_start(struct ev_loop *l, struct ev_timer *t, double delay)
{
    ev_timer_stop(l, t);
    if (l->nheap == l->capheap) {
        size_t nc = l->capheap ? l->capheap * 2 : 64;
        struct ev_timer **nh = realloc(l->heap, nc * sizeof *nh);
        if (!nh)
            return -1;
        l->heap = nh;
        l->capheap = nc;
    }
    t->when = l->now + delay;
    heap_set(l, l->nheap++, t);
    sift_up(l, l->nheap - 1);
    return 0;
}

double ev_now(const struct ev_loop *l)
{
    return l->now;
}

void ev_now_update(struct ev_loop *l)
{
    l->now = mono();
}

void ev_stop(struct ev_loop *l)
{
    l->stop = 1;
}

static void run_timers(struct ev_loop *l)
{
    /* timers armed by a handler during this pass for "now" run in the next pass */
    double now = l->now;
    while (l->nheap && l->heap[0]->when <= now && !l->stop) {
        struct ev_timer *t = l->heap[0];
        ev_timer_stop(l, t);
        t->fn(l, t->data);
    }
}

int ev_run(struct ev_loop *l, struct tr_error *err)
{
    l->stop = 0;
    while (!l->stop && (l->nwatched || l->nheap)) {
        int wait_ms = -1;
        if (l->nheap) {
            double d = l->heap[0]->when - l->now;
            wait_ms = d <= 0 ? 0 : (int)(d * 1000.0 + 0.999);
        }
        int n = epoll_wait(l->epfd, l->events, MAX_EVENTS, wait_ms);
        if (n < 0 && errno != EINTR)
            return tr_errorf(err, "epoll_wait: %s", strerror(errno));
        l->now = mono();
        for (int i = 0; i < n && !l->stop; i++) {
            int fd = l->events[i].data.fd;
            uint32_t ev = l->events[i].events;
            struct file_event *fe = &l->files[fd];
            if (!fe->mask || !fe->fn)
                continue; /* removed by an earlier handler in this pass */
            int mask = (ev & EPOLLIN ? EV_READ : 0) | (ev & EPOLLOUT ? EV_WRITE : 0) |
                       (ev & (EPOLLERR | EPOLLHUP) ? EV_ERROR : 0);
            fe->fn(l, fd, fe->data, mask);
        }
        run_timers(l);
    }
    return 0;
}
