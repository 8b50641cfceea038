/*
 * tlsready audit: one readiness report for the cut-over. Wiring only: it runs
 * the analyses that have input (logins, logs, pcap on the client side; the
 * org's metadata and a target list, scanned, on the server side) through the
 * same library calls as the single commands, hands what they found to the
 * readiness model (analyze/readiness.h) and renders it as HTML, JSON and
 * Markdown (report/audit_report.h). No command calls another command.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/readiness.h"
#include "analyze/sf_rules.h"
#include "cmd/cmd.h"
#include "ingest/logfmt_reader.h"
#include "ingest/pcap_handshake.h"
#include "ingest/pcap_record.h"
#include "ingest/pcap_source.h"
#include "ingest/salesforce.h"
#include "ingest/salesforce_file.h"
#include "metadata/md_join.h"
#include "metadata/md_org.h"
#include "metadata/md_walk.h"
#include "probe/scan.h"
#include "probe/target.h"
#include "report/audit_report.h"
#include "util/progress.h"

static const char usage_text[] =
    "usage: tlsready audit [sources] [options]\n"
    "\n"
    "One readiness report for a TLS cut-over: who still connects with legacy TLS\n"
    "(client side) and which outbound endpoints break (server side), under one policy.\n"
    "\n"
    "sources (each takes one or more files; give at least one source):\n"
    "  --logins FILE...      Salesforce Login History (API export, Setup download, Event Monitoring)\n"
    "  --users FILE          a User export, to turn user ids into usernames\n"
    "  --rules FILE          extra classification rules (see 'tlsready logins --help')\n"
    "  --logs FILE...        web server / load balancer access logs (format detected per file)\n"
    "  --logs-format NAME    force the access-log format (see 'tlsready logs --help')\n"
    "  --pcap FILE...        packet captures (pcap, pcapng)\n"
    "  --metadata DIR|ZIP    the org's source (SFDX or Metadata API format, or a retrieved .zip)\n"
    "  --targets FILE        more endpoints to scan, one per line (as for 'tlsready scan')\n"
    "  --rehearsal FILE...   'tlsready serve --log' output of a rehearsal run\n"
    "\n"
    "policy:\n"
    "  --min VERSION         minimum version after the cut-over (default tls1.2)\n"
    "  --cutover DATE        the cut-over date, YYYY-MM-DD\n"
    "  --recent-days N       legacy use within the last N days of data counts as current (default 30)\n"
    "\n"
    "scanning (endpoints from --metadata and --targets are scanned unless --no-scan):\n"
    "  --no-scan             list endpoints without probing them\n"
    "  --resolve HOST:PORT:ADDRESS  scan HOST:PORT at ADDRESS (repeatable)\n"
    "  --timeout SECONDS     per connection (default 5)\n"
    "  --concurrency N       connections in flight (default 100)\n"
    "  --no-certs            do not fetch and check the endpoints' certificates\n"
    "  --ca-file FILE        trust anchors for the certificate check (default: the system store)\n"
    "  --warn-days N         certificates expiring within N days are flagged (default 30)\n"
    "\n"
    "output:\n"
    "  -o, --output FILE     the HTML report (default tlsready-report.html)\n"
    "  --json FILE           the same report as JSON ('-' for standard output)\n"
    "  --markdown FILE       the same report as Markdown ('-' for standard output)\n"
    "  --quiet               no terminal summary\n"
    "  -h, --help            this text\n"
    "\n"
    "The terminal summary ends with the HTML report's path alone on the last line.\n"
    "exit codes: 0 ready, 1 not ready (legacy clients in the recent window, or endpoints\n"
    "that accept no version at or above --min), 2 usage or input error\n";

struct file_list {
    const char **v;
    size_t n, cap;
};

struct audit_opts {
    struct file_list logins, logs, pcap, rehearsal;
    const char *users, *rules, *logs_format, *metadata, *targets;
    const char *html, *json, *markdown;
    int min_version, no_scan, quiet, recent_days;
    int64_t cutover;
    struct scan_options scan;
    struct resolve_override *resolves;
    size_t n_resolves;
};

static int list_add(struct file_list *l, const char *s)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        const char **nv = realloc(l->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = s;
    return 0;
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "tlsready audit: %s", msg);
    if (arg)
        fprintf(stderr, " '%s'", arg);
    fprintf(stderr, "\n(see 'tlsready audit --help')\n");
    return EXIT_USAGE;
}

static int parse_date(const char *s, int64_t *out)
{
    struct tm tm = { 0 };
    char tail;
    if (sscanf(s, "%4d-%2d-%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tail) != 3 || tm.tm_mon < 1 ||
        tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (int64_t)timegm(&tm);
    return 0;
}

enum { O_LOGINS = 1000, O_USERS, O_RULES, O_LOGS, O_LOGS_FORMAT, O_PCAP, O_METADATA, O_TARGETS, O_REHEARSAL, O_MIN,
       O_CUTOVER, O_RECENT, O_NO_SCAN, O_RESOLVE, O_TIMEOUT, O_CONC, O_JSON, O_MD, O_QUIET, O_NO_CERTS,
       O_CA_FILE, O_WARN_DAYS };

static int parse_args(int argc, char **argv, struct audit_opts *o)
{
    static const struct option lo[] = {
        { "logins", required_argument, 0, O_LOGINS },     { "users", required_argument, 0, O_USERS },
        { "rules", required_argument, 0, O_RULES },       { "logs", required_argument, 0, O_LOGS },
        { "logs-format", required_argument, 0, O_LOGS_FORMAT }, { "pcap", required_argument, 0, O_PCAP },
        { "metadata", required_argument, 0, O_METADATA }, { "targets", required_argument, 0, O_TARGETS },
        { "rehearsal", required_argument, 0, O_REHEARSAL }, { "min", required_argument, 0, O_MIN },
        { "cutover", required_argument, 0, O_CUTOVER },   { "recent-days", required_argument, 0, O_RECENT },
        { "no-scan", no_argument, 0, O_NO_SCAN },         { "resolve", required_argument, 0, O_RESOLVE },
        { "timeout", required_argument, 0, O_TIMEOUT },   { "concurrency", required_argument, 0, O_CONC },
        { "output", required_argument, 0, 'o' },          { "json", required_argument, 0, O_JSON },
        { "markdown", required_argument, 0, O_MD },       { "quiet", no_argument, 0, O_QUIET },
        { "no-certs", no_argument, 0, O_NO_CERTS },       { "ca-file", required_argument, 0, O_CA_FILE },
        { "warn-days", required_argument, 0, O_WARN_DAYS },
        { "help", no_argument, 0, 'h' },                  { 0, 0, 0, 0 },
    };
    struct file_list *current = NULL; /* a source option takes the file names that follow it */
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "-o:h", lo, NULL)) != -1) {
        struct file_list *next = NULL;
        switch (c) {
        case 1:
            if (!current)
                return usage_error("a file name must follow a source option, not stand alone:", optarg);
            if (list_add(current, optarg))
                return usage_error("out of memory", NULL);
            continue;
        case O_LOGINS: next = &o->logins; break;
        case O_LOGS: next = &o->logs; break;
        case O_PCAP: next = &o->pcap; break;
        case O_REHEARSAL: next = &o->rehearsal; break;
        case O_USERS: o->users = optarg; break;
        case O_RULES: o->rules = optarg; break;
        case O_LOGS_FORMAT: o->logs_format = optarg; break;
        case O_METADATA: o->metadata = optarg; break;
        case O_TARGETS: o->targets = optarg; break;
        case O_MIN:
            o->min_version = tls_version_parse_option(optarg);
            if (o->min_version == TLSV_NONE || o->min_version == TLSV_SSL3)
                return usage_error("--min: expected tls1.0, tls1.1, tls1.2 or tls1.3, got", optarg);
            break;
        case O_CUTOVER:
            if (parse_date(optarg, &o->cutover))
                return usage_error("--cutover: expected a date YYYY-MM-DD, got", optarg);
            break;
        case O_RECENT:
            o->recent_days = atoi(optarg);
            if (o->recent_days < 1 || o->recent_days > 3650)
                return usage_error("--recent-days: expected 1 to 3650, got", optarg);
            break;
        case O_NO_SCAN: o->no_scan = 1; break;
        case O_NO_CERTS: o->scan.certs = 0; break;
        case O_CA_FILE: o->scan.ca_file = optarg; break;
        case O_WARN_DAYS:
            o->scan.warn_days = atoi(optarg);
            if (o->scan.warn_days < 0 || o->scan.warn_days > 3650)
                return usage_error("--warn-days: expected 0 to 3650, got", optarg);
            break;
        case O_RESOLVE: {
            struct resolve_override *nr = realloc(o->resolves, (o->n_resolves + 1) * sizeof *nr);
            struct tr_error err;
            if (!nr)
                return usage_error("out of memory", NULL);
            o->resolves = nr;
            if (resolve_override_parse(optarg, &o->resolves[o->n_resolves], &err) < 0) {
                fprintf(stderr, "tlsready audit: --resolve: %s\n", err.msg);
                return EXIT_USAGE;
            }
            o->n_resolves++;
            break;
        }
        case O_TIMEOUT:
            o->scan.timeout_s = atof(optarg);
            if (o->scan.timeout_s <= 0 || o->scan.timeout_s > 600)
                return usage_error("--timeout: expected seconds between 0 and 600, got", optarg);
            break;
        case O_CONC:
            o->scan.concurrency = atoi(optarg);
            if (o->scan.concurrency < 1 || o->scan.concurrency > 100000)
                return usage_error("--concurrency: expected 1 to 100000, got", optarg);
            break;
        case 'o': o->html = optarg; break;
        case O_JSON: o->json = optarg; break;
        case O_MD: o->markdown = optarg; break;
        case O_QUIET: o->quiet = 1; break;
        case 'h':
            fputs(usage_text, stdout);
            return -1;
        default:
            return usage_error("unknown option; see the list of options", NULL);
        }
        if (next) {
            if (list_add(next, optarg))
                return usage_error("out of memory", NULL);
        }
        current = next;
    }
    if (!o->logins.n && !o->logs.n && !o->pcap.n && !o->metadata && !o->targets)
        return usage_error("nothing to audit: give --logins, --logs, --pcap, --metadata or --targets", NULL);
    o->scan.min_version = o->min_version;
    o->scan.resolves = o->resolves;
    o->scan.n_resolves = o->n_resolves;
    return 0;
}

