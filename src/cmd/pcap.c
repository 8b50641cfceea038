/*
 * tlsready pcap: every TLS handshake in packet captures (files or a live
 * interface): who offered what, what was negotiated, and which handshakes the
 * server refused. Wiring only: pcap_source (I/O) -> hs_tracker (flows,
 * reassembly, TLS parsing) -> pcap_record -> per-handshake lines and/or the
 * shared aggregation engine and its writers.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/aggregate.h"
#include "cmd/cmd.h"
#include "ingest/pcap_handshake.h"
#include "ingest/pcap_record.h"
#include "ingest/pcap_source.h"
#include "report/agg_report.h"
#include "report/json.h"
#include "report/pcap_handshakes.h"
#include "tls/version.h"
#include "util/progress.h"

static const char usage_text[] =
    "usage: tlsready pcap [options] FILE...      (pcap or pcapng, .gz too, '-' for stdin)\n"
    "       tlsready pcap [options] -i IFACE     (live capture until Ctrl-C)\n"
    "\n"
    "Reports every TLS handshake seen (TLS found by content, on any TCP port): what each\n"
    "client offered, what the server chose, and which handshakes were refused.\n"
    "\n"
    "  -i, --interface IFACE  capture live on IFACE (stop with Ctrl-C: the report follows)\n"
    "  -f, --filter EXPR      BPF filter (live or files), e.g. 'tcp port 443'\n"
    "      --handshakes       one line per handshake instead of the aggregated report\n"
    "      --json             JSON: one object per line with --handshakes, else one document\n"
    "      --csv TABLE        one aggregated table as CSV: clients, servers, fingerprints, days\n"
    "      --min VERSION      below this is legacy (default tls1.2; tls1.1 replays the 2017 cut-over)\n"
    "      --max-flows N      TCP flows tracked at once (default 16384; memory is at most\n"
    "                         N x 2 x --flow-bytes)\n"
    "      --flow-bytes N     bytes reassembled per direction of a flow (default 16384)\n"
    "      --idle-timeout S   a flow idle for S seconds of capture time is dropped (default 120)\n"
    "      --snaplen N        live capture snap length (default 65535)\n"
    "      --stats            packet, flow and handshake counters on stderr at the end\n"
    "  -h, --help             this text\n"
    "\n"
    "exit codes: 0 no legacy TLS seen, 1 legacy TLS offered or negotiated, 2 usage or input error\n";

enum { OPT_HANDSHAKES = 256, OPT_JSON, OPT_CSV, OPT_MIN, OPT_MAX_FLOWS, OPT_FLOW_BYTES, OPT_IDLE, OPT_SNAPLEN,
       OPT_STATS };

static const struct option long_opts[] = {
    { "interface", required_argument, NULL, 'i' },
    { "filter", required_argument, NULL, 'f' },
    { "handshakes", no_argument, NULL, OPT_HANDSHAKES },
    { "json", no_argument, NULL, OPT_JSON },
    { "csv", required_argument, NULL, OPT_CSV },
    { "min", required_argument, NULL, OPT_MIN },
    { "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
    { "flow-bytes", required_argument, NULL, OPT_FLOW_BYTES },
    { "idle-timeout", required_argument, NULL, OPT_IDLE },
    { "snaplen", required_argument, NULL, OPT_SNAPLEN },
    { "stats", no_argument, NULL, OPT_STATS },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

struct run {
    int handshakes, json, live, stats;
    const char *csv;
    struct aggregate *agg;
    struct tr_buf out;          /* --handshakes lines, flushed in blocks */
    int write_failed;
    uint64_t refused_for_version, no_reply, alerts;
    int min_version;
    int legacy_seen;            /* the exit code's finding, by the aggregation's rule */
    struct pcap_fp_cache *fp;   /* fingerprint memo */
    struct hs_tracker tracker;
};

/* Ctrl-C during a live capture: stop the loop, then report (the only global:
 * a signal handler can reach nothing else). */
static volatile sig_atomic_t g_stop;
static struct pcap_source *g_live;

static void on_sigint(int sig)
{
    (void)sig;
    g_stop = 1;
    if (g_live)
        pcap_source_break(g_live);
}

static void flush_out(struct run *r, int force)
{
    if (r->out.len < (force ? 1u : 1u << 16))
        return;
    if (r->out.failed || fwrite(r->out.base, 1, r->out.len, stdout) != r->out.len)
        r->write_failed = 1;
    r->out.len = 0;
    if (force)
        fflush(stdout);
}

