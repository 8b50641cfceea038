/*
 * tlsready scan: which TLS/SSL versions each endpoint accepts. Parses options,
 * reads targets, runs the scan library (probe/scan.h) and hands each result to
 * one writer (report/scan_report.h). Nothing here decides a verdict.
 */
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "analyze/profile.h"
#include "probe/enum.h"
#include "probe/scan.h"
#include "probe/starttls.h"
#include "probe/target.h"
#include "report/scan_certs.h"
#include "report/scan_report.h"
#include "tls/version.h"
#include "util/progress.h"

static const char usage_text[] =
    "usage: tlsready scan [options] TARGET...\n"
    "\n"
    "Finds which TLS/SSL versions (ssl3, tls1.0, tls1.1, tls1.2, tls1.3) each endpoint\n"
    "accepts, with tlsready's own ClientHello bytes, many endpoints at once.\n"
    "\n"
    "TARGET: host, host:port, [ipv6]:port, an IPv4/IPv6 address, or a URL\n"
    "        (https://host/path = host:443; ldaps 636, imaps 993, pop3s 995, smtps 465, ftps 990)\n"
    "\n"
    "options:\n"
    "  --targets FILE       read targets, one per line ('-' = stdin; '#' comments;\n"
    "                       optional field per line: sni=NAME); may be repeated\n"
    "  --min VERSION        policy minimum (default tls1.2): verdict ok / fail / unreachable\n"
    "  --sni NAME           server name to send (default: the target's host name;\n"
    "                       none for IP targets); a target file's sni= wins\n"
    "  --resolve H:P:ADDR   scan host H, port P at address ADDR (as curl); may be repeated\n"
    "  -4, -6               IPv4 or IPv6 addresses only\n"
    "  --all-addresses      probe every address a name resolves to (default: the first)\n"
    "  --timeout SECONDS    connect timeout and reply timeout, each (default 5)\n"
    "  --concurrency N      connections in flight at once (default 100)\n"
    "  --per-address N      connections at once to one address:port (default 5)\n"
    "  --rate N             new connections per second (default: no cap)\n"
    "  --certs              fetch and check each endpoint's certificate chain (subject, SANs,\n"
    "                       validity, key, signature, trust, host name; with vs without SNI)\n"
    "  --ca-file FILE       trust anchors for --certs (PEM; default: the system store); implies --certs\n"
    "  --warn-days N        --certs: flag certificates expiring within N days (default 30)\n"
    "  --starttls PROTO     speak PROTO before TLS: smtp imap pop3 ftp ldap postgres mysql xmpp,\n"
    "                       or none (default: by port: 25 587 smtp, 143 imap, 110 pop3, 21 ftp,\n"
    "                       389 ldap, 5432 postgres, 3306 mysql, 5222 xmpp)\n"
    "  --ciphers            also enumerate every accepted cipher suite per version (full IANA\n"
    "                       registry, legacy included) with the server's order, the key exchange\n"
    "                       groups (post-quantum hybrids included, DHE size) and the legacy\n"
    "                       checks (fallback SCSV, renegotiation, compression, intolerance)\n"
    "  --groups             only the key exchange groups (with the version scan)\n"
    "  --checks             only the legacy cut-over checks (with the version scan)\n"
    "  --sigalgs            also the signature schemes accepted at tls1.2 / tls1.3\n"
    "  --profile NAME       check against mozilla-modern, mozilla-intermediate or mozilla-old\n"
    "                       (Mozilla guidelines v5.7; implies --ciphers); deviations: exit 1\n"
    "  --json               JSON Lines: one object per target and address\n"
    "  --csv                CSV with a header row (with --ciphers: one row per target,\n"
    "                       address, version and suite)\n"
    "  --no-color           no colour in the table (also: NO_COLOR set, or not a terminal)\n"
    "  --no-progress        no progress line on stderr\n"
    "  --stats              totals on stderr at the end (probes, peak connections in flight)\n"
    "  -h, --help           this text\n"
    "\n"
    "exit codes: 0 every endpoint ok, 1 some endpoint fails the minimum,\n"
    "            3 some unreachable and none failing, 2 usage or input error\n";

enum { OPT_TARGETS = 256, OPT_MIN, OPT_SNI, OPT_RESOLVE, OPT_ALL, OPT_TIMEOUT, OPT_CONC,
       OPT_PERADDR, OPT_RATE, OPT_JSON, OPT_CSV, OPT_NOCOLOR, OPT_NOPROGRESS, OPT_STATS,
       OPT_CERTS = 400, OPT_CAFILE, OPT_WARNDAYS, OPT_STARTTLS,
       OPT_CIPHERS = 500, OPT_GROUPS, OPT_CHECKS, OPT_SIGALGS, OPT_PROFILE };