/* ---- client side ---- */

static struct aggregate *read_logins(const struct audit_opts *o, uint64_t *rows, struct tr_error *err)
{
    struct agg_config cfg;
    audit_logins_config(&cfg, o->min_version);
    cfg.classify = sf_classify_login;
    cfg.category_names = sf_category_names;
    cfg.n_categories = SF_CAT_COUNT;
    struct sf_rules *rules = sf_rules_new();
    struct sf_users *users = NULL;
    struct sf_classifier *classifier = NULL;
    struct aggregate *agg = NULL;
    if (!rules) {
        tr_errorf(err, "out of memory");
        goto fail;
    }
    if (o->rules && sf_rules_add_file(rules, o->rules, err) < 0)
        goto fail;
    if (sf_rules_add_text(rules, sf_rules_default, strlen(sf_rules_default), "built-in rules", err) < 0)
        goto fail;
    if (o->users && !(users = sf_users_load(o->users, err)))
        goto fail;
    classifier = sf_classifier_new(rules);
    cfg.classify_ctx = classifier;
    agg = aggregate_new(&cfg);
    if (!classifier || !agg) {
        tr_errorf(err, "out of memory");
        goto fail;
    }
    struct sf_ingest_opts io = { .format = SF_AUTO, .users = users, .rules = rules, .threads = 2 };
    for (size_t i = 0; i < o->logins.n; i++) {
        struct sf_ingest_stats st = { 0 };
        if (sf_ingest_file(o->logins.v[i], &io, agg, &cfg, &st, err) < 0)
            goto fail;
        *rows += st.rows;
        if (st.skipped)
            fprintf(stderr, "tlsready audit: %s: %llu malformed rows skipped\n", o->logins.v[i],
                    (unsigned long long)st.skipped);
    }
    /* the classifier is consulted only while adding; the aggregate keeps the names */
    sf_classifier_free(classifier);
    sf_rules_free(rules);
    sf_users_free(users);
    return agg;
fail:
    aggregate_free(agg);
    sf_classifier_free(classifier);
    sf_rules_free(rules);
    sf_users_free(users);
    return NULL;
}

