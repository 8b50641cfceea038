/*
 * Internal to the access-log parsers (src/ingest/logfmt_*.c): the per-family
 * line parsers behind logfmt_parse, and the field views they share.
 */
#ifndef TR_INGEST_LOGFMT_FAMILIES_H
#define TR_INGEST_LOGFMT_FAMILIES_H

#include <string.h>

#include "ingest/logfmt_core.h"

/* Views into a line, one per enum tpl_field (p NULL = absent). */
struct logfmt_fields {
    const char *p[TF_FIELD_COUNT];
    size_t n[TF_FIELD_COUNT];
};

/* Inline: it runs once per line, and a constant-size memset is a few stores. */
static inline void logfmt_fields_reset(struct logfmt_fields *f)
{
    memset(f->n, 0, sizeof f->n);
    memset(f->p, 0, sizeof f->p);
}
/* Fills obs from the views (unescaping per `escape`); LOGFMT_OK or LOGFMT_PLAIN. */
int logfmt_fields_to_obs(struct logfmt_parser *lp, const struct logfmt_fields *f, int escape,
                         struct observation *obs, struct logfmt_scratch *s);

/* Picks the request's values from the views (SNI else Host, address without
 * port, "-" as absent), parses time and version; LOGFMT_OK or LOGFMT_PLAIN. */
int logfmt_fields_select(struct logfmt_parser *lp, const struct logfmt_fields *f, int escape,
                         struct logfmt_request *r);
/* Template builder used by the compilers: literals and variables in order. */
void tpl_begin(struct tpl *t, int kind, int escape);
int tpl_lit(struct tpl *t, const char *s, size_t n, struct tr_error *err);
int tpl_var(struct tpl *t, int field, int fixed_len, const char *name, size_t name_len, struct tr_error *err);
int tpl_finish(struct tpl *t, struct tr_error *err);
/*
 * The literal text of an Apache or HAProxy format up to its next '%' directive:
 * a backslash takes the next byte as written ("\ ", "\""), or with c_escapes
 * also "\t" and "\n" as httpd.conf writes them; "%%" is a '%'. Leaves *pp at
 * the '%' of the directive, or at the end. 0, or -1 with err.
 */
int tpl_lit_until_directive(struct tpl *t, const char **pp, int c_escapes, struct tr_error *err);

/* Template families: fills the views of the fields the format has. 0, or -1 with *why. */
int tpl_match(const struct tpl *t, const char *line, size_t len, struct logfmt_fields *f, const char **why);

int tpl_parse_line(struct logfmt_parser *p, const char *line, size_t len, struct observation *obs,
                   struct logfmt_scratch *s);
int tpl_parse_request(struct logfmt_parser *p, const char *line, size_t len, struct logfmt_request *r,
                      struct logfmt_scratch *s);
int aws_parse_line(struct logfmt_parser *p, const char *line, size_t len, struct observation *obs,
                   struct logfmt_scratch *s);
int w3c_parse_line(struct logfmt_parser *p, const char *line, size_t len, struct observation *obs,
                   struct logfmt_scratch *s);
int jsonlog_parse_line(struct logfmt_parser *p, const char *line, size_t len, struct observation *obs,
                       struct logfmt_scratch *s);

#endif
