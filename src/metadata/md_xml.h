/*
 * Metadata XML readers: one function reads one file's bytes (already in
 * memory, from a directory or a zip) and appends the URL-bearing values it
 * holds to the org as sites, plus the lookup tables Apex references resolve
 * against (labels, custom metadata fields, named credentials).
 *
 * libxml2 is configured for hostile input: XML_PARSE_NONET, no entity
 * substitution (no XML_PARSE_NOENT), no DTD loading or validation, and any
 * document with a DOCTYPE is refused before parsing (Salesforce metadata never
 * has one, and a DTD is where entity bombs and external entities live).
 * Documents over MD_XML_MAX_BYTES are refused. Text is read from text and
 * CDATA nodes only, so an entity reference can never be expanded by us.
 */
#ifndef TR_METADATA_MD_XML_H
#define TR_METADATA_MD_XML_H

#include <stddef.h>

#include "metadata/md_org.h"

#define MD_XML_MAX_BYTES (32u * 1024 * 1024)

/* The metadata types we read, named by their file suffix (mdapi; sfdx adds -meta.xml). */
enum md_xml_kind {
    MD_XML_NONE = 0,
    MD_XML_REMOTE_SITE,        /* .remoteSite */
    MD_XML_NAMED_CREDENTIAL,   /* .namedCredential */
    MD_XML_EXTERNAL_CREDENTIAL,/* .externalCredential */
    MD_XML_CSP_TRUSTED_SITE,   /* .cspTrustedSite */
    MD_XML_DATA_SOURCE,        /* .dataSource */
    MD_XML_WORKFLOW,           /* .workflow */
    MD_XML_OUTBOUND_MESSAGE,   /* .workflowOutboundMessage (decomposed workflow) */
    MD_XML_EXTERNAL_SERVICE,   /* .externalServiceRegistration */
    MD_XML_AUTH_PROVIDER,      /* .authprovider */
    MD_XML_CONNECTED_APP,      /* .connectedApp */
    MD_XML_ECA,                /* .eca, .ecaOauth (external client apps) */
    MD_XML_SAML_SSO,           /* .samlssoconfig */
    MD_XML_CALL_CENTER,        /* .callCenter */
    MD_XML_CORS_ORIGIN,        /* .corsWhitelistOrigin */
    MD_XML_CUSTOM_METADATA,    /* .md (Type.Record.md) */
    MD_XML_LABELS,             /* .labels (CustomLabels) */
    MD_XML_LABEL,              /* .label (one label per file, decomposed) */
    MD_XML_PACKAGE,            /* package.xml */
};

/* The kind for a file suffix ("remoteSite", "md", ...), MD_XML_NONE if not ours. */
enum md_xml_kind md_xml_kind_of(const char *suffix);

struct md_xml_file {
    const char *file;    /* for sites and diagnostics (arena string) */
    const char *name;    /* component name from the file name: "Billing", "Account", "Type.Record" */
    const char *owner;   /* namespace or NULL */
    enum md_xml_kind kind;
};

/*
 * Reads one document. Malformed or refused documents add a diagnostic with
 * the file and line and return 0 (the run goes on); -1 only when out of memory.
 * For MD_XML_PACKAGE, *ns_out (when not NULL) receives the <namespacePrefix>.
 */
int md_xml_read(struct md_org *o, const char *buf, size_t len, const struct md_xml_file *f, const char **ns_out);

/*
 * An External Service's OpenAPI schema kept beside its registration (SFDX
 * preset decomposeExternalServiceRegistrationBeta: Name.yaml / Name.json):
 * adds one ExternalServiceRegistration site per `servers[].url`, with its line.
 * Pure over the buffer; returns 0, or -1 when out of memory.
 */
int md_schema_read(struct md_org *o, const char *buf, size_t len, const struct md_xml_file *f);

#endif
