/*
 * Envoy: compiles an access-log format string (command operators
 * %NAME%, %NAME(arg)%, %NAME(arg):len%) into a template. Envoy writes values
 * raw and an empty value as "-".
 */
#include <string.h>
#include <strings.h>

#include "ingest/logfmt_families.h"

/*
 * Envoy's default format followed by the fields it lacks for us: the client
 * address, SNI, negotiated version and cipher (the spec's example).
 */
const char LOGFMT_ENVOY_PRESET[] =
    "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" %RESPONSE_CODE% "
    "%RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "
    "\"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" \"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" "
    "\"%UPSTREAM_HOST%\" %DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %DOWNSTREAM_TLS_VERSION% "
    "%DOWNSTREAM_TLS_CIPHER%";

static int eq(const char *a, size_t n, const char *w) { return strlen(w) == n && strncasecmp(a, w, n) == 0; }

static int envoy_field(const char *op, size_t n)
{
    if (eq(op, n, "START_TIME"))
        return TF_TIME_ISO;
    if (eq(op, n, "DOWNSTREAM_REMOTE_ADDRESS") || eq(op, n, "DOWNSTREAM_DIRECT_REMOTE_ADDRESS"))
        return TF_CLIENT_ADDR;
    if (eq(op, n, "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT") ||
        eq(op, n, "DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT"))
        return TF_CLIENT_IP;
    if (eq(op, n, "DOWNSTREAM_TLS_VERSION"))
        return TF_PROTOCOL;
    if (eq(op, n, "DOWNSTREAM_TLS_CIPHER"))
        return TF_CIPHER;
    if (eq(op, n, "REQUESTED_SERVER_NAME"))
        return TF_SNI;
    if (eq(op, n, "REQ(USER-AGENT)"))
        return TF_USER_AGENT;
    if (eq(op, n, "REQ(:AUTHORITY)") || eq(op, n, "REQ(HOST)"))
        return TF_HOST;
    return TF_SKIP;
}

int tpl_compile_envoy(struct tpl *t, const char *fmt, struct tr_error *err)
{
    tpl_begin(t, LOGFMT_ENVOY, ESC_NONE);
    const char *p = fmt;
    while (*p) {
        const char *pct = strchr(p, '%');
        size_t lit = pct ? (size_t)(pct - p) : strlen(p);
        /* a trailing newline in the format is the line end, not part of it */
        size_t keep = lit;
        if (!pct)
            while (keep && (p[keep - 1] == '\n' || p[keep - 1] == '\r'))
                keep--;
        if (tpl_lit(t, p, keep, err))
            return -1;
        if (!pct)
            break;
        const char *close = strchr(pct + 1, '%');
        if (!close)
            return tr_errorf(err, "Envoy format: '%%' without a closing '%%' at offset %zu", (size_t)(pct - fmt));
        const char *op = pct + 1;
        size_t n = (size_t)(close - op);
        if (n == 0) { /* "%%" */
            if (tpl_lit(t, "%", 1, err))
                return -1;
            p = close + 1;
            continue;
        }
        /* drop a ":len" truncation suffix after the operator or its argument */
        size_t k = n;
        const char *paren_close = memchr(op, ')', n);
        const char *colon = memchr(paren_close ? paren_close : op, ':', n - (size_t)((paren_close ? paren_close : op) - op));
        if (colon && (!memchr(op, '(', n) || paren_close))
            k = (size_t)(colon - op);
        if (tpl_var(t, envoy_field(op, k), 0, pct, n + 2, err))
            return tr_error_prefix(err, "Envoy format: ");
        p = close + 1;
    }
    return tpl_finish(t, err) ? tr_error_prefix(err, "Envoy format: ") : 0;
}
