/*
 * tlsready endpoints: every outbound endpoint in a Salesforce org's source
 * (SFDX or Metadata API layout, or a retrieved .zip), where each was found,
 * what allows it, who owns it; with --scan, what each endpoint accepts.
 * Options and wiring only: reading is md_walk, joining md_join, probing
 * md_scan, rendering md_report. Documented in docs/endpoints.md.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "metadata/md_join.h"
#include "metadata/md_org.h"
#include "metadata/md_report.h"
#include "metadata/md_scan.h"
#include "metadata/md_walk.h"
#include "probe/scan.h"
#include "tls/version.h"

#define MAX_RESOLVES 64

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tlsready endpoints [options] PATH\n"
            "\n"
            "Lists every outbound endpoint in a Salesforce org's source: Apex callouts\n"
            "(setEndpoint, callout:NamedCredential, WSDL2Apex endpoint_x, JWT token URLs,\n"
            "constants, labels, custom metadata), Remote Site Settings, Named and External\n"
            "Credentials, outbound messages, external services and data sources, auth\n"
            "providers; CSP sites (client-side) and connected apps (inbound) apart.\n"
            "PATH is an SFDX project, a Metadata API tree, a retrieved .zip, or one file.\n"
            "\n"
            "options:\n"
            "  --json              one JSON document (docs/endpoints.md)\n"
            "  --csv               one CSV row per place an endpoint was found\n"
            "  --targets-out FILE  write the scan targets (host:port per line) to FILE\n"
            "  --tests             also list test classes' endpoints in the table\n"
            "  --scan              probe each distinct host:port and join the verdict\n"
            "  --min VERSION       policy minimum for --scan (default tls1.2)\n"
            "  --resolve H:P:ADDR  with --scan: connect to ADDR for host H port P (repeatable)\n"
            "  --timeout SECONDS   with --scan: connect and reply timeout (default 5)\n"
            "  --concurrency N     with --scan: connections in flight (default 100)\n"
            "  -h, --help          this text\n"
            "\n"
            "exit codes: 0 done (nothing fails the policy), 1 --scan found endpoints that fail\n"
            "            --min, 2 usage or input error, 3 --scan: some unreachable, none failing\n");
}

static int write_file(const char *path, const struct tr_buf *b)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "tlsready endpoints: cannot write '%s': %s\n", path, strerror(errno));
        return -1;
    }
    size_t n = fwrite(b->base, 1, b->len, f);
    int bad = n != b->len || ferror(f);
    if (fclose(f) != 0 || bad) {
        fprintf(stderr, "tlsready endpoints: cannot write '%s': %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

enum { OPT_JSON = 256, OPT_CSV, OPT_TARGETS, OPT_TESTS, OPT_SCAN, OPT_MIN, OPT_RESOLVE, OPT_TIMEOUT, OPT_CONC };

int cmd_endpoints(int argc, char **argv)
{
    static const struct option long_opts[] = {
        { "json", no_argument, NULL, OPT_JSON },
        { "csv", no_argument, NULL, OPT_CSV },
        { "targets-out", required_argument, NULL, OPT_TARGETS },
        { "tests", no_argument, NULL, OPT_TESTS },
        { "scan", no_argument, NULL, OPT_SCAN },
        { "min", required_argument, NULL, OPT_MIN },
        { "resolve", required_argument, NULL, OPT_RESOLVE },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "concurrency", required_argument, NULL, OPT_CONC },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int json = 0, csv = 0, scan = 0, tests = 0, min = TLSV_TLS12;
    const char *targets_out = NULL;
    struct resolve_override resolves[MAX_RESOLVES];
    size_t n_resolves = 0;
    struct scan_options so;
    scan_options_init(&so);
    struct tr_error err = { { 0 } };
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
        switch (c) {
        case OPT_JSON: json = 1; break;
        case OPT_CSV: csv = 1; break;
        case OPT_TARGETS: targets_out = optarg; break;
        case OPT_TESTS: tests = 1; break;
        case OPT_SCAN: scan = 1; break;
        case OPT_MIN:
            min = tls_version_parse_option(optarg);
            if (min == TLSV_NONE || min == TLSV_UNKNOWN) {
                fprintf(stderr, "tlsready endpoints: bad --min '%s' (expected ssl3, tls1.0, tls1.1, tls1.2 or tls1.3)\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_RESOLVE:
            if (n_resolves >= MAX_RESOLVES) {
                fprintf(stderr, "tlsready endpoints: at most %d --resolve options\n", MAX_RESOLVES);
                return EXIT_USAGE;
            }
            if (resolve_override_parse(optarg, &resolves[n_resolves], &err) < 0) {
                fprintf(stderr, "tlsready endpoints: --resolve: %s\n", err.msg);
                return EXIT_USAGE;
            }
            n_resolves++;
            break;
        case OPT_TIMEOUT: {
            char *end;
            double t = strtod(optarg, &end);
            if (*end || !(t > 0 && t <= 600)) {
                fprintf(stderr, "tlsready endpoints: bad --timeout '%s' (expected seconds, 0 < t <= 600)\n", optarg);
                return EXIT_USAGE;
            }
            so.timeout_s = t;
            break;
        }
        case OPT_CONC: {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 10000) {
                fprintf(stderr, "tlsready endpoints: bad --concurrency '%s' (expected 1-10000)\n", optarg);
                return EXIT_USAGE;
            }
            so.concurrency = (int)n;
            break;
        }
        case 'h':
            usage(stdout);
            return EXIT_OK;
        case ':':
            fprintf(stderr, "tlsready endpoints: option '%s' needs a value\n", argv[optind - 1]);
            return EXIT_USAGE;
        default:
            fprintf(stderr, "tlsready endpoints: unknown option '%s'\n\n", argv[optind - 1]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "tlsready endpoints: expected one PATH (an org directory, a .zip or a file)\n\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    if (json && csv) {
        fprintf(stderr, "tlsready endpoints: --json and --csv exclude each other\n");
        return EXIT_USAGE;
    }
    if (!scan && n_resolves) {
        fprintf(stderr, "tlsready endpoints: --resolve needs --scan\n");
        return EXIT_USAGE;
    }
    const char *path = argv[optind];

    struct md_org org;
    md_org_init(&org);
    struct md_result res = { 0 };
    int rc = EXIT_USAGE;
    struct tr_buf out;
    tr_buf_init(&out, NULL, 0);
    if (md_read_path(&org, path, &err) < 0) {
        fprintf(stderr, "tlsready endpoints: %s\n", err.msg);
        goto done;
    }
    if (md_join(&org, &res) < 0) {
        fprintf(stderr, "tlsready endpoints: out of memory\n");
        goto done;
    }
    rc = EXIT_OK;
    struct scan_stats stats = { 0 };
    if (scan) {
        so.min_version = min;
        so.resolves = resolves;
        so.n_resolves = n_resolves;
        if (md_scan_rows(&org, &res, &so, &stats, &err) < 0) {
            fprintf(stderr, "tlsready endpoints: scan: %s\n", err.msg);
            rc = EXIT_USAGE;
            goto done;
        }
        if (stats.fail > 0)
            rc = EXIT_FINDINGS;
        else if (stats.unreachable > 0)
            rc = EXIT_UNREACHABLE;
    }
    if (targets_out) {
        struct tr_buf tb;
        tr_buf_init(&tb, NULL, 0);
        md_report_targets(&tb, &res);
        int w = tb.failed ? -1 : write_file(targets_out, &tb);
        tr_buf_free(&tb);
        if (w < 0) {
            rc = EXIT_USAGE;
            goto done;
        }
    }
    struct md_report_opts ro = { path, scan, tls_version_name(min), tests };
    if (json)
        md_report_json(&out, &org, &res, &ro);
    else if (csv)
        md_report_csv(&out, &org, &res, &ro);
    else
        md_report_text(&out, &org, &res, &ro);
    if (out.failed) {
        fprintf(stderr, "tlsready endpoints: out of memory writing the report\n");
        rc = EXIT_USAGE;
        goto done;
    }
    fwrite(out.base, 1, out.len, stdout);
    if (org.ndiags)
        fprintf(stderr, "tlsready endpoints: %zu file(s) could not be read completely (listed in the report)\n", org.ndiags);
done:
    tr_buf_free(&out);
    md_result_free(&res);
    md_org_free(&org);
    return rc;
}
