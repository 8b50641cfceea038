/*
 * gen_org: writes a synthetic Salesforce org in SFDX source format, for the
 * endpoints benchmark and for the demo.
 *
 *   gen_org bench DIR [--classes N] [--settings N] [--seed S]
 *       N Apex classes (each with its .cls-meta.xml; a mix of plain classes,
 *       callout classes with constants and concatenations, named-credential
 *       callers, WSDL2Apex-style stubs and test classes) and N settings files
 *       (remote sites, named credentials, workflows with outbound messages,
 *       CSP sites, custom metadata records). Deterministic for a seed.
 *
 *   gen_org demo DIR [--endpoint NAME=HOST:PORT ...]
 *       The small, realistic sample org of examples/org: an ERP integration,
 *       a billing API behind a named credential, a shipping carrier, an
 *       outbound message to an ESB, and an installed package's vendor API.
 *       Each endpoint's host and port can be rewritten (NAME is erp, billing,
 *       shipping, esb, vendor, fax), so a demo can point them at local servers and
 *       reach the names with `--resolve HOST:PORT:127.0.0.1`. (fax: an unused
 *       remote site, for a closed port.)
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int mkdirs(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static int write_file(const char *dir, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int write_file(const char *dir, const char *name, const char *fmt, ...)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "gen_org: cannot write '%s': %s\n", path, strerror(errno));
        return -1;
    }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    if (fclose(f) != 0) {
        fprintf(stderr, "gen_org: cannot write '%s': %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static const char *meta_xml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n"
    "    <apiVersion>59.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n";

static const char *filler =
    "    /**\n     * Maps the record to the request body. Keeps field order stable so the\n"
    "     * partner's checksum matches; see the integration runbook.\n     */\n"
    "    public static Map<String, Object> toBody(SObject rec, List<String> fields) {\n"
    "        Map<String, Object> body = new Map<String, Object>();\n"
    "        for (String f : fields) {\n"
    "            body.put(f, rec.get(f)); // null stays null\n"
    "        }\n"
    "        if (body.isEmpty()) {\n"
    "            throw new IllegalArgumentException('no fields for ' + String.valueOf(rec.Id));\n"
    "        }\n"
    "        return body;\n"
    "    }\n\n"
    "    public static List<Account> load(Set<Id> ids) {\n"
    "        return [SELECT Id, Name, BillingCity FROM Account WHERE Id IN :ids AND Name != 'x'];\n"
    "    }\n";

static int gen_class(const char *dir, unsigned i, unsigned nhosts)
{
    char name[64];
    unsigned kind = rnd(20);
    unsigned host = rnd(nhosts);
    if (kind < 4)
        snprintf(name, sizeof name, "Svc%05uTest", i);
    else
        snprintf(name, sizeof name, "Svc%05u", i);
    char file[96];
    snprintf(file, sizeof file, "%s.cls-meta.xml", name);
    if (write_file(dir, file, "%s", meta_xml) < 0)
        return -1;
    snprintf(file, sizeof file, "%s.cls", name);
    if (kind < 4) /* test class with a mock endpoint */
        return write_file(dir, file,
                          "@isTest\nprivate class %s {\n    @isTest static void callsMock() {\n"
                          "        HttpRequest req = new HttpRequest();\n"
                          "        req.setEndpoint('https://mock%u.example.test/api');\n"
                          "        System.assertEquals('x', 'x');\n    }\n%s}\n",
                          name, host, filler);
    if (kind < 10) /* callout with constants and concatenation */
        return write_file(dir, file,
                          "public with sharing class %s {\n"
                          "    private static final String BASE = 'https://api%u.partner%u.example.com';\n"
                          "    private static final String PATH = '/v' + '%u' + '/orders';\n"
                          "    // req.setEndpoint('https://commented.example.com');\n"
                          "    public HttpResponse send(String id) {\n"
                          "        HttpRequest req = new HttpRequest();\n"
                          "        req.setEndpoint(BASE + PATH\n            + '/' + EncodingUtil.urlEncode(id, 'UTF-8'));\n"
                          "        req.setMethod('POST');\n"
                          "        req.setHeader('Content-Type', 'application/json');\n"
                          "        return new Http().send(req);\n    }\n%s}\n",
                          name, host, host % 97, 1 + host % 3, filler);
    if (kind < 13) /* named credential */
        return write_file(dir, file,
                          "public class %s implements Queueable, Database.AllowsCallouts {\n"
                          "    public void execute(QueueableContext ctx) {\n"
                          "        HttpRequest req = new HttpRequest();\n"
                          "        req.setEndpoint('callout:NC_%u/items?limit=200');\n"
                          "        new Http().send(req);\n    }\n%s}\n",
                          name, host % 400, filler);
    if (kind < 14) /* WSDL2Apex-style stub */
        return write_file(dir, file,
                          "public class %s {\n    public class Port {\n"
                          "        public String endpoint_x = 'https://soap%u.example.com/Service';\n"
                          "        private String[] ns_map_type_info = new String[]{'http://soap%u.example.com/ns', '%s'};\n"
                          "    }\n%s}\n",
                          name, host, host, name, filler);
    /* no callout at all */
    return write_file(dir, file,
                      "public inherited sharing class %s {\n"
                      "    private static final String LABEL = 'Order ' + 'sync';\n%s%s}\n",
                      name, filler, filler);
}

