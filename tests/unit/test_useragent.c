/* Unit tests for User-Agent -> family and version. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/useragent.h"

static const char *fam(const char *ua)
{
    static char out[64];
    useragent_family(ua, strlen(ua), out, sizeof out);
    return out;
}

static void test_families(void **state)
{
    (void)state;
    assert_string_equal(fam("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                            "Chrome/119.0.0.0 Safari/537.36"),
                        "Chrome 119");
    assert_string_equal(fam("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                            "Chrome/119.0.0.0 Safari/537.36 Edg/119.0.2151.58"),
                        "Edge 119");
    assert_string_equal(fam("Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0"), "Firefox 115");
    assert_string_equal(fam("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                            "Version/16.6 Safari/605.1.15"),
                        "Safari 16");
    assert_string_equal(fam("Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; Trident/6.0)"), "IE 10");
    assert_string_equal(fam("Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko"), "IE 11");
    assert_string_equal(fam("curl/7.88.1"), "curl 7.88");
    assert_string_equal(fam("Java/1.7.0_80"), "Java 1.7");
    assert_string_equal(fam("Java/1.6.0_45"), "Java 1.6");
    assert_string_equal(fam("Java/11.0.2"), "Java 11");
    assert_string_equal(fam("python-requests/2.31.0"), "python-requests 2.31");
    assert_string_equal(fam("Python-urllib/3.9"), "Python-urllib 3.9");
    assert_string_equal(fam("Go-http-client/1.1"), "Go-http-client 1.1");
    assert_string_equal(fam("okhttp/4.9.3"), "okhttp 4.9");
    assert_string_equal(fam("Apache-HttpClient/4.5.13 (Java/1.8.0_292)"), "Apache-HttpClient 4.5");
    assert_string_equal(fam("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.5356; Pro)"), "Outlook 16");
    assert_string_equal(fam("Wget/1.21.3"), "Wget 1.21");
    assert_string_equal(fam("MyIntegration/2.1.7 (+http://x)"), "MyIntegration 2.1");
    assert_string_equal(fam("-"), "");
    assert_string_equal(fam(""), "");
    assert_string_equal(fam("(weird)"), "other");
    assert_string_equal(fam("NoVersion"), "NoVersion");
    /* truncation never overflows */
    char small[6];
    assert_int_equal(useragent_family("curl/7.88.1", 11, small, sizeof small), 5);
    assert_string_equal(small, "curl ");
    assert_int_equal(useragent_family("curl/7.88.1", 11, small, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_families) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
