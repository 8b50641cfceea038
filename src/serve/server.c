/*
 * serve's threads, listeners, signals and timers (see server.h for the
 * model). The main thread binds, starts the workers and then only waits for
 * SIGINT/SIGTERM (or SIGUSR1 from the worker that finished the --once
 * client); it tells every worker to stop through its eventfd and joins them.
 */
#include "serve/serve_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tls/version.h"

int64_t serve_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t serve_mono_ms(void)
{
    return serve_mono_us() / 1000;
}

void conn_list_append(struct conn_list *l, struct conn *c)
{
    c->next = NULL;
    c->prev = l->tail;
    if (l->tail)
        l->tail->next = c;
    else
        l->head = c;
    l->tail = c;
}

void conn_list_remove(struct conn_list *l, struct conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        l->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        l->tail = c->prev;
    c->prev = c->next = NULL;
}

int serve_parse_addr(const char *s, struct sockaddr_storage *ss, unsigned *len, struct tr_error *err)
{
    char host[INET6_ADDRSTRLEN + 2];
    const char *colon;
    memset(ss, 0, sizeof *ss);
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof host)
            return tr_errorf(err, "'%s': expected [IPv6]:PORT", s);
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = 0;
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= sizeof host)
            return tr_errorf(err, "'%s': expected ADDRESS:PORT", s);
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = 0;
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (colon[1] == 0 || *end || port < 0 || port > 65535)
        return tr_errorf(err, "'%s': the port must be a number from 0 to 65535", s);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (s[0] != '[' && inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *len = sizeof *a4;
    } else if (s[0] == '[' && inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *len = sizeof *a6;
    } else {
        return tr_errorf(err, "'%s': the address must be an IPv4 literal or [an IPv6 literal] (no name lookups)", s);
    }
    return 0;
}

static int listener_open(struct listener *l, const char *spec, struct tr_error *err)
{
    struct sockaddr_storage ss;
    unsigned len = 0;
    if (serve_parse_addr(spec, &ss, &len, err) < 0)
        return -1;
    l->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (l->fd < 0)
        return tr_errorf(err, "'%s': socket: %s", spec, strerror(errno));
    int one = 1;
    setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ss.ss_family == AF_INET6)
        setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(l->fd, (struct sockaddr *)&ss, len) < 0)
        return tr_errorf(err, "'%s': cannot listen: %s", spec, strerror(errno));
    if (listen(l->fd, 4096) < 0)
        return tr_errorf(err, "'%s': listen: %s", spec, strerror(errno));
    /* the real port, when 0 was asked for */
    socklen_t sl = sizeof ss;
    getsockname(l->fd, (struct sockaddr *)&ss, &sl);
    char ip[INET6_ADDRSTRLEN];
    if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a6->sin6_addr, ip, sizeof ip);
        snprintf(l->name, sizeof l->name, "[%s]:%u", ip, ntohs(a6->sin6_port));
    } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a4->sin_addr, ip, sizeof ip);
        snprintf(l->name, sizeof l->name, "%s:%u", ip, ntohs(a4->sin_port));
    }
    return 0;
}

static int listener_port(const struct listener *l)
{
    const char *colon = strrchr(l->name, ':');
    return colon ? atoi(colon + 1) : 0;
}

/* One log line per connection, appended with a single write() so lines of
 * concurrent workers never interleave (O_APPEND). */
/* One JSON line per connection to --log and to --json's stdout: rendered once,
 * each sink written with one write() (whole lines), both under one lock so the
 * two sinks list connections in the same order whatever the worker thread. */
static void log_report(struct server *s, const struct serve_report *r)
{
    struct tr_buf b;
    uint8_t small[4096];
    tr_buf_init(&b, small, sizeof small);
    struct json_writer w;
    json_init(&w, &b);
    serve_report_json(&w, r);
    tr_buf_push_u8(&b, '\n');
    const int fds[2] = { s->cfg->log_fd, s->cfg->stream_fd };
    pthread_mutex_lock(&s->log_lock);
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0 && (b.failed || write(fds[i], b.base, b.len) != (ssize_t)b.len))
            atomic_fetch_add(&s->n_log_errors, 1);
    pthread_mutex_unlock(&s->log_lock);
    tr_buf_free(&b);
}

static void print_once(struct server *s, const struct serve_report *r)
{
    struct tr_buf b;
    tr_buf_init(&b, NULL, 0);
    if (s->cfg->once_json) {
        struct json_writer w;
        json_init(&w, &b);
        serve_report_json(&w, r);
        tr_buf_push_u8(&b, '\n');
    } else {
        serve_report_text(&b, r);
    }
    fwrite(b.base, 1, b.len, s->cfg->out);
    fflush(s->cfg->out);
    tr_buf_free(&b);
    struct serve_reasons why;
    atomic_store(&s->once_verdict, (int)serve_judge(r, &why));
    pthread_kill(s->main_thread, SIGUSR1);
}

