/*
 * Access-log parsing for `tlsready logs`: one parser per format family, all
 * behind this interface. A parser is a pure function over one line (no I/O,
 * no allocation): it fills a `struct observation` whose strings point into a
 * caller-provided scratch area, valid until the next line.
 *
 * Formats (docs/logs.md and ../shared/specs/logs.md):
 *   template families, compiled from a format string (logfmt_template.c):
 *     nginx log_format, Apache LogFormat, HAProxy log-format, Envoy format
 *   fixed layouts: AWS ALB / Classic ELB / NLB (logfmt_aws.c), HAProxy
 *     `option httpslog` (logfmt_haproxy.c)
 *   header-driven: W3C extended logs, CloudFront and IIS (logfmt_w3c.c)
 *   JSON lines: Caddy access logs and `tlsready serve --log` (logfmt_json.c)
 *
 * A line is one of: a request with TLS (LOGFMT_OK), a request without TLS
 * (LOGFMT_PLAIN: plain HTTP, or a TCP listener), a header or comment that the
 * parser consumed (LOGFMT_META), or a line that does not match (LOGFMT_BAD,
 * with a short reason).
 */
#ifndef TR_INGEST_LOGFMT_CORE_H
#define TR_INGEST_LOGFMT_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/observation.h"
#include "util/error.h"

enum logfmt_kind {
    LOGFMT_NONE = 0,
    LOGFMT_NGINX,      /* nginx log_format (preset: combined + $ssl_protocol $ssl_cipher) */
    LOGFMT_APACHE,     /* Apache LogFormat (preset: mod_ssl's ssl_request_log) */
    LOGFMT_HAPROXY,    /* HAProxy `option httpslog`, or a custom log-format */
    LOGFMT_ENVOY,      /* Envoy default format + downstream address, SNI, TLS version, cipher */
    LOGFMT_ALB,        /* AWS Application Load Balancer */
    LOGFMT_CLB,        /* AWS Classic Load Balancer */
    LOGFMT_NLB,        /* AWS Network Load Balancer (TLS listeners) */
    LOGFMT_CLOUDFRONT, /* CloudFront standard logs (W3C, tab separated) */
    LOGFMT_IIS,        /* IIS W3C extended logs with crypt-protocol */
    LOGFMT_CADDY,      /* Caddy JSON access logs */
    LOGFMT_SERVE,      /* JSON lines of `tlsready serve --log` */
    LOGFMT_KIND_COUNT
};

enum logfmt_result {
    LOGFMT_BAD = -1,
    LOGFMT_OK = 0,
    LOGFMT_PLAIN = 1,
    LOGFMT_META = 2,
};

/* Name used by --format ("nginx", "apache", "haproxy", "envoy", "alb", "clb",
 * "nlb", "cloudfront", "iis", "caddy", "serve"); NULL when out of range. */
const char *logfmt_kind_name(int kind);
/* LOGFMT_NONE when unknown. */
int logfmt_kind_parse(const char *name);

/* ---- template families ---------------------------------------------------- */

/* What a template variable means to us. Anything else is skipped. */
enum tpl_field {
    TF_SKIP = 0,
    TF_CLIENT_IP,     /* an address: "1.2.3.4", "2001:db8::1" */
    TF_CLIENT_ADDR,   /* "ip:port" (Envoy, HAProxy %ci:%cp is two fields) */
    TF_TIME_CLF,      /* "03/Nov/2026:14:05:11 +0000" (26 bytes) */
    TF_TIME_CLF_BR,   /* Apache %t: "[03/Nov/2026:14:05:11 +0000]" (28 bytes) */
    TF_TIME_ISO,      /* "2026-11-03T14:05:11+00:00", with optional fraction and Z */
    TF_TIME_HAPROXY,  /* "03/Nov/2026:14:05:11.204" (24 bytes, local time taken as UTC) */
    TF_PROTOCOL,      /* TLS protocol in any spelling */
    TF_CIPHER,
    TF_SNI,
    TF_HOST,          /* Host header / server name: used when there is no SNI */
    TF_USER_AGENT,
    TF_FIELD_COUNT
};