static struct aggregate *read_logs(const struct file_list *files, const char *format, int min_version,
                                   uint64_t *lines, struct tr_error *err)
{
    struct agg_config cfg;
    audit_traffic_config(&cfg, min_version);
    struct aggregate *agg = aggregate_new(&cfg);
    if (!agg) {
        tr_errorf(err, "out of memory");
        return NULL;
    }
    struct logfmt_run_opts lo = { .kind = LOGFMT_NONE, .threads = 2, .max_samples = 3 };
    if (format && (lo.kind = logfmt_kind_parse(format)) == LOGFMT_NONE) {
        tr_errorf(err, "--logs-format: unknown format '%s'", format);
        aggregate_free(agg);
        return NULL;
    }
    for (size_t i = 0; i < files->n; i++) {
        struct logfmt_stats st;
        int kind;
        memset(&st, 0, sizeof st);
        if (logfmt_read_file(files->v[i], &lo, agg, &st, &kind, err) < 0) {
            aggregate_free(agg);
            return NULL;
        }
        *lines += st.tls;
        if (st.bad)
            fprintf(stderr, "tlsready audit: %s: %llu lines did not match the %s format\n", files->v[i],
                    (unsigned long long)st.bad, logfmt_kind_name(kind));
    }
    return agg;
}