static int gen_setting(const char *base, unsigned i, unsigned nhosts)
{
    char dir[4096], file[128];
    unsigned kind = rnd(10), host = rnd(nhosts);
    if (kind < 6) {
        snprintf(dir, sizeof dir, "%s/remoteSiteSettings", base);
        snprintf(file, sizeof file, "RSS_%05u.remoteSite-meta.xml", i);
        return write_file(dir, file,
                          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<RemoteSiteSetting xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n"
                          "    <description>partner %u</description>\n"
                          "    <disableProtocolSecurity>false</disableProtocolSecurity>\n"
                          "    <isActive>%s</isActive>\n"
                          "    <url>https://api%u.partner%u.example.com</url>\n</RemoteSiteSetting>\n",
                          host, rnd(10) ? "true" : "false", host, host % 97);
    }
    if (kind < 8) {
        snprintf(dir, sizeof dir, "%s/namedCredentials", base);
        snprintf(file, sizeof file, "NC_%u.namedCredential-meta.xml", i % 400);
        return write_file(dir, file,
                          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<NamedCredential xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n"
                          "    <endpoint>https://nc%u.example.net:%u</endpoint>\n"
                          "    <label>NC %u</label>\n    <principalType>NamedUser</principalType>\n"
                          "    <protocol>Password</protocol>\n</NamedCredential>\n",
                          i % 400, 8443 + i % 3, i % 400);
    }
    if (kind < 9) {
        snprintf(dir, sizeof dir, "%s/workflows", base);
        snprintf(file, sizeof file, "Obj%05u__c.workflow-meta.xml", i);
        return write_file(dir, file,
                          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<Workflow xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n"
                          "    <outboundMessages>\n        <fullName>Notify_%u</fullName>\n"
                          "        <apiVersion>58.0</apiVersion>\n"
                          "        <endpointUrl>https://esb%u.example.org/om/%u</endpointUrl>\n"
                          "        <fields>Id</fields>\n        <includeSessionId>false</includeSessionId>\n"
                          "        <integrationUser>int@example.org</integrationUser>\n"
                          "        <name>Notify</name>\n        <protected>false</protected>\n"
                          "        <useDeadLetterQueue>false</useDeadLetterQueue>\n"
                          "    </outboundMessages>\n</Workflow>\n",
                          i, host % 50, i);
    }
    snprintf(dir, sizeof dir, "%s/customMetadata", base);
    snprintf(file, sizeof file, "Endpoint_Config.Rec%05u.md-meta.xml", i);
    return write_file(dir, file,
                      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<CustomMetadata xmlns=\"http://soap.sforce.com/2006/04/metadata\" "
                      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
                      "    <label>Rec %u</label>\n    <values>\n        <field>Url__c</field>\n"
                      "        <value xsi:type=\"xsd:string\">https://cfg%u.example.com/api</value>\n"
                      "    </values>\n</CustomMetadata>\n",
                      i, host);
}

