/*
 * Metadata XML readers: see md_xml.h. Element names follow the Metadata API
 * Developer Guide (RemoteSiteSetting, NamedCredential, ...) as summarised in
 * shared/specs/salesforce.md section 1e; elements are matched by local name so
 * a missing or different default namespace does not matter.
 */
#include "metadata/md_xml.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "metadata/md_url.h"

static const struct {
    const char *suffix;
    enum md_xml_kind kind;
} suffixes[] = {
    { "remoteSite", MD_XML_REMOTE_SITE },
    { "namedCredential", MD_XML_NAMED_CREDENTIAL },
    { "externalCredential", MD_XML_EXTERNAL_CREDENTIAL },
    { "cspTrustedSite", MD_XML_CSP_TRUSTED_SITE },
    { "dataSource", MD_XML_DATA_SOURCE },
    { "workflow", MD_XML_WORKFLOW },
    { "workflowOutboundMessage", MD_XML_OUTBOUND_MESSAGE },
    { "externalServiceRegistration", MD_XML_EXTERNAL_SERVICE },
    { "authprovider", MD_XML_AUTH_PROVIDER },
    { "connectedApp", MD_XML_CONNECTED_APP },
    { "eca", MD_XML_ECA },
    { "ecaOauth", MD_XML_ECA },
    { "samlssoconfig", MD_XML_SAML_SSO },
    { "callCenter", MD_XML_CALL_CENTER },
    { "corsWhitelistOrigin", MD_XML_CORS_ORIGIN },
    { "md", MD_XML_CUSTOM_METADATA },
    { "labels", MD_XML_LABELS },
    { "label", MD_XML_LABEL },
};

enum md_xml_kind md_xml_kind_of(const char *suffix)
{
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
        if (strcasecmp(suffix, suffixes[i].suffix) == 0)
            return suffixes[i].kind;
    return MD_XML_NONE;
}

struct rd {
    struct md_org *o;
    const struct md_xml_file *f;
    int oom;
};

static int name_is(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (name_is(c, name))
            return c;
    return NULL;
}

/* Text of an element from its text and CDATA children only (never entity
 * references), trimmed, copied into the arena; NULL when absent or empty. */
