/*
 * URLs as found in metadata and code: split into scheme, host, port and path,
 * with the defaults filled in (https 443, http 80, wss 443, ws 80). Scheme-less
 * values (CSP's "*.adobe.io") are accepted only when asked. Also the noise
 * filter for harvested string literals: XML namespace URIs of WSDL2Apex and the
 * Metadata API, and bare prefixes ('https://', 'https://admin.') that only build
 * a host at run time.
 */
#ifndef TR_METADATA_MD_URL_H
#define TR_METADATA_MD_URL_H

#include <stddef.h>

struct md_url {
    char scheme[12];       /* lowercase */
    char host[256];        /* lowercase; may start with "*." (wildcard) */
    int port;              /* explicit or the scheme's default */
    int explicit_port;
    const char *path;      /* view into the input: from the first '/' up to '?' or '#' (may be empty) */
    size_t path_n;
};

/* Parses s. Returns 0, or -1 when s is not an absolute URL with a usable host
 * (no scheme and !schemeless_ok, empty or bare host, bad port, spaces,
 * template placeholders such as {!...} or {0} in the host). */
int md_url_parse(const char *s, struct md_url *u, int schemeless_ok);

/* Nonzero when the literal starts with http:// or https:// (any case). */
int md_url_looks_http(const char *s);

/* Nonzero when s is an XML-namespace-style URI or a bare prefix that is not an
 * endpoint (checked only for harvested literals, never for setEndpoint args). */
int md_url_is_noise(const char *s);

#endif
