/*
 * Joining: turns the raw sites of md_org.h into endpoint rows. Each site's
 * value is resolved (custom labels, custom metadata fields, `callout:NAME`
 * through the named credentials), split into scheme, host, port and path, and
 * grouped into one row per (bucket, owner, scheme, host, port, path) with every
 * place it was found. Values that cannot be resolved statically are kept as
 * dynamic entries with their expression and file:line.
 *
 * Buckets keep apart what must not be mixed: the org's own outbound
 * integrations, installed packages' (vendors') servers, test classes' fake
 * hosts, client-side (browser) endpoints, and inbound (connected app) URLs.
 *
 * Flags (md_row.flags):
 *   NOT_ALLOWED     code calls the URL directly and no active Remote Site Setting allows it
 *   UNUSED_SETTING  a Remote Site Setting or Named Credential in the row that no code uses
 *   PLAIN_HTTP      http:// or ws:// - no TLS at all
 *   INACTIVE        a setting in the row is inactive (isActive=false, calloutStatus=Disabled)
 *   PROTOCOL_SECURITY_DISABLED  a Remote Site Setting allows HTTPS<->HTTP mixing
 *   WILDCARD        the host is a wildcard pattern (*.example.com)
 *   PARTIAL         only a prefix of the URL is known (the rest is built at run time)
 */
#ifndef TR_METADATA_MD_JOIN_H
#define TR_METADATA_MD_JOIN_H

#include <stddef.h>

#include "metadata/md_org.h"

enum md_bucket { MD_BUCKET_ORG = 0, MD_BUCKET_PACKAGE, MD_BUCKET_TEST, MD_BUCKET_CLIENT_SIDE, MD_BUCKET_INBOUND, MD_BUCKETS };

#define MD_FLAG_NOT_ALLOWED 0x01u
#define MD_FLAG_UNUSED_SETTING 0x02u
#define MD_FLAG_PLAIN_HTTP 0x04u
#define MD_FLAG_INACTIVE 0x08u
#define MD_FLAG_PROTOCOL_SECURITY_DISABLED 0x10u
#define MD_FLAG_WILDCARD 0x20u
#define MD_FLAG_PARTIAL 0x40u
#define MD_FLAG_COUNT 7

/* One place where a row's endpoint was found. */
struct md_place {
    size_t site;             /* index into org->sites */
    const char *value;       /* the resolved URL (or known prefix) */
    const char *named_credential; /* reached through callout:NAME / a reference */
    int partial;             /* value is only a known prefix */
    int unused;              /* a setting no code uses */
};

/* Scan verdict joined in by --scan (empty until then). */
struct md_scan {
    int done;
    const char *verdict;     /* "ok", "fail", "unreachable" */
    unsigned accepted;       /* bit per enum tls_version accepted */
    unsigned unknown;        /* bit per version that could not be decided */
    const char *note;        /* human sentence, e.g. "accepts only tls1.0: ..." */
};

struct md_row {
    enum md_bucket bucket;
    const char *owner;       /* namespace, NULL = the org */
    char scheme[12];
    const char *host;
    int port;
    const char *path;
    const char *url;         /* scheme://host[:port]path as normalised */
    struct md_place *places;
    size_t nplaces, cap_places;
    size_t *allowed_by;      /* site indices of the Remote Site Settings / Named Credentials that allow it */
    size_t nallowed;
    unsigned flags;
    struct md_scan scan;
};

struct md_dynamic {
    size_t site;
    enum md_bucket bucket;
    const char *known;       /* the part resolved so far (may be empty) */
    const char *reason;
};

struct md_result {
    struct md_row *rows;
    size_t nrows;
    struct md_dynamic *dyn;
    size_t ndyn;
};

/* Resolves and groups everything in o. May add synthetic sites to o (custom
 * labels that code references). Returns 0 or -1 when out of memory. */
int md_join(struct md_org *o, struct md_result *r);
void md_result_free(struct md_result *r);

const char *md_bucket_name(enum md_bucket b);   /* "org", "package", "test", "client-side", "inbound" */
const char *md_flag_name(unsigned flag);        /* "not-allowed", ... for one bit */
/* Whether a row is a scan target: outbound (org or package), TLS scheme, a concrete host. */
int md_row_is_target(const struct md_row *r);

#endif
