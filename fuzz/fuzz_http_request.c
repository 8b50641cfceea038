/* libFuzzer target for serve's HTTP request-head parser (src/serve/http_request.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve/http_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size heap copy so ASan catches any read past the end */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    struct http_request req;
    struct tr_error err;
    int rc = http_request_parse(buf, size, &req, &err);
    if (rc == HTTP_REQ_COMPLETE) {
        /* every view must lie inside the input */
        const struct http_view *v[] = { &req.method, &req.target, &req.path, &req.host, &req.user_agent };
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
            if (v[i]->p && (v[i]->p < buf || v[i]->p + v[i]->n > buf + size))
                abort();
        if (req.head_len > size)
            abort();
    }
    free(buf);
    return 0;
}