void conn_finish(struct worker *w, struct conn *c)
{
    struct server *s = w->srv;
    if (c->rep.hello_state != SERVE_HELLO_NONE) {
        if (c->rep.outcome == SERVE_PENDING)
            c->rep.outcome = SERVE_REFUSED;
        atomic_fetch_add(c->rep.outcome == SERVE_ACCEPTED ? &s->n_accepted : &s->n_refused, 1);
        if (s->cfg->log_fd >= 0 || s->cfg->stream_fd >= 0)
            log_report(s, &c->rep);
        if (s->cfg->once && atomic_exchange(&s->once_taken, 1) == 0)
            print_once(s, &c->rep);
    } else if (c->l->ctx) {
        atomic_fetch_add(&s->n_silent, 1);
    }
    conn_list_remove(c->in_linger ? &w->linger : &w->live, c);
    if (c->ssl)
        SSL_free(c->ssl);
    close(c->fd); /* also removes it from the epoll set */
    free(c->req);
    tr_buf_free(&c->resp);
    free(c);
    w->n_conns--;
    atomic_fetch_sub(&s->active, 1);
}

static void accept_some(struct worker *w, struct listener *l)
{
    struct server *s = w->srv;
    /* a few per wake-up: EPOLLEXCLUSIVE wakes another idle worker for the rest */
    for (int i = 0; i < 8; i++) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; /* EAGAIN, or EMFILE: the backlog keeps them until a slot frees */
        atomic_fetch_add(&s->n_conns, 1);
        if (atomic_fetch_add(&s->active, 1) >= s->cfg->max_conns) {
            atomic_fetch_sub(&s->active, 1);
            atomic_fetch_add(&s->n_busy, 1);
            close(fd);
            continue;
        }
        struct conn *c = conn_new(w, l, fd);
        struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c };
        if (!c || epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
            free(c);
            close(fd);
            atomic_fetch_sub(&s->active, 1);
            continue;
        }
        if (!l->ctx)
            c->state = ST_REQUEST; /* the plain-HTTP redirect listener */
        conn_list_append(&w->live, c);
        w->n_conns++;
    }
}

static void expire_due(struct worker *w, int64_t now)
{
    while (w->live.head && w->live.head->deadline_ms <= now)
        conn_expire(w, w->live.head, "timed out");
    while (w->linger.head && w->linger.head->deadline_ms <= now)
        conn_finish(w, w->linger.head);
}

static int next_timeout(const struct worker *w, int64_t now, int64_t grace_end)
{
    int64_t t = -1;
    if (w->live.head)
        t = w->live.head->deadline_ms;
    if (w->linger.head && (t < 0 || w->linger.head->deadline_ms < t))
        t = w->linger.head->deadline_ms;
    if (grace_end && (t < 0 || grace_end < t))
        t = grace_end;
    if (t < 0)
        return -1;
    return t <= now ? 0 : (int)(t - now);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct server *s = w->srv;
    struct epoll_event evs[64];
    int64_t grace_end = 0;
    for (;;) {
        int64_t now = serve_mono_ms();
        if (grace_end && (w->n_conns == 0 || now >= grace_end))
            break;
        int n = epoll_wait(w->epfd, evs, 64, next_timeout(w, now, grace_end));
        for (int i = 0; i < n; i++) {
            int kind = *(int *)evs[i].data.ptr;
            if (kind == EV_LISTENER) {
                if (!grace_end)
                    accept_some(w, evs[i].data.ptr);
            } else if (kind == EV_CONN) {
                struct conn *c = evs[i].data.ptr;
                if (evs[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
                    c->peer_shut = 1;
                conn_drive(w, c);
            } else if (!grace_end) {
                uint64_t v;
                if (read(w->wake_fd, &v, sizeof v) < 0) { /* nothing to do: the stop flag is what counts */ }
                for (size_t j = 0; j < s->n_ls; j++)
                    epoll_ctl(w->epfd, EPOLL_CTL_DEL, s->ls[j].fd, NULL);
                grace_end = serve_mono_ms() + (s->cfg->once ? 200 : SERVE_GRACE_MS);
            }
        }
        expire_due(w, serve_mono_ms());
    }
    while (w->live.head)
        conn_expire(w, w->live.head, "server shutting down");
    while (w->linger.head)
        conn_finish(w, w->linger.head);
    return NULL;
}

static int worker_init(struct worker *w, struct server *s, struct tr_error *err)
{
    memset(w, 0, sizeof *w);
    w->kind = EV_WAKE;
    w->srv = s;
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    w->scratch = malloc(SERVE_PEEK_MAX);
    if (w->epfd < 0 || w->wake_fd < 0 || !w->scratch)
        return tr_errorf(err, "cannot set up a worker: %s", strerror(errno));
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wake_fd, &ev) < 0)
        return tr_errorf(err, "epoll: %s", strerror(errno));
    for (size_t i = 0; i < s->n_ls; i++) {
        struct epoll_event lev = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &s->ls[i] };
        if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, s->ls[i].fd, &lev) < 0)
            return tr_errorf(err, "epoll: %s", strerror(errno));
    }
    return 0;
}