enum tpl_escape {
    ESC_NONE = 0,     /* values are written raw */
    ESC_NGINX,        /* nginx escape=default: " \ and non-printables as \xHH */
    ESC_JSON,         /* nginx escape=json: \" \\ \n \uXXXX ... */
    ESC_BACKSLASH,    /* Apache: \" \\ \n \t and \xhh */
    ESC_URL,          /* W3C/CloudFront: %XX */
    ESC_URL_PLUS,     /* IIS: %XX and '+' for a space */
};

#define TPL_MAX_VARS 64
#define TPL_LIT_POOL 2048

struct tpl_var {
    uint8_t field;       /* enum tpl_field */
    uint8_t fixed_len;   /* nonzero: the value always has this length */
    uint8_t no_space;    /* the value never holds a space (for a " " literal after it) */
    uint16_t lit_off;    /* the literal that follows the variable, in lits[] */
    uint16_t lit_len;
};

/*
 * A compiled format: lit0 var1 lit1 var2 lit2 ... varN litN. Immutable after
 * compilation, so threads can share a copy. Variables 1..fwd_end are parsed
 * forward from the start of the line, bwd_begin..N backward from the end; the
 * variables in between (the longest run we do not need, usually the request
 * line and referrer) are never scanned.
 */
struct tpl {
    int kind;            /* enum logfmt_kind the format string was written for */
    uint8_t escape;      /* enum tpl_escape */
    int n_vars;
    uint16_t lit0_len;   /* lit0 is at lits[0] */
    struct tpl_var vars[TPL_MAX_VARS + 1]; /* 1-based */
    int fwd_end, bwd_begin;
    uint32_t have;       /* bit per enum tpl_field present in the format */
    char lits[TPL_LIT_POOL];
    uint16_t lits_used;
};

/* Compilers: 0, or -1 with err saying which part of the format is wrong. */
int tpl_compile_nginx(struct tpl *t, const char *fmt, int escape, struct tr_error *err);
int tpl_compile_apache(struct tpl *t, const char *fmt, struct tr_error *err);
int tpl_compile_haproxy(struct tpl *t, const char *fmt, struct tr_error *err);
int tpl_compile_envoy(struct tpl *t, const char *fmt, struct tr_error *err);

/*
 * Reads `log_format NAME [escape=...] 'part' 'part' ...;` from an nginx
 * configuration text. `name` NULL picks the only log_format, or fails listing
 * the names when there are several. The format string is written to out (NUL
 * terminated) and the escape mode to *escape.
 */
int nginx_conf_find_format(const char *conf, size_t len, const char *name, char *out, size_t cap, int *escape,
                           struct tr_error *err);

/* The built-in presets, as format strings in each family's own syntax. */
extern const char LOGFMT_NGINX_PRESET[];
extern const char LOGFMT_APACHE_PRESET[];
extern const char LOGFMT_HAPROXY_PRESET[];
extern const char LOGFMT_ENVOY_PRESET[];

/* ---- W3C state ------------------------------------------------------------ */

#define W3C_MAX_FIELDS 64

struct w3c_state {
    int have_fields;       /* a #Fields: header was seen */
    int n_fields;
    uint8_t role[W3C_MAX_FIELDS]; /* w3c_role per column */
    char sep;              /* '\t' CloudFront, ' ' IIS */
};

/* ---- a parser -------------------------------------------------------------- */

struct logfmt_time_cache {
    char key[32];          /* the text last converted (up to the second) */
    uint8_t key_len;
    int64_t value;
};

