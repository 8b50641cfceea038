/*
 * tlsready serve: a client test endpoint and cut-over rehearsal server.
 * Parses options, makes or loads the certificate, opens the log and hands a
 * serve_config to serve_run() (src/serve/server.h). docs/serve.md is the
 * user documentation.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "serve/report.h"
#include "serve/server.h"
#include "serve/tls_ctx.h"
#include "tls/version.h"

#define MAX_LISTENS 32
#define MAX_NAMES 32

static void usage(FILE *f)
{
    fprintf(f,
        "usage: tlsready serve [--listen ADDR:PORT]... [options]\n"
        "\n"
        "An HTTPS server that records what every client offers in its ClientHello (read\n"
        "before OpenSSL sees it) and tells the client, on / (HTML) and /json, whether it\n"
        "keeps working after the cut-over. Refused clients are recorded too.\n"
        "\n"
        "listeners:\n"
        "  --listen ADDR:PORT[,min=V][,max=V]  HTTPS on 127.0.0.1:PORT or [::1]:PORT (repeatable;\n"
        "                         default 127.0.0.1:8443); min/max override --min/--max here\n"
        "  --listen-http ADDR:PORT  plain HTTP that redirects to the first HTTPS listener\n"
        "  --min V, --max V       versions accepted (ssl3 tls1.0 tls1.1 tls1.2 tls1.3;\n"
        "                         default tls1.0 to tls1.3). Below tls1.2 the listener runs at\n"
        "                         OpenSSL security level 0 so TLS 1.0/1.1 really work\n"
        "  --cutover V            the policy the verdict uses (default: --min if given, else tls1.2)\n"
        "certificate:\n"
        "  --cert FILE --key FILE PEM certificate (chain) and key; otherwise a self-signed one\n"
        "  --name NAME            made at start-up for NAME (repeatable; default localhost,\n"
        "                         127.0.0.1 and ::1)\n"
        "  --key-type rsa|ec      of the self-signed certificate: RSA-2048 (default) or P-256\n"
        "  --write-cert FILE      write the certificate in use as PEM (for clients to trust)\n"
        "output:\n"
        "  --log FILE             append one JSON line per client connection\n"
        "  --once                 print the first client's report and exit (0 ok, 1 fail)\n"
        "  --json                 with --once: the report as JSON (same keys as /json);\n"
        "                         without: every connection's JSON line on stdout too\n"
        "  --quiet                no start-up and shutdown lines on stderr\n"
        "limits:\n"
        "  --threads N            worker threads, each an epoll loop (default: CPUs, at most 64)\n"
        "  --max-conns N          connections open at once (default 1024); more are closed\n"
        "  --timeout SECONDS      deadline for ClientHello + handshake + request (default 10)\n"
        "  --max-request BYTES    HTTP request head limit (default 8192)\n"
        "\n"
        "exit codes: 0 stopped by SIGINT/SIGTERM, or the --once client is ok; 1 the --once\n"
        "client fails the cut-over policy; 2 usage, certificate, address or log file error.\n");
}

static int parse_version(const char *opt, const char *s, int *out)
{
    int v = tls_version_parse_option(s);
    if (v == TLSV_NONE || v >= TLSV_COUNT) {
        fprintf(stderr, "tlsready serve: %s '%s': expected ssl3, tls1.0, tls1.1, tls1.2 or tls1.3\n", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

/* "ADDR:PORT[,min=V][,max=V]": the suffixes are cut off in place */
static int parse_listen(char *s, struct serve_listen_spec *sp, int *per_min, int *per_max)
{
    *per_min = *per_max = TLSV_NONE;
    char *comma = strchr(s, ',');
    sp->addr = s;
    while (comma) {
        *comma = 0;
        char *opt = comma + 1;
        comma = strchr(opt, ',');
        if (comma)
            *comma = 0;
        if (strncmp(opt, "min=", 4) == 0) {
            if (parse_version("--listen min", opt + 4, per_min) < 0)
                return -1;
        } else if (strncmp(opt, "max=", 4) == 0) {
            if (parse_version("--listen max", opt + 4, per_max) < 0)
                return -1;
        } else {
            fprintf(stderr, "tlsready serve: --listen: unknown option '%s' (min=V or max=V)\n", opt);
            return -1;
        }
        if (comma)
            *comma = ',';
    }
    return 0;
}