static int bench(const char *out, unsigned classes, unsigned settings)
{
    char base[4096], dir[4096];
    snprintf(base, sizeof base, "%s/force-app/main/default", out);
    const char *subs[] = { "classes", "remoteSiteSettings", "namedCredentials", "workflows", "customMetadata" };
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        snprintf(dir, sizeof dir, "%s/%s", base, subs[i]);
        if (mkdirs(dir) < 0) {
            fprintf(stderr, "gen_org: cannot create '%s': %s\n", dir, strerror(errno));
            return 2;
        }
    }
    if (write_file(out, "sfdx-project.json", "{\"packageDirectories\":[{\"path\":\"force-app\",\"default\":true}],"
                                             "\"sourceApiVersion\":\"59.0\"}\n") < 0)
        return 2;
    unsigned nhosts = 500;
    snprintf(dir, sizeof dir, "%s/classes", base);
    for (unsigned i = 0; i < classes; i++)
        if (gen_class(dir, i, nhosts) < 0)
            return 2;
    for (unsigned i = 0; i < settings; i++)
        if (gen_setting(base, i, nhosts) < 0)
            return 2;
    return 0;
}

/* ---- the demo org ---------------------------------------------------------- */

struct ep {
    const char *name;
    char host[256];
    unsigned port;
};

static struct ep demo_eps[] = {
    { "erp", "legacy-erp.example.test", 8443 },       /* the old ERP: the demo serves it TLS 1.0 only */
    { "billing", "billing.example.test", 9443 },      /* modern */
    { "shipping", "shipping.example.test", 10443 },   /* modern, reached through a remote site */
    { "esb", "esb.example.test", 11443 },             /* outbound messages */
    { "vendor", "api.docvendor.example.test", 12443 },/* an installed package's server */
    { "fax", "fax.example.test", 13443 },             /* a remote site nobody uses any more */
};

static const struct ep *ep(const char *name)
{
    for (size_t i = 0; i < sizeof demo_eps / sizeof demo_eps[0]; i++)
        if (strcmp(demo_eps[i].name, name) == 0)
            return &demo_eps[i];
    return NULL;
}

