/*
 * HAProxy: compiles a log-format string into a template. Variables are
 * %[{flags}]alias (e.g. %ci, %tr, %sslv, %{+Q}r) or %[{flags}][sample,conv]
 * (e.g. %[ssl_fc_sni]); "%ci:%cp" is read as one address so that IPv6
 * clients split at the right colon. Lines that came through syslog keep their
 * "... haproxy[pid]: " prefix; the parser skips it.
 */
#include <ctype.h>
#include <string.h>

#include "ingest/logfmt_families.h"

/* `option httpslog` (HAProxy 2.5+): httplog followed by the TLS error fields
 * and "sni/version/cipher" as the last whitespace-separated field. */
const char LOGFMT_HAPROXY_PRESET[] =
    "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs "
    "%{+Q}r %[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/%[ssl_fc_is_resumed] "
    "%[ssl_fc_sni]/%sslv/%sslc";

static int eq(const char *a, size_t n, const char *w) { return strlen(w) == n && memcmp(a, w, n) == 0; }

static int haproxy_field(const char *name, size_t n, int is_sample, int *fixed)
{
    *fixed = 0;
    if (!is_sample) {
        if (eq(name, n, "ci"))
            return TF_CLIENT_IP;
        if (eq(name, n, "tr") || eq(name, n, "t")) {
            *fixed = 24;
            return TF_TIME_HAPROXY;
        }
        if (eq(name, n, "T")) {
            *fixed = 26;
            return TF_TIME_CLF;
        }
        if (eq(name, n, "sslv"))
            return TF_PROTOCOL;
        if (eq(name, n, "sslc"))
            return TF_CIPHER;
        return TF_SKIP;
    }
    /* a sample expression: its fetch name up to ',' (converters) or '(' */
    size_t k = 0;
    while (k < n && name[k] != ',')
        k++;
    if (eq(name, k, "ssl_fc_sni"))
        return TF_SNI;
    if (eq(name, k, "ssl_fc_protocol"))
        return TF_PROTOCOL;
    if (eq(name, k, "ssl_fc_cipher"))
        return TF_CIPHER;
    if (eq(name, k, "src"))
        return TF_CLIENT_IP;
    if (eq(name, k, "req.hdr(host)") || eq(name, k, "req.hdr(Host)"))
        return TF_HOST;
    if (eq(name, k, "req.fhdr(user-agent)") || eq(name, k, "req.fhdr(User-Agent)") ||
        eq(name, k, "req.hdr(user-agent)") || eq(name, k, "req.hdr(User-Agent)"))
        return TF_USER_AGENT;
    return TF_SKIP;
}

int tpl_compile_haproxy(struct tpl *t, const char *fmt, struct tr_error *err)
{
    tpl_begin(t, LOGFMT_HAPROXY, ESC_NONE);
    const char *p = fmt;
    for (;;) {
        if (tpl_lit_until_directive(t, &p, 0, err))
            return -1;
        if (!*p)
            break;
        const char *start = p++;
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (!close)
                return tr_errorf(err, "HAProxy format: '%%{' without '}' at offset %zu", (size_t)(start - fmt));
            p = close + 1;
        }
        const char *name;
        size_t n;
        int is_sample = 0;
        if (*p == '[') {
            name = p + 1;
            const char *close = strchr(name, ']');
            if (!close)
                return tr_errorf(err, "HAProxy format: '%%[' without ']' at offset %zu", (size_t)(start - fmt));
            n = (size_t)(close - name);
            p = close + 1;
            is_sample = 1;
        } else {
            name = p;
            while (isalnum((unsigned char)*p))
                p++;
            n = (size_t)(p - name);
            if (n == 0)
                return tr_errorf(err, "HAProxy format: '%%' without a variable at offset %zu", (size_t)(start - fmt));
        }
        int fixed;
        int field = haproxy_field(name, n, is_sample, &fixed);
        if (field == TF_CLIENT_IP && !is_sample && strncmp(p, ":%cp", 4) == 0 && !isalnum((unsigned char)p[4])) {
            field = TF_CLIENT_ADDR; /* "%ci:%cp" as one "ip:port" */
            p += 4;
        }
        if (tpl_var(t, field, fixed, start, (size_t)(p - start), err))
            return tr_error_prefix(err, "HAProxy format: ");
    }
    return tpl_finish(t, err) ? tr_error_prefix(err, "HAProxy format: ") : 0;
}
