/* Unit tests for the Apex callout finder and constant resolution, on hand-made classes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "metadata/apex_callouts.h"
#include "metadata/md_join.h"

/* Runs the finder and the joiner; returns "url via line" lines for rows and
 * "D line reason" for dynamic ones, in output order. */
static char *run(const char *src, int is_trigger, const char *name)
{
    struct md_org o;
    md_org_init(&o);
    struct apex_scratch sc = { 0 };
    struct apex_file f = { "C.cls", name, NULL, is_trigger };
    assert_true(apex_find_callouts(&o, &sc, src, strlen(src), &f) >= 0);
    struct md_result r;
    assert_int_equal(md_join(&o, &r), 0);
    static char out[8192];
#define ROOM (k < sizeof out ? sizeof out - k : 0)
#define ADV(n) (k = k + (size_t)(n) < sizeof out ? k + (size_t)(n) : sizeof out - 1)
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < r.nrows; i++)
        for (size_t p = 0; p < r.rows[i].nplaces; p++) {
            const struct md_site *s = &o.sites[r.rows[i].places[p].site];
            ADV(snprintf(out + k, ROOM, "%s%s %s %s %u %s\n", r.rows[i].url,
                                  r.rows[i].places[p].partial ? " partial" : "", md_bucket_name(r.rows[i].bucket),
                                  s->via, (unsigned)s->line, s->component));
        }
    for (size_t i = 0; i < r.ndyn; i++)
        ADV(snprintf(out + k, ROOM, "D %u %s\n", (unsigned)o.sites[r.dyn[i].site].line, r.dyn[i].reason));
    for (size_t i = 0; i < o.ndiags; i++)
        ADV(snprintf(out + k, ROOM, "X %u %s\n", (unsigned)o.diags[i].line, o.diags[i].message));
    md_result_free(&r);
    apex_scratch_free(&sc);
    md_org_free(&o);
    return out;
}

static void test_literals_and_constants(void **state)
{
    (void)state;
    const char *src =
        "public class C {\n"                                                    /* 1 */
        "  static final String BASE = 'https://a.example.com', P = '/v1';\n"     /* 2 */
        "  String later;\n"                                                     /* 3 */
        "  C() { later = 'https://later.example.com'; }\n"                      /* 4 */
        "  void m() {\n"                                                        /* 5 */
        "    HttpRequest r = new HttpRequest();\n"                              /* 6 */
        "    r.setEndpoint(BASE\n"                                              /* 7 */
        "      + P + '/x');\n"                                                  /* 8 */
        "    r.setEndpoint(C.BASE + '/y');\n"                                   /* 9 */
        "    r.setEndpoint(this.later);\n"                                      /* 10 */
        "    String u = BASE; u += '/z'; u = u + '/w';\n"                       /* 11 */
        "    r.setEndpoint(u);\n"                                               /* 12 */
        "  }\n"
        "}\n";
    assert_string_equal(run(src, 0, "C"),
                        "https://a.example.com/v1/x org setEndpoint 7 C.m\n"
                        "https://a.example.com/y org setEndpoint 9 C.m\n"
                        "https://a.example.com/z/w org setEndpoint 12 C.m\n"
                        "https://later.example.com/ org setEndpoint 10 C.m\n");
}

static void test_locals_are_scoped(void **state)
{
    (void)state;
    const char *src =
        "public class C {\n"
        "  void a() { String u = 'https://one.example.com'; }\n"   /* 2 */
        "  void b(String u) {\n"                                   /* 3 */
        "    new HttpRequest().setEndpoint(u);\n"                  /* 4: the parameter, not a()'s local */
        "  }\n"
        "}\n";
    assert_string_equal(run(src, 0, "C"),
                        "https://one.example.com/ org string literal 2 C\n"
                        "D 4 u: not resolvable statically (parameter, method result or another class)\n");
}

static void test_wsdl_stub_and_noise(void **state)
{
    (void)state;
    const char *src =
        "public class S {\n"
        "  public class Port {\n"
        "    public String endpoint_x = 'https://soap.example.com/svc';\n"                         /* 3 */
        "    private String[] ns_map_type_info = new String[]{'http://ns.example.com/x', 'S'};\n"
        "    void call() { WebServiceCallout.invoke(this, null, null, new String[]{endpoint_x, '', 'http://ns2.example.com/a'}); }\n"
        "    void dom(Dom.XmlNode n) { n.addChildElement('x', 'http://ns3.example.com/b', 'p'); }\n"
        "  }\n"
        "  String s = 'http://www.w3.org/2001/XMLSchema';\n"
        "  String p = 'https://';\n"
        "  String q = 'https://admin.';\n"
        "  String d = 'https://real.example.com/not-a-sink';\n"                                   /* 11 */
        "}\n";
    assert_string_equal(run(src, 0, "S"),
                        "https://real.example.com/not-a-sink org string literal 11 S\n"
                        "https://soap.example.com/svc org endpoint_x 3 Port\n");
}