static const char *text_of(struct rd *r, const xmlNode *n)
{
    if (!n)
        return NULL;
    size_t len = 0;
    for (const xmlNode *c = n->children; c; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            len += strlen((const char *)c->content);
    char *s = md_alloc(&r->o->arena, len + 1);
    if (!s) {
        r->oom = 1;
        return NULL;
    }
    size_t k = 0;
    for (const xmlNode *c = n->children; c; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
            size_t m = strlen((const char *)c->content);
            memcpy(s + k, c->content, m);
            k += m;
        }
    s[k] = '\0';
    char *b = s;
    while (*b && isspace((unsigned char)*b))
        b++;
    char *e = b + strlen(b);
    while (e > b && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return *b ? b : NULL;
}

static const char *child_text(struct rd *r, const xmlNode *n, const char *name)
{
    return text_of(r, child(n, name));
}

static int is_true(const char *s)
{
    return s && strcasecmp(s, "true") == 0;
}

static int is_false(const char *s)
{
    return s && strcasecmp(s, "false") == 0;
}

static const char *type_name(enum md_xml_kind k)
{
    switch (k) {
    case MD_XML_REMOTE_SITE: return "RemoteSiteSetting";
    case MD_XML_NAMED_CREDENTIAL: return "NamedCredential";
    case MD_XML_EXTERNAL_CREDENTIAL: return "ExternalCredential";
    case MD_XML_CSP_TRUSTED_SITE: return "CspTrustedSite";
    case MD_XML_DATA_SOURCE: return "ExternalDataSource";
    case MD_XML_WORKFLOW:
    case MD_XML_OUTBOUND_MESSAGE: return "WorkflowOutboundMessage";
    case MD_XML_EXTERNAL_SERVICE: return "ExternalServiceRegistration";
    case MD_XML_AUTH_PROVIDER: return "AuthProvider";
    case MD_XML_CONNECTED_APP: return "ConnectedApp";
    case MD_XML_ECA: return "ExternalClientApplication";
    case MD_XML_SAML_SSO: return "SamlSsoConfig";
    case MD_XML_CALL_CENTER: return "CallCenter";
    case MD_XML_CORS_ORIGIN: return "CorsWhitelistOrigin";
    case MD_XML_CUSTOM_METADATA: return "CustomMetadata";
    case MD_XML_LABELS:
    case MD_XML_LABEL: return "CustomLabel";
    default: return "Package";
    }
}

/* Adds a site for a URL-bearing element's value. */
static struct md_site *add(struct rd *r, const xmlNode *el, const char *value, const char *via, enum md_dir dir,
                           const char *component)
{
    if (!value)
        return NULL;
    struct md_site *s = md_org_add_site(r->o);
    if (!s) {
        r->oom = 1;
        return NULL;
    }
    s->type = type_name(r->f->kind);
    s->via = via;
    s->file = r->f->file;
    s->line = el ? (uint32_t)xmlGetLineNo(el) : 0;
    s->component = component ? component : r->f->name;
    s->owner = r->f->owner;
    s->dir = dir;
    if (md_site_set_text(r->o, s, value) < 0)
        r->oom = 1;
    return s;
}

static void add_child(struct rd *r, const xmlNode *parent, const char *el, enum md_dir dir)
{
    const xmlNode *n = child(parent, el);
    add(r, n, text_of(r, n), el, dir, NULL);
}

static void read_remote_site(struct rd *r, const xmlNode *root)
{
    const xmlNode *u = child(root, "url");
    struct md_site *s = add(r, u, text_of(r, u), "url", MD_OUTBOUND, NULL);
    if (!s)
        return;
    s->allows = 1;
    s->inactive = is_false(child_text(r, root, "isActive"));
    s->protocol_security_disabled = is_true(child_text(r, root, "disableProtocolSecurity"));
}

static void add_nc_entry(struct rd *r, struct md_site *s, const char *url)
{
    struct md_entry *e = md_table_add(r->o, &r->o->ncs, r->f->name, url);
    if (!e) {
        r->oom = 1;
        return;
    }
    e->file = s->file;
    e->line = s->line;
    e->owner = s->owner;
    e->site = (size_t)(s - r->o->sites);
}

static void read_named_credential(struct rd *r, const xmlNode *root)
{
    int disabled = 0;
    const char *status = child_text(r, root, "calloutStatus");
    if (status && strcasecmp(status, "Disabled") == 0)
        disabled = 1;
    const xmlNode *ep = child(root, "endpoint");
    struct md_site *s = add(r, ep, text_of(r, ep), "endpoint", MD_OUTBOUND, NULL);
    if (s) {
        s->allows = 2;
        s->inactive = (unsigned)disabled;
        add_nc_entry(r, s, s->parts[0].a);
    }
    for (const xmlNode *p = root->children; p; p = p->next) {
        if (!name_is(p, "namedCredentialParameters"))
            continue;
        const char *type = child_text(r, p, "parameterType");
        if (!type || strcasecmp(type, "Url") != 0)
            continue;
        const xmlNode *v = child(p, "parameterValue");
        s = add(r, v, text_of(r, v), "parameterValue(Url)", MD_OUTBOUND, NULL);
        if (s) {
            s->allows = 2;
            s->inactive = (unsigned)disabled;
            add_nc_entry(r, s, s->parts[0].a);
        }
    }
    /* JWT token endpoint of legacy JWT named credentials: Salesforce calls it */
    add_child(r, root, "authTokenEndpointUrl", MD_OUTBOUND);
}

static void read_external_credential(struct rd *r, const xmlNode *root)
{
    for (const xmlNode *p = root->children; p; p = p->next) {
        if (!name_is(p, "externalCredentialParameters"))
            continue;
        const char *type = child_text(r, p, "parameterType");
        if (!type || strcasecmp(type, "AuthProviderUrl") != 0)
            continue;
        const xmlNode *v = child(p, "parameterValue");
        add(r, v, text_of(r, v), "parameterValue(AuthProviderUrl)", MD_OUTBOUND, NULL);
    }
}

static void read_csp(struct rd *r, const xmlNode *root)
{
    const xmlNode *u = child(root, "endpointUrl");
    struct md_site *s = add(r, u, text_of(r, u), "endpointUrl", MD_CLIENT_SIDE, NULL);
    if (s)
        s->inactive = is_false(child_text(r, root, "isActive"));
}

/* A reference to a named credential, as a value the joiner resolves like
 * Apex's callout:NAME (plus an optional relative path). */
static void add_nc_ref(struct rd *r, const xmlNode *el, const char *nc, const char *path, const char *via)
{
    if (!nc)
        return;
    char buf[1024];
    snprintf(buf, sizeof buf, "callout:%s%s%s", nc, path && path[0] != '/' ? "/" : "", path ? path : "");
    struct md_site *s = add(r, el, buf, via, MD_OUTBOUND, NULL);
    if (s)
        s->nc_ref = md_strdup(&r->o->arena, nc);
}

static void read_data_source(struct rd *r, const xmlNode *root)
{
    const xmlNode *ep = child(root, "endpoint");
    const char *v = text_of(r, ep);
    if (v) {
        add(r, ep, v, "endpoint", MD_OUTBOUND, NULL);
        return;
    }
    const xmlNode *nc = child(root, "namedCredential");
    add_nc_ref(r, nc, text_of(r, nc), NULL, "namedCredential");
}

static void read_outbound_message(struct rd *r, const xmlNode *om)
{
    const char *name = child_text(r, om, "fullName");
    char comp[512];
    const char *component = NULL;
    if (name && r->f->kind == MD_XML_WORKFLOW) {
        snprintf(comp, sizeof comp, "%s.%s", r->f->name, name);
        component = md_strdup(&r->o->arena, comp);
    }
    const xmlNode *u = child(om, "endpointUrl");
    add(r, u, text_of(r, u), "endpointUrl", MD_OUTBOUND, component);
}

/* servers[].url of an inline OpenAPI schema (JSON or YAML), by a light scan:
 * after the "servers" key, each "url" key's value. */
static void read_schema_servers(struct rd *r, const xmlNode *el, const char *schema)
{
    const char *p = schema ? strstr(schema, "servers") : NULL;
    int found = 0;
    while (p && found < 8) {
        p = strstr(p, "url");
        if (!p)
            break;
        p += 3;
        if (*p == '"')
            p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != ':')
            continue;
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '"' || *p == '\'')
            p++;
        size_t n = strcspn(p, "\"'\r\n ,}");
        if (n > 0 && n < 1000) {
            char *u = md_strndup(&r->o->arena, p, n);
            if (u && md_url_looks_http(u))
                add(r, el, u, "schema servers[].url", MD_OUTBOUND, NULL), found++;
        }
        p += n;
    }
}

