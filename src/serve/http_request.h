/*
 * A minimal HTTP/1.x request-head parser for serve's two pages. Pure: it
 * looks at the bytes received so far and says "complete", "need more" or
 * "malformed"; it never allocates and never reads past `len`. Views point
 * into the caller's buffer, which must outlive the struct.
 *
 *   request-line = method SP request-target SP HTTP-version CRLF   (RFC 9112 3)
 *   field-line   = field-name ":" OWS field-value OWS CRLF          (RFC 9112 5)
 *   the head ends at the first empty line (CRLF CRLF; a bare LF is accepted too)
 *
 * Only what serve needs is extracted: method, path (query stripped), version,
 * Host and User-Agent. A body is never read (GET/HEAD only).
 */
#ifndef TR_SERVE_HTTP_REQUEST_H
#define TR_SERVE_HTTP_REQUEST_H

#include <stddef.h>

#include "util/error.h"

#define HTTP_REQ_MAX_FIELDS 100   /* more header lines than this is malformed (RFC 9112 leaves the limit to us) */

#define HTTP_REQ_COMPLETE 1
#define HTTP_REQ_NEED_MORE 0
#define HTTP_REQ_MALFORMED (-1)

struct http_view {
    const char *p;   /* NULL when absent */
    size_t n;
};

struct http_request {
    struct http_view method;
    struct http_view target;      /* as sent, query included */
    struct http_view path;        /* target up to '?' */
    int minor_version;            /* HTTP/1.<minor> */
    struct http_view host;
    struct http_view user_agent;
    size_t head_len;              /* bytes up to and including the empty line */
};

/*
 * Parses the head in buf[0..len). Returns HTTP_REQ_COMPLETE (req filled),
 * HTTP_REQ_NEED_MORE (no empty line yet, nothing wrong so far), or
 * HTTP_REQ_MALFORMED with err saying what and at which offset.
 */
int http_request_parse(const char *buf, size_t len, struct http_request *req, struct tr_error *err);

/* 1 when the view equals the NUL-terminated s (case-sensitive). */
int http_view_eq(struct http_view v, const char *s);

#endif