static void on_handshake(void *ctx, const struct pcap_handshake *hs)
{
    struct run *r = ctx;
    struct pcap_record rec;
    pcap_record_from(&rec, hs, r->fp, r->handshakes ? PCAP_FP_CLIENT | PCAP_FP_SERVER : PCAP_FP_CLIENT);
    /* AGG_LEGACY_NEGOTIATED: the negotiated version, else the highest offered */
    int v = rec.negotiated_v >= 0 ? rec.negotiated_v : rec.max_offered_v;
    if (v >= 0 && v < TLSV_COUNT && v < r->min_version)
        r->legacy_seen = 1;
    if (r->agg) {
        struct observation obs;
        pcap_record_observation(&rec, &obs);
        aggregate_add(r->agg, &obs);
    }
    r->refused_for_version += rec.refused_for_version;
    r->alerts += hs->outcome == HS_ALERT;
    r->no_reply += hs->outcome == HS_NO_REPLY;
    if (!r->handshakes)
        return;
    if (r->json)
        pcap_handshake_json(&r->out, &rec);
    else
        pcap_handshake_text(&r->out, &rec);
    flush_out(r, r->live);
}

static void json_summary(void *ctx, struct json_writer *w)
{
    const struct run *r = ctx;
    const struct hs_stats *s = &r->tracker.stats;
    json_key(w, "packets");
    json_uint(w, s->frames);
    json_key(w, "bytes");
    json_uint(w, s->frame_bytes);
    json_key(w, "tcp_flows");
    json_uint(w, s->flows);
    json_key(w, "tls_flows");
    json_uint(w, s->flows_tls);
    json_key(w, "handshakes");
    json_uint(w, s->handshakes);
    json_key(w, "alerts");
    json_uint(w, r->alerts);
    json_key(w, "refused_for_version");
    json_uint(w, r->refused_for_version);
    json_key(w, "no_reply");
    json_uint(w, r->no_reply);
    json_key(w, "hello_errors");
    json_uint(w, s->hello_errors);
    json_key(w, "flows_dropped");
    json_uint(w, s->flows_dropped);
}

static const struct agg_table_spec tables[] = {
    { .dim = AGG_CLIENT_IP, .name = "clients", .key = "client", .title = "Client IPs offering or negotiating legacy TLS",
      .order = AGG_BY_LEGACY, .text_legacy_only = 1, .summary_count = 1,
      .tops = { { .pair = 0, .name = "servers", .key = "server", .max = 10 } }, .n_tops = 1 },
    { .dim = AGG_SERVER, .name = "servers", .key = "server", .title = "Servers (SNI, else address) with legacy clients",
      .order = AGG_BY_LEGACY, .text_legacy_only = 1, .summary_count = 1,
      .tops = { { .pair = 1, .name = "clients", .key = "client", .max = 10 } }, .n_tops = 1 },
    { .dim = AGG_FINGERPRINT, .name = "fingerprints", .key = "fingerprint", .title = "Client fingerprints (JA4) on legacy TLS",
      .order = AGG_BY_LEGACY, .text_legacy_only = 1, .summary_count = 1,
      .tops = { { .pair = 2, .name = "clients", .key = "client", .max = 10 } }, .n_tops = 1 },
    { .dim = AGG_DAY, .name = "days", .key = "day", .title = "Handshakes per day", .order = AGG_BY_KEY,
      .text_limit = 31 },
};

static int parse_u32(const char *s, uint32_t *v, uint32_t min)
{
    char *end;
    unsigned long long x = strtoull(s, &end, 10);
    if (!*s || *end || x < min || x > UINT32_MAX)
        return -1;
    *v = (uint32_t)x;
    return 0;
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "tlsready pcap: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see 'tlsready pcap --help')\n");
    return EXIT_USAGE;
}

/* Reads one source to its end; returns 0, or -1 with err (a file error). */
static int read_source(struct run *r, struct pcap_source *src, struct tr_error *err)
{
    struct progress prog;
    progress_init(&prog);
    if (src->live)
        prog.enabled = 0;
    uint64_t n = 0;
    for (;;) {
        int64_t ts;
        const uint8_t *data = NULL;
        uint32_t caplen = 0, wirelen = 0;
        int rc = pcap_source_next(src, &ts, &data, &caplen, &wirelen, err);
        if (rc == SRC_PACKET) {
            hs_tracker_frame(&r->tracker, src->linktype, ts, data, caplen);
            if ((++n & 0xffff) == 0 && prog.enabled)
                progress_update(&prog, 0, "%s: %llu packets, %llu handshakes", src->name, (unsigned long long)n,
                                (unsigned long long)r->tracker.stats.handshakes);
        } else if (rc == SRC_AGAIN) {
            flush_out(r, 1);
        } else {
            progress_done(&prog);
            if (rc == SRC_END)
                return 0;
            return -1;
        }
        if (g_stop)
            break;
    }
    progress_done(&prog);
    return 0;
}