struct pcap_ctx {
    struct aggregate *agg;
    uint64_t handshakes;
};

static void on_handshake(void *ctx, const struct pcap_handshake *hs)
{
    struct pcap_ctx *p = ctx;
    struct pcap_record rec;
    struct observation obs;
    pcap_record_from(&rec, hs, NULL, PCAP_FP_CLIENT);
    pcap_record_observation(&rec, &obs);
    aggregate_add(p->agg, &obs);
    p->handshakes++;
}

static struct aggregate *read_pcaps(const struct file_list *files, int min_version, uint64_t *handshakes,
                                    struct tr_error *err)
{
    struct agg_config cfg;
    audit_traffic_config(&cfg, min_version);
    cfg.legacy_rule = AGG_LEGACY_OFFERED; /* a capture shows what a client offers: that is what breaks */
    struct pcap_ctx p = { aggregate_new(&cfg), 0 };
    struct hs_tracker tracker;
    struct hs_config hc = { HS_DEFAULT_MAX_FLOWS, HS_DEFAULT_DIR_CAP, HS_DEFAULT_IDLE_US };
    if (!p.agg || hs_tracker_init(&tracker, &hc, on_handshake, &p) < 0) {
        aggregate_free(p.agg);
        tr_errorf(err, "out of memory");
        return NULL;
    }
    int rc = 0;
    for (size_t i = 0; i < files->n && rc == 0; i++) {
        struct pcap_source src;
        if (pcap_source_open_file(&src, files->v[i], NULL, err) < 0) {
            rc = -1;
            break;
        }
        for (;;) {
            int64_t ts;
            const uint8_t *data = NULL;
            uint32_t caplen = 0, wirelen = 0;
            int r = pcap_source_next(&src, &ts, &data, &caplen, &wirelen, err);
            if (r == SRC_PACKET)
                hs_tracker_frame(&tracker, src.linktype, ts, data, caplen);
            else if (r == SRC_AGAIN) /* live captures only; files never time out */
                continue;
            else {
                if (r == SRC_ERROR)
                    rc = -1;
                break;
            }
        }
        pcap_source_close(&src);
    }
    hs_tracker_finish(&tracker);
    hs_tracker_release(&tracker);
    if (rc < 0) {
        aggregate_free(p.agg);
        return NULL;
    }
    *handshakes = p.handshakes;
    return p.agg;
}

