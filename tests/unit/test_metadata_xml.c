/* Unit tests for the metadata XML readers (hostile documents included), URL
 * splitting, the literal noise filter and namespace attribution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "metadata/md_org.h"
#include "metadata/md_url.h"
#include "metadata/md_xml.h"

static struct md_org o;

static int setup(void **state)
{
    (void)state;
    md_org_init(&o);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    md_org_free(&o);
    return 0;
}

static void read_doc(enum md_xml_kind kind, const char *name, const char *owner, const char *xml)
{
    struct md_xml_file f = { "f.xml", name, owner, kind };
    assert_int_equal(md_xml_read(&o, xml, strlen(xml), &f, NULL), 0);
}

static void test_remote_site(void **state)
{
    (void)state;
    read_doc(MD_XML_REMOTE_SITE, "ERP", NULL,
             "<?xml version=\"1.0\"?>\n<RemoteSiteSetting xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n"
             "  <disableProtocolSecurity>true</disableProtocolSecurity>\n  <isActive>false</isActive>\n"
             "  <url> https://erp.example.com:8443?a=1&amp;b=2 </url>\n</RemoteSiteSetting>\n");
    assert_int_equal(o.nsites, 1);
    const struct md_site *s = &o.sites[0];
    assert_string_equal(s->type, "RemoteSiteSetting");
    assert_string_equal(s->via, "url");
    assert_int_equal(s->line, 5);
    assert_int_equal(s->allows, 1);
    assert_true(s->inactive);
    assert_true(s->protocol_security_disabled);
    assert_string_equal(s->parts[0].a, "https://erp.example.com:8443?a=1&b=2"); /* entities decoded, trimmed */
    assert_int_equal(o.ndiags, 0);
}

static void test_named_credentials(void **state)
{
    (void)state;
    read_doc(MD_XML_NAMED_CREDENTIAL, "acme__Billing", "acme",
             "<NamedCredential><namedCredentialType>SecuredEndpoint</namedCredentialType>"
             "<namedCredentialParameters><parameterType>Authentication</parameterType><parameterValue>https://no.example.com</parameterValue></namedCredentialParameters>"
             "<namedCredentialParameters><parameterName>Url</parameterName><parameterType>Url</parameterType>"
             "<parameterValue>https://billing.example.com/v2</parameterValue></namedCredentialParameters>"
             "<calloutStatus>Disabled</calloutStatus></NamedCredential>");
    assert_int_equal(o.nsites, 1);
    assert_string_equal(o.sites[0].via, "parameterValue(Url)");
    assert_int_equal(o.sites[0].allows, 2);
    assert_true(o.sites[0].inactive);
    assert_string_equal(o.sites[0].owner, "acme");
    md_table_sort(&o.ncs);
    const struct md_entry *e = md_table_find(&o.ncs, "ACME__billing");
    assert_non_null(e);
    assert_string_equal(e->value, "https://billing.example.com/v2");
    assert_string_equal(e->name, "acme__Billing");
}

static void test_config_tables(void **state)
{
    (void)state;
    read_doc(MD_XML_CUSTOM_METADATA, "Integration_Setting.ERP", NULL,
             "<CustomMetadata xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><values><field>Endpoint__c</field>"
             "<value xsi:type=\"xsd:string\">https://erp.example.com/api</value></values>"
             "<values><field>Other__c</field><value xsi:nil=\"true\"/></values></CustomMetadata>");
    read_doc(MD_XML_LABELS, "CustomLabels", NULL,
             "<CustomLabels><labels><fullName>Geo</fullName><value>https://geo.example.com</value></labels>"
             "<labels><fullName>NoValue</fullName></labels></CustomLabels>");
    md_table_sort(&o.cmdt);
    md_table_sort(&o.labels);
    assert_int_equal(o.cmdt.n, 1);
    assert_non_null(md_table_find(&o.cmdt, "integration_setting__mdt.erp.endpoint__c"));
    assert_int_equal(o.labels.n, 1);
    assert_string_equal(md_table_find(&o.labels, "geo")->value, "https://geo.example.com");
    assert_int_equal(o.nsites, 1); /* the URL-looking CMDT value; labels only when referenced */
}

static void test_hostile_documents(void **state)
{
    (void)state;
    /* entity bomb and external entity: refused before parsing */
    read_doc(MD_XML_REMOTE_SITE, "Bomb", NULL,
             "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">"
             "<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<RemoteSiteSetting><url>https://&b;&x;</url></RemoteSiteSetting>");
    assert_int_equal(o.nsites, 0);
    assert_int_equal(o.ndiags, 1);
    assert_int_equal(o.diags[0].line, 2);
    /* malformed: reported with its line, no sites */
    read_doc(MD_XML_REMOTE_SITE, "Bad", NULL, "<RemoteSiteSetting>\n<url>https://x.example.com</ur>\n</RemoteSiteSetting>");
    assert_int_equal(o.ndiags, 2);
    assert_int_equal(o.diags[1].line, 2);
    assert_non_null(strstr(o.diags[1].message, "malformed XML"));
    /* truncated, empty, binary */
    read_doc(MD_XML_REMOTE_SITE, "T", NULL, "<RemoteSiteSetting><url>https://x");
    read_doc(MD_XML_REMOTE_SITE, "E", NULL, "");
    struct md_xml_file f = { "bin", "B", NULL, MD_XML_REMOTE_SITE };
    static const char bin[] = { '<', 'a', 0, '>', (char)0xff };
    assert_int_equal(md_xml_read(&o, bin, sizeof bin, &f, NULL), 0);
    assert_int_equal(o.ndiags, 5);
    assert_int_equal(o.nsites, 0);
    /* oversized: refused without parsing (the length is all that is looked at) */
    f.file = "big";
    assert_int_equal(md_xml_read(&o, bin, (size_t)MD_XML_MAX_BYTES + 1, &f, NULL), 0);
    assert_int_equal(o.ndiags, 6);
    assert_non_null(strstr(o.diags[5].message, "refused"));
}

