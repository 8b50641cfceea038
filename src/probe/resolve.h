/*
 * Asynchronous name resolution with c-ares, driven by the scanner's event
 * loop: c-ares tells us (socket-state callback) which sockets to watch, the
 * loop calls ares_process_fd when they are ready, and one loop timer follows
 * ares_timeout(). A lookup never blocks the loop; /etc/hosts is consulted first
 * (c-ares' "fb" lookup order), as the system resolver would.
 */
#ifndef TR_PROBE_RESOLVE_H
#define TR_PROBE_RESOLVE_H

#include <stddef.h>
#include <sys/socket.h>

#include "probe/loop.h"
#include "util/error.h"

#define RESOLVE_MAX_ADDRS 16

struct resolver;

/*
 * Called once per lookup. On success n >= 1 addresses (port 0; IPv4 before
 * IPv6 unless the family restricts it), errmsg NULL. On failure n == 0 and
 * errmsg says why ("no such name", "timeout", ...).
 */
typedef void resolve_cb(void *data, const struct sockaddr_storage *addrs, size_t n, const char *errmsg);

/* timeout_s bounds one lookup (all tries together, approximately). */
struct resolver *resolver_new(struct ev_loop *loop, double timeout_s, struct tr_error *err);
/* Cancels pending lookups (their callbacks run with "cancelled") and frees. */
void resolver_free(struct resolver *r);

/* family: AF_UNSPEC, AF_INET or AF_INET6. The callback may run before this returns (hosts file). */
void resolver_lookup(struct resolver *r, const char *host, int family, resolve_cb *cb, void *data);

#endif
