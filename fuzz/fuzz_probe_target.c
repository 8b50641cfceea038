/* libFuzzer target: target-file lines and --resolve values (src/probe/target.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scan_target t;
    struct tr_error err;
    if (target_parse_line((const char *)data, size, &t, &err) == 1) {
        /* what parsed must be well-formed: a host, a port, a lowercase name */
        if (!t.host || !t.given || t.port == 0)
            abort();
        struct target_list l;
        target_list_init(&l);
        struct scan_target copy;
        if (target_parse(t.given, strlen(t.given), &copy, &err) == 0) {
            target_list_add(&l, &copy, &err);
            if (target_parse(t.given, strlen(t.given), &copy, &err) == 0 && target_list_add(&l, &copy, &err) != 0)
                abort(); /* the same spelling twice is a duplicate */
        }
        target_list_free(&l);
        target_free(&t);
    }
    char s[300];
    size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
    memcpy(s, data, n);
    s[n] = 0;
    struct resolve_override r;
    resolve_override_parse(s, &r, &err);
    return 0;
}
