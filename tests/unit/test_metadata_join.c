/* Unit tests for joining: allow lists (scheme, port, disableProtocolSecurity,
 * inactive), named credential URL + path, constants across classes, labels,
 * owners and buckets, unused settings. Inputs are hand-made documents and classes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "metadata/apex_callouts.h"
#include "metadata/md_join.h"
#include "metadata/md_xml.h"

static struct md_org o;
static struct apex_scratch sc;

static int setup(void **state)
{
    (void)state;
    md_org_init(&o);
    memset(&sc, 0, sizeof sc);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    apex_scratch_free(&sc);
    md_org_free(&o);
    return 0;
}

static void apex(const char *file, const char *name, const char *owner, const char *src)
{
    struct apex_file f = { file, name, owner, 0 };
    assert_true(apex_find_callouts(&o, &sc, src, strlen(src), &f) >= 0);
}

static void rss(const char *name, const char *url, const char *active, const char *nosec)
{
    char doc[512];
    snprintf(doc, sizeof doc, "<RemoteSiteSetting><disableProtocolSecurity>%s</disableProtocolSecurity>"
                              "<isActive>%s</isActive><url>%s</url></RemoteSiteSetting>", nosec, active, url);
    struct md_xml_file f = { name, name, NULL, MD_XML_REMOTE_SITE };
    assert_int_equal(md_xml_read(&o, doc, strlen(doc), &f, NULL), 0);
}

static void nc(const char *name, const char *url)
{
    char doc[512];
    snprintf(doc, sizeof doc, "<NamedCredential><endpoint>%s</endpoint></NamedCredential>", url);
    struct md_xml_file f = { name, name, NULL, MD_XML_NAMED_CREDENTIAL };
    assert_int_equal(md_xml_read(&o, doc, strlen(doc), &f, NULL), 0);
}

/* "bucket url [flags] allowed=N" per row */
static const char *rows(void)
{
    static char out[4096];
    struct md_result r;
    assert_int_equal(md_join(&o, &r), 0);
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < r.nrows && k < sizeof out - 200; i++) {
        k += (size_t)snprintf(out + k, sizeof out - k, "%s %s %s [", md_bucket_name(r.rows[i].bucket),
                              r.rows[i].owner ? r.rows[i].owner : "org", r.rows[i].url);
        for (unsigned b = 0; b < MD_FLAG_COUNT; b++)
            if (r.rows[i].flags & (1u << b))
                k += (size_t)snprintf(out + k, sizeof out - k, " %s", md_flag_name(1u << b));
        k += (size_t)snprintf(out + k, sizeof out - k, " ] allowed=%zu\n", r.rows[i].nallowed);
    }
    md_result_free(&r);
    return out;
}

static void test_allow_lists(void **state)
{
    (void)state;
    rss("A", "https://a.example.com", "true", "false");
    rss("B", "https://b.example.com:8443", "true", "true");
    rss("C", "https://c.example.com", "false", "false");
    apex("X.cls", "X", NULL,
         "class X { void m() { HttpRequest r = new HttpRequest();\n"
         "r.setEndpoint('https://A.example.com/x');\n"      /* allowed by A (host case-insensitive) */
         "r.setEndpoint('https://a.example.com:444/x');\n"  /* other port: not allowed */
         "r.setEndpoint('http://a.example.com/x');\n"       /* other scheme: not allowed */
         "r.setEndpoint('http://b.example.com:8443/x');\n"  /* B disables protocol security: allowed */
         "r.setEndpoint('https://c.example.com/x');\n"      /* C inactive: listed, not allowed */
         "} }");
    assert_string_equal(rows(),
                        /* rows sort by host, then port: 80 before 443 */
                        "org org http://a.example.com/x [ not-allowed plain-http ] allowed=0\n"
                        "org org https://a.example.com/ [ ] allowed=0\n"
                        "org org https://a.example.com/x [ ] allowed=1\n"
                        "org org https://a.example.com:444/x [ not-allowed ] allowed=0\n"
                        "org org https://b.example.com:8443/ [ protocol-security-disabled ] allowed=0\n"
                        "org org http://b.example.com:8443/x [ plain-http ] allowed=1\n"
                        "org org https://c.example.com/ [ inactive-setting ] allowed=0\n"
                        "org org https://c.example.com/x [ not-allowed ] allowed=1\n");
}

static void test_named_credentials_and_constants(void **state)
{
    (void)state;
    nc("Pay", "https://pay.example.com/api/");
    nc("Idle", "https://idle.example.com");
    apex("K.cls", "K", NULL, "public class K { public static final String NC = 'callout:pay';\n"
                             "  public static final String BASE = 'https://k.example.com'; }");
    apex("Y.cls", "Y", "vend", "global class Y { void m() { HttpRequest r = new HttpRequest();\n"
                               "r.setEndpoint(K.NC + '/charges');\n"     /* NC URL + path, one slash */
                               "r.setEndpoint(K.BASE + '/k');\n"
                               "} }");
    assert_string_equal(rows(),
                        "org org https://idle.example.com/ [ unused-setting ] allowed=0\n"
                        "org org https://k.example.com/ [ ] allowed=0\n"
                        "org org https://pay.example.com/api/ [ ] allowed=0\n"
                        "package vend https://k.example.com/k [ not-allowed ] allowed=0\n"
                        "package vend https://pay.example.com/api/charges [ ] allowed=1\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_allow_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_named_credentials_and_constants, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
