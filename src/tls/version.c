/* Protocol version names and spellings: see version.h. */
#include "tls/version.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[TLSV_SLOTS] = { "ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3", "unknown" };

const char *tls_version_name(int v)
{
    return v >= 0 && v < TLSV_SLOTS ? names[v] : NULL;
}

uint16_t tls_version_wire(int v)
{
    return v >= 0 && v < TLSV_COUNT ? (uint16_t)(0x0300 + v) : 0;
}

int tls_version_from_wire(uint16_t wire)
{
    if (wire >= 0x0300 && wire <= 0x0304)
        return wire - 0x0300;
    if ((wire & 0xff00) == 0x7f00 || wire == 0xfb1a || wire == 0xfb17)
        return TLSV_TLS13;
    return TLSV_NONE;
}

int tls_version_parse_option(const char *s)
{
    for (int v = 0; v < TLSV_COUNT; v++)
        if (strcmp(s, names[v]) == 0)
            return v;
    return TLSV_NONE;
}

/* "major.minor" after a TLS/SSL prefix: "1", "1.0", "1_2", "3", "3.0" */
static int parse_number(const char *p, const char *end, int is_ssl)
{
    int major = 0, minor = -1, digits = 0;
    while (p < end && isdigit((unsigned char)*p)) {
        major = major * 10 + (*p++ - '0');
        if (++digits > 3)
            return TLSV_NONE;
    }
    if (!digits)
        return TLSV_NONE;
    if (p < end && (*p == '.' || *p == '_')) {
        p++;
        if (p >= end || !isdigit((unsigned char)*p))
            return TLSV_NONE;
        minor = *p++ - '0';
    }
    if (p != end)
        return TLSV_NONE;
    if (is_ssl)
        return major == 3 && minor <= 0 ? TLSV_SSL3 : TLSV_NONE;
    if (major != 1)
        return TLSV_NONE;
    if (minor < 0)
        minor = 0;
    return minor <= 3 ? TLSV_TLS10 + minor : TLSV_NONE;
}

int tls_version_parse(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0 || n > 32)
        return TLSV_NONE;
    char low[33];
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)s[i]);
    low[n] = 0;
    if (strcmp(low, "unknown") == 0)
        return TLSV_UNKNOWN;
    const char *p = low, *end = low + n;
    int is_ssl = 0;
    if (strncmp(p, "tls", 3) == 0) {
        p += 3;
    } else if (strncmp(p, "ssl", 3) == 0) {
        p += 3;
        is_ssl = 1;
    } else if (strncmp(p, "0x", 2) == 0) {
        char *e;
        unsigned long w = strtoul(p, &e, 16);
        return *e == 0 && w <= 0xffff ? tls_version_from_wire((uint16_t)w) : TLSV_NONE;
    } else if (n >= 3 && strchr(low, '.') == NULL && strchr(low, '_') == NULL) {
        char *e;
        unsigned long w = strtoul(p, &e, 10); /* Caddy and others log 769..772 */
        return *e == 0 && w <= 0xffff ? tls_version_from_wire((uint16_t)w) : TLSV_NONE;
    }
    if (p < end && (*p == 'v' || *p == ' ' || *p == '-' || *p == '_'))
        p++;
    if (p < end && *p == ' ')
        p++;
    return parse_number(p, end, is_ssl);
}