static int parse_positive(const char *opt, const char *s, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *s == 0 || *end || v < 1 || v > max) {
        fprintf(stderr, "tlsready serve: %s '%s': expected a whole number from 1 to %ld\n", opt, s, max);
        return -1;
    }
    *out = v;
    return 0;
}

/*
 * Raises the descriptor limit as far as allowed and keeps --max-conns under
 * it: an accept() failing with EMFILE would leave the listener readable and
 * spin the loop, so the connection limit must bite first.
 */
static int fit_fd_limit(int max_conns, size_t fixed_fds)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return max_conns;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    rlim_t spare = 16 + fixed_fds; /* stdio, log, epoll and event fds, OpenSSL's files */
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur > spare && (rlim_t)max_conns > rl.rlim_cur - spare) {
        fprintf(stderr, "tlsready serve: --max-conns lowered to %lu (open file limit %lu)\n",
                (unsigned long)(rl.rlim_cur - spare), (unsigned long)rl.rlim_cur);
        return (int)(rl.rlim_cur - spare);
    }
    return max_conns;
}

enum {
    OPT_LISTEN = 1000, OPT_LISTEN_HTTP, OPT_MIN, OPT_MAX, OPT_CUTOVER, OPT_CERT, OPT_KEY, OPT_NAME,
    OPT_KEY_TYPE, OPT_WRITE_CERT, OPT_LOG, OPT_ONCE, OPT_JSON, OPT_QUIET, OPT_THREADS, OPT_MAX_CONNS,
    OPT_TIMEOUT, OPT_MAX_REQUEST, OPT_HELP,
};

static const struct option options[] = {
    { "listen", required_argument, NULL, OPT_LISTEN },
    { "listen-http", required_argument, NULL, OPT_LISTEN_HTTP },
    { "min", required_argument, NULL, OPT_MIN },
    { "max", required_argument, NULL, OPT_MAX },
    { "cutover", required_argument, NULL, OPT_CUTOVER },
    { "cert", required_argument, NULL, OPT_CERT },
    { "key", required_argument, NULL, OPT_KEY },
    { "name", required_argument, NULL, OPT_NAME },
    { "key-type", required_argument, NULL, OPT_KEY_TYPE },
    { "write-cert", required_argument, NULL, OPT_WRITE_CERT },
    { "log", required_argument, NULL, OPT_LOG },
    { "once", no_argument, NULL, OPT_ONCE },
    { "json", no_argument, NULL, OPT_JSON },
    { "quiet", no_argument, NULL, OPT_QUIET },
    { "threads", required_argument, NULL, OPT_THREADS },
    { "max-conns", required_argument, NULL, OPT_MAX_CONNS },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "max-request", required_argument, NULL, OPT_MAX_REQUEST },
    { "help", no_argument, NULL, OPT_HELP },
    { NULL, 0, NULL, 0 },
};

struct serve_opts {
    struct serve_listen_spec listens[MAX_LISTENS];
    int per_min[MAX_LISTENS], per_max[MAX_LISTENS];
    size_t n_listens;
    const char *names[MAX_NAMES];
    size_t n_names;
    int min, max, cutover;
    int min_given;          /* --min was on the command line: it is also the default policy */
    const char *cert, *key, *write_cert, *log;
    enum serve_key_type key_type;
    struct serve_config cfg;
};