static void read_external_service(struct rd *r, const xmlNode *root)
{
    const xmlNode *ncel = child(root, "namedCredential");
    if (!text_of(r, ncel))
        ncel = child(root, "namedCredentialReference");
    const char *nc = text_of(r, ncel);
    const xmlNode *su = child(root, "schemaUrl");
    const char *surl = text_of(r, su);
    if (surl && md_url_looks_http(surl))
        add(r, su, surl, "schemaUrl", MD_OUTBOUND, NULL);
    else if (nc)
        add_nc_ref(r, surl ? su : ncel, nc, surl,
                   surl ? "schemaUrl" : name_is(ncel, "namedCredential") ? "namedCredential" : "namedCredentialReference");
    const xmlNode *schema = child(root, "schema");
    read_schema_servers(r, schema, text_of(r, schema));
}

static void read_auth_provider(struct rd *r, const xmlNode *root)
{
    /* token and user-info endpoints are called by Salesforce's servers; the
     * authorize and logout pages are where the user's browser is sent */
    add_child(r, root, "tokenUrl", MD_OUTBOUND);
    add_child(r, root, "userInfoUrl", MD_OUTBOUND);
    add_child(r, root, "authorizeUrl", MD_CLIENT_SIDE);
    add_child(r, root, "logoutUrl", MD_CLIENT_SIDE);
}

/* Callback URLs are a newline-separated list in one element. */
static void add_url_list(struct rd *r, const xmlNode *el, const char *via, enum md_dir dir)
{
    const char *v = text_of(r, el);
    while (v && *v) {
        size_t n = strcspn(v, "\r\n, ");
        if (n > 0) {
            char *one = md_strndup(&r->o->arena, v, n);
            if (one)
                add(r, el, one, via, dir, NULL);
        }
        v += n;
        while (*v == '\r' || *v == '\n' || *v == ',' || *v == ' ')
            v++;
    }
}

static void read_connected_app(struct rd *r, const xmlNode *root)
{
    const xmlNode *oauth = child(root, "oauthConfig");
    add_url_list(r, child(oauth, "callbackUrl"), "oauthConfig/callbackUrl", MD_INBOUND);
    const xmlNode *saml = child(root, "samlConfig");
    add_url_list(r, child(saml, "acsUrl"), "samlConfig/acsUrl", MD_INBOUND);
    const xmlNode *canvas = child(root, "canvasConfig");
    add_url_list(r, child(canvas, "canvasUrl"), "canvasConfig/canvasUrl", MD_INBOUND);
    add_url_list(r, child(root, "startUrl"), "startUrl", MD_INBOUND);
    add_url_list(r, child(root, "mobileStartUrl"), "mobileStartUrl", MD_INBOUND);
}

