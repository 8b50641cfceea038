/*
 * tlsready logs: who connects with legacy TLS, from web server and load
 * balancer access logs. Parses options, compiles a custom format if given,
 * reads every file into one aggregate (ingest/logfmt_reader.h) and renders it
 * with the shared writers (report/agg_report.h). docs/logs.md is the manual.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/aggregate.h"
#include "cmd/cmd.h"
#include "ingest/logfmt_core.h"
#include "ingest/logfmt_files.h"
#include "ingest/logfmt_reader.h"
#include "report/agg_report.h"
#include "tls/version.h"
#include "util/buf.h"
#include "util/progress.h"

/* The progress line of a long run (stderr, only on a terminal): file, bytes, share, rate.
 * The line of a new file (bytes 0) is always drawn; later ones at most five times a second. */
struct read_progress {
    struct progress line;
    const char *const *paths;
    const struct logfmt_file_result *res; /* per file: gzip or not */
    const char *file;
    int index, n_files, threads;
    uint64_t size;          /* 0: not known (gzip, stdin) */
    double start;
};

static void show_progress(void *ctx, uint64_t bytes)
{
    struct read_progress *rp = ctx;
    double secs = now_monotonic() - rp->start;
    double mb = (double)bytes / 1e6, rate = secs > 0.05 ? mb / secs : 0;
    if (rp->size)
        progress_update(&rp->line, bytes == 0, "reading %d/%d %s: %.0f of %.0f MB (%.0f%%), %.0f MB/s", rp->index,
                        rp->n_files, rp->file, mb, (double)rp->size / 1e6, 100.0 * (double)bytes / (double)rp->size,
                        rate);
    else
        progress_update(&rp->line, bytes == 0, "reading %d/%d %s: %.0f MB", rp->index, rp->n_files, rp->file, mb);
}

/* A file read on its own starts: its name, size and 0%. */
static void file_start(void *ctx, int index)
{
    struct read_progress *rp = ctx;
    const char *path = rp->paths[index];
    struct stat sb;
    rp->file = path;
    rp->index = index + 1;
    rp->start = now_monotonic();
    rp->size = strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
    if (rp->res[index].gzip)
        rp->size = 0; /* progress counts uncompressed bytes: no total to compare with */
    show_progress(rp, 0);
}

static void file_done(void *ctx, int index)
{
    struct read_progress *rp = ctx;
    (void)index;
    progress_done(&rp->line);
}

/* The gzip files read side by side. */
static void show_batch(void *ctx, int done, int total, uint64_t bytes)
{
    struct read_progress *rp = ctx;
    progress_update(&rp->line, done == 0 && bytes == 0, "reading %d gzip files, %d at a time: %d done, %.0f MB", total,
                    rp->threads < total ? rp->threads : total, done, (double)bytes / 1e6);
}


static const char USAGE[] =
    "usage: tlsready logs [options] FILE...\n"
    "\n"
    "Reads web server and load balancer access logs (plain or .gz, '-' for stdin) and\n"
    "reports who connects with legacy TLS: per client IP, user agent, server name and day.\n"
    "\n"
    "Format (detected per file from its first lines unless given):\n"
    "  --format NAME            nginx, apache, haproxy, envoy, alb, clb, nlb, cloudfront,\n"
    "                           iis, caddy, serve\n"
    "  --nginx-format STRING    an nginx log_format string (implies --format nginx)\n"
    "  --nginx-conf FILE        read the log_format from an nginx configuration file\n"
    "  --nginx-format-name NAME which log_format of --nginx-conf (needed when there are several)\n"
    "  --nginx-escape MODE      default or json (escape= of the log_format; conf sets it)\n"
    "  --log-format STRING      a custom format for --format apache, haproxy or envoy\n"
    "\n"
    "Analysis and output:\n"
    "  --min VERSION            versions below this are legacy (default tls1.2)\n"
    "  --json                   one JSON document with every table\n"
    "  --csv TABLE              one table as CSV: clients, user_agents, servers, ciphers, days\n"
    "  --raw-user-agent         key user agents by the raw string, not family and version\n"
    "  --strict                 stop at the first line that does not match (exit 2)\n"
    "  --show-bad N             print the first N malformed lines (default 5, max 20)\n"
    "  --threads N              threads (default 2): a plain file is split between them,\n"
    "                           gzip files are read side by side\n"
    "  --cutover YYYY-MM-DD     the planned cut-over date (trend of the legacy share before it)\n"
    "  -h, --help               this help\n"
    "\n"
    "Exit codes: 0 no legacy TLS, 1 legacy TLS found, 2 usage or input error.\n";