static int parse_args(int argc, char **argv, struct serve_opts *o)
{
    long n;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case OPT_LISTEN:
        case OPT_LISTEN_HTTP:
            if (o->n_listens == MAX_LISTENS) {
                fprintf(stderr, "tlsready serve: at most %d listeners\n", MAX_LISTENS);
                return -1;
            }
            if (parse_listen(optarg, &o->listens[o->n_listens], &o->per_min[o->n_listens],
                             &o->per_max[o->n_listens]) < 0)
                return -1;
            o->listens[o->n_listens++].http_redirect = c == OPT_LISTEN_HTTP;
            break;
        case OPT_MIN: if (parse_version("--min", optarg, &o->min) < 0) return -1; o->min_given = 1; break;
        case OPT_MAX: if (parse_version("--max", optarg, &o->max) < 0) return -1; break;
        case OPT_CUTOVER: if (parse_version("--cutover", optarg, &o->cutover) < 0) return -1; break;
        case OPT_CERT: o->cert = optarg; break;
        case OPT_KEY: o->key = optarg; break;
        case OPT_NAME:
            if (o->n_names == MAX_NAMES) {
                fprintf(stderr, "tlsready serve: at most %d --name\n", MAX_NAMES);
                return -1;
            }
            o->names[o->n_names++] = optarg;
            break;
        case OPT_KEY_TYPE:
            if (strcmp(optarg, "rsa") == 0) {
                o->key_type = SERVE_KEY_RSA2048;
            } else if (strcmp(optarg, "ec") == 0) {
                o->key_type = SERVE_KEY_P256;
            } else {
                fprintf(stderr, "tlsready serve: --key-type '%s': expected rsa or ec\n", optarg);
                return -1;
            }
            break;
        case OPT_WRITE_CERT: o->write_cert = optarg; break;
        case OPT_LOG: o->log = optarg; break;
        case OPT_ONCE: o->cfg.once = 1; break;
        case OPT_JSON: o->cfg.once_json = 1; break;
        case OPT_QUIET: o->cfg.diag = NULL; break;
        case OPT_THREADS: if (parse_positive("--threads", optarg, 64, &n) < 0) return -1; o->cfg.threads = (int)n; break;
        case OPT_MAX_CONNS: if (parse_positive("--max-conns", optarg, 1000000, &n) < 0) return -1; o->cfg.max_conns = (int)n; break;
        case OPT_MAX_REQUEST: if (parse_positive("--max-request", optarg, 1 << 20, &n) < 0) return -1; o->cfg.max_request = (size_t)n; break;
        case OPT_TIMEOUT: {
            char *end;
            double t = strtod(optarg, &end);
            if (*optarg == 0 || *end || !(t >= 0.05 && t <= 3600)) {
                fprintf(stderr, "tlsready serve: --timeout '%s': expected seconds from 0.05 to 3600\n", optarg);
                return -1;
            }
            o->cfg.timeout_ms = (int)(t * 1000);
            break;
        }
        case OPT_HELP:
        case 'h':
            usage(stdout);
            return 1;
        default:
            fprintf(stderr, "tlsready serve: see 'tlsready serve --help'\n");
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tlsready serve: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (!o->cert != !o->key) {
        fprintf(stderr, "tlsready serve: --cert and --key go together\n");
        return -1;
    }
    if (o->cert && o->n_names) {
        fprintf(stderr, "tlsready serve: --name is for the self-signed certificate; not with --cert\n");
        return -1;
    }
    return 0;
}

/* Applies defaults and per-listener overrides; checks that every range is non-empty. */
static int finish_listeners(struct serve_opts *o)
{
    static char default_listen[] = "127.0.0.1:8443";
    int have_tls = 0;
    for (size_t i = 0; i < o->n_listens; i++)
        have_tls |= !o->listens[i].http_redirect;
    if (!have_tls) {
        if (o->n_listens == MAX_LISTENS)
            return -1;
        memmove(o->listens + 1, o->listens, o->n_listens * sizeof o->listens[0]);
        memmove(o->per_min + 1, o->per_min, o->n_listens * sizeof o->per_min[0]);
        memmove(o->per_max + 1, o->per_max, o->n_listens * sizeof o->per_max[0]);
        o->listens[0].addr = default_listen;
        o->listens[0].http_redirect = 0;
        o->per_min[0] = o->per_max[0] = TLSV_NONE;
        o->n_listens++;
    }
    for (size_t i = 0; i < o->n_listens; i++) {
        struct serve_listen_spec *sp = &o->listens[i];
        sp->min_version = o->per_min[i] != TLSV_NONE ? o->per_min[i] : o->min;
        sp->max_version = o->per_max[i] != TLSV_NONE ? o->per_max[i] : o->max;
        if (sp->min_version > sp->max_version) {
            fprintf(stderr, "tlsready serve: '%s': the minimum version %s is above the maximum %s\n", sp->addr,
                    tls_version_name(sp->min_version), tls_version_name(sp->max_version));
            return -1;
        }
    }
    if (o->cutover == TLSV_NONE)
        o->cutover = o->min_given ? o->min : TLSV_TLS12;
    return 0;
}

