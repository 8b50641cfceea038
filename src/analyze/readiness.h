/*
 * Readiness: the policy step of `tlsready audit`. It reads what the analyses
 * found (client-side aggregates, endpoint results) and decides: are we ready
 * for the cut-over, what is left in each area, and the status of each step of
 * the checklist, with the evidence for it. Report writers only render this.
 *
 * Areas (what an admin works through):
 *   access        people in browsers and the mobile app
 *   tools         installed tools (mail add-ins, data loaders, ...)
 *   integrations  programmatic logins and the org's own outbound endpoints
 *   vendors       add-on packages' servers (and vendors' inbound logins)
 *   other         logins the rules could not place: someone must look
 */
#ifndef TR_ANALYZE_READINESS_H
#define TR_ANALYZE_READINESS_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/aggregate.h"
#include "tls/version.h"

enum audit_area { AREA_ACCESS = 0, AREA_TOOLS, AREA_INTEGRATIONS, AREA_VENDORS, AREA_OTHER, AREA_COUNT };

/* An endpoint as the audit sees it: from the metadata, a target list, or both. */
struct audit_endpoint {
    char name[300];          /* host:port */
    const char *url;         /* a URL it was found as, or NULL (target list) */
    const char *owner;       /* package namespace, NULL = the org */
    int area;                /* AREA_INTEGRATIONS or AREA_VENDORS */
    char found_in[400];      /* "ApexClass classes/Erp.cls:12; RemoteSiteSetting ..." */
    int scanned;             /* a scan result is joined */
    int status[TLSV_COUNT];  /* enum version_status (probe/scan.h) */
    int verdict;             /* enum scan_verdict, or -1 when not scanned */
    char note[200];          /* policy note, e.g. "accepts only tls1.0" */
    int preferred;           /* enum tls_version or TLSV_NONE */
    int has_cert;            /* a certificate chain was fetched and checked */
    long cert_days_left;     /* of the leaf; negative once expired */
    char cert_subject[128];
    char cert_flags[200];    /* "expired, self-signed, ..." ("" = none) */
};

struct audit_inputs {
    int min_version;
    int64_t cutover;         /* seconds (UTC midnight), OBS_TIME_UNKNOWN when not given */
    int64_t now;             /* report time */
    int recent_days;         /* "still in use" window before the end of the data (default 30) */
    /* client side (any may be NULL) */
    struct aggregate *logins;    /* with the Salesforce categories (sf_rules.h order) */
    struct aggregate *logs;
    struct aggregate *pcap;
    struct aggregate *rehearsal; /* `tlsready serve --log` of a rehearsal with --min */
    uint64_t logins_rows, logs_lines, pcap_handshakes, rehearsal_lines;
    /* server side */
    struct audit_endpoint *endpoints;
    size_t n_endpoints;
    size_t dynamic_endpoints;    /* callouts whose URL is only known at run time */
    int scanned;                 /* endpoints were probed */
    int warn_days;               /* certificate expiry warning window */
};

struct area_summary {
    uint64_t legacy;         /* legacy logins/requests in the area (failed ones too) */
    uint64_t failed_legacy;  /* already refused for their version */
    uint64_t total;          /* all logins in the area */
    uint64_t versions[TLSV_SLOTS]; /* successful logins per negotiated version */
    size_t legacy_users;     /* distinct users on legacy TLS */
    int64_t last_legacy;
    size_t endpoints, endpoints_fail, endpoints_unreachable, endpoints_below_min;
};

/*
 * The aggregates audit builds are configured here, so that the pair tables the
 * writers read ("what a user connects with") have known indexes.
 */
enum audit_logins_pair { AUDIT_PAIR_USER_CLIENT = 0, AUDIT_PAIR_USER_IP, AUDIT_PAIR_CLIENT_USER, AUDIT_LOGINS_PAIRS };
enum audit_traffic_pair { AUDIT_PAIR_IP_AGENT = 0, AUDIT_PAIR_IP_SERVER, AUDIT_TRAFFIC_PAIRS };
/* Logins: users, clients, client IPs, APIs, days, categories. */
void audit_logins_config(struct agg_config *cfg, int min_version);
/* Access logs and captures: client IPs, user agents, servers, fingerprints, days. */
void audit_traffic_config(struct agg_config *cfg, int min_version);

/* Rows selected for one area, most legacy first. Pointers into the aggregates. */
struct area_view {
    const struct agg_row **users;
    size_t n_users;
    const struct agg_row **clients;
    size_t n_clients;
    size_t *endpoints;       /* indexes into audit_inputs.endpoints: failing first */
    size_t n_endpoints;
};

/* Legacy rows of one dimension of a traffic aggregate (logs or pcap). */
struct source_view {
    const struct agg_row **rows;
    size_t n;
};

enum check_status { CHECK_DONE = 0, CHECK_TODO, CHECK_NOT_EVALUATED };

#define READINESS_MAX_ITEMS 8

struct check_item {
    const char *step;        /* static text */
    int status;              /* enum check_status */
    char evidence[400];
};

struct readiness {
    int ready;               /* 1: nothing found that breaks at the cut-over */
    char headline[300];
    int has_client_data, has_server_data;
    struct area_summary areas[AREA_COUNT];
    uint64_t observations, legacy, failed_legacy;
    size_t legacy_users;     /* distinct users on legacy TLS (a user may count in several areas) */
    uint64_t recent_legacy;  /* legacy in the last recent_days of the data */
    int64_t data_first, data_last;
    double legacy_share;
    size_t endpoints, endpoints_fail, endpoints_unreachable;
    /* legacy share per day over all client-side sources, in date order */
    char (*days)[11];
    double *day_share;
    uint64_t *day_legacy, *day_total;
    size_t n_days;
    double cutover_at;       /* fractional day index of the cut-over, -1 when none */
    struct check_item items[READINESS_MAX_ITEMS];
    int n_items;
    struct area_view view[AREA_COUNT];
    size_t *cert_order;      /* endpoints with a certificate, fewest days left first */
    size_t n_certs, certs_expiring; /* certs_expiring: expired or within the warning window */
    struct source_view logs_clients, logs_agents, pcap_clients, pcap_fingerprints;
};

/* Computes everything; 0, or -1 when out of memory. */
int readiness_compute(struct readiness *rd, const struct audit_inputs *in);
void readiness_free(struct readiness *rd);

/* Legacy logins (failed ones too) of a logins row that fall in `area`: a user
 * on a legacy browser and a legacy mail add-in counts in both areas. */
uint64_t area_row_legacy(struct aggregate *logins, const struct agg_row *r, int area);

const char *audit_area_name(int area);   /* "access", "tools", "integrations", "vendors", "other" */
const char *audit_area_title(int area);  /* "Access to the application", ... */
const char *check_status_name(int s);    /* "done", "todo", "not evaluated" */

#endif