enum {
    OPT_FORMAT = 256, OPT_NGINX_FORMAT, OPT_NGINX_CONF, OPT_NGINX_NAME, OPT_NGINX_ESCAPE, OPT_LOG_FORMAT,
    OPT_MIN, OPT_JSON, OPT_CSV, OPT_RAW_UA, OPT_STRICT, OPT_SHOW_BAD, OPT_THREADS, OPT_CUTOVER,
};

static const struct option long_opts[] = {
    { "format", required_argument, NULL, OPT_FORMAT },
    { "nginx-format", required_argument, NULL, OPT_NGINX_FORMAT },
    { "nginx-conf", required_argument, NULL, OPT_NGINX_CONF },
    { "nginx-format-name", required_argument, NULL, OPT_NGINX_NAME },
    { "nginx-escape", required_argument, NULL, OPT_NGINX_ESCAPE },
    { "log-format", required_argument, NULL, OPT_LOG_FORMAT },
    { "min", required_argument, NULL, OPT_MIN },
    { "json", no_argument, NULL, OPT_JSON },
    { "csv", required_argument, NULL, OPT_CSV },
    { "raw-user-agent", no_argument, NULL, OPT_RAW_UA },
    { "strict", no_argument, NULL, OPT_STRICT },
    { "show-bad", required_argument, NULL, OPT_SHOW_BAD },
    { "threads", required_argument, NULL, OPT_THREADS },
    { "cutover", required_argument, NULL, OPT_CUTOVER },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* Pairs of the aggregate: the "top" lists inside rows. */
enum { PAIR_SERVER_CLIENTS = 0, PAIR_CLIENT_AGENTS, PAIR_CLIENT_SERVERS, PAIR_AGENT_CLIENTS, N_PAIRS };

static const struct agg_table_spec tables[] = {
    { .dim = AGG_CLIENT_IP, .name = "clients", .key = "client", .title = "Client IPs on legacy TLS",
      .order = AGG_BY_LEGACY, .text_legacy_only = 1, .summary_count = 1,
      .tops = { { .pair = PAIR_CLIENT_AGENTS, .name = "legacy_user_agents", .key = "user_agent", .max = 5 },
                { .pair = PAIR_CLIENT_SERVERS, .name = "legacy_servers", .key = "server", .max = 5 } },
      .n_tops = 2 },
    { .dim = AGG_USER_AGENT, .name = "user_agents", .key = "user_agent", .title = "User agents on legacy TLS",
      .order = AGG_BY_LEGACY, .text_legacy_only = 1, .summary_count = 1,
      .tops = { { .pair = PAIR_AGENT_CLIENTS, .name = "legacy_clients", .key = "client", .max = 5 } },
      .n_tops = 1 },
    { .dim = AGG_SERVER, .name = "servers", .key = "server", .title = "Servers (SNI or Host) and their legacy clients",
      .order = AGG_BY_LEGACY, .summary_count = 1,
      .tops = { { .pair = PAIR_SERVER_CLIENTS, .name = "legacy_clients", .key = "client", .max = 10 } },
      .n_tops = 1 },
    { .dim = AGG_CIPHER, .name = "ciphers", .key = "cipher", .title = "Cipher suites", .order = AGG_BY_LEGACY,
      .summary_count = 1 },
    { .dim = AGG_DAY, .name = "days", .key = "day", .order = AGG_BY_KEY },
};

struct logs_ctx {
    const struct logfmt_stats *st;
    const char *const *files;
    const int *kinds;
    int n_files;
    const char *custom_desc;
};

static void json_summary(void *vctx, struct json_writer *w)
{
    const struct logs_ctx *c = vctx;
    json_key(w, "lines");
    json_uint(w, c->st->lines);
    json_key(w, "tls_requests");
    json_uint(w, c->st->tls);
    json_key(w, "plain_requests");
    json_uint(w, c->st->plain);
    json_key(w, "header_lines");
    json_uint(w, c->st->meta);
    json_key(w, "malformed_lines");
    json_uint(w, c->st->bad);
    json_key(w, "files");
    json_array_begin(w);
    for (int i = 0; i < c->n_files; i++) {
        json_object_begin(w);
        json_key(w, "file");
        json_string(w, c->files[i]);
        json_key(w, "format");
        json_string(w, logfmt_kind_name(c->kinds[i]));
        json_object_end(w);
    }
    json_array_end(w);
    json_key(w, "malformed_examples");
    json_array_begin(w);
    for (int i = 0; i < c->st->n_samples; i++) {
        const struct logfmt_bad_sample *s = &c->st->samples[i];
        json_object_begin(w);
        json_key(w, "file");
        json_string(w, s->file);
        json_key(w, "line");
        json_uint(w, s->line);
        json_key(w, "reason");
        json_string(w, s->why);
        json_key(w, "text");
        json_string(w, s->text);
        json_object_end(w);
    }
    json_array_end(w);
}

static int parse_day(const char *s, int64_t *out)
{
    int y, m, d;
    char tail;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    *out = logfmt_days_from_civil(y, (unsigned)m, (unsigned)d) * 86400;
    return 0;
}

static char *read_small_file(const char *path, size_t *len, struct tr_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        tr_errorf(err, "cannot open '%s'", path);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
        if (n == cap) {
            if (cap >= (16u << 20)) {
                free(b);
                b = NULL;
                tr_errorf(err, "'%s' is larger than 16 MB: not an nginx configuration?", path);
                fclose(f);
                return NULL;
            }
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!b)
        tr_errorf(err, "out of memory");
    *len = n;
    return b;
}

struct logs_opts {
    int kind;
    const char *nginx_format, *nginx_conf, *nginx_name, *log_format, *csv_table;
    int nginx_escape;
    int min_version, json, raw_ua, strict, show_bad, threads;
    int64_t cutover;
};

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "tlsready logs: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see tlsready logs --help)\n");
    return EXIT_USAGE;
}