static void test_jwt_format_config_and_tests(void **state)
{
    (void)state;
    const char *src =
        "@IsTest\n"
        "private class T {\n"
        "  static final String B = 'https://b.example.com';\n"
        "  @isTest static void t() {\n"
        "    Auth.JWTBearerTokenExchange x = new Auth.JWTBearerTokenExchange('https://login.example.com/token', j);\n" /* 5 */
        "    HttpRequest r = new HttpRequest();\n"
        "    r.setEndpoint(String.format('{0}/items/{1}', new List<Object>{ B, id }));\n"  /* 7 */
        "    r.setEndpoint(Cfg__mdt.getInstance('Prod')?.Url__c);\n"                     /* 8 */
        "    r.setEndpoint('CALLOUT:ns__Named/p');\n"                                    /* 9 */
        "  }\n"
        "}\n";
    assert_string_equal(run(src, 0, "T"),
                        "https://b.example.com/items/ partial test setEndpoint 7 T.t\n"
                        "https://login.example.com/token test JWTBearerTokenExchange 5 T.t\n"
                        "D 8 custom metadata record Cfg__mdt.Prod (field Url__c) is not in the source\n"
                        "D 9 named credential 'ns__Named' is not in the source\n");
}

static void test_trigger_and_errors(void **state)
{
    (void)state;
    const char *src =
        "trigger Tr on Account (after insert) {\n"
        "  String bad = 'oops\n"                                  /* 2: unterminated */
        "  String t = 'https://t.example.com/in';\n"
        "  new HttpRequest().setEndpoint(t);\n"                    /* 4 */
        "  /* never closed\n";
    assert_string_equal(run(src, 1, "Tr"),
                        "https://t.example.com/in org setEndpoint 4 Tr\n"
                        "X 2 unterminated string literal (expected ' before the end of the line)\n"
                        "X 5 unterminated block comment\n");
}

static void test_garbage_does_not_crash(void **state)
{
    (void)state;
    /* unbalanced brackets, a sink at the very end, recursive constants */
    assert_string_equal(run("}}}{{ ( setEndpoint( . setEndpoint(", 0, "G"), "");
    const char *src = "class R { static final String A = B + '/a'; static final String B = A + '/b';\n"
                      " void m() { new HttpRequest().setEndpoint(A); } }";
    assert_string_equal(run(src, 0, "R"), "D 2 A: recursive definition\n");
    assert_string_equal(run("x.setEndpoint(", 0, "E"), "");
}

/* Hostile shapes stay bounded in stack and time: deep nesting, a long
 * append chain, thousands of unclosed sinks. */
static void test_hostile_sizes(void **state)
{
    (void)state;
    size_t n = 200000;
    char *src = malloc(n * 12 + 256);
    assert_non_null(src);
    char *out;
    size_t k;
    size_t depths[] = { 1000, n / 2 }; /* within the token window, and far past it */
    for (int d = 0; d < 2; d++) {
        k = (size_t)sprintf(src, "class H { void m() { new HttpRequest().setEndpoint(");
        for (size_t i = 0; i < depths[d]; i++)
            src[k++] = '(';
        k += (size_t)sprintf(src + k, "'https://deep.example.com'");
        for (size_t i = 0; i < depths[d]; i++)
            src[k++] = ')';
        strcpy(src + k, "); } }");
        out = run(src, 0, "H");
        /* a dynamic entry on line 1: "too deeply nested", or past the token window, unresolvable */
        assert_non_null(strstr(out, d == 0 ? "D 1 ((((" : "D 1 "));
        assert_non_null(strstr(out, d == 0 ? "too deeply nested" : "not resolvable statically"));
    }
    k = (size_t)sprintf(src, "class H { void m() { String u = 'https://chain.example.com';\n");
    for (size_t i = 0; i < n / 4; i++)
        k += (size_t)sprintf(src + k, "u += '/x';\n");
    strcpy(src + k, "new HttpRequest().setEndpoint(u); } }");
    out = run(src, 0, "H");
    /* the value is capped: the known prefix names the host, the rest is "partial" */
    assert_non_null(strstr(out, "/x/x partial org setEndpoint"));
    k = (size_t)sprintf(src, "class H { void m() { ");
    for (size_t i = 0; i < n / 2; i++)
        k += (size_t)sprintf(src + k, "r.setEndpoint(");
    src[k] = '\0';
    run(src, 0, "H");
    free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literals_and_constants),
        cmocka_unit_test(test_locals_are_scoped),
        cmocka_unit_test(test_wsdl_stub_and_noise),
        cmocka_unit_test(test_jwt_format_config_and_tests),
        cmocka_unit_test(test_trigger_and_errors),
        cmocka_unit_test(test_garbage_does_not_crash),
        cmocka_unit_test(test_hostile_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