static int demo(const char *out)
{
    char base[4096], dir[4096];
    snprintf(base, sizeof base, "%s/force-app/main/default", out);
    const char *subs[] = { "classes", "triggers", "remoteSiteSettings", "namedCredentials", "workflows",
                           "labels", "cspTrustedSites", "connectedApps" };
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        snprintf(dir, sizeof dir, "%s/%s", base, subs[i]);
        if (mkdirs(dir) < 0) {
            fprintf(stderr, "gen_org: cannot create '%s': %s\n", dir, strerror(errno));
            return 2;
        }
    }
    const struct ep *erp = ep("erp"), *bill = ep("billing"), *ship = ep("shipping"), *esb = ep("esb"), *ven = ep("vendor");
    int rc = 0;
    rc |= write_file(out, "sfdx-project.json", "{\"packageDirectories\":[{\"path\":\"force-app\",\"default\":true}],"
                                               "\"name\":\"acme-demo-org\",\"sourceApiVersion\":\"59.0\"}\n");
    snprintf(dir, sizeof dir, "%s/classes", base);
    rc |= write_file(dir, "ErpOrderSync.cls",
                     "/**\n * Pushes closed-won orders to the ERP (SAP PI on the old DMZ host).\n"
                     " * Nobody has touched this since 2014.\n */\n"
                     "public with sharing class ErpOrderSync implements Queueable, Database.AllowsCallouts {\n"
                     "    private static final String ERP_BASE = 'https://%s:%u';\n"
                     "    private static final String ORDER_PATH = '/sap/xi/orders';\n"
                     "    private final Id orderId;\n\n"
                     "    public ErpOrderSync(Id orderId) { this.orderId = orderId; }\n\n"
                     "    public void execute(QueueableContext ctx) {\n"
                     "        HttpRequest req = new HttpRequest();\n"
                     "        req.setEndpoint(ERP_BASE + ORDER_PATH\n"
                     "            + '?id=' + EncodingUtil.urlEncode(orderId, 'UTF-8'));\n"
                     "        req.setMethod('POST');\n"
                     "        req.setTimeout(60000);\n"
                     "        HttpResponse res = new Http().send(req);\n"
                     "        if (res.getStatusCode() != 200) {\n"
                     "            System.debug(LoggingLevel.ERROR, 'ERP rejected ' + orderId);\n"
                     "        }\n    }\n}\n",
                     erp->host, erp->port);
    rc |= write_file(dir, "ErpOrderSync.cls-meta.xml", "%s", meta_xml);
    rc |= write_file(dir, "InvoiceService.cls",
                     "public with sharing class InvoiceService {\n"
                     "    @future(callout=true)\n"
                     "    public static void publish(Id invoiceId) {\n"
                     "        HttpRequest req = new HttpRequest();\n"
                     "        req.setEndpoint('callout:Billing_API/invoices/' + invoiceId);\n"
                     "        req.setMethod('PUT');\n"
                     "        new Http().send(req);\n    }\n}\n");
    rc |= write_file(dir, "InvoiceService.cls-meta.xml", "%s", meta_xml);
    rc |= write_file(dir, "ShippingRates.cls",
                     "public class ShippingRates {\n"
                     "    @AuraEnabled(cacheable=true)\n"
                     "    public static String quote(String zip) {\n"
                     "        HttpRequest req = new HttpRequest();\n"
                     "        req.setEndpoint(Label.Shipping_Endpoint + '/rates?zip=' + zip);\n"
                     "        req.setMethod('GET');\n"
                     "        return new Http().send(req).getBody();\n    }\n}\n");
    rc |= write_file(dir, "ShippingRates.cls-meta.xml", "%s", meta_xml);
    rc |= write_file(dir, "ShippingRatesTest.cls",
                     "@isTest\nprivate class ShippingRatesTest {\n"
                     "    @isTest static void quotes() {\n"
                     "        Test.setMock(HttpCalloutMock.class, new Mock());\n"
                     "        System.assertNotEquals(null, ShippingRates.quote('10115'));\n    }\n"
                     "    class Mock implements HttpCalloutMock {\n"
                     "        public HttpResponse respond(HttpRequest req) {\n"
                     "            System.assertEquals('https://fake-carrier.example.test/rates?zip=10115', req.getEndpoint());\n"
                     "            return new HttpResponse();\n        }\n    }\n}\n");
    rc |= write_file(dir, "ShippingRatesTest.cls-meta.xml", "%s", meta_xml);
    rc |= write_file(dir, "docvendor__DocClient.cls",
                     "/* Installed package DocVendor (namespace docvendor): its server, not ours. */\n"
                     "global class DocClient {\n"
                     "    global static void render(Id recordId) {\n"
                     "        HttpRequest req = new HttpRequest();\n"
                     "        req.setEndpoint('https://%s:%u/v2/render');\n"
                     "        new Http().send(req);\n    }\n}\n",
                     ven->host, ven->port);
    rc |= write_file(dir, "docvendor__DocClient.cls-meta.xml", "%s", meta_xml);
    snprintf(dir, sizeof dir, "%s/triggers", base);
    rc |= write_file(dir, "OrderTrigger.trigger",
                     "trigger OrderTrigger on Order (after update) {\n"
                     "    for (Order o : Trigger.new) {\n"
                     "        if (o.Status == 'Activated') System.enqueueJob(new ErpOrderSync(o.Id));\n"
                     "    }\n}\n");
    snprintf(dir, sizeof dir, "%s/remoteSiteSettings", base);
    const char *rss = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<RemoteSiteSetting xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n"
                      "    <description>%s</description>\n"
                      "    <disableProtocolSecurity>false</disableProtocolSecurity>\n"
                      "    <isActive>true</isActive>\n    <url>https://%s:%u</url>\n</RemoteSiteSetting>\n";
    rc |= write_file(dir, "SAP_ERP.remoteSite-meta.xml", rss, "SAP PI (ERP)", erp->host, erp->port);
    rc |= write_file(dir, "Shipping_Carrier.remoteSite-meta.xml", rss, "Carrier rates", ship->host, ship->port);
    rc |= write_file(dir, "docvendor__DocVendorAPI.remoteSite-meta.xml", rss, "DocVendor", ven->host, ven->port);
    rc |= write_file(dir, "Old_Fax_Gateway.remoteSite-meta.xml", rss, "decommissioned 2019", ep("fax")->host, ep("fax")->port);
    snprintf(dir, sizeof dir, "%s/namedCredentials", base);
    rc |= write_file(dir, "Billing_API.namedCredential-meta.xml",
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<NamedCredential xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n"
                     "    <label>Billing API</label>\n"
                     "    <namedCredentialType>SecuredEndpoint</namedCredentialType>\n"
                     "    <namedCredentialParameters>\n        <parameterName>Url</parameterName>\n"
                     "        <parameterType>Url</parameterType>\n"
                     "        <parameterValue>https://%s:%u/api/v2</parameterValue>\n"
                     "    </namedCredentialParameters>\n</NamedCredential>\n",
                     bill->host, bill->port);
    snprintf(dir, sizeof dir, "%s/workflows", base);
    rc |= write_file(dir, "Case.workflow-meta.xml",
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<Workflow xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n"
                     "    <outboundMessages>\n        <fullName>Escalation_To_ESB</fullName>\n"
                     "        <apiVersion>45.0</apiVersion>\n"
                     "        <endpointUrl>https://%s:%u/sfdc/case-escalation</endpointUrl>\n"
                     "        <fields>Id</fields>\n        <includeSessionId>false</includeSessionId>\n"
                     "        <integrationUser>integration@acme.example.test</integrationUser>\n"
                     "        <name>Escalation to ESB</name>\n        <protected>false</protected>\n"
                     "        <useDeadLetterQueue>false</useDeadLetterQueue>\n"
                     "    </outboundMessages>\n</Workflow>\n",
                     esb->host, esb->port);
    snprintf(dir, sizeof dir, "%s/labels", base);
    rc |= write_file(dir, "CustomLabels.labels-meta.xml",
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<CustomLabels xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n"
                     "    <labels>\n        <fullName>Shipping_Endpoint</fullName>\n"
                     "        <language>en_US</language>\n        <protected>false</protected>\n"
                     "        <shortDescription>Carrier endpoint</shortDescription>\n"
                     "        <value>https://%s:%u/carrier</value>\n    </labels>\n</CustomLabels>\n",
                     ship->host, ship->port);
    snprintf(dir, sizeof dir, "%s/cspTrustedSites", base);
    rc |= write_file(dir, "Maps_Tiles.cspTrustedSite-meta.xml",
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<CspTrustedSite xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n"
                     "    <context>LEX</context>\n    <endpointUrl>https://tiles.maps.example.test</endpointUrl>\n"
                     "    <isActive>true</isActive>\n</CspTrustedSite>\n");
    snprintf(dir, sizeof dir, "%s/connectedApps", base);
    rc |= write_file(dir, "Field_Service_Mobile.connectedApp-meta.xml",
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<ConnectedApp xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n"
                     "    <contactEmail>it@acme.example.test</contactEmail>\n    <label>Field Service Mobile</label>\n"
                     "    <oauthConfig>\n        <callbackUrl>https://fsm.acme.example.test/oauth/callback</callbackUrl>\n"
                     "        <consumerKey>3MVG9demo</consumerKey>\n    </oauthConfig>\n</ConnectedApp>\n");
    return rc ? 2 : 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: gen_org bench DIR [--classes N] [--settings N] [--seed S]\n"
               "       gen_org demo DIR [--endpoint NAME=HOST:PORT ...]   (NAME: erp billing shipping esb vendor fax)\n");
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        usage(stderr);
        return 2;
    }
    unsigned classes = 20000, settings = 2000;
    for (int i = 3; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--classes") == 0)
            classes = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (i + 1 < argc && strcmp(argv[i], "--settings") == 0)
            settings = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (i + 1 < argc && strcmp(argv[i], "--seed") == 0)
            rng = strtoull(argv[++i], NULL, 10) | 1u;
        else if (i + 1 < argc && strcmp(argv[i], "--endpoint") == 0) {
            char *spec = argv[++i];
            char *eq = strchr(spec, '='), *colon = strrchr(spec, ':');
            struct ep *e = NULL;
            if (eq && colon && colon > eq) {
                *eq = '\0';
                e = (struct ep *)ep(spec);
            }
            unsigned long port = colon ? strtoul(colon + 1, NULL, 10) : 0;
            if (!e || port == 0 || port > 65535 || (size_t)(colon - eq - 1) >= sizeof e->host) {
                fprintf(stderr, "gen_org: bad --endpoint (expected NAME=HOST:PORT, NAME one of erp billing shipping esb vendor fax)\n");
                return 2;
            }
            snprintf(e->host, sizeof e->host, "%.*s", (int)(colon - eq - 1), eq + 1);
            e->port = (unsigned)port;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (mkdirs(argv[2]) < 0) {
        fprintf(stderr, "gen_org: cannot create '%s': %s\n", argv[2], strerror(errno));
        return 2;
    }
    if (strcmp(argv[1], "bench") == 0)
        return bench(argv[2], classes, settings);
    if (strcmp(argv[1], "demo") == 0)
        return demo(argv[2]);
    usage(stderr);
    return 2;
}
