/* Unit tests for the Salesforce formats: header detection, date-time forms,
 * rows to observations, ELF codes, User-Agents, category rules (the shipped
 * rules on the typical values of specs/salesforce.md section 3), and the
 * generated rules file agreeing with data/salesforce-rules.tsv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "analyze/sf_rules.h"
#include "ingest/csv.h"
#include "ingest/salesforce.h"
#include "tls/version.h"

/* Splits a one-line CSV literal into a row (fields NUL-terminated). */
struct parsed {
    struct csv_reader r;
    struct csv_row row;
};

static void parse_line(struct parsed *p, const char *line)
{
    assert_int_equal(csv_init(&p->r, NULL), 0);
    csv_feed(&p->r, line, strlen(line));
    csv_set_eof(&p->r);
    assert_int_equal(csv_next(&p->r, &p->row), CSV_ROW);
    csv_terminate(&p->row);
}

static void test_header_detection(void **state)
{
    (void)state;
    struct sf_layout l;
    struct tr_error err;
    struct parsed h;
    parse_line(&h, "Id,UserId,LoginTime,LoginType,Status,SourceIp,Application,Browser,Platform,TlsProtocol,CipherSuite\n");
    assert_int_equal(sf_layout_from_header(&l, &h.row, SF_AUTO, &err), 0);
    assert_int_equal(l.format, SF_API);
    assert_int_equal(l.col[SFC_USER_ID], 1);
    assert_int_equal(l.col[SFC_TLS], 9);
    assert_int_equal(l.col[SFC_USERNAME], -1);
    csv_free(&h.r);

    /* Data Loader all-caps headers, any order, relationship column */
    parse_line(&h, "\"TLSPROTOCOL\",\"USER.USERNAME\",\"LOGINTIME\",\"USERID\"\n");
    assert_int_equal(sf_layout_from_header(&l, &h.row, SF_AUTO, &err), 0);
    assert_int_equal(l.format, SF_API);
    assert_int_equal(l.col[SFC_TLS], 0);
    assert_int_equal(l.col[SFC_USERNAME], 1);
    assert_int_equal(l.col[SFC_TIME], 2);
    csv_free(&h.r);

    parse_line(&h, "Username,Login Time,Source IP,Login Type,Status,Browser,Platform,Application,Client Version,"
                   "API Type,API Version,Login URL,TLS Protocol,TLS Cipher Suite\n");
    assert_int_equal(sf_layout_from_header(&l, &h.row, SF_AUTO, &err), 0);
    assert_int_equal(l.format, SF_SETUP);
    assert_int_equal(l.col[SFC_CIPHER], 13);
    assert_int_equal(l.col[SFC_CLIENT_VERSION], 8);
    csv_free(&h.r);

    parse_line(&h, "\"EVENT_TYPE\",\"TIMESTAMP\",\"USER_ID\",\"LOGIN_TYPE\",\"BROWSER_TYPE\",\"API_TYPE\",\"USER_NAME\","
                   "\"TLS_PROTOCOL\",\"CIPHER_SUITE\",\"TIMESTAMP_DERIVED\",\"USER_ID_DERIVED\",\"CLIENT_IP\","
                   "\"LOGIN_STATUS\",\"SOURCE_IP\"\n");
    assert_int_equal(sf_layout_from_header(&l, &h.row, SF_AUTO, &err), 0);
    assert_int_equal(l.format, SF_ELF);
    assert_int_equal(l.col[SFC_TIME], 9);
    assert_int_equal(l.col[SFC_TIMESTAMP], 1);
    assert_int_equal(l.col[SFC_CLIENT_IP], 11);
    assert_int_equal(l.col[SFC_SOURCE_IP], 13);
    assert_int_equal(l.col[SFC_STATUS], 12);
    csv_free(&h.r);

    /* LoginEvent (Real-Time Event Monitoring) exports: API names, EventDate, Username */
    parse_line(&h, "Id,EventDate,Username,UserId,LoginType,Application,Browser,Platform,SourceIp,TlsProtocol,"
                   "CipherSuite,Status,LoginUrl\n");
    assert_int_equal(sf_layout_from_header(&l, &h.row, SF_AUTO, &err), 0);
    assert_int_equal(l.format, SF_API);
    assert_int_equal(l.col[SFC_TIME], 1);
    assert_int_equal(l.col[SFC_USERNAME], 2);
    assert_int_equal(l.col[SFC_LOGIN_URL], 12);
    csv_free(&h.r);

    /* forced format; missing columns are errors that say what is missing */
    parse_line(&h, "UserId,TlsProtocol\n");
    assert_int_equal(sf_layout_from_header(&l, &h.row, SF_ELF, &err), 0);
    assert_int_equal(l.format, SF_ELF);
    csv_free(&h.r);
    parse_line(&h, "UserId,LoginTime,Application\n");
    assert_int_equal(sf_layout_from_header(&l, &h.row, SF_AUTO, &err), -1);
    assert_non_null(strstr(err.msg, "no TLS protocol column"));
    csv_free(&h.r);
    parse_line(&h, "LoginTime,TlsProtocol\n");
    assert_int_equal(sf_layout_from_header(&l, &h.row, SF_AUTO, &err), -1);
    assert_non_null(strstr(err.msg, "no user column"));
    csv_free(&h.r);
    assert_int_equal(sf_format_parse("elf"), SF_ELF);
    assert_int_equal(sf_format_parse("xml"), -1);
}

