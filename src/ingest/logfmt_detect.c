/*
 * Format auto-detection: every built-in format parses the first lines of a
 * file with a fresh parser; the one format that parses them all (or all but a
 * few) wins. W3C headers and JSON objects select their families naturally,
 * since the other parsers reject those lines. Two formats that both fit are
 * reported as ambiguous rather than guessed.
 */
#include <stdio.h>
#include <string.h>

#include "ingest/logfmt_core.h"

int logfmt_detect(const char *const *lines, const size_t *lens, int n, struct tr_error *err)
{
    int best = LOGFMT_NONE, best_ok = 0, tie = LOGFMT_NONE;
    int total = 0;
    for (int i = 0; i < n; i++)
        total += lens[i] > 0;
    if (total == 0) {
        tr_errorf(err, "no lines to detect the format from");
        return LOGFMT_NONE;
    }
    struct logfmt_scratch scratch, *s = &scratch;
    for (int k = LOGFMT_NONE + 1; k < LOGFMT_KIND_COUNT; k++) {
        struct logfmt_parser p;
        if (logfmt_parser_init(&p, k, NULL) != 0)
            continue;
        int ok = 0, bad = 0;
        for (int i = 0; i < n; i++) {
            if (lens[i] == 0)
                continue;
            struct observation obs;
            int r = logfmt_parse(&p, lines[i], lens[i], &obs, s);
            if (r == LOGFMT_OK || r == LOGFMT_PLAIN)
                ok++;
            else if (r == LOGFMT_BAD)
                bad++;
        }
        if (ok == 0 || bad * 3 > ok + bad)
            continue;
        if (ok > best_ok) {
            best = k;
            best_ok = ok;
            tie = LOGFMT_NONE;
        } else if (ok == best_ok) {
            tie = k;
        }
    }
    if (best != LOGFMT_NONE && tie != LOGFMT_NONE) {
        tr_errorf(err, "the lines fit both the '%s' and the '%s' format: choose one with --format",
                  logfmt_kind_name(best), logfmt_kind_name(tie));
        return LOGFMT_NONE;
    }
    if (best == LOGFMT_NONE)
        tr_errorf(err, "no known format fits the first %d lines: give --format (and --nginx-format or "
                       "--log-format for a custom format)",
                  total);
    return best;
}
