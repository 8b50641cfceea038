/*
 * Salesforce formats: which column is which, from the header row, and the
 * Event Monitoring code tables (specs/salesforce.md 1a, 1b, 1c).
 */
#include "ingest/salesforce.h"

#include <ctype.h>
#include <string.h>

const char *sf_format_name(enum sf_format f)
{
    switch (f) {
    case SF_API: return "api";
    case SF_SETUP: return "setup";
    case SF_ELF: return "elf";
    default: return "auto";
    }
}

int sf_format_parse(const char *s)
{
    static const char *const names[] = { "auto", "api", "setup", "elf" };
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

/*
 * Header names after normalisation (lowercase, letters and digits only): API
 * names (LoginTime), labels (Login Time), ELF names (TIMESTAMP_DERIVED) and
 * relationship paths (User.Username) all fold to one spelling.
 */
static const struct {
    const char *name;
    enum sf_col col;
} aliases[] = {
    { "userid", SFC_USER_ID },           /* UserId, User ID, USER_ID */
    { "useridderived", SFC_USER_ID_DERIVED },
    { "username", SFC_USERNAME },         /* Username (Setup, LoginEvent), USER_NAME (ELF) */
    { "userusername", SFC_USERNAME },     /* User.Username */
    { "logintime", SFC_TIME },            /* LoginTime, Login Time */
    { "eventdate", SFC_TIME },            /* LoginEvent */
    { "timestampderived", SFC_TIME },     /* ELF */
    { "timestamp", SFC_TIMESTAMP },
    { "sourceip", SFC_SOURCE_IP },
    { "clientip", SFC_CLIENT_IP },
    { "logintype", SFC_LOGIN_TYPE },
    { "loginsubtype", SFC_LOGIN_SUBTYPE },
    { "application", SFC_APPLICATION },
    { "browser", SFC_BROWSER },
    { "browsertype", SFC_BROWSER },
    { "platform", SFC_PLATFORM },
    { "clientversion", SFC_CLIENT_VERSION },
    { "apitype", SFC_API_TYPE },
    { "apiversion", SFC_API_VERSION },
    { "tlsprotocol", SFC_TLS },
    { "ciphersuite", SFC_CIPHER },
    { "tlsciphersuite", SFC_CIPHER },     /* label "TLS Cipher Suite" */
    { "status", SFC_STATUS },
    { "loginstatus", SFC_STATUS },        /* ELF LOGIN_STATUS */
    { "loginurl", SFC_LOGIN_URL },
    { "eventtype", SFC_EVENT_TYPE },
};

static size_t normalise(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++)
        if (isalnum((unsigned char)s[i]))
            out[k++] = (char)tolower((unsigned char)s[i]);
    out[k] = 0;
    return k;
}

int sf_layout_from_header(struct sf_layout *l, const struct csv_row *h, enum sf_format force, struct tr_error *err)
{
    for (int c = 0; c < SFC_COUNT; c++)
        l->col[c] = -1;
    l->n_fields = h->n;
    l->day_first = 0;
    int underscores = 0, spaces = 0, known = 0;
    for (size_t i = 0; i < h->n; i++) {
        char norm[64];
        const char *raw = h->f[i].p;
        size_t n = h->f[i].len;
        while (n && isspace((unsigned char)raw[n - 1]))
            n--;
        normalise(raw, n, norm, sizeof norm);
        for (size_t k = 0; k < sizeof aliases / sizeof aliases[0]; k++) {
            if (strcmp(norm, aliases[k].name) != 0)
                continue;
            if (l->col[aliases[k].col] < 0)
                l->col[aliases[k].col] = (int)i;
            known++;
            if (memchr(raw, '_', n))
                underscores++;
            if (memchr(raw, ' ', n))
                spaces++;
            break;
        }
    }
    if (force != SF_AUTO)
        l->format = force;
    else if (underscores * 2 > known)
        l->format = SF_ELF;      /* EVENT_TYPE, TLS_PROTOCOL, USER_NAME, ... */
    else if (spaces)
        l->format = SF_SETUP;    /* Login Time, TLS Protocol, ... */
    else
        l->format = SF_API;
    if (l->col[SFC_TLS] < 0)
        return tr_errorf(err, "no TLS protocol column in the header (expected TlsProtocol, \"TLS Protocol\" or "
                              "TLS_PROTOCOL): export LoginHistory with TlsProtocol, or add the TLS Protocol "
                              "column to the Login History view");
    if (l->col[SFC_USER_ID] < 0 && l->col[SFC_USERNAME] < 0 && l->col[SFC_USER_ID_DERIVED] < 0)
        return tr_errorf(err, "no user column in the header (expected UserId, Username, User.Username or USER_NAME)");
    return 0;
}

/* ELF LOGIN_TYPE codes (specs/salesforce.md 1a, LoginType table). */
static const struct {
    char code;
    const char *label;
} login_types[] = {
    { 'A', "Application" },
    { '7', "AppExchange" },
    { 's', "Certificate-based login" },
    { 'k', "Chatter Communities External User" },
    { 'n', "Chatter Communities External User Third Party SSO" },
    { 'x', "Cross Tenant Login (internal)" },
    { 'r', "Employee Login to Community" },
    { 'z', "Lightning Login" },
    { 'l', "Networks Portal API Only" },
    { '6', "Remote Access Client" },
    { 'i', "Remote Access 2.0" },
    { 'I', "Other Apex API" },
    { 'R', "Partner Product" },
    { 'w', "Passwordless Login" },
    { '3', "Customer Service Portal" },
    { '9', "Partner Portal" },
    { 'q', "Partner Portal Third-Party SSO" },
    { '5', "SAML Idp Initiated SSO" },
    { '8', "SAML Sfdc Initiated SSO" },
    { 'm', "SAML Chatter Communities External User SSO" },
    { 'b', "SAML Customer Service Portal SSO" },
    { 'c', "SAML Partner Portal SSO" },
    { 'h', "SAML Site SSO" },
    { 'E', "SelfService" },
    { 'j', "Third Party SSO" },
};

static const struct {
    char code;
    const char *label;
} api_types[] = {
    { 'D', "Apex Class" },   { 'E', "SOAP Enterprise" }, { 'I', "SOAP Cross Instance" },
    { 'M', "SOAP Metadata" }, { 'O', "Old SOAP" },       { 'P', "SOAP Partner" },
    { 'S', "SOAP Apex" },    { 'T', "SOAP Tooling" },    { 'X', "XmlRPC" },
    { 'f', "Feed" },         { 'l', "Live Agent" },      { 'p', "SOAP ClientSync" },
};

const char *sf_elf_login_type(const char *code)
{
    if (!code || !code[0] || code[1])
        return NULL;
    for (size_t i = 0; i < sizeof login_types / sizeof login_types[0]; i++)
        if (login_types[i].code == code[0])
            return login_types[i].label;
    return NULL;
}

const char *sf_elf_api_type(const char *code)
{
    if (!code || !code[0] || code[1])
        return NULL;
    for (size_t i = 0; i < sizeof api_types / sizeof api_types[0]; i++)
        if (api_types[i].code == code[0])
            return api_types[i].label;
    return NULL;
}