static int parse_opts(int argc, char **argv, struct logs_opts *o, int *done)
{
    memset(o, 0, sizeof *o);
    o->min_version = TLSV_TLS12;
    o->show_bad = 5;
    o->threads = 2;
    o->nginx_escape = -1;
    o->cutover = OBS_TIME_UNKNOWN;
    *done = 0;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(USAGE, stdout);
            *done = 1;
            return EXIT_OK;
        case OPT_FORMAT:
            o->kind = logfmt_kind_parse(optarg);
            if (o->kind == LOGFMT_NONE)
                return usage_error("unknown format '%s'", optarg);
            break;
        case OPT_NGINX_FORMAT: o->nginx_format = optarg; break;
        case OPT_NGINX_CONF: o->nginx_conf = optarg; break;
        case OPT_NGINX_NAME: o->nginx_name = optarg; break;
        case OPT_NGINX_ESCAPE:
            if (strcmp(optarg, "default") == 0)
                o->nginx_escape = ESC_NGINX;
            else if (strcmp(optarg, "json") == 0)
                o->nginx_escape = ESC_JSON;
            else if (strcmp(optarg, "none") == 0)
                o->nginx_escape = ESC_NONE;
            else
                return usage_error("--nginx-escape '%s': expected default, json or none", optarg);
            break;
        case OPT_LOG_FORMAT: o->log_format = optarg; break;
        case OPT_MIN:
            o->min_version = tls_version_parse_option(optarg);
            if (o->min_version == TLSV_NONE)
                return usage_error("--min '%s': expected ssl3, tls1.0, tls1.1, tls1.2 or tls1.3", optarg);
            break;
        case OPT_JSON: o->json = 1; break;
        case OPT_CSV: o->csv_table = optarg; break;
        case OPT_RAW_UA: o->raw_ua = 1; break;
        case OPT_STRICT: o->strict = 1; break;
        case OPT_SHOW_BAD:
            o->show_bad = atoi(optarg);
            if (o->show_bad < 0 || o->show_bad > LOGFMT_MAX_SAMPLES)
                return usage_error("--show-bad '%s': expected 0..20", optarg);
            break;
        case OPT_THREADS:
            o->threads = atoi(optarg);
            if (o->threads < 1 || o->threads > 8)
                return usage_error("--threads '%s': expected 1..8", optarg);
            break;
        case OPT_CUTOVER:
            if (parse_day(optarg, &o->cutover) != 0)
                return usage_error("--cutover '%s': expected YYYY-MM-DD", optarg);
            break;
        case ':':
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return usage_error("%s", "no log files given");
    if (o->json && o->csv_table)
        return usage_error("%s", "--json and --csv exclude each other");
    if ((o->nginx_format || o->nginx_conf) && o->kind != LOGFMT_NONE && o->kind != LOGFMT_NGINX)
        return usage_error("--nginx-format/--nginx-conf with --format %s", logfmt_kind_name(o->kind));
    if (o->nginx_format && o->nginx_conf)
        return usage_error("%s", "--nginx-format and --nginx-conf exclude each other");
    if (o->nginx_name && !o->nginx_conf)
        return usage_error("%s", "--nginx-format-name needs --nginx-conf");
    if (o->log_format && o->kind != LOGFMT_APACHE && o->kind != LOGFMT_HAPROXY && o->kind != LOGFMT_ENVOY &&
        o->kind != LOGFMT_NGINX)
        return usage_error("%s", "--log-format needs --format apache, haproxy, envoy or nginx");
    return EXIT_OK;
}