/* ---- server side ---- */

struct endpoint_set {
    struct audit_endpoint *v;
    size_t n, cap;
};

static struct audit_endpoint *endpoint_find_or_add(struct endpoint_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].name, name) == 0)
            return &s->v[i];
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 16;
        struct audit_endpoint *nv = realloc(s->v, nc * sizeof *nv);
        if (!nv)
            return NULL;
        s->v = nv;
        s->cap = nc;
    }
    struct audit_endpoint *e = &s->v[s->n++];
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    e->verdict = -1;
    e->preferred = TLSV_NONE;
    e->area = AREA_INTEGRATIONS;
    return e;
}

static void append_found(struct audit_endpoint *e, const char *what)
{
    size_t used = strlen(e->found_in);
    if (used + 8 >= sizeof e->found_in || strstr(e->found_in, what))
        return;
    snprintf(e->found_in + used, sizeof e->found_in - used, "%s%s", used ? "; " : "", what);
}

/* Endpoint rows of the metadata (org and packages, outbound) into the set. */
static int endpoints_from_metadata(const struct md_org *org, const struct md_result *res, struct endpoint_set *s)
{
    for (size_t i = 0; i < res->nrows; i++) {
        const struct md_row *r = &res->rows[i];
        if (r->bucket != MD_BUCKET_ORG && r->bucket != MD_BUCKET_PACKAGE)
            continue;
        char name[300];
        if (r->port > 0)
            snprintf(name, sizeof name, "%s:%d", r->host ? r->host : "", r->port);
        else
            snprintf(name, sizeof name, "%s", r->host ? r->host : r->url);
        struct audit_endpoint *e = endpoint_find_or_add(s, name);
        if (!e)
            return -1;
        e->url = e->url ? e->url : r->url;
        e->owner = r->owner;
        e->area = r->bucket == MD_BUCKET_PACKAGE ? AREA_VENDORS : AREA_INTEGRATIONS;
        for (size_t k = 0; k < r->nplaces; k++) {
            const struct md_site *site = &org->sites[r->places[k].site];
            char what[300];
            snprintf(what, sizeof what, "%s %s:%u", site->type, site->file, site->line);
            append_found(e, what);
        }
        if (!md_row_is_target(r)) {
            for (unsigned f = 1; f < (1u << MD_FLAG_COUNT); f <<= 1)
                if (r->flags & f) {
                    snprintf(e->note, sizeof e->note, "not scanned: %s", md_flag_name(f));
                    break;
                }
            if (!e->note[0])
                snprintf(e->note, sizeof e->note, "not scanned");
        }
    }
    return 0;
}

struct scan_join {
    struct endpoint_set *set;
    const struct target_list *targets;
};

static void on_scan_result(const struct endpoint_result *res, void *ctx)
{
    struct scan_join *j = ctx;
    char name[300];
    snprintf(name, sizeof name, "%s:%u", res->target->host, res->target->port);
    struct audit_endpoint *e = endpoint_find_or_add(j->set, name);
    if (!e || (e->scanned && res->address_index > 0))
        return; /* first address decides; the JSON of 'scan' has all of them */
    e->scanned = 1;
    for (int v = 0; v < TLSV_COUNT; v++)
        e->status[v] = res->status[v];
    e->verdict = res->verdict;
    e->preferred = res->preferred;
    if (res->cert.status == CERTS_OK && res->cert.n_chain > 0) {
        e->has_cert = 1;
        e->cert_days_left = res->cert.days_left;
        snprintf(e->cert_subject, sizeof e->cert_subject, "%s", res->cert.chain[0].subject);
        size_t used = 0;
        for (unsigned f = 1; f && used + 2 < sizeof e->cert_flags; f <<= 1) {
            const char *flag = (res->cert.flags & f) ? cert_flag_name(f) : NULL;
            if (!flag)
                continue;
            int w = snprintf(e->cert_flags + used, sizeof e->cert_flags - used, "%s%s", used ? ", " : "", flag);
            if (w < 0 || (size_t)w >= sizeof e->cert_flags - used)
                break;
            used += (size_t)w;
        }
    }
    if (res->n_notes)
        snprintf(e->note, sizeof e->note, "%s", res->notes[0]);
    else if (res->verdict == VERDICT_UNREACHABLE)
        snprintf(e->note, sizeof e->note, "%s", res->reason[TLSV_TLS12]);
}

