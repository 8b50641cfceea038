/*
 * What reading an org's source produces, before any joining: a flat list of
 * sites (one place where a URL, or an expression meant to become one, was
 * found), the lookup tables that Apex references resolve against (custom
 * labels, custom metadata record fields, named credentials), and diagnostics
 * for files that could not be read. The readers (Apex, XML) only append here;
 * md_join.h turns it into endpoint rows.
 */
#ifndef TR_METADATA_MD_ORG_H
#define TR_METADATA_MD_ORG_H

#include <stddef.h>
#include <stdint.h>

#include "metadata/md_arena.h"

/* Who connects: Salesforce's servers (outbound), the user's browser
 * (client-side: CSP sites, OAuth authorize pages), or the other side into
 * Salesforce (inbound: connected app callbacks). */
enum md_dir { MD_OUTBOUND = 0, MD_CLIENT_SIDE, MD_INBOUND };

/* One piece of a value: Apex builds endpoints by concatenation, and some
 * pieces are only known once the whole tree has been read. */
enum md_part_kind {
    MD_PART_TEXT,    /* a: the text */
    MD_PART_LABEL,   /* a: custom label name */
    MD_PART_CMDT,    /* a: type (X__mdt), b: record developer name, c: field */
    MD_PART_UNKNOWN, /* a: the Apex expression that cannot be resolved statically, b: why */
    MD_PART_CONST,   /* a: class, b: static field of another class (resolved from o->consts), c: the expression */
};

struct md_part {
    enum md_part_kind kind;
    const char *a, *b, *c;
};

struct md_site {
    const char *type;       /* metadata type: "ApexClass", "RemoteSiteSetting", ... (static) */
    const char *via;        /* call or element: "setEndpoint", "endpoint_x", "url", "tokenUrl", ... (static) */
    const char *file;       /* path as given (relative to the input root), or "archive.zip:path" */
    uint32_t line;          /* 1-based; 0 when unknown */
    const char *component;  /* "Class.method", trigger, or the setting's name */
    const char *owner;      /* namespace of an installed package; NULL = the org itself */
    enum md_dir dir;
    unsigned is_test : 1;   /* found in an Apex test class */
    unsigned is_code : 1;   /* Apex: a callout made by code */
    unsigned needs_allow : 1; /* a callout that needs a Remote Site Setting or Named Credential */
    unsigned allows : 2;    /* 0; 1 = Remote Site Setting; 2 = Named Credential */
    unsigned inactive : 1;  /* a setting with isActive=false / calloutStatus=Disabled */
    unsigned protocol_security_disabled : 1;
    const char *expr;       /* Apex: the expression as written (for dynamic and partial values) */
    struct md_part *parts;  /* the value */
    size_t nparts;
    const char *nc_ref;     /* a named credential this site refers to by name (ESR, data source) */
};

struct md_diag {
    const char *file;
    uint32_t line;
    const char *message;
};

/* name -> value entries for labels, custom metadata fields and named credentials */
struct md_entry {
    const char *key;    /* lookup key (labels: name; cmdt: "type.record.field"; nc: name), case folded */
    const char *name;   /* the key as written */
    const char *value;
    const char *file;
    uint32_t line;
    const char *owner;
    size_t site;        /* named credentials: index of the NC's site; else SIZE_MAX */
    const struct md_part *parts; /* consts: the field's value as parts */
    size_t nparts;
};

struct md_table {
    struct md_entry *v;
    size_t n, cap;
};

struct md_org {
    struct md_arena arena;
    struct md_site *sites;
    size_t nsites, cap_sites;
    struct md_diag *diags;
    size_t ndiags, cap_diags;
    struct md_table labels, cmdt, ncs;
    struct md_table consts; /* "Class.FIELD" -> value parts: static String fields of every class */
    /* statistics */
    uint64_t files_apex, files_xml, files_other, bytes;
    const char *layout;     /* "sfdx", "mdapi", "zip", "files" */
};

void md_org_init(struct md_org *o);
void md_org_free(struct md_org *o);
/* Appends a zeroed site and returns it (NULL when out of memory). */
struct md_site *md_org_add_site(struct md_org *o);
/* Records a diagnostic (copies message). */
void md_org_diag(struct md_org *o, const char *file, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds a table entry, key case-folded; returns it or NULL. */
struct md_entry *md_table_add(struct md_org *o, struct md_table *t, const char *key, const char *value);
/* Looks key up case-insensitively (linear index built lazily by md_table_sort). */
void md_table_sort(struct md_table *t);
const struct md_entry *md_table_find(const struct md_table *t, const char *key);

/* A single-text-part value (XML readers). */
int md_site_set_text(struct md_org *o, struct md_site *s, const char *text);

/* The namespace prefix of an API or file name ("acme__Billing" -> "acme"),
 * copied into the arena; NULL when the name has none. Custom-object style
 * suffixes (Foo__c, Bar__mdt) are not prefixes. */
const char *md_namespace_of(struct md_org *o, const char *name);

#endif