/* Compiles a custom format if one was given; *have = 1 then. */
static int compile_custom(const struct logs_opts *o, struct tpl *t, int *have, struct tr_error *err)
{
    *have = 0;
    int esc = o->nginx_escape >= 0 ? o->nginx_escape : ESC_NGINX;
    if (o->nginx_conf) {
        size_t len;
        char *conf = read_small_file(o->nginx_conf, &len, err);
        if (!conf)
            return -1;
        char *fmt = malloc(65536);
        int conf_esc = ESC_NGINX;
        int rc = fmt ? nginx_conf_find_format(conf, len, o->nginx_name, fmt, 65536, &conf_esc, err)
                     : tr_errorf(err, "out of memory");
        free(conf);
        if (rc == 0)
            rc = tpl_compile_nginx(t, fmt, o->nginx_escape >= 0 ? o->nginx_escape : conf_esc, err);
        free(fmt);
        if (rc != 0)
            return tr_error_prefix(err, "%s: ", o->nginx_conf);
        *have = 1;
        return 0;
    }
    const char *fmt = o->nginx_format ? o->nginx_format : o->log_format;
    if (!fmt)
        return 0;
    int kind = o->nginx_format ? LOGFMT_NGINX : o->kind;
    int rc = kind == LOGFMT_NGINX    ? tpl_compile_nginx(t, fmt, esc, err)
             : kind == LOGFMT_APACHE ? tpl_compile_apache(t, fmt, err)
             : kind == LOGFMT_HAPROXY ? tpl_compile_haproxy(t, fmt, err)
                                      : tpl_compile_envoy(t, fmt, err);
    if (rc == 0)
        *have = 1;
    return rc;
}

static void print_bad(const struct logfmt_stats *st)
{
    if (st->bad == 0)
        return;
    fprintf(stderr, "tlsready logs: %llu line%s did not match the format and %s skipped\n",
            (unsigned long long)st->bad, st->bad == 1 ? "" : "s", st->bad == 1 ? "was" : "were");
    for (int i = 0; i < st->n_samples; i++)
        fprintf(stderr, "  %s:%llu: %s: %s\n", st->samples[i].file, (unsigned long long)st->samples[i].line,
                st->samples[i].why, st->samples[i].text);
}

