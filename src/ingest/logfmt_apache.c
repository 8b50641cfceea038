/*
 * Apache httpd: compiles a LogFormat string (mod_log_config) into a template.
 * Directives are %[modifiers][{arg}]letter; the ones we need are mapped to
 * fields (client address, %t, User-Agent and Host headers, mod_ssl's
 * %{SSL_PROTOCOL}x, %{SSL_CIPHER}x, %{SSL_TLS_SNI}x) and every other one is
 * skipped. httpd writes '"' and '\' in values as \" and \\, and other
 * non-printable bytes as \xhh.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "ingest/logfmt_families.h"

/* The stock httpd-ssl.conf `ssl_request_log` format (CustomLog with mod_ssl). */
const char LOGFMT_APACHE_PRESET[] = "%t %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x \"%r\" %b";

static int arg_is(const char *a, size_t n, const char *want)
{
    return strlen(want) == n && strncasecmp(a, want, n) == 0;
}

static int apache_field(char letter, const char *arg, size_t alen, int *fixed)
{
    *fixed = 0;
    switch (letter) {
    case 'h':
    case 'a':
        return TF_CLIENT_IP;
    case 't':
        if (arg)
            return TF_SKIP; /* a strftime format: not parsed */
        *fixed = 28;
        return TF_TIME_CLF_BR;
    case 'v':
    case 'V':
        return TF_HOST;
    case 'i':
        if (arg && arg_is(arg, alen, "user-agent"))
            return TF_USER_AGENT;
        if (arg && arg_is(arg, alen, "host"))
            return TF_HOST;
        return TF_SKIP;
    case 'x':
    case 'e':
        if (arg && arg_is(arg, alen, "SSL_PROTOCOL"))
            return TF_PROTOCOL;
        if (arg && arg_is(arg, alen, "SSL_CIPHER"))
            return TF_CIPHER;
        if (arg && arg_is(arg, alen, "SSL_TLS_SNI"))
            return TF_SNI;
        return TF_SKIP;
    default:
        return TF_SKIP;
    }
}

int tpl_compile_apache(struct tpl *t, const char *fmt, struct tr_error *err)
{
    tpl_begin(t, LOGFMT_APACHE, ESC_BACKSLASH);
    const char *p = fmt;
    for (;;) {
        if (tpl_lit_until_directive(t, &p, 1, err))
            return -1;
        if (!*p)
            break;
        const char *start = p++;
        while (*p == '<' || *p == '>' || *p == '!' || *p == ',' || isdigit((unsigned char)*p))
            p++;
        const char *arg = NULL;
        size_t alen = 0;
        if (*p == '{') {
            arg = p + 1;
            const char *close = strchr(arg, '}');
            if (!close)
                return tr_errorf(err, "Apache format: '%%{' without '}' at offset %zu", (size_t)(start - fmt));
            alen = (size_t)(close - arg);
            p = close + 1;
        }
        if (!isalpha((unsigned char)*p))
            return tr_errorf(err, "Apache format: '%%' without a directive letter at offset %zu", (size_t)(start - fmt));
        int fixed;
        int field = apache_field(*p, arg, alen, &fixed);
        p++;
        if (tpl_var(t, field, fixed, start, (size_t)(p - start), err))
            return tr_error_prefix(err, "Apache format: ");
    }
    return tpl_finish(t, err) ? tr_error_prefix(err, "Apache format: ") : 0;
}