static int64_t T(const char *s, int day_first, int32_t tz)
{
    int64_t t;
    return sf_parse_time(s, strlen(s), day_first, tz, &t) == 0 ? t : -1;
}

static void test_times(void **state)
{
    (void)state;
    const int64_t want = 1488363753; /* 2017-03-01T10:22:33Z */
    assert_int_equal(T("2017-03-01T10:22:33.000+0000", 0, 0), want); /* sf CLI / REST */
    assert_int_equal(T("2017-03-01T10:22:33.000Z", 0, 0), want);     /* Data Loader, Bulk */
    assert_int_equal(T("2017-03-01T10:22:33Z", 0, 0), want);
    assert_int_equal(T("2017-03-01T10:22:33+00:00", 0, 0), want);
    assert_int_equal(T("2017-03-01T11:22:33+01:00", 0, 0), want);
    assert_int_equal(T("2017-03-01T05:22:33.5-0500", 0, 0), want);
    assert_int_equal(T("2017-03-01 10:22:33 GMT", 0, 0), want);
    assert_int_equal(T("20170301102233.000", 0, 0), want);           /* ELF TIMESTAMP */
    assert_int_equal(T("3/1/2017 10:22:33 AM", 0, 0), want);         /* Setup download, US */
    assert_int_equal(T("3/1/2017, 10:22 AM", 0, 0), want - 33);
    assert_int_equal(T("1/3/2017 10:22:33", 1, 0), want);            /* day first */
    assert_int_equal(T("3/1/2017 12:00:00 AM", 0, 0), 1488326400);   /* midnight */
    assert_int_equal(T("3/1/2017 12:00:00 PM", 0, 0), 1488326400 + 43200);
    assert_int_equal(T("3/1/2017 11:22:33 AM", 0, 3600), want);      /* --tz +01:00, no zone written */
    assert_int_equal(T("3/1/2017 10:22:33 AM GMT", 0, 3600), want);  /* a written zone wins */
    assert_int_equal(T("2017-03-01", 0, 0), 1488326400);
    assert_int_equal(T("2017-13-01T00:00:00Z", 0, 0), -1);
    assert_int_equal(T("2017-03-01T25:00:00Z", 0, 0), -1);
    assert_int_equal(T("yesterday", 0, 0), -1);
    assert_int_equal(T("13/13/2017 1:00", 0, 0), -1);
    assert_int_equal(T("3/1/2017 13:00 PM", 0, 0), -1);
    assert_int_equal(T("2017-03-01T10:22:33+99:00", 0, 0), -1);
    assert_int_equal(T("", 0, 0), -1);
}