struct logfmt_parser {
    int kind;              /* enum logfmt_kind */
    struct tpl tpl;        /* template families */
    struct w3c_state w3c;  /* CloudFront, IIS */
    struct logfmt_time_cache tc;
    const char *why;       /* reason for the last LOGFMT_BAD (static text) */
};

#define LOGFMT_SCRATCH 8192

/* Where a line's unescaped, NUL-terminated values go. */
struct logfmt_scratch {
    size_t used;
    char buf[LOGFMT_SCRATCH];
};

/* A parser for `kind` with its preset format (template kinds) or no state. */
int logfmt_parser_init(struct logfmt_parser *p, int kind, struct tr_error *err);
/* A parser for a compiled custom template. */
void logfmt_parser_init_tpl(struct logfmt_parser *p, const struct tpl *t);
/* Parses one line (without its newline) into obs. */
int logfmt_parse(struct logfmt_parser *p, const char *line, size_t len, struct observation *obs,
                 struct logfmt_scratch *s);

/*
 * A request as byte spans into the line, before unescaping (`escape` says how
 * the line writes them; p NULL = absent). What `logs` counts: equal spans are
 * equal values, so the combiner keys on them and unescapes each distinct one
 * once (logfmt_unescape) instead of copying every value of every line.
 */
struct logfmt_span {
    const char *p;
    size_t n;
};
struct logfmt_request {
    struct logfmt_span client_ip, server, user_agent, cipher, fingerprint, status;
    int escape;            /* enum tpl_escape */
    int version, max_offered, success; /* as in struct observation */
    int64_t time;
};
/* Parses one line into r: the template families without copying; the others
 * through an observation (their spans then point into the scratch, escape none). */
int logfmt_parse_request(struct logfmt_parser *p, const char *line, size_t len, struct logfmt_request *r,
                         struct logfmt_scratch *s);
void logfmt_request_from_obs(const struct observation *o, struct logfmt_request *r);
/* Can lines of this parser be parsed independently (no header state)? Then a
 * file may be split between threads at any newline. */
int logfmt_is_stateless(const struct logfmt_parser *p);

/*
 * Auto-detection from the first lines of a file: returns the one kind whose
 * preset parses (nearly) every non-empty line, LOGFMT_NONE when none or when
 * the lines are ambiguous (err says which). Header lines (#Fields:) decide W3C.
 */
int logfmt_detect(const char *const *lines, const size_t *lens, int n, struct tr_error *err);

/* ---- helpers shared by the families (logfmt_core.c) ------------------------ */

void logfmt_obs_reset(struct observation *obs);
void logfmt_scratch_reset(struct logfmt_scratch *s);
/* Writes v unescaped per `escape` to out (room for n + 1 bytes: never longer),
 * NUL-terminated; returns its length. */
size_t logfmt_unescape(char *out, const char *v, size_t n, int escape);
/* Copies (unescaping per `escape`) into the scratch; NULL when it is full. */
const char *logfmt_scratch_put(struct logfmt_scratch *s, const char *v, size_t n, int escape);
/* A protocol field in any spelling (also NLB "tlsv12", Schannel hex via
 * logfmt_version_schannel). TLSV_NONE for "-" or empty, TLSV_UNKNOWN when
 * present but not a version we know. */
int logfmt_version(const char *s, size_t n);
int logfmt_version_schannel(const char *s, size_t n);
/* Time parsers: OBS_TIME_UNKNOWN when malformed. */
int64_t logfmt_time_clf(struct logfmt_time_cache *c, const char *s, size_t n);
int64_t logfmt_time_iso(struct logfmt_time_cache *c, const char *s, size_t n);
int64_t logfmt_time_haproxy(struct logfmt_time_cache *c, const char *s, size_t n);
int64_t logfmt_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Splits "ip:port", "[ip]:port" or an IPv6 "a:b::c:port" (AWS: no brackets)
 * at the last colon; returns the address part's length. */
size_t logfmt_addr_host_len(const char *s, size_t n);

#endif
