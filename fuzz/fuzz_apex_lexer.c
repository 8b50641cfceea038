/* libFuzzer target: the Apex lexer, string decoding, the callout finder and
 * the joiner over arbitrary bytes (a class or, when the first byte is odd, a trigger). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metadata/apex_callouts.h"
#include "metadata/apex_lex.h"
#include "metadata/md_join.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy, so any read past the end is caught */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    struct apex_lexer lx;
    struct apex_token t;
    apex_lex_init(&lx, buf, size);
    char out[64];
    while (apex_lex_next(&lx, &t) != APEX_TOK_EOF) {
        if (t.kind == APEX_TOK_STRING) {
            int trunc, bad;
            apex_string_decode(t.s, t.n, out, sizeof out, &trunc, &bad);
        }
    }
    struct md_org o;
    md_org_init(&o);
    struct apex_scratch sc = { 0 };
    struct apex_file f = { "fuzz.cls", "Fuzz", NULL, size > 0 && (data[0] & 1) };
    if (apex_find_callouts(&o, &sc, buf, size, &f) >= 0) {
        struct md_result r;
        if (md_join(&o, &r) == 0)
            md_result_free(&r);
    }
    apex_scratch_free(&sc);
    md_org_free(&o);
    free(buf);
    return 0;
}