static void on_bad_target(const char *msg, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "tlsready audit: %s\n", msg);
}

/* Scans every endpoint of the set that has a concrete host:port, plus the target list. */
static int scan_endpoints(struct audit_opts *o, const struct md_result *res, struct endpoint_set *s,
                          struct tr_error *err)
{
    struct target_list tl;
    target_list_init(&tl);
    int rc = -1;
    if (res)
        for (size_t i = 0; i < res->nrows; i++) {
            const struct md_row *r = &res->rows[i];
            if (!md_row_is_target(r))
                continue;
            char spec[300];
            snprintf(spec, sizeof spec, "%s:%d", r->host, r->port);
            struct scan_target t;
            if (target_parse(spec, strlen(spec), &t, err) < 0 || target_list_add(&tl, &t, err) < 0)
                goto out;
        }
    if (o->targets) {
        size_t before = tl.n;
        if (target_list_read_file(&tl, o->targets, on_bad_target, NULL, err) < 0)
            goto out;
        for (size_t i = before; i < tl.n; i++) {
            char name[300];
            snprintf(name, sizeof name, "%s:%u", tl.v[i].host, tl.v[i].port);
            struct audit_endpoint *e = endpoint_find_or_add(s, name);
            if (!e) {
                tr_errorf(err, "out of memory");
                goto out;
            }
            append_found(e, "target list");
        }
    }
    if (tl.n && !o->no_scan) {
        struct scan_join j = { s, &tl };
        struct scan_stats stats;
        if (scan_run(&o->scan, tl.v, tl.n, on_scan_result, &j, &stats, err) < 0)
            goto out;
    }
    rc = 0;
out:
    target_list_free(&tl);
    return rc;
}

/* ---- output ---- */

static int write_file(const char *path, struct tr_buf *b)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!f) {
        fprintf(stderr, "tlsready audit: cannot write '%s': %m\n", path);
        return -1;
    }
    int bad = b->failed || fwrite(b->base, 1, b->len, f) != b->len;
    if (f != stdout)
        bad |= fclose(f) != 0;
    if (bad)
        fprintf(stderr, "tlsready audit: cannot write '%s'\n", path);
    return bad ? -1 : 0;
}