static const struct option long_opts[] = {
    { "targets", required_argument, NULL, OPT_TARGETS },
    { "min", required_argument, NULL, OPT_MIN },
    { "sni", required_argument, NULL, OPT_SNI },
    { "resolve", required_argument, NULL, OPT_RESOLVE },
    { "all-addresses", no_argument, NULL, OPT_ALL },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "concurrency", required_argument, NULL, OPT_CONC },
    { "per-address", required_argument, NULL, OPT_PERADDR },
    { "rate", required_argument, NULL, OPT_RATE },
    { "json", no_argument, NULL, OPT_JSON },
    { "csv", no_argument, NULL, OPT_CSV },
    { "no-color", no_argument, NULL, OPT_NOCOLOR },
    { "no-progress", no_argument, NULL, OPT_NOPROGRESS },
    { "stats", no_argument, NULL, OPT_STATS },
    { "ciphers", no_argument, NULL, OPT_CIPHERS },
    { "groups", no_argument, NULL, OPT_GROUPS },
    { "checks", no_argument, NULL, OPT_CHECKS },
    { "sigalgs", no_argument, NULL, OPT_SIGALGS },
    { "profile", required_argument, NULL, OPT_PROFILE },
    { "certs", no_argument, NULL, OPT_CERTS },
    { "ca-file", required_argument, NULL, OPT_CAFILE },
    { "warn-days", required_argument, NULL, OPT_WARNDAYS },
    { "starttls", required_argument, NULL, OPT_STARTTLS },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

enum format { FMT_TABLE, FMT_JSON, FMT_CSV };

struct run {
    int format;
    struct scan_table *table;
    struct progress progress;
    int show_progress;
    struct tr_buf line;
    int write_failed;
    int csv_suites;          /* --csv with --ciphers: one row per suite */
    struct tr_buf sections;  /* deep scan (--ciphers ...): per-target sections, after the table */
    size_t deviating;        /* endpoints with --profile deviations */
    struct tr_buf certs_text;   /* --certs, table: the certificate blocks, printed after the table */
    int color;
    size_t cert_findings;       /* endpoints whose certificate has a flag */
};

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "tlsready scan: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see 'tlsready scan --help')\n");
    return EXIT_USAGE;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

static void on_bad_line(const char *msg, void *ctx)
{
    long *shown = ctx;
    if ((*shown)++ < 20)
        fprintf(stderr, "tlsready scan: %s\n", msg);
}

static void on_progress(size_t done, size_t total, size_t in_flight, void *ctx)
{
    struct run *r = ctx;
    if (r->show_progress)
        progress_update(&r->progress, done == total, "scanning: %zu/%zu targets done, %zu connections in flight",
                        done, total, in_flight);
}

static void on_result(const struct endpoint_result *res, void *ctx)
{
    struct run *r = ctx;
    if (res->details && res->details->n_deviations > 0)
        r->deviating++;
    if (r->format == FMT_TABLE && res->details)
        scan_text_details(&r->sections, res, r->color);
    if (scan_cert_has_findings(res))
        r->cert_findings++;
    if (r->format == FMT_TABLE) {
        scan_text_certs(&r->certs_text, res, r->color);
        if (scan_table_add(r->table, res) < 0)
            r->write_failed = 1;
        return;
    }
    r->line.len = 0;
    if (r->format == FMT_JSON)
        scan_json_line(&r->line, res);
    else if (r->csv_suites)
        scan_csv_suites_rows(&r->line, res);
    else
        scan_csv_row(&r->line, res);
    if (r->line.failed || fwrite(r->line.base, 1, r->line.len, stdout) != r->line.len)
        r->write_failed = 1;
    /* a pipeline reading JSON Lines sees each endpoint as soon as it is done */
    if (r->format == FMT_JSON)
        fflush(stdout);
}

