/*
 * The callout finder: reads one Apex class or trigger (through apex_lex) and
 * appends to the org one site per place that sets an outbound endpoint:
 *
 *   req.setEndpoint(EXPR)                       via "setEndpoint"
 *   endpoint_x = EXPR  (WSDL2Apex stubs)         via "endpoint_x"
 *   new Auth.JWTBearerTokenExchange(EXPR, ...)   via "JWTBearerTokenExchange"
 *   x.setTokenEndpoint(EXPR)                     via "setTokenEndpoint"
 *   any other 'http(s)://host...' literal        via "string literal" (not proven a callout)
 *
 * EXPR is evaluated statically into parts: literals; `static final`
 * constants, class fields and locals assigned in the same file (through
 * concatenation, across lines, this.X and Class.X); String.format with a
 * literal pattern; Label.X / System.Label.X and X__mdt.getInstance('Y').F
 * (resolved later against the tree's labels and custom metadata records);
 * anything else is an unknown part carrying its source text, so the site is
 * reported as dynamic (or partial, when a known prefix already names the host).
 *
 * String literals that are XML namespaces of WSDL2Apex stubs (the *_type_info
 * arrays, WebServiceCallout.invoke arguments) or DOM namespace arguments are not
 * harvested; nor are bare prefixes like 'https://' (see md_url.h).
 */
#ifndef TR_METADATA_APEX_CALLOUTS_H
#define TR_METADATA_APEX_CALLOUTS_H

#include <stddef.h>

#include "metadata/apex_lex.h"
#include "metadata/md_org.h"

/* Reusable working memory (token arrays) so 20,000 classes cost no more
 * allocations than the largest one. */
struct apex_scratch {
    struct apex_token *tok;
    int *depth;
    int *cls;
    unsigned char *used;
    size_t *match;
    size_t cap;
};

struct apex_file {
    const char *file;      /* path for diagnostics and sites (kept by the caller: arena) */
    const char *name;      /* class or trigger name from the file name */
    const char *owner;     /* package namespace or NULL */
    int is_trigger;
};

void apex_scratch_free(struct apex_scratch *sc);

/* Reads buf[0..len) and appends sites and diagnostics to o. Returns the number
 * of sites added, or -1 when out of memory. */
long apex_find_callouts(struct md_org *o, struct apex_scratch *sc, const char *buf, size_t len,
                        const struct apex_file *f);

#endif