int cmd_logs(int argc, char **argv)
{
    struct logs_opts o;
    int done;
    int rc = parse_opts(argc, argv, &o, &done);
    if (rc != EXIT_OK || done)
        return rc;
    struct tr_error err;
    struct tpl *custom = malloc(sizeof *custom);
    int have_custom = 0;
    if (!custom || compile_custom(&o, custom, &have_custom, &err) != 0) {
        fprintf(stderr, "tlsready logs: %s\n", custom ? err.msg : "out of memory");
        free(custom);
        return EXIT_USAGE;
    }
    if (have_custom && !(custom->have & (1u << TF_PROTOCOL)))
        fprintf(stderr, "tlsready logs: warning: the format has no TLS protocol field "
                        "($ssl_protocol, %%{SSL_PROTOCOL}x, %%sslv, %%DOWNSTREAM_TLS_VERSION%%): "
                        "every request counts as plain\n");

    struct agg_config cfg = {
        .dims = AGG_DIM_BIT(AGG_CLIENT_IP) | AGG_DIM_BIT(AGG_USER_AGENT) | AGG_DIM_BIT(AGG_SERVER) |
                AGG_DIM_BIT(AGG_DAY) | AGG_DIM_BIT(AGG_CIPHER),
        .min_version = o.min_version,
        .legacy_rule = AGG_LEGACY_NEGOTIATED,
        .pairs = { [PAIR_SERVER_CLIENTS] = { AGG_SERVER, AGG_CLIENT_IP, 1 },
                   [PAIR_CLIENT_AGENTS] = { AGG_CLIENT_IP, AGG_USER_AGENT, 1 },
                   [PAIR_CLIENT_SERVERS] = { AGG_CLIENT_IP, AGG_SERVER, 1 },
                   [PAIR_AGENT_CLIENTS] = { AGG_USER_AGENT, AGG_CLIENT_IP, 1 } },
        .n_pairs = N_PAIRS,
    };
    struct aggregate *agg = aggregate_new(&cfg);
    int n_files = argc - optind;
    int *kinds = calloc((size_t)n_files, sizeof *kinds);
    struct logfmt_stats *st = calloc(1, sizeof *st);
    if (!agg || !kinds || !st) {
        fprintf(stderr, "tlsready logs: out of memory\n");
        rc = EXIT_USAGE;
        goto out;
    }
    struct logfmt_run_opts ro = {
        .kind = have_custom ? custom->kind : o.kind,
        .custom = have_custom ? custom : NULL,
        .threads = o.threads,
        .strict = o.strict,
        .raw_user_agent = o.raw_ua,
        .max_samples = o.show_bad,
    };
    int input_error = 0;
    struct read_progress rp = { .n_files = n_files, .paths = (const char *const *)argv + optind,
                                .threads = o.threads };
    progress_init(&rp.line);
    rp.start = now_monotonic();
    ro.on_progress = show_progress;
    ro.progress_ctx = &rp;
    struct logfmt_files_progress pg = { &rp, file_start, file_done, show_batch };
    struct logfmt_file_result *res = calloc((size_t)n_files, sizeof *res);
    if (!res) {
        fprintf(stderr, "tlsready logs: out of memory\n");
        rc = EXIT_USAGE;
        goto out;
    }
    rp.res = res;
    int files_read = logfmt_read_files((const char *const *)argv + optind, n_files, &ro, agg, st, res, &pg);
    progress_done(&rp.line);
    for (int i = 0; i < n_files; i++) {
        kinds[i] = res[i].kind;
        if (res[i].rc < 0) {
            fprintf(stderr, "tlsready logs: %s\n", res[i].err.msg);
            input_error = 1;
        }
    }
    free(res);
    if (files_read == 0) {
        rc = EXIT_USAGE; /* nothing was read: no report */
        goto out;
    }
    print_bad(st);

    struct logs_ctx ctx = { st, (const char *const *)argv + optind, kinds, n_files, NULL };
    struct agg_report rep = {
        .command = "logs",
        .unit = "requests",
        .rows_read = st->tls,
        .rows_skipped = st->bad,
        .cutover = o.cutover,
        .tables = tables,
        .n_tables = (int)(sizeof tables / sizeof tables[0]),
        .hooks = { .ctx = &ctx, .json_summary = json_summary },
    };
    const struct agg_table_spec *csv = NULL;
    if (o.csv_table && !(csv = agg_report_table(&rep, o.csv_table))) {
        fprintf(stderr, "tlsready logs: --csv '%s': expected clients, user_agents, servers, ciphers or days\n",
                o.csv_table);
        rc = EXIT_USAGE;
        goto out;
    }
    if (o.strict && input_error) {
        rc = EXIT_USAGE;
        goto out;
    }
    struct tr_buf out;
    tr_buf_init(&out, NULL, 0);
    if (o.json)
        agg_write_json(&out, agg, &rep);
    else if (csv)
        agg_write_csv(&out, agg, &rep, csv);
    else {
        if (st->plain)
            tr_buf_printf(&out, "%llu plain-HTTP request%s without TLS not counted.\n",
                          (unsigned long long)st->plain, st->plain == 1 ? "" : "s");
        agg_write_text(&out, agg, &rep, isatty(1));
    }
    if (agg_flush(&out, stdout) < 0) {
        fprintf(stderr, "tlsready logs: cannot write the report\n");
        rc = EXIT_USAGE;
        goto out;
    }
    const struct agg_row *tot = aggregate_totals(agg);
    if (input_error)
        rc = EXIT_USAGE;
    else
        rc = tot && tot->legacy + tot->failed_legacy > 0 ? EXIT_FINDINGS : EXIT_OK;
out:
    aggregate_free(agg);
    free(kinds);
    free(st);
    free(custom);
    return rc;
}