static void worker_release(struct worker *w)
{
    if (w->epfd > 0)
        close(w->epfd);
    if (w->wake_fd > 0)
        close(w->wake_fd);
    free(w->scratch);
}

static int setup_listeners(struct server *s, struct tr_error *err)
{
    const struct serve_config *cfg = s->cfg;
    int first_tls_port = 0;
    for (size_t i = 0; i < cfg->n_listens; i++) {
        struct listener *l = &s->ls[i];
        const struct serve_listen_spec *sp = &cfg->listens[i];
        l->kind = EV_LISTENER;
        l->min_version = sp->min_version;
        l->max_version = sp->max_version;
        if (listener_open(l, sp->addr, err) < 0)
            return -1;
        if (!sp->http_redirect) {
            l->ctx = serve_ctx_new(sp->min_version, sp->max_version, cfg->cert, err);
            if (!l->ctx)
                return tr_error_prefix(err, "'%s': ", sp->addr);
            if (!first_tls_port)
                first_tls_port = listener_port(l);
        }
        s->n_ls++;
    }
    for (size_t i = 0; i < s->n_ls; i++)
        if (!s->ls[i].ctx)
            s->ls[i].redirect_port = first_tls_port;
    if (!first_tls_port)
        return tr_errorf(err, "no TLS listener: --listen-http needs a --listen too");
    if (cfg->diag)
        for (size_t i = 0; i < s->n_ls; i++) {
            const struct listener *l = &s->ls[i];
            if (l->ctx)
                fprintf(cfg->diag, "tlsready serve: listening on https://%s/ (%s to %s, cut-over policy %s)\n",
                        l->name, tls_version_name(l->min_version), tls_version_name(l->max_version),
                        tls_version_name(cfg->cutover));
            else
                fprintf(cfg->diag, "tlsready serve: redirecting http://%s/ to port %d\n", l->name, l->redirect_port);
        }
    return 0;
}

/* The main thread's part: wait for a stop signal (or the --once client). */
static void wait_for_stop(const struct serve_config *cfg)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    int sig = 0;
    while (sigwait(&set, &sig) != 0)
        ;
    if (cfg->diag && sig != SIGUSR1)
        fprintf(cfg->diag, "tlsready serve: %s, finishing open connections\n", sig == SIGINT ? "interrupted" : "terminated");
}

int serve_run(const struct serve_config *cfg, struct serve_stats *stats, struct tr_error *err)
{
    struct server s;
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.log_lock, NULL);
    s.cfg = cfg;
    s.main_thread = pthread_self();
    atomic_store(&s.once_verdict, -1);
    s.ls = calloc(cfg->n_listens ? cfg->n_listens : 1, sizeof *s.ls);
    struct worker *ws = calloc((size_t)cfg->threads, sizeof *ws);
    int rc = -1, started = 0;
    if (!s.ls || !ws) {
        tr_errorf(err, "out of memory");
        goto out;
    }
    if (setup_listeners(&s, err) < 0)
        goto out;
    /* the workers inherit this mask: only the main thread takes the signals */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    for (int i = 0; i < cfg->threads; i++) {
        if (worker_init(&ws[i], &s, err) < 0)
            break;
        if (pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]) != 0) {
            tr_errorf(err, "cannot start a worker thread");
            break;
        }
        started++;
    }
    if (started == cfg->threads)
        wait_for_stop(cfg);
    atomic_store(&s.stopping, 1);
    for (int i = 0; i < started; i++) {
        uint64_t one = 1;
        if (write(ws[i].wake_fd, &one, sizeof one) < 0) { /* an eventfd write cannot fail here */ }
    }
    for (int i = 0; i < started; i++)
        pthread_join(ws[i].tid, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (started == cfg->threads)
        rc = 0;
out:
    if (ws)
        for (int i = 0; i < cfg->threads; i++)
            worker_release(&ws[i]);
    free(ws);
    for (size_t i = 0; s.ls && i < s.n_ls; i++) {
        close(s.ls[i].fd);
        SSL_CTX_free(s.ls[i].ctx);
    }
    /* a listener that failed half-way was not counted in n_ls */
    if (s.ls && s.n_ls < cfg->n_listens && s.ls[s.n_ls].fd > 0)
        close(s.ls[s.n_ls].fd);
    free(s.ls);
    if (stats) {
        stats->connections = atomic_load(&s.n_conns);
        stats->accepted = atomic_load(&s.n_accepted);
        stats->refused = atomic_load(&s.n_refused);
        stats->silent = atomic_load(&s.n_silent);
        stats->busy = atomic_load(&s.n_busy);
        stats->log_errors = atomic_load(&s.n_log_errors);
        stats->once_verdict = atomic_load(&s.once_verdict);
    }
    pthread_mutex_destroy(&s.log_lock);
    return rc;
}
