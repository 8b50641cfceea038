/*
 * The cut-over policy for a scanned endpoint (DESIGN.md: policy turns records
 * into verdicts; writers only render). With minimum M:
 *   ok           some version >= M is accepted
 *   fail         every version >= M is refused (proven: the integration breaks at the cut-over)
 *   unreachable  otherwise: nothing >= M accepted, and at least one of them unknown
 * and a note when versions below M are accepted too.
 */
#include <stdio.h>
#include <string.h>

#include "probe/scan.h"

const char *version_status_name(int s)
{
    switch (s) {
    case VS_ACCEPTED: return "accepted";
    case VS_REFUSED: return "refused";
    default: return "unknown";
    }
}

const char *scan_verdict_name(int v)
{
    switch (v) {
    case VERDICT_OK: return "ok";
    case VERDICT_FAIL: return "fail";
    default: return "unreachable";
    }
}

static void add_note(struct endpoint_result *res, const char *text)
{
    if (res->n_notes < SCAN_NOTES_MAX)
        snprintf(res->notes[res->n_notes++], SCAN_NOTE_LEN, "%s", text);
}

void scan_policy_apply(struct endpoint_result *res, int min_version)
{
    int accepted_at_min = 0, unknown_at_min = 0;
    for (int v = min_version; v < TLSV_COUNT; v++) {
        if (res->status[v] == VS_ACCEPTED)
            accepted_at_min = 1;
        else if (res->status[v] == VS_UNKNOWN)
            unknown_at_min = 1;
    }
    res->verdict = accepted_at_min ? VERDICT_OK : unknown_at_min ? VERDICT_UNREACHABLE : VERDICT_FAIL;

    char below[64] = "";
    size_t len = 0;
    for (int v = 0; v < min_version && v < TLSV_COUNT; v++)
        if (res->status[v] == VS_ACCEPTED)
            len += (size_t)snprintf(below + len, sizeof below - len, "%s%s", len ? ", " : "", tls_version_name(v));
    if (len) {
        char note[SCAN_NOTE_LEN];
        snprintf(note, sizeof note, "%s %s below the minimum %s",
                 accepted_at_min ? "also accepts" : "accepts", below, tls_version_name(min_version));
        add_note(res, note);
    }
}
