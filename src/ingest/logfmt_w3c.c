/*
 * W3C extended log files: CloudFront standard logs (tab separated) and IIS
 * (space separated). A "#Fields:" header names the columns; it may appear
 * again mid-file (concatenated files) and the latest one applies, so these
 * parsers keep state and a file is parsed in order by one thread.
 *
 * CloudFront: c-ip is the TLS peer (x-forwarded-for is not), ssl-protocol and
 * ssl-cipher in OpenSSL spelling, values URL-encoded. Before any header, the
 * documented 33-field layout is assumed.
 * IIS: the TLS fields are custom fields crypt-protocol (Schannel SP_PROT_*
 * bits in hex: 40 TLS 1.0, 100 TLS 1.1, 400 TLS 1.2, 1000 TLS 1.3) and
 * crypt-cipher (a CALG id); User-Agent has '+' for spaces.
 */
#include <string.h>
#include <strings.h>

#include "ingest/logfmt_families.h"
#include "tls/version.h"

enum w3c_role {
    W_SKIP = 0,
    W_DATE,
    W_TIME,
    W_CIP,
    W_UA,
    W_PROTO,        /* ssl-protocol (OpenSSL spelling) */
    W_PROTO_SCHANNEL,
    W_CIPHER,
    W_CIPHER_CALG,  /* crypt-cipher: a Windows CALG id in hex */
    W_HOST,         /* x-host-header (CloudFront), cs-host (IIS) */
};

static const struct {
    const char *name;
    uint8_t role;
} roles[] = {
    { "date", W_DATE },
    { "time", W_TIME },
    { "c-ip", W_CIP },
    { "cs(User-Agent)", W_UA },
    { "ssl-protocol", W_PROTO },
    { "crypt-protocol", W_PROTO_SCHANNEL },
    { "ssl-cipher", W_CIPHER },
    { "crypt-cipher", W_CIPHER_CALG },
    { "x-host-header", W_HOST },
    { "cs-host", W_HOST },
    { "cs(Host)", W_SKIP }, /* CloudFront: the distribution's own domain */
};

static const char CLOUDFRONT_DEFAULT_FIELDS[] =
    "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) "
    "cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol "
    "cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type "
    "cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type "
    "sc-content-type sc-content-len sc-range-start sc-range-end";

/* Windows ALG_ID values (wincrypt.h) of the bulk ciphers Schannel logs */
static const char *calg_name(const char *hex, size_t n)
{
    static const struct {
        const char *id, *name;
    } calgs[] = {
        { "6601", "CALG_DES" },     { "6602", "CALG_RC2" },     { "6603", "CALG_3DES" },
        { "6609", "CALG_3DES_112" }, { "660e", "CALG_AES_128" }, { "660f", "CALG_AES_192" },
        { "6610", "CALG_AES_256" }, { "6801", "CALG_RC4" },     { "6611", "CALG_AES" },
    };
    for (size_t i = 0; i < sizeof calgs / sizeof calgs[0]; i++)
        if (n == 4 && strncasecmp(calgs[i].id, hex, 4) == 0)
            return calgs[i].name;
    return NULL;
}

static int role_of(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (strlen(roles[i].name) == n && strncasecmp(roles[i].name, name, n) == 0)
            return roles[i].role;
    return W_SKIP;
}

/* Reads the names after "#Fields:" (space separated in both dialects). */
static int read_fields(struct w3c_state *w, const char *s, size_t n)
{
    const char *p = s, *e = s + n;
    int k = 0;
    while (p < e) {
        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        const char *q = p;
        while (q < e && *q != ' ' && *q != '\t')
            q++;
        if (q > p) {
            if (k >= W3C_MAX_FIELDS)
                return -1;
            w->role[k++] = (uint8_t)role_of(p, (size_t)(q - p));
        }
        p = q;
    }
    w->n_fields = k;
    w->have_fields = k > 0;
    return k > 0 ? 0 : -1;
}

