/* HTTP/1.x request-head parser: see http_request.h. */
#include "serve/http_request.h"

#include <string.h>
#include <strings.h>

int http_view_eq(struct http_view v, const char *s)
{
    size_t n = strlen(s);
    return v.p && v.n == n && memcmp(v.p, s, n) == 0;
}

/* RFC 9110 5.6.2 tchar */
static int is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Finds the end of the line starting at `off`: returns the index of '\n', or -1. */
static long line_end(const char *buf, size_t len, size_t off)
{
    const char *nl = memchr(buf + off, '\n', len - off);
    return nl ? (long)(nl - buf) : -1;
}

/* Trims optional whitespace and a trailing CR from [p, p+n). */
static struct http_view trim(const char *p, size_t n)
{
    while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    struct http_view v = { p, n };
    return v;
}

static int parse_request_line(const char *line, size_t n, struct http_request *req, struct tr_error *err)
{
    if (n && line[n - 1] == '\r')
        n--;
    const char *end = line + n;
    const char *p = line;
    while (p < end && is_tchar((unsigned char)*p))
        p++;
    if (p == line || p >= end || *p != ' ')
        return tr_errorf(err, "offset %zu: expected a method token and a space", (size_t)(p - line));
    req->method.p = line;
    req->method.n = (size_t)(p - line);
    const char *t = ++p;
    while (p < end && *p != ' ') {
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7f)
            return tr_errorf(err, "offset %zu: control character in the request target", (size_t)(p - line));
        p++;
    }
    if (p == t || p >= end)
        return tr_errorf(err, "offset %zu: expected a request target and a space", (size_t)(p - line));
    req->target.p = t;
    req->target.n = (size_t)(p - t);
    const char *q = memchr(t, '?', req->target.n);
    req->path.p = t;
    req->path.n = q ? (size_t)(q - t) : req->target.n;
    p++;
    if (end - p != 8 || memcmp(p, "HTTP/1.", 7) != 0 || p[7] < '0' || p[7] > '9')
        return tr_errorf(err, "offset %zu: expected HTTP/1.x", (size_t)(p - line));
    req->minor_version = p[7] - '0';
    return 0;
}

static int parse_field(const char *line, size_t n, struct http_request *req, size_t off, struct tr_error *err)
{
    const char *colon = memchr(line, ':', n);
    if (!colon || colon == line)
        return tr_errorf(err, "offset %zu: expected a header field \"name: value\"", off);
    for (const char *p = line; p < colon; p++)
        if (!is_tchar((unsigned char)*p))
            return tr_errorf(err, "offset %zu: invalid character in a header name", off + (size_t)(p - line));
    size_t name_n = (size_t)(colon - line);
    struct http_view value = trim(colon + 1, n - name_n - 1);
    for (size_t i = 0; i < value.n; i++) {
        unsigned char c = (unsigned char)value.p[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return tr_errorf(err, "offset %zu: control character in a header value", off);
    }
    if (name_n == 4 && strncasecmp(line, "host", 4) == 0) {
        if (req->host.p)
            return tr_errorf(err, "offset %zu: more than one Host header", off);
        req->host = value;
    } else if (name_n == 10 && strncasecmp(line, "user-agent", 10) == 0) {
        req->user_agent = value;
    }
    return 0;
}

int http_request_parse(const char *buf, size_t len, struct http_request *req, struct tr_error *err)
{
    memset(req, 0, sizeof *req);
    size_t off = 0;
    /* RFC 9112 2.2: a server SHOULD ignore at least one empty line before the request-line */
    while (off < len && off < 2 && (buf[off] == '\r' || buf[off] == '\n'))
        off++;
    long nl = line_end(buf, len, off);
    if (nl < 0)
        return HTTP_REQ_NEED_MORE;
    if (parse_request_line(buf + off, (size_t)nl - off, req, err) < 0)
        return HTTP_REQ_MALFORMED;
    off = (size_t)nl + 1;
    for (int fields = 0;; fields++) {
        nl = line_end(buf, len, off);
        if (nl < 0)
            return HTTP_REQ_NEED_MORE;
        size_t n = (size_t)nl - off;
        if (n == 0 || (n == 1 && buf[off] == '\r')) {
            req->head_len = (size_t)nl + 1;
            return HTTP_REQ_COMPLETE;
        }
        if (fields == HTTP_REQ_MAX_FIELDS) {
            tr_errorf(err, "offset %zu: more than %d header fields", off, HTTP_REQ_MAX_FIELDS);
            return HTTP_REQ_MALFORMED;
        }
        if (buf[off] == ' ' || buf[off] == '\t') {
            tr_errorf(err, "offset %zu: obsolete header line folding", off);
            return HTTP_REQ_MALFORMED;
        }
        if (parse_field(buf + off, n, req, off, err) < 0)
            return HTTP_REQ_MALFORMED;
        off = (size_t)nl + 1;
    }
}
