/*
 * tlsready: finds everything that will break when a legacy TLS version is
 * switched off. This file is only the command table (after git's git.c): one
 * entry per subcommand, the usage text generated from it, and the final check
 * that standard output was written and closed without error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>

#include "cmd/cmd.h"

#define TLSREADY_VERSION "0.1.0"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    { "scan", cmd_scan, "which TLS/SSL versions (and suites, groups, certificates) each server accepts" },
    { "logins", cmd_logins, "who in a Salesforce org still logs in with legacy TLS (Login History, Event Monitoring)" },
    { "logs", cmd_logs, "who connects with legacy TLS, from web server and load balancer access logs" },
    { "pcap", cmd_pcap, "who offers or negotiates legacy TLS, from packet captures (failed handshakes too)" },
    { "endpoints", cmd_endpoints, "every outbound endpoint in a Salesforce org's source, optionally scanned" },
    { "serve", cmd_serve, "a TLS test endpoint that reports what each client offers (cut-over rehearsal)" },
    { "audit", cmd_audit, "one readiness report (HTML, JSON, Markdown) from all of the above" },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: tlsready <command> [options] [args]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'tlsready <command> --help' describes a command's options.\n"
               "exit codes: 0 ok, 1 findings (something breaks at the cut-over), 2 usage or input error,\n"
               "            3 some targets unreachable (scan)\n");
}

int main(int argc, char **argv)
{
    /* a peer closing a socket or a closed pipe is an error value, not a signal */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("tlsready %s\n", TLSREADY_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        int rc = commands[i].fn(argc - 1, argv + 1);
        /* output fails too: a full disk or a closed pipe must not look like success */
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "tlsready: cannot write output: %s\n", strerror(errno));
            return EXIT_USAGE;
        }
        return rc;
    }
    fprintf(stderr, "tlsready: '%s' is not a command\n\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