int cmd_audit(int argc, char **argv)
{
    struct audit_opts o;
    memset(&o, 0, sizeof o);
    scan_options_init(&o.scan);
    o.scan.certs = 1; /* the report charts certificate expiry; --no-certs turns it off */
    o.min_version = TLSV_TLS12;
    o.cutover = OBS_TIME_UNKNOWN;
    o.recent_days = 30;
    o.html = "tlsready-report.html";
    int rc = parse_args(argc, argv, &o);
    if (rc != 0) {
        free(o.logins.v), free(o.logs.v), free(o.pcap.v), free(o.rehearsal.v), free(o.resolves);
        return rc < 0 ? EXIT_OK : rc;
    }

    struct audit_inputs in;
    memset(&in, 0, sizeof in);
    in.min_version = o.min_version;
    in.cutover = o.cutover;
    in.now = (int64_t)time(NULL);
    in.recent_days = o.recent_days;
    in.warn_days = o.scan.warn_days;
    struct tr_error err = { "" };
    struct md_org org;
    struct md_result res;
    struct endpoint_set eps = { 0 };
    int have_md = 0;
    md_org_init(&org);
    memset(&res, 0, sizeof res);
    struct progress pg;
    progress_init(&pg);
    rc = EXIT_USAGE;

    if (o.logins.n) {
        progress_update(&pg, 1, "reading %zu login files...", o.logins.n);
        if (!(in.logins = read_logins(&o, &in.logins_rows, &err)))
            goto fail;
    }
    if (o.logs.n) {
        progress_update(&pg, 1, "reading %zu access logs...", o.logs.n);
        if (!(in.logs = read_logs(&o.logs, o.logs_format, o.min_version, &in.logs_lines, &err)))
            goto fail;
    }
    if (o.rehearsal.n) {
        uint64_t n = 0;
        if (!(in.rehearsal = read_logs(&o.rehearsal, "serve", o.min_version, &n, &err)))
            goto fail;
        in.rehearsal_lines = n;
    }
    if (o.pcap.n) {
        progress_update(&pg, 1, "reading %zu captures...", o.pcap.n);
        if (!(in.pcap = read_pcaps(&o.pcap, o.min_version, &in.pcap_handshakes, &err)))
            goto fail;
    }
    if (o.metadata) {
        progress_update(&pg, 1, "reading the org's metadata...");
        if (md_read_path(&org, o.metadata, &err) < 0 || md_join(&org, &res) < 0)
            goto fail;
        have_md = 1;
        for (size_t i = 0; i < org.ndiags; i++)
            fprintf(stderr, "tlsready audit: %s:%u: %s\n", org.diags[i].file, org.diags[i].line, org.diags[i].message);
        if (endpoints_from_metadata(&org, &res, &eps) < 0) {
            tr_errorf(&err, "out of memory");
            goto fail;
        }
        for (size_t i = 0; i < res.ndyn; i++)
            in.dynamic_endpoints += res.dyn[i].bucket == MD_BUCKET_ORG || res.dyn[i].bucket == MD_BUCKET_PACKAGE;
    }
    if (o.metadata || o.targets) {
        progress_update(&pg, 1, "scanning endpoints...");
        if (scan_endpoints(&o, have_md ? &res : NULL, &eps, &err) < 0)
            goto fail;
        in.scanned = !o.no_scan;
    }
    progress_done(&pg);
    in.endpoints = eps.v;
    in.n_endpoints = eps.n;

    struct readiness rd;
    if (readiness_compute(&rd, &in) < 0) {
        tr_errorf(&err, "out of memory");
        readiness_free(&rd);
        goto fail;
    }
    struct tr_buf b;
    tr_buf_init(&b, NULL, 0);
    audit_write_html(&b, &rd, &in);
    int bad = write_file(o.html, &b);
    if (o.json) {
        b.len = 0;
        audit_write_json(&b, &rd, &in);
        bad |= write_file(o.json, &b);
    }
    if (o.markdown) {
        b.len = 0;
        audit_write_markdown(&b, &rd, &in);
        bad |= write_file(o.markdown, &b);
    }
    if (!o.quiet) {
        b.len = 0;
        int color = isatty(1) && !getenv("NO_COLOR");
        audit_write_text(&b, &rd, &in, color);
        tr_buf_printf(&b, "\nreport:\n%s\n", o.html);
        FILE *out = (o.json && strcmp(o.json, "-") == 0) || (o.markdown && strcmp(o.markdown, "-") == 0) ? stderr : stdout;
        fwrite(b.base, 1, b.len, out);
    }
    tr_buf_free(&b);
    rc = bad ? EXIT_USAGE : rd.ready ? EXIT_OK : EXIT_FINDINGS;
    readiness_free(&rd);
    goto done;
fail:
    progress_done(&pg);
    fprintf(stderr, "tlsready audit: %s\n", err.msg);
done:
    aggregate_free(in.logins);
    aggregate_free(in.logs);
    aggregate_free(in.pcap);
    aggregate_free(in.rehearsal);
    if (have_md)
        md_result_free(&res);
    md_org_free(&org);
    free(eps.v);
    free(o.logins.v), free(o.logs.v), free(o.pcap.v), free(o.rehearsal.v), free(o.resolves);
    return rc;
}