int cmd_scan(int argc, char **argv)
{
    struct scan_options o;
    scan_options_init(&o);
    struct target_list targets;
    target_list_init(&targets);
    struct resolve_override *resolves = NULL;
    size_t n_resolves = 0;
    const char *target_files[64];
    size_t n_files = 0;
    int format = FMT_TABLE, color = 1, progress = 1, show_stats = 0, rc = EXIT_USAGE;
    struct tr_error err;
    struct run run;
    memset(&run, 0, sizeof run);

    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":46h", long_opts, NULL)) != -1) {
        switch (c) {
        case '4': o.family = AF_INET; break;
        case '6': o.family = AF_INET6; break;
        case 'h':
            fputs(usage_text, stdout);
            rc = EXIT_OK;
            goto out;
        case OPT_TARGETS:
            if (n_files == sizeof target_files / sizeof target_files[0]) {
                rc = usage_error("too many --targets files (%s)", optarg);
                goto out;
            }
            target_files[n_files++] = optarg;
            break;
        case OPT_MIN:
            o.min_version = tls_version_parse_option(optarg);
            if (o.min_version == TLSV_NONE) {
                rc = usage_error("bad --min '%s' (expected ssl3, tls1.0, tls1.1, tls1.2 or tls1.3)", optarg);
                goto out;
            }
            break;
        case OPT_SNI:
            o.sni = optarg;
            break;
        case OPT_RESOLVE: {
            struct resolve_override *nr = realloc(resolves, (n_resolves + 1) * sizeof *nr);
            if (!nr) {
                rc = usage_error("%s", "out of memory");
                goto out;
            }
            resolves = nr;
            if (resolve_override_parse(optarg, &resolves[n_resolves], &err) < 0) {
                rc = usage_error("%s", err.msg);
                goto out;
            }
            n_resolves++;
            break;
        }
        case OPT_ALL: o.all_addresses = 1; break;
        case OPT_TIMEOUT:
            if (parse_double(optarg, 0.05, 3600, &o.timeout_s) < 0) {
                rc = usage_error("bad --timeout '%s' (expected seconds, 0.05 to 3600)", optarg);
                goto out;
            }
            break;
        case OPT_CONC:
        case OPT_PERADDR: {
            double v;
            if (parse_double(optarg, 1, 100000, &v) < 0 || v != (int)v) {
                rc = usage_error(c == OPT_CONC ? "bad --concurrency '%s' (expected 1 to 100000)"
                                               : "bad --per-address '%s' (expected 1 to 100000)", optarg);
                goto out;
            }
            if (c == OPT_CONC)
                o.concurrency = (int)v;
            else
                o.per_address = (int)v;
            break;
        }
        case OPT_RATE:
            if (parse_double(optarg, 0.01, 1e7, &o.rate) < 0) {
                rc = usage_error("bad --rate '%s' (expected connections per second)", optarg);
                goto out;
            }
            break;
        case OPT_JSON: format = FMT_JSON; break;
        case OPT_CSV: format = FMT_CSV; break;
        case OPT_NOCOLOR: color = 0; break;
        case OPT_NOPROGRESS: progress = 0; break;
        case OPT_STATS: show_stats = 1; break;
        case OPT_CIPHERS: o.deep |= SCAN_DEEP_CIPHERS | SCAN_DEEP_GROUPS | SCAN_DEEP_CHECKS; break;
        case OPT_GROUPS: o.deep |= SCAN_DEEP_GROUPS; break;
        case OPT_CHECKS: o.deep |= SCAN_DEEP_CHECKS; break;
        case OPT_SIGALGS: o.deep |= SCAN_DEEP_SIGALGS; break;
        case OPT_PROFILE: {
            int id = profile_parse(optarg);
            if (id == PROFILE_NONE) {
                rc = usage_error("bad --profile '%s' (expected mozilla-modern, mozilla-intermediate or mozilla-old)", optarg);
                goto out;
            }
            o.deep = (o.deep & ~(0xfu << SCAN_DEEP_PROFILE_SHIFT)) | ((unsigned)id << SCAN_DEEP_PROFILE_SHIFT) |
                     SCAN_DEEP_CIPHERS | SCAN_DEEP_GROUPS | SCAN_DEEP_CHECKS;
            break;
        }
        case OPT_CERTS: o.certs = 1; break;
        case OPT_CAFILE:
            o.ca_file = optarg;
            o.certs = 1;
            break;
        case OPT_WARNDAYS: {
            double v;
            if (parse_double(optarg, 0, 36500, &v) < 0 || v != (int)v) {
                rc = usage_error("bad --warn-days '%s' (expected 0 to 36500)", optarg);
                goto out;
            }
            o.warn_days = (int)v;
            break;
        }
        case OPT_STARTTLS:
            o.starttls = starttls_parse(optarg);
            if (o.starttls < 0) {
                rc = usage_error("bad --starttls '%s' (expected smtp, imap, pop3, ftp, ldap, postgres, mysql, xmpp or none)", optarg);
                goto out;
            }
            break;
        case ':':
            rc = usage_error("option '%s' needs a value", argv[optind - 1]);
            goto out;
        default:
            rc = usage_error("unknown option '%s'", argv[optind - 1]);
            goto out;
        }
    }
    o.resolves = resolves;
    o.n_resolves = n_resolves;

    long bad = 0, shown = 0;
    for (int i = optind; i < argc; i++) {
        struct scan_target t;
        if (target_parse(argv[i], strlen(argv[i]), &t, &err) < 0) {
            fprintf(stderr, "tlsready scan: target '%s': %s\n", argv[i], err.msg);
            bad++;
            continue;
        }
        if (target_list_add(&targets, &t, &err) < 0) {
            fprintf(stderr, "tlsready scan: %s\n", err.msg);
            goto out;
        }
    }
    for (size_t i = 0; i < n_files; i++) {
        long b = target_list_read_file(&targets, target_files[i], on_bad_line, &shown, &err);
        if (b < 0) {
            fprintf(stderr, "tlsready scan: %s\n", err.msg);
            goto out;
        }
        bad += b;
    }
    if (shown > 20)
        fprintf(stderr, "tlsready scan: ... %ld more malformed lines\n", shown - 20);
    if (bad) {
        fprintf(stderr, "tlsready scan: %ld malformed target%s; nothing scanned\n", bad, bad == 1 ? "" : "s");
        goto out;
    }
    if (targets.n == 0) {
        rc = usage_error("%s", "no targets (give TARGET arguments or --targets FILE)");
        goto out;
    }

    const char *no_color = getenv("NO_COLOR");
    run.format = format;
    run.show_progress = progress;
    progress_init(&run.progress);
    tr_buf_init(&run.line, NULL, 0);
    tr_buf_init(&run.sections, NULL, 0);
    run.csv_suites = (o.deep & SCAN_DEEP_CIPHERS) != 0;
    tr_buf_init(&run.certs_text, NULL, 0);
    if (format == FMT_TABLE) {
        run.table = scan_table_new(color && isatty(1) && !(no_color && no_color[0]), o.min_version);
        run.color = color && isatty(1) && !(no_color && no_color[0]);
        if (!run.table) {
            fprintf(stderr, "tlsready scan: out of memory\n");
            goto out;
        }
    } else if (format == FMT_CSV) {
        if (run.csv_suites)
            scan_csv_suites_header(&run.line);
        else
            scan_csv_header(&run.line);
        fwrite(run.line.base, 1, run.line.len, stdout);
    }
    if (progress && run.progress.enabled)
        o.on_progress = on_progress;

    struct scan_stats stats;
    int r = scan_run(&o, targets.v, targets.n, on_result, &run, &stats, &err);
    progress_done(&run.progress);
    if (r < 0) {
        fprintf(stderr, "tlsready scan: %s\n", err.msg);
        goto out;
    }
    if (format == FMT_TABLE) {
        run.line.len = 0;
        scan_table_render(run.table, &run.line);
        if (run.sections.len)
            tr_buf_push(&run.line, run.sections.base, run.sections.len);
        if (run.certs_text.len) {
            tr_buf_puts(&run.line, "\ncertificates\n");
            tr_buf_push(&run.line, run.certs_text.base, run.certs_text.len);
        }
        if (run.line.failed || fwrite(run.line.base, 1, run.line.len, stdout) != run.line.len)
            run.write_failed = 1;
    }
    if (show_stats)
        fprintf(stderr, "tlsready scan: %zu targets, %zu endpoints (%zu ok, %zu fail, %zu unreachable), "
                        "%llu probes, peak %zu connections in flight\n",
                targets.n, stats.endpoints, stats.ok, stats.fail, stats.unreachable,
                (unsigned long long)stats.probes, stats.peak_in_flight);
    if (run.write_failed) {
        fprintf(stderr, "tlsready scan: cannot write the results\n");
        goto out;
    }
    rc = stats.fail || run.cert_findings || run.deviating ? EXIT_FINDINGS : stats.unreachable ? EXIT_UNREACHABLE : EXIT_OK;
out:
    tr_buf_free(&run.line);
    tr_buf_free(&run.sections);
    tr_buf_free(&run.certs_text);
    scan_table_free(run.table);
    target_list_free(&targets);
    free(resolves);
    return rc;
}
