/* URL splitting and the literal noise filter: see md_url.h. */
#include "metadata/md_url.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static int default_port(const char *scheme)
{
    if (strcmp(scheme, "https") == 0 || strcmp(scheme, "wss") == 0)
        return 443;
    if (strcmp(scheme, "http") == 0 || strcmp(scheme, "ws") == 0)
        return 80;
    return 0;
}

int md_url_looks_http(const char *s)
{
    return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
}

static int host_char(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '*' || c == '[' || c == ']' || c == ':' || c >= 0x80;
}

int md_url_parse(const char *s, struct md_url *u, int schemeless_ok)
{
    memset(u, 0, sizeof *u);
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    const char *p = s;
    const char *colon = strstr(s, "://");
    if (colon) {
        size_t n = (size_t)(colon - s);
        if (n == 0 || n >= sizeof u->scheme)
            return -1;
        for (size_t i = 0; i < n; i++) {
            if (!isalpha((unsigned char)s[i]))
                return -1;
            u->scheme[i] = (char)tolower((unsigned char)s[i]);
        }
        p = colon + 3;
    } else {
        if (!schemeless_ok)
            return -1;
        strcpy(u->scheme, "https");
    }
    int defport = default_port(u->scheme);
    if (!defport)
        return -1;
    /* userinfo is not expected in endpoints; skip it if present */
    const char *auth_end = p + strcspn(p, "/?#");
    const char *at = memchr(p, '@', (size_t)(auth_end - p));
    if (at)
        p = at + 1;
    const char *h = p;
    const char *hend;
    if (*h == '[') {
        const char *rb = memchr(h, ']', (size_t)(auth_end - h));
        if (!rb)
            return -1;
        hend = rb + 1;
    } else {
        hend = h;
        while (hend < auth_end && *hend != ':')
            hend++;
    }
    size_t hn = (size_t)(hend - h);
    if (hn == 0 || hn >= sizeof u->host)
        return -1;
    for (size_t i = 0; i < hn; i++) {
        unsigned char c = (unsigned char)h[i];
        if (!host_char(c))
            return -1; /* spaces, braces of {!$Label...} / {0} templates, quotes */
        u->host[i] = (char)tolower(c);
    }
    /* a bare prefix such as 'https://admin.' or a lone '*' */
    if (u->host[hn - 1] == '.' || u->host[hn - 1] == '-' || strcmp(u->host, "*") == 0 || u->host[0] == '.')
        return -1;
    p = hend;
    u->port = defport;
    if (*p == ':' && p < auth_end) {
        p++;
        long port = 0;
        int digits = 0;
        while (p < auth_end && isdigit((unsigned char)*p) && digits < 6) {
            port = port * 10 + (*p - '0');
            p++;
            digits++;
        }
        if (p != auth_end || digits == 0 || port < 1 || port > 65535)
            return -1;
        u->port = (int)port;
        u->explicit_port = 1;
    }
    if (p != auth_end)
        return -1;
    u->path = p;
    u->path_n = strcspn(p, "?#");
    /* a trailing newline or space in an XML value is not part of the path */
    while (u->path_n > 0 && isspace((unsigned char)p[u->path_n - 1]))
        u->path_n--;
    return 0;
}

int md_url_is_noise(const char *s)
{
    static const char *ns_hosts[] = {
        "soap.sforce.com", "www.w3.org", "schemas.xmlsoap.org", "schemas.microsoft.com",
        "xml.apache.org", "www.oasis-open.org", "docs.oasis-open.org", "tempuri.org",
        "purl.org", "ns.adobe.com", "schemas.openxmlformats.org", "xmlns.com", NULL
    };
    if (strncasecmp(s, "urn:", 4) == 0)
        return 1;
    struct md_url u;
    if (md_url_parse(s, &u, 0) < 0)
        return 1; /* bare prefix or not a URL at all */
    for (int i = 0; ns_hosts[i]; i++) {
        size_t n = strlen(ns_hosts[i]);
        size_t hn = strlen(u.host);
        if (hn == n && strcmp(u.host, ns_hosts[i]) == 0)
            return 1;
        if (hn > n && u.host[hn - n - 1] == '.' && strcmp(u.host + hn - n, ns_hosts[i]) == 0)
            return 1;
    }
    return 0;
}