static void test_rows(void **state)
{
    (void)state;
    struct parsed h, r;
    struct sf_layout l;
    struct tr_error err;
    struct sf_login lg;
    parse_line(&h, "UserId,LoginTime,LoginType,Status,SourceIp,Application,Browser,Platform,ClientVersion,"
                   "ApiType,ApiVersion,TlsProtocol,CipherSuite,LoginUrl\n");
    assert_int_equal(sf_layout_from_header(&l, &h.row, SF_AUTO, &err), 0);
    parse_line(&r, "0055j00000AT6I1AAL,2017-03-01T10:22:33.000+0000,Other Apex API,Invalid Password,192.0.2.4,"
                   "N/A,\"Java (Salesforce.com)\",Unknown,N/A,SOAP Partner,20.0,TLS 1.0,AES128-SHA,login.salesforce.com\n");
    assert_int_equal(sf_login_from_row(&lg, &l, &r.row, NULL, 0, &err), 0);
    assert_int_equal(lg.obs.time, 1488363753);
    assert_string_equal(lg.obs.user_id, "0055j00000AT6I1AAL");
    assert_null(lg.obs.user);
    assert_int_equal(lg.obs.version, TLSV_TLS10);
    assert_int_equal(lg.obs.success, 0);
    assert_string_equal(lg.obs.status, "Invalid Password");
    assert_string_equal(lg.obs.browser, "Java (Salesforce.com)");
    assert_string_equal(lg.obs.api_version, "20.0");
    assert_string_equal(lg.obs.server, "login.salesforce.com");
    assert_null(lg.obs.user_agent);
    csv_free(&r.r);

    /* empty TLS protocol (pre-Summer '16) and empty time: unknown, not errors */
    parse_line(&r, "0055j00000AT6I1AAL,,Application,Success,,Browser,,,,,,,,\n");
    assert_int_equal(sf_login_from_row(&lg, &l, &r.row, NULL, 0, &err), 0);
    assert_int_equal(lg.obs.version, TLSV_UNKNOWN);
    assert_int_equal(lg.obs.time, OBS_TIME_UNKNOWN);
    assert_int_equal(lg.obs.success, 1);
    assert_null(lg.obs.client_ip);
    csv_free(&r.r);

    parse_line(&r, "0055j00000AT6I1AAL,not a time,Application,Success,,Browser,,,,,,TLS 1.2,,\n");
    assert_int_equal(sf_login_from_row(&lg, &l, &r.row, NULL, 0, &err), -1);
    assert_non_null(strstr(err.msg, "login time 'not a time'"));
    csv_free(&r.r);
    parse_line(&r, "0055j00000AT6I1AAL,2017-03-01T10:22:33Z\n");
    assert_int_equal(sf_login_from_row(&lg, &l, &r.row, NULL, 0, &err), -1);
    assert_string_equal(err.msg, "expected 14 fields as in the header, found 2");
    csv_free(&r.r);
    csv_free(&h.r);

    /* ELF: codes, TLSv1, derived ids, raw User-Agent */
    parse_line(&h, "EVENT_TYPE,TIMESTAMP,USER_ID,LOGIN_TYPE,BROWSER_TYPE,API_TYPE,API_VERSION,USER_NAME,TLS_PROTOCOL,"
                   "TIMESTAMP_DERIVED,USER_ID_DERIVED,CLIENT_IP,LOGIN_STATUS,SOURCE_IP\n");
    assert_int_equal(sf_layout_from_header(&l, &h.row, SF_AUTO, &err), 0);
    parse_line(&r, "Login,20170301102233.000,0055j00000AT6I1,I,Java/1.6.0_45,P,9998.0,erp@acme.com,TLSv1,"
                   "2017-03-01T10:22:33.000Z,0055j00000AT6I1AAL,Salesforce.com IP,LOGIN_NO_ERROR,10.1.1.1\n");
    assert_int_equal(sf_login_from_row(&lg, &l, &r.row, NULL, 0, &err), 0);
    assert_int_equal(lg.obs.time, 1488363753);
    assert_string_equal(lg.obs.user, "erp@acme.com");
    assert_string_equal(lg.obs.user_id, "0055j00000AT6I1AAL");
    assert_string_equal(lg.obs.login_type, "Other Apex API");
    assert_string_equal(lg.obs.api_type, "SOAP Partner");
    assert_string_equal(lg.obs.api_version, "N/A");
    assert_string_equal(lg.obs.user_agent, "Java/1.6.0_45");
    assert_string_equal(lg.obs.browser, "Java/1.6.0_45");
    assert_string_equal(lg.obs.client_ip, "Salesforce.com IP");
    assert_int_equal(lg.obs.version, TLSV_TLS10);
    assert_int_equal(lg.obs.success, 1);
    csv_free(&r.r);
    csv_free(&h.r);
    assert_string_equal(sf_elf_login_type("i"), "Remote Access 2.0");
    assert_string_equal(sf_elf_login_type("A"), "Application");
    assert_null(sf_elf_login_type("AA"));
    assert_null(sf_elf_login_type("?"));
    assert_string_equal(sf_elf_api_type("E"), "SOAP Enterprise");
}