/* A live capture until Ctrl-C or SIGTERM; -1 when it could not start or failed. */
static int read_live(struct run *r, const char *iface, const char *filter, int snaplen)
{
    struct pcap_source src;
    struct tr_error err;
    if (pcap_source_open_live(&src, iface, filter, snaplen, &err) < 0) {
        fprintf(stderr, "tlsready pcap: %s\n", err.msg);
        return -1;
    }
    int rc = 0;
    r->live = 1;
    g_stop = 0;
    g_live = &src;
    struct sigaction sa = { .sa_handler = on_sigint };
    sigemptyset(&sa.sa_mask);
    struct sigaction old_int, old_term;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    if (read_source(r, &src, &err) < 0) {
        fprintf(stderr, "tlsready pcap: %s\n", err.msg);
        rc = -1;
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    g_live = NULL;
    pcap_source_close(&src);
    return rc;
}

static int write_report(struct run *r)
{
    struct agg_report rep = {
        .command = "pcap", .unit = "handshakes", .rows_read = r->tracker.stats.handshakes,
        .rows_skipped = r->tracker.stats.hello_errors, .cutover = OBS_TIME_UNKNOWN,
        .tables = tables, .n_tables = (int)(sizeof tables / sizeof tables[0]),
        .hooks = { .ctx = r, .json_summary = json_summary },
    };
    struct tr_buf out;
    tr_buf_init(&out, NULL, 0);
    if (r->csv) {
        const struct agg_table_spec *t = agg_report_table(&rep, r->csv);
        agg_write_csv(&out, r->agg, &rep, t);
    } else if (r->json) {
        agg_write_json(&out, r->agg, &rep);
    } else {
        agg_write_text(&out, r->agg, &rep, isatty(1));
        tr_buf_printf(&out, "\n%llu TLS handshakes in %llu packets; %llu refused by an alert (%llu for their version), "
                      "%llu without a reply\n",
                      (unsigned long long)r->tracker.stats.handshakes, (unsigned long long)r->tracker.stats.frames,
                      (unsigned long long)r->alerts, (unsigned long long)r->refused_for_version,
                      (unsigned long long)r->no_reply);
    }
    return agg_flush(&out, stdout);
}

static void print_stats(const struct hs_stats *s)
{
    fprintf(stderr, "pcap: %llu frames, %llu bytes; tcp %llu, not tcp %llu, fragments %llu, truncated %llu, "
                    "malformed %llu, unsupported link %llu\n",
            (unsigned long long)s->frames, (unsigned long long)s->frame_bytes, (unsigned long long)s->status[PKT_TCP],
            (unsigned long long)s->status[PKT_NOT_TCP], (unsigned long long)s->status[PKT_FRAGMENT],
            (unsigned long long)s->status[PKT_TRUNCATED], (unsigned long long)s->status[PKT_MALFORMED],
            (unsigned long long)s->status[PKT_UNSUPPORTED_LINK]);
    fprintf(stderr, "pcap: flows %llu (tls %llu, dropped %llu, expired %llu, peak %llu); handshakes %llu; "
                    "hello errors %llu, incomplete %llu\n",
            (unsigned long long)s->flows, (unsigned long long)s->flows_tls, (unsigned long long)s->flows_dropped,
            (unsigned long long)s->flows_expired, (unsigned long long)s->max_flows_seen,
            (unsigned long long)s->handshakes, (unsigned long long)s->hello_errors,
            (unsigned long long)s->hello_incomplete);
}

int cmd_pcap(int argc, char **argv)
{
    struct run r;
    memset(&r, 0, sizeof r);
    const char *iface = NULL, *filter = NULL;
    int min = TLSV_TLS12;
    uint32_t snaplen = 65535, idle = 120;
    struct hs_config cfg = { 0 };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:f:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'i': iface = optarg; break;
        case 'f': filter = optarg; break;
        case OPT_HANDSHAKES: r.handshakes = 1; break;
        case OPT_JSON: r.json = 1; break;
        case OPT_CSV: r.csv = optarg; break;
        case OPT_STATS: r.stats = 1; break;
        case OPT_MIN:
            if ((min = tls_version_parse_option(optarg)) == TLSV_NONE)
                return usage_error("--min '%s': expected ssl3, tls1.0, tls1.1, tls1.2 or tls1.3", optarg);
            break;
        case OPT_MAX_FLOWS:
            if (parse_u32(optarg, &cfg.max_flows, 1) < 0)
                return usage_error("--max-flows '%s': expected a positive number", optarg);
            break;
        case OPT_FLOW_BYTES:
            if (parse_u32(optarg, &cfg.dir_cap, 64) < 0 || cfg.dir_cap > (1u << 24))
                return usage_error("--flow-bytes '%s': expected 64 .. 16777216", optarg);
            break;
        case OPT_IDLE:
            if (parse_u32(optarg, &idle, 1) < 0)
                return usage_error("--idle-timeout '%s': expected a positive number of seconds", optarg);
            break;
        case OPT_SNAPLEN:
            if (parse_u32(optarg, &snaplen, 64) < 0 || snaplen > 262144)
                return usage_error("--snaplen '%s': expected 64 .. 262144", optarg);
            break;
        case 'h':
            fputs(usage_text, stdout);
            return EXIT_OK;
        default:
            fputs(usage_text, stderr);
            return EXIT_USAGE;
        }
    }
    if (!iface && optind >= argc)
        return usage_error("%s", "no capture file given (or -i IFACE for a live capture)");
    if (iface && optind < argc)
        return usage_error("%s", "give either -i IFACE or capture files, not both");
    if (r.csv && r.handshakes)
        return usage_error("%s", "--csv is for the aggregated report, not --handshakes");
    if (r.csv && strcmp(r.csv, "clients") && strcmp(r.csv, "servers") && strcmp(r.csv, "fingerprints") &&
        strcmp(r.csv, "days"))
        return usage_error("--csv '%s': expected clients, servers, fingerprints or days", r.csv);
    cfg.idle_timeout_us = (int64_t)idle * 1000000;
    struct tr_error ferr;
    if (filter && pcap_filter_check(filter, &ferr) < 0)
        return usage_error("%s", ferr.msg);

    struct agg_config acfg = {
        .dims = AGG_DIM_BIT(AGG_CLIENT_IP) | AGG_DIM_BIT(AGG_SERVER) | AGG_DIM_BIT(AGG_FINGERPRINT) |
                AGG_DIM_BIT(AGG_DAY),
        .min_version = min,
        .legacy_rule = AGG_LEGACY_NEGOTIATED,
        .pairs = { { AGG_CLIENT_IP, AGG_SERVER, 0 }, { AGG_SERVER, AGG_CLIENT_IP, 1 },
                   { AGG_FINGERPRINT, AGG_CLIENT_IP, 1 } },
        .n_pairs = 3,
    };
    /* --handshakes needs no aggregate: the exit code comes from legacy_seen */
    r.min_version = min;
    r.agg = r.handshakes ? NULL : aggregate_new(&acfg);
    r.fp = calloc(1, sizeof *r.fp);
    if ((!r.handshakes && !r.agg) || !r.fp || hs_tracker_init(&r.tracker, &cfg, on_handshake, &r) < 0) {
        free(r.fp);
        fprintf(stderr, "tlsready pcap: out of memory\n");
        aggregate_free(r.agg);
        return EXIT_USAGE;
    }
    tr_buf_init(&r.out, NULL, 0);
    int rc = EXIT_OK, input_error = 0;
    struct tr_error err;
    struct pcap_source src;
    if (iface && read_live(&r, iface, filter, (int)snaplen) < 0)
        input_error = 1;
    for (int i = optind; i < argc; i++) {
        if (pcap_source_open_file(&src, argv[i], filter, &err) < 0) {
            fprintf(stderr, "tlsready pcap: %s\n", err.msg);
            input_error = 1;
            continue;
        }
        if (!pcap_link_supported(src.linktype))
            fprintf(stderr, "tlsready pcap: %s: link type %d is not decoded (Ethernet, SLL, SLL2, raw IP, "
                            "loopback are)\n", src.name, src.linktype);
        if (read_source(&r, &src, &err) < 0) {
            /* a capture cut short (tcpdump killed) still holds everything before the cut */
            fprintf(stderr, "tlsready pcap: %s\n", err.msg);
            if (!strstr(err.msg, "truncated"))
                input_error = 1;
        }
        pcap_source_close(&src);
    }
    hs_tracker_finish(&r.tracker);
    flush_out(&r, 1);
    if (!r.handshakes && write_report(&r) < 0)
        r.write_failed = 1;
    if (r.stats)
        print_stats(&r.tracker.stats);
    if (r.legacy_seen)
        rc = EXIT_FINDINGS;
    if (input_error || r.write_failed) {
        if (r.write_failed)
            fprintf(stderr, "tlsready pcap: cannot write output\n");
        rc = EXIT_USAGE;
    }
    hs_tracker_release(&r.tracker);
    tr_buf_free(&r.out);
    aggregate_free(r.agg);
    free(r.fp);
    return rc;
}