/* External client apps: callback URLs wherever the element sits. */
static void read_eca(struct rd *r, const xmlNode *n, int depth)
{
    for (const xmlNode *c = n->children; c && depth < 8; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (name_is(c, "callbackUrl"))
            add_url_list(r, c, "callbackUrl", MD_INBOUND);
        else
            read_eca(r, c, depth + 1);
    }
}

static void read_call_center(struct rd *r, const xmlNode *root)
{
    add_child(r, root, "adapterUrl", MD_CLIENT_SIDE);
    /* <sections><items><label>reqAdapterUrl</label><value>...</value> */
    for (const xmlNode *sec = root->children; sec; sec = sec->next) {
        if (!name_is(sec, "sections"))
            continue;
        for (const xmlNode *it = sec->children; it; it = it->next) {
            if (!name_is(it, "items"))
                continue;
            const char *label = child_text(r, it, "label");
            if (!label)
                label = child_text(r, it, "name");
            const xmlNode *v = child(it, "value");
            const char *val = text_of(r, v);
            if (label && val && md_url_looks_http(val))
                add(r, v, val, "items/value", MD_CLIENT_SIDE, NULL);
        }
    }
}

/* Type.Record.md: fields become "type__mdt.record.field" entries; URL-looking
 * values are also sites (endpoint configuration read by code). */
static void read_custom_metadata(struct rd *r, const xmlNode *root)
{
    const char *dot = strchr(r->f->name, '.');
    if (!dot)
        return;
    char key[1024];
    for (const xmlNode *v = root->children; v; v = v->next) {
        if (!name_is(v, "values"))
            continue;
        const char *field = child_text(r, v, "field");
        const xmlNode *ve = child(v, "value");
        const char *val = text_of(r, ve);
        if (!field || !val)
            continue;
        snprintf(key, sizeof key, "%.*s__mdt%s.%s", (int)(dot - r->f->name), r->f->name, dot, field);
        struct md_entry *e = md_table_add(r->o, &r->o->cmdt, key, val);
        if (!e) {
            r->oom = 1;
            return;
        }
        e->file = r->f->file;
        e->line = (uint32_t)xmlGetLineNo(ve);
        e->owner = r->f->owner;
        if (md_url_looks_http(val)) {
            struct md_site *s = add(r, ve, val, "values/value", MD_OUTBOUND, NULL);
            if (s) {
                snprintf(key, sizeof key, "%s.%s", r->f->name, field);
                s->component = md_strdup(&r->o->arena, key);
            }
        }
    }
}

static void add_label(struct rd *r, const xmlNode *lab)
{
    const char *name = child_text(r, lab, "fullName");
    if (!name && r->f->kind == MD_XML_LABEL)
        name = r->f->name;
    const xmlNode *ve = child(lab, "value");
    const char *val = text_of(r, ve);
    if (!name || !val)
        return;
    struct md_entry *e = md_table_add(r->o, &r->o->labels, name, val);
    if (!e) {
        r->oom = 1;
        return;
    }
    e->file = r->f->file;
    e->line = (uint32_t)xmlGetLineNo(ve);
    e->owner = md_namespace_of(r->o, name);
    if (!e->owner)
        e->owner = r->f->owner;
}

