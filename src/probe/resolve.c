/* c-ares inside the event loop: see resolve.h. */
#include "probe/resolve.h"

#include <ares.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

struct resolver {
    struct ev_loop *loop;
    ares_channel channel;
    struct ev_timer timer;
    int pending;
};

struct lookup {
    struct resolver *r;
    resolve_cb *cb;
    void *data;
    int family;
};

static void arm_timer(struct resolver *r);

static void on_fd(struct ev_loop *loop, int fd, void *data, int mask)
{
    struct resolver *r = data;
    ares_socket_t rfd = (mask & (EV_READ | EV_ERROR)) ? fd : ARES_SOCKET_BAD;
    ares_socket_t wfd = (mask & EV_WRITE) ? fd : ARES_SOCKET_BAD;
    ares_process_fd(r->channel, rfd, wfd);
    arm_timer(r);
}

static void on_timer(struct ev_loop *loop, void *data)
{
    struct resolver *r = data;
    ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    arm_timer(r);
}

static void arm_timer(struct resolver *r)
{
    if (r->pending <= 0) {
        ev_timer_stop(r->loop, &r->timer);
        return;
    }
    struct timeval tv, *tvp = ares_timeout(r->channel, NULL, &tv);
    double d = tvp ? (double)tvp->tv_sec + (double)tvp->tv_usec / 1e6 : 1.0;
    ev_timer_start(r->loop, &r->timer, d);
}

/* c-ares says which of its sockets to watch (both flags 0: forget it). */
static void on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
    struct resolver *r = data;
    if (!readable && !writable) {
        ev_del(r->loop, fd);
        return;
    }
    /* a failure here leaves the query to c-ares' own timeout */
    ev_add(r->loop, fd, (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0), on_fd, r, NULL);
}

struct resolver *resolver_new(struct ev_loop *loop, double timeout_s, struct tr_error *err)
{
    int rc = ares_library_init(ARES_LIB_INIT_ALL);
    if (rc != ARES_SUCCESS) {
        tr_errorf(err, "dns: %s", ares_strerror(rc));
        return NULL;
    }
    struct resolver *r = calloc(1, sizeof *r);
    if (!r) {
        ares_library_cleanup();
        tr_errorf(err, "out of memory");
        return NULL;
    }
    r->loop = loop;
    ev_timer_init(&r->timer, on_timer, r);
    struct ares_options o;
    memset(&o, 0, sizeof o);
    o.sock_state_cb = on_sock_state;
    o.sock_state_cb_data = r;
    /* two tries, each half the budget: a dead resolver costs about the probe timeout */
    int ms = (int)(timeout_s * 1000.0 / 2);
    o.timeout = ms < 200 ? 200 : ms;
    o.tries = 2;
    char lookups[] = "fb";
    o.lookups = lookups;
    rc = ares_init_options(&r->channel, &o,
                           ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS);
    if (rc != ARES_SUCCESS) {
        free(r);
        ares_library_cleanup();
        tr_errorf(err, "dns: cannot initialise the resolver: %s", ares_strerror(rc));
        return NULL;
    }
    return r;
}

void resolver_free(struct resolver *r)
{
    if (!r)
        return;
    ares_destroy(r->channel); /* runs pending callbacks with ARES_EDESTRUCTION */
    ev_timer_stop(r->loop, &r->timer);
    free(r);
    ares_library_cleanup();
}

static const char *dns_reason(int status)
{
    switch (status) {
    case ARES_ENOTFOUND: return "no such name";
    case ARES_ENODATA: return "no address for the name";
    case ARES_ETIMEOUT: return "timeout";
    case ARES_ECONNREFUSED: return "server unreachable";
    case ARES_ESERVFAIL: return "server failure";
    case ARES_EREFUSED: return "query refused";
    case ARES_EDESTRUCTION: return "cancelled";
    default: return ares_strerror(status);
    }
}

static void on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
    struct lookup *lk = arg;
    struct resolver *r = lk->r;
    struct sockaddr_storage addrs[RESOLVE_MAX_ADDRS];
    size_t n = 0;
    r->pending--;
    if (status == ARES_SUCCESS && res) {
        /* IPv4 first, then IPv6, each in the resolver's order */
        for (int pass = 0; pass < 2; pass++) {
            int fam = pass == 0 ? AF_INET : AF_INET6;
            for (struct ares_addrinfo_node *a = res->nodes; a && n < RESOLVE_MAX_ADDRS; a = a->ai_next) {
                if (a->ai_family != fam || (lk->family != AF_UNSPEC && a->ai_family != lk->family))
                    continue;
                if ((size_t)a->ai_addrlen > sizeof addrs[0])
                    continue;
                int dup = 0;
                for (size_t i = 0; i < n; i++)
                    if (memcmp(&addrs[i], a->ai_addr, (size_t)a->ai_addrlen) == 0)
                        dup = 1;
                if (dup)
                    continue;
                memset(&addrs[n], 0, sizeof addrs[n]);
                memcpy(&addrs[n], a->ai_addr, (size_t)a->ai_addrlen);
                n++;
            }
        }
    }
    if (res)
        ares_freeaddrinfo(res);
    if (n > 0)
        lk->cb(lk->data, addrs, n, NULL);
    else
        lk->cb(lk->data, NULL, 0, status == ARES_SUCCESS ? "no address for the name" : dns_reason(status));
    free(lk);
}

void resolver_lookup(struct resolver *r, const char *host, int family, resolve_cb *cb, void *data)
{
    struct lookup *lk = malloc(sizeof *lk);
    if (!lk) {
        cb(data, NULL, 0, "out of memory");
        return;
    }
    lk->r = r;
    lk->cb = cb;
    lk->data = data;
    lk->family = family;
    struct ares_addrinfo_hints h;
    memset(&h, 0, sizeof h);
    h.ai_family = family;
    h.ai_socktype = SOCK_STREAM;
    h.ai_flags = ARES_AI_NOSORT;
    r->pending++;
    ares_getaddrinfo(r->channel, host, NULL, &h, on_addrinfo, lk);
    arm_timer(r);
}
