/*
 * Scan targets: what the user names on the command line or in a target file,
 * turned into (host, port, SNI) before anything touches the network.
 *
 * Accepted spellings (one per argument or per line):
 *   host                   port 443
 *   host:port
 *   192.0.2.7  192.0.2.7:8443
 *   2001:db8::1            a bare IPv6 literal (no port possible: use brackets)
 *   [2001:db8::1]:8443
 *   https://host[:port]/path?query   https 443, ldaps 636, imaps 993, pop3s 995,
 *                                    smtps 465, ftps 990; user@ and the path are ignored
 * A target-file line may add fields after white space:  host:port sni=name
 * Blank lines and lines starting with '#' are skipped; '#' after a field starts a comment.
 *
 * Host names are lowercased (DNS is case-insensitive), so "Example.COM" and
 * "example.com:443" are duplicates; duplicates (same host, port and SNI) are kept once.
 */
#ifndef TR_PROBE_TARGET_H
#define TR_PROBE_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define TARGET_HOST_MAX 253

struct scan_target {
    char *given;        /* as the user wrote it (trimmed), for "target" in the output */
    char *host;         /* name or address literal, without brackets, lowercased */
    char *sni;          /* per-target SNI from a target file ("sni=..."), or NULL */
    uint16_t port;
    int literal_family; /* AF_INET or AF_INET6 for an address literal, 0 for a name */
};

/* A growable list of targets, deduplicated as they are added. */
struct target_list {
    struct scan_target *v;
    size_t n, cap;
    /* open-addressing hash over (host, port, sni) for dedupe: indexes into v, +1 (0 = empty) */
    size_t *slots;
    size_t nslots;
    size_t duplicates;  /* how many adds were dropped as duplicates */
};

/*
 * Parses one target spelling (no fields) into *t; the strings are heap copies
 * owned by t (release with target_free). Returns 0, or -1 with err saying what
 * was expected, e.g. "bad port '99999' (expected 1-65535)".
 */
int target_parse(const char *s, size_t n, struct scan_target *t, struct tr_error *err);
void target_free(struct scan_target *t);

/* The default port of a URL scheme ("https" -> 443), or 0 for an unknown scheme. */
uint16_t target_scheme_port(const char *scheme, size_t n);

void target_list_init(struct target_list *l);
void target_list_free(struct target_list *l);
/* Adds t (taking ownership of its strings) unless an equal target is present
 * (then t is freed). Returns 1 added, 0 duplicate, -1 out of memory. */
int target_list_add(struct target_list *l, struct scan_target *t, struct tr_error *err);

/*
 * Parses one target-file line (target plus optional fields). Returns 1 with *t
 * filled, 0 for a blank or comment line, -1 with err (without file/line: the
 * caller adds them).
 */
int target_parse_line(const char *line, size_t n, struct scan_target *t, struct tr_error *err);

/*
 * Reads a target file ("-" is standard input, gzip allowed) into l. Every
 * malformed line is reported through on_bad (message "FILE:LINE: ..."), and
 * reading goes on; returns the number of bad lines, or -1 when the file cannot
 * be read at all (err filled).
 */
long target_list_read_file(struct target_list *l, const char *path,
                           void (*on_bad)(const char *msg, void *ctx), void *ctx,
                           struct tr_error *err);

/* --resolve HOST:PORT:ADDRESS (as curl): a fixed address for a name and port. */
struct resolve_override {
    char host[TARGET_HOST_MAX + 1];
    uint16_t port;
    int family;                  /* AF_INET or AF_INET6 */
    uint8_t addr[16];            /* network order, 4 or 16 bytes used */
};
int resolve_override_parse(const char *s, struct resolve_override *r, struct tr_error *err);

#endif
