/* libFuzzer target: the metadata XML readers. The first byte picks the
 * metadata type (0xff: an External Service's YAML/JSON schema file, read by
 * md_schema_read); the rest is the document. Then the joiner runs over what
 * was read, so the tables and URL splitting see fuzzed values too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "metadata/md_join.h"
#include "metadata/md_xml.h"

static void silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        xmlInitParser();
        xmlSetGenericErrorFunc(NULL, silent);
        init = 1;
    }
    if (size < 1)
        return 0;
    enum md_xml_kind kind = (enum md_xml_kind)(1 + data[0] % MD_XML_PACKAGE);
    char *buf = malloc(size - 1 ? size - 1 : 1);
    if (!buf)
        return 0;
    memcpy(buf, data + 1, size - 1);
    struct md_org o;
    md_org_init(&o);
    struct md_xml_file f = { "fuzz.xml", kind == MD_XML_CUSTOM_METADATA ? "Type.Rec" : "ns__Fuzz", NULL, kind };
    const char *ns = NULL;
    int rc = data[0] == 0xff ? md_schema_read(&o, buf, size - 1, &f) : md_xml_read(&o, buf, size - 1, &f, &ns);
    if (rc == 0) {
        struct md_result r;
        if (md_join(&o, &r) == 0)
            md_result_free(&r);
    }
    md_org_free(&o);
    free(buf);
    return 0;
}