static void test_user_agents(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(sf_browser_from_ua("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                                           "Gecko) Chrome/51.0.2704.103 Safari/537.36", b, sizeof b), "Chrome 51");
    assert_string_equal(sf_browser_from_ua("Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; Trident/6.0)", b,
                                           sizeof b), "IE 10");
    assert_string_equal(sf_browser_from_ua("Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko", b, sizeof b),
                        "IE 11");
    assert_string_equal(sf_browser_from_ua("Mozilla/5.0 (Windows NT 10.0; rv:50.0) Gecko/20100101 Firefox/50.0", b,
                                           sizeof b), "Firefox 50");
    assert_string_equal(sf_browser_from_ua("Go-http-client/1.1", b, sizeof b), "Go-http-client/1.1");
    assert_string_equal(sf_browser_from_ua("Apache-HttpClient/4.5.2 (Java/1.8.0_101)", b, sizeof b),
                        "Apache-HttpClient/4.5.2");
    assert_null(sf_browser_from_ua("", b, sizeof b));
}

/* ---------------------------------------------------------------- categories */

static int classify(const struct sf_rules *r, const char *app, const char *login_type, const char *subtype,
                    const char *browser, const char *api_type, const char *ua)
{
    struct observation o = { .application = app, .login_type = login_type, .browser = browser,
                             .api_type = api_type, .user_agent = ua };
    return sf_rules_classify(r, &o, subtype);
}

static void test_default_rules(void **state)
{
    (void)state;
    struct sf_rules *r = sf_rules_new();
    struct tr_error err;
    assert_int_equal(sf_rules_add_text(r, sf_rules_default, strlen(sf_rules_default), "built-in", &err), 0);
    assert_true(sf_rules_count(r) > 50);
    /* (1) people: the browser, SSO, the mobile apps */
    assert_int_equal(classify(r, "Browser", "Application", "UsernamePasswordUiLogin", "IE 10", "N/A", NULL), SF_CAT_PEOPLE);
    assert_int_equal(classify(r, "Browser", "SAML Idp Initiated SSO", NULL, "Safari 6", "N/A", NULL), SF_CAT_PEOPLE);
    assert_int_equal(classify(r, "Salesforce for iOS", "Remote Access 2.0", "OauthHybridRefreshToken", "Unknown",
                              "N/A", NULL), SF_CAT_PEOPLE);
    assert_int_equal(classify(r, "Salesforce1 for Android", "Remote Access 2.0", NULL, NULL, NULL, NULL), SF_CAT_PEOPLE);
    assert_int_equal(classify(r, "SalesforceA", "Remote Access 2.0", NULL, NULL, NULL, NULL), SF_CAT_PEOPLE);
    assert_int_equal(classify(r, NULL, "Application", NULL, NULL, NULL,
                              "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1)"), SF_CAT_PEOPLE); /* ELF A */
    assert_int_equal(classify(r, NULL, "Third Party SSO", NULL, NULL, NULL, NULL), SF_CAT_PEOPLE);
    assert_int_equal(classify(r, NULL, "Chatter Communities External User", NULL, NULL, NULL, NULL), SF_CAT_PEOPLE);
    /* (2) installed tools */
    assert_int_equal(classify(r, "Salesforce for Outlook", "Remote Access 2.0", NULL, "Unknown", "N/A", NULL), SF_CAT_TOOLS);
    assert_int_equal(classify(r, "Dataloader Partner", "Partner Product", NULL, "Java", "SOAP Partner", NULL), SF_CAT_TOOLS);
    assert_int_equal(classify(r, "DataLoaderBulkUI/39.0.0", "Remote Access 2.0", NULL, NULL, NULL, NULL), SF_CAT_TOOLS);
    assert_int_equal(classify(r, "Force.com IDE", "Partner Product", NULL, NULL, "SOAP Partner", NULL), SF_CAT_TOOLS);
    assert_int_equal(classify(r, "Ant Migration Tool", NULL, NULL, NULL, "Metadata API", NULL), SF_CAT_TOOLS);
    assert_int_equal(classify(r, "Salesforce CLI", "Remote Access 2.0", NULL, NULL, NULL, NULL), SF_CAT_TOOLS);
    assert_int_equal(classify(r, "Workbench", "Remote Access 2.0", NULL, NULL, NULL, NULL), SF_CAT_TOOLS);
    assert_int_equal(classify(r, "Chatter Desktop", NULL, NULL, NULL, NULL, NULL), SF_CAT_TOOLS);
    assert_int_equal(classify(r, "N/A", "Excel Integration", NULL, NULL, NULL, NULL), SF_CAT_TOOLS);
    assert_int_equal(classify(r, "N/A", "Outlook Integration", NULL, NULL, NULL, NULL), SF_CAT_TOOLS);
    /* (3) integrations */
    assert_int_equal(classify(r, "N/A", "Other Apex API", NULL, "Java (Salesforce.com)", "SOAP Partner", NULL),
                     SF_CAT_INTEGRATIONS);
    assert_int_equal(classify(r, "Dell Boomi", "Remote Access 2.0", "OauthUsernamePassword", "Unknown", "N/A", NULL),
                     SF_CAT_INTEGRATIONS);
    assert_int_equal(classify(r, "Billing Sync", "Remote Access 2.0", "OauthClientCredentials", NULL, NULL, NULL),
                     SF_CAT_INTEGRATIONS);
    assert_int_equal(classify(r, "Conga Composer", "Remote Access 2.0", NULL, NULL, NULL, NULL), SF_CAT_INTEGRATIONS);
    assert_int_equal(classify(r, "N/A", "Partner Product", NULL, "Unknown", "SOAP Enterprise", NULL), SF_CAT_INTEGRATIONS);
    assert_int_equal(classify(r, NULL, "Remote Access 2.0", NULL, NULL, NULL, "Java/1.7.0_80"), SF_CAT_INTEGRATIONS);
    assert_int_equal(classify(r, NULL, "Application", NULL, NULL, NULL, "python-requests/2.12.4"), SF_CAT_INTEGRATIONS);
    assert_int_equal(classify(r, NULL, "Application", NULL, NULL, NULL, "Go-http-client/1.1"), SF_CAT_INTEGRATIONS);
    assert_int_equal(classify(r, "AppExchange", "AppExchange", NULL, NULL, NULL, NULL), SF_CAT_INTEGRATIONS);
    assert_int_equal(classify(r, "Microsoft SOAP Toolkit", NULL, NULL, NULL, NULL, NULL), SF_CAT_INTEGRATIONS);
    /* (4) other */
    assert_int_equal(classify(r, "Salesforce Internal Application", "Cross Tenant Login (internal)", NULL, NULL, NULL,
                              NULL), SF_CAT_OTHER);
    assert_int_equal(classify(r, NULL, NULL, NULL, NULL, NULL, NULL), SF_CAT_OTHER);
    assert_int_equal(classify(r, "N/A", "Validate", NULL, NULL, NULL, NULL), SF_CAT_OTHER);

    /* --rules: added rules come first and override */
    struct sf_rules *mine = sf_rules_new();
    const char *extra = "# ours\npeople\tapplication=Conga Composer\n\nintegrations\tuser^=integration.\tbrowser=IE 10\n";
    assert_int_equal(sf_rules_add_text(mine, extra, strlen(extra), "mine.tsv", &err), 0);
    assert_int_equal(sf_rules_add_text(mine, sf_rules_default, strlen(sf_rules_default), "built-in", &err), 0);
    assert_int_equal(classify(mine, "Conga Composer", "Remote Access 2.0", NULL, NULL, NULL, NULL), SF_CAT_PEOPLE);
    struct observation o = { .application = "Browser", .browser = "IE 10", .user = "integration.7@acme.com" };
    assert_int_equal(sf_rules_classify(mine, &o, NULL), SF_CAT_INTEGRATIONS);
    o.user = "jane@acme.com";
    assert_int_equal(sf_rules_classify(mine, &o, NULL), SF_CAT_PEOPLE);
    /* bad rules name the file and line */
    assert_int_equal(sf_rules_add_text(mine, "\nvendors\tapplication=X\n", 22, "bad.tsv", &err), -1);
    assert_string_equal(err.msg, "bad.tsv:2: unknown category 'vendors' (expected people, tools, integrations or other)");
    assert_int_equal(sf_rules_add_text(mine, "tools\tcolour=red\n", 17, "bad.tsv", &err), -1);
    assert_non_null(strstr(err.msg, "bad.tsv:1: expected CATEGORY<TAB>FIELD=VALUE"));
    assert_int_equal(sf_rules_add_text(mine, "tools\n", 6, "bad.tsv", &err), -1);
    sf_rules_free(mine);

    /* the memoising classifier gives the same answers */
    struct sf_classifier *c = sf_classifier_new(r);
    struct sf_login lg = { .obs = { .application = "Salesforce for Outlook", .login_type = "Remote Access 2.0" } };
    for (int i = 0; i < 3; i++)
        assert_int_equal(sf_classify_login(c, &lg.obs), SF_CAT_TOOLS);
    lg.obs.application = "Browser";
    assert_int_equal(sf_classify_login(c, &lg.obs), SF_CAT_PEOPLE);
    sf_classifier_free(c);
    sf_rules_free(r);
}

/* The generated C file must hold exactly the data file (the single source). */
static void test_rules_file_matches(void **state)
{
    (void)state;
    FILE *f = fopen("data/salesforce-rules.tsv", "rb");
    if (!f)
        f = fopen("../data/salesforce-rules.tsv", "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_int_equal(n, strlen(sf_rules_default));
    assert_memory_equal(buf, sf_rules_default, n);
}

static void test_users(void **state)
{
    (void)state;
    char path[] = "/tmp/tlsready-users-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *csv = "\xef\xbb\xbf\"Id\",\"Username\",\"Name\",\"Email\",\"Profile.Name\",\"IsActive\"\r\n"
                      "\"0055j00000AT6I1AAL\",\"jane@acme.com\",\"Doe, Jane\",\"jane@acme.com\",\"Standard User\",\"true\"\r\n"
                      "\"0055j00000AT6I2AAL\",\"erp@acme.com\",\"ERP\",\"\",\"API Only\",\"false\"\r\n";
    assert_int_equal(write(fd, csv, strlen(csv)), (long)strlen(csv));
    close(fd);
    struct tr_error err;
    struct sf_users *u = sf_users_load(path, &err);
    assert_non_null(u);
    assert_int_equal(sf_users_count(u), 2);
    const struct sf_user *x = sf_users_by_id(u, "0055j00000AT6I1", 15); /* ELF 15-character id */
    assert_non_null(x);
    assert_string_equal(x->name, "Doe, Jane");
    x = sf_users_by_id(u, "0055j00000AT6I2AAL", 18);
    assert_non_null(x);
    assert_string_equal(x->username, "erp@acme.com");
    assert_null(x->email);
    assert_non_null(sf_users_by_username(u, "jane@acme.com", 13));
    assert_null(sf_users_by_username(u, "nobody@acme.com", 15));
    assert_null(sf_users_by_id(u, "0055j00000AT6I3AAL", 18));
    sf_users_free(u);
    FILE *f = fopen(path, "w");
    fputs("Name,Email\nx,y\n", f);
    fclose(f);
    assert_null(sf_users_load(path, &err));
    assert_non_null(strstr(err.msg, "needs Id and Username"));
    unlink(path);
    assert_null(sf_users_load("/nonexistent/users.csv", &err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_detection), cmocka_unit_test(test_times),
        cmocka_unit_test(test_rows),             cmocka_unit_test(test_user_agents),
        cmocka_unit_test(test_default_rules),    cmocka_unit_test(test_rules_file_matches),
        cmocka_unit_test(test_users),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