static int load_cert(struct serve_opts *o, struct serve_cert *cert)
{
    struct tr_error err;
    static const char *const default_names[] = { "localhost", "127.0.0.1", "::1" };
    int rc;
    if (o->cert)
        rc = serve_cert_load(cert, o->cert, o->key, &err);
    else if (o->n_names)
        rc = serve_cert_selfsigned(cert, o->names, o->n_names, o->key_type, &err);
    else
        rc = serve_cert_selfsigned(cert, default_names, 3, o->key_type, &err);
    if (rc == 0 && o->write_cert)
        rc = serve_cert_write_pem(cert, o->write_cert, NULL, &err);
    if (rc < 0) {
        fprintf(stderr, "tlsready serve: %s\n", err.msg);
        if (o->cert || o->write_cert)
            serve_cert_release(cert);
        return -1;
    }
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    struct serve_opts *o = calloc(1, sizeof *o);
    if (!o)
        return EXIT_USAGE;
    o->min = TLSV_TLS10;
    o->max = TLSV_TLS13;
    o->cutover = TLSV_NONE;
    o->cfg.threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (o->cfg.threads < 1)
        o->cfg.threads = 1;
    if (o->cfg.threads > 64)
        o->cfg.threads = 64;
    o->cfg.max_conns = 1024;
    o->cfg.timeout_ms = 10000;
    o->cfg.max_request = 8192;
    o->cfg.log_fd = -1;
    o->cfg.stream_fd = -1;
    o->cfg.out = stdout;
    o->cfg.diag = stderr;

    int rc = parse_args(argc, argv, o);
    if (rc != 0) {
        free(o);
        return rc > 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (finish_listeners(o) < 0) {
        free(o);
        return EXIT_USAGE;
    }
    struct serve_cert cert;
    if (load_cert(o, &cert) < 0) {
        free(o);
        return EXIT_USAGE;
    }
    if (o->log) {
        o->cfg.log_fd = open(o->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (o->cfg.log_fd < 0) {
            fprintf(stderr, "tlsready serve: %s: cannot open the log: %s\n", o->log, strerror(errno));
            serve_cert_release(&cert);
            free(o);
            return EXIT_USAGE;
        }
    }
    if (o->cfg.once_json && !o->cfg.once)
        o->cfg.stream_fd = STDOUT_FILENO;
    o->cfg.max_conns = fit_fd_limit(o->cfg.max_conns, o->n_listens + (size_t)o->cfg.threads * 2);
    o->cfg.listens = o->listens;
    o->cfg.n_listens = o->n_listens;
    o->cfg.cert = &cert;
    o->cfg.cutover = o->cutover;

    struct serve_stats st;
    struct tr_error err;
    rc = serve_run(&o->cfg, &st, &err) < 0 ? EXIT_USAGE : EXIT_OK;
    if (rc != EXIT_OK)
        fprintf(stderr, "tlsready serve: %s\n", err.msg);
    if (o->cfg.log_fd >= 0 && close(o->cfg.log_fd) != 0)
        st.log_errors++;
    if (rc == EXIT_OK && o->cfg.diag)
        fprintf(o->cfg.diag,
                "tlsready serve: %lu connections: %lu accepted, %lu refused, %lu silent, %lu over --max-conns\n",
                st.connections, st.accepted, st.refused, st.silent, st.busy);
    if (rc == EXIT_OK && st.log_errors) {
        fprintf(stderr, "tlsready serve: %s: %lu log lines could not be written\n", o->log, st.log_errors);
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_OK && o->cfg.once && st.once_verdict == SERVE_VERDICT_FAIL)
        rc = EXIT_FINDINGS;
    serve_cert_release(&cert);
    free(o);
    return rc;
}