static void test_other_types(void **state)
{
    (void)state;
    read_doc(MD_XML_CONNECTED_APP, "App", NULL,
             "<ConnectedApp><oauthConfig><callbackUrl>https://a.example.com/cb\nhttps://b.example.com/cb</callbackUrl></oauthConfig></ConnectedApp>");
    assert_int_equal(o.nsites, 2);
    assert_int_equal(o.sites[1].dir, MD_INBOUND);
    assert_string_equal(o.sites[1].parts[0].a, "https://b.example.com/cb");
    read_doc(MD_XML_AUTH_PROVIDER, "Okta", NULL,
             "<AuthProvider><authorizeUrl>https://o.example.com/a</authorizeUrl><tokenUrl>https://o.example.com/t</tokenUrl></AuthProvider>");
    assert_int_equal(o.nsites, 4);
    assert_int_equal(o.sites[2].dir, MD_OUTBOUND);
    assert_string_equal(o.sites[2].via, "tokenUrl");
    assert_int_equal(o.sites[3].dir, MD_CLIENT_SIDE);
    read_doc(MD_XML_EXTERNAL_SERVICE, "Pay", NULL,
             "<ExternalServiceRegistration><namedCredentialReference>Pay_NC</namedCredentialReference>"
             "<schemaUrl>/s.json</schemaUrl></ExternalServiceRegistration>");
    assert_int_equal(o.nsites, 5);
    assert_string_equal(o.sites[4].parts[0].a, "callout:Pay_NC/s.json");
    assert_string_equal(o.sites[4].nc_ref, "Pay_NC");
    const char *ns = NULL;
    struct md_xml_file f = { "package.xml", "package", NULL, MD_XML_PACKAGE };
    const char *pkg = "<Package><namespacePrefix>vend</namespacePrefix></Package>";
    assert_int_equal(md_xml_read(&o, pkg, strlen(pkg), &f, &ns), 0);
    assert_string_equal(ns, "vend");
    assert_int_equal(md_xml_kind_of("remoteSite"), MD_XML_REMOTE_SITE);
    assert_int_equal(md_xml_kind_of("cls"), MD_XML_NONE);
}

static void test_urls(void **state)
{
    (void)state;
    struct md_url u;
    assert_int_equal(md_url_parse("HTTPS://API.Example.com:8443/v1/x?q=1#f", &u, 0), 0);
    assert_string_equal(u.scheme, "https");
    assert_string_equal(u.host, "api.example.com");
    assert_int_equal(u.port, 8443);
    assert_int_equal(u.path_n, 5);
    assert_int_equal(md_url_parse("http://x.example.com", &u, 0), 0);
    assert_int_equal(u.port, 80);
    assert_int_equal(u.path_n, 0);
    assert_int_equal(md_url_parse("wss://[2001:db8::1]:9/p", &u, 0), 0);
    assert_string_equal(u.host, "[2001:db8::1]");
    assert_int_equal(md_url_parse("*.adobe.io", &u, 1), 0);
    assert_string_equal(u.host, "*.adobe.io");
    assert_int_equal(md_url_parse("*.adobe.io", &u, 0), -1);
    assert_int_equal(md_url_parse("https://", &u, 0), -1);
    assert_int_equal(md_url_parse("https://admin.", &u, 0), -1);
    assert_int_equal(md_url_parse("https://x.example.com:0/", &u, 0), -1);
    assert_int_equal(md_url_parse("https://x.example.com:99999/", &u, 0), -1);
    assert_int_equal(md_url_parse("https://{!$Label.Host}/x", &u, 0), -1);
    assert_int_equal(md_url_parse("ftp://x.example.com", &u, 0), -1);
    assert_true(md_url_is_noise("http://soap.sforce.com/2006/04/metadata"));
    assert_true(md_url_is_noise("http://www.w3.org/2001/XMLSchema"));
    assert_true(md_url_is_noise("http://schemas.xmlsoap.org/soap/envelope/"));
    assert_true(md_url_is_noise("urn:enterprise.soap.sforce.com"));
    assert_true(md_url_is_noise("https://"));
    assert_false(md_url_is_noise("https://api.example.com/x"));
}

static void test_namespaces(void **state)
{
    (void)state;
    assert_string_equal(md_namespace_of(&o, "box__BoxAPI"), "box");
    assert_string_equal(md_namespace_of(&o, "acme__Setting__mdt"), "acme");
    assert_null(md_namespace_of(&o, "Foo__c"));
    assert_null(md_namespace_of(&o, "Integration_Setting.ERP"));
    assert_null(md_namespace_of(&o, "My_Class"));
    assert_null(md_namespace_of(&o, "__x"));
    assert_null(md_namespace_of(&o, "a_b__C"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_remote_site, setup, teardown),
        cmocka_unit_test_setup_teardown(test_named_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_documents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_urls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_namespaces, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