static void dispatch(struct rd *r, const xmlNode *root, const char **ns_out)
{
    switch (r->f->kind) {
    case MD_XML_REMOTE_SITE: read_remote_site(r, root); break;
    case MD_XML_NAMED_CREDENTIAL: read_named_credential(r, root); break;
    case MD_XML_EXTERNAL_CREDENTIAL: read_external_credential(r, root); break;
    case MD_XML_CSP_TRUSTED_SITE: read_csp(r, root); break;
    case MD_XML_DATA_SOURCE: read_data_source(r, root); break;
    case MD_XML_WORKFLOW:
        for (const xmlNode *om = root->children; om; om = om->next)
            if (name_is(om, "outboundMessages"))
                read_outbound_message(r, om);
        break;
    case MD_XML_OUTBOUND_MESSAGE: read_outbound_message(r, root); break;
    case MD_XML_EXTERNAL_SERVICE: read_external_service(r, root); break;
    case MD_XML_AUTH_PROVIDER: read_auth_provider(r, root); break;
    case MD_XML_CONNECTED_APP: read_connected_app(r, root); break;
    case MD_XML_ECA: read_eca(r, root, 0); break;
    case MD_XML_SAML_SSO:
        add_child(r, root, "loginUrl", MD_CLIENT_SIDE);
        add_child(r, root, "logoutUrl", MD_CLIENT_SIDE);
        add_child(r, root, "errorUrl", MD_CLIENT_SIDE);
        break;
    case MD_XML_CALL_CENTER: read_call_center(r, root); break;
    case MD_XML_CORS_ORIGIN: add_child(r, root, "urlPattern", MD_INBOUND); break;
    case MD_XML_CUSTOM_METADATA: read_custom_metadata(r, root); break;
    case MD_XML_LABELS:
        for (const xmlNode *l = root->children; l; l = l->next)
            if (name_is(l, "labels"))
                add_label(r, l);
        break;
    case MD_XML_LABEL: add_label(r, root); break;
    case MD_XML_PACKAGE:
        if (ns_out)
            *ns_out = child_text(r, root, "namespacePrefix");
        break;
    default: break;
    }
}

/* A DOCTYPE (and with it any entity declaration) before the root element. */
static int has_doctype(const char *buf, size_t len)
{
    return memmem(buf, len, "<!DOCTYPE", 9) != NULL || memmem(buf, len, "<!ENTITY", 8) != NULL;
}

int md_xml_read(struct md_org *o, const char *buf, size_t len, const struct md_xml_file *f, const char **ns_out)
{
    if (ns_out)
        *ns_out = NULL;
    if (len > MD_XML_MAX_BYTES) {
        md_org_diag(o, f->file, 0, "document of %zu bytes refused (limit %u)", len, MD_XML_MAX_BYTES);
        return 0;
    }
    if (len > (size_t)INT32_MAX)
        return 0;
    if (has_doctype(buf, len)) {
        const char *d = memmem(buf, len, "<!", 2);
        uint32_t line = 1;
        for (const char *p = buf; d && p < d; p++)
            line += *p == '\n';
        md_org_diag(o, f->file, line, "document type declaration refused (metadata XML has none; entities are not expanded)");
        return 0;
    }
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return -1;
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, buf, (int)len, f->file, NULL, opts);
    int rc = 0;
    if (!doc || !ctxt->wellFormed) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        char msg[200] = "not well-formed";
        if (e && e->message) {
            snprintf(msg, sizeof msg, "%s", e->message);
            size_t m = strlen(msg);
            while (m > 0 && (msg[m - 1] == '\n' || msg[m - 1] == ' '))
                msg[--m] = '\0';
        }
        md_org_diag(o, f->file, e ? (uint32_t)(e->line > 0 ? e->line : 0) : 0, "malformed XML: %s", msg);
    } else {
        struct rd r = { o, f, 0 };
        const xmlNode *root = xmlDocGetRootElement(doc);
        if (root)
            dispatch(&r, root, ns_out);
        if (r.oom)
            rc = -1;
    }
    if (doc)
        xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return rc;
}

int md_schema_read(struct md_org *o, const char *buf, size_t len, const struct md_xml_file *f)
{
    const char *end = buf + len;
    const char *servers = memmem(buf, len, "servers", 7);
    int found = 0;
    for (const char *p = servers; p && p < end && found < 16;) {
        const char *u = memmem(p, (size_t)(end - p), "url", 3);
        if (!u)
            break;
        p = u + 3;
        if (p < end && (*p == '"' || *p == '\''))
            p++;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p >= end || *p != ':')
            continue;
        p++;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p < end && (*p == '"' || *p == '\''))
            p++;
        const char *v = p;
        while (p < end && !memchr("\"' \t\r\n,}", *p, 9))
            p++;
        size_t n = (size_t)(p - v);
        if (n < 8 || n > 2000)
            continue;
        char *url = md_strndup(&o->arena, v, n);
        if (!url)
            return -1;
        if (!md_url_looks_http(url))
            continue;
        struct md_site *s = md_org_add_site(o);
        if (!s)
            return -1;
        uint32_t line = 1;
        for (const char *q = buf; q < v; q++)
            line += *q == '\n';
        s->type = "ExternalServiceRegistration";
        s->via = "schema servers[].url";
        s->file = f->file;
        s->line = line;
        s->component = f->name;
        s->owner = f->owner;
        s->dir = MD_OUTBOUND;
        if (md_site_set_text(o, s, url) < 0)
            return -1;
        found++;
    }
    return 0;
}