int w3c_parse_line(struct logfmt_parser *p, const char *line, size_t len, struct observation *obs,
                   struct logfmt_scratch *s)
{
    struct w3c_state *w = &p->w3c;
    if (len && line[0] == '#') {
        if (len > 8 && strncmp(line, "#Fields:", 8) == 0) {
            if (read_fields(w, line + 8, len - 8) != 0) {
                w->have_fields = 0;
                p->why = "a #Fields: header with no or too many names";
                return LOGFMT_BAD;
            }
        }
        return LOGFMT_META;
    }
    if (!w->have_fields) {
        if (p->kind != LOGFMT_CLOUDFRONT) {
            p->why = "no #Fields: header before the first entry";
            return LOGFMT_BAD;
        }
        read_fields(w, CLOUDFRONT_DEFAULT_FIELDS, sizeof CLOUDFRONT_DEFAULT_FIELDS - 1);
    }
    char sep = p->kind == LOGFMT_CLOUDFRONT ? '\t' : ' ';
    struct logfmt_fields f;
    logfmt_fields_reset(&f);
    const char *date = NULL, *tim = NULL, *proto = NULL, *calg = NULL;
    size_t date_n = 0, tim_n = 0, proto_n = 0, calg_n = 0;
    int schannel = 0, col = 0;
    const char *q = line, *e = line + len;
    while (col < w->n_fields) {
        const char *end = memchr(q, sep, (size_t)(e - q));
        if (!end)
            end = e;
        size_t vn = (size_t)(end - q);
        switch (w->role[col]) {
        case W_DATE: date = q, date_n = vn; break;
        case W_TIME: tim = q, tim_n = vn; break;
        case W_CIP: f.p[TF_CLIENT_IP] = q, f.n[TF_CLIENT_IP] = vn; break;
        case W_UA: f.p[TF_USER_AGENT] = q, f.n[TF_USER_AGENT] = vn; break;
        case W_CIPHER: f.p[TF_CIPHER] = q, f.n[TF_CIPHER] = vn; break;
        case W_CIPHER_CALG: calg = q, calg_n = vn; break;
        case W_HOST: f.p[TF_HOST] = q, f.n[TF_HOST] = vn; break;
        case W_PROTO: proto = q, proto_n = vn, schannel = 0; break;
        case W_PROTO_SCHANNEL: proto = q, proto_n = vn, schannel = 1; break;
        default: break;
        }
        col++;
        if (end == e)
            break;
        q = end + 1;
    }
    if (col < w->n_fields) {
        p->why = "fewer fields than the #Fields: header names";
        return LOGFMT_BAD;
    }
    if (!f.p[TF_CLIENT_IP]) {
        p->why = "no c-ip field";
        return LOGFMT_BAD;
    }
    /* the protocol is read below (it may be Schannel hex): the fields' own verdict is not used */
    logfmt_fields_to_obs(p, &f, p->kind == LOGFMT_IIS ? ESC_URL_PLUS : ESC_URL, obs, s);
    if (date && tim && date_n == 10 && tim_n >= 8) {
        char iso[24];
        memcpy(iso, date, 10);
        iso[10] = 'T';
        memcpy(iso + 11, tim, 8);
        obs->time = logfmt_time_iso(&p->tc, iso, 19);
    }
    if (calg && !(calg_n == 1 && calg[0] == '-') && calg_n > 0) {
        const char *name = calg_name(calg, calg_n);
        obs->cipher = name ? name : logfmt_scratch_put(s, calg, calg_n, ESC_NONE);
    }
    int v = !proto ? TLSV_NONE : schannel ? logfmt_version_schannel(proto, proto_n) : logfmt_version(proto, proto_n);
    if (v == TLSV_NONE) {
        obs->version = TLSV_UNKNOWN;
        return LOGFMT_PLAIN;
    }
    obs->version = v;
    return LOGFMT_OK;
}
