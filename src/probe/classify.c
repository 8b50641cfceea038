/* Version decisions from probe outcomes: see classify.h and docs/scan.md. */
#include "probe/classify.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probe/scan.h"
#include "tls/registry.h"
#include "tls/version.h"

static void suite_phrase(char *dst, size_t cap, const char *prefix, uint16_t code)
{
    const struct cipher_suite *cs = cipher_suite_lookup(code);
    if (cs)
        snprintf(dst, cap, "%s%s", prefix, cs->iana);
    else
        snprintf(dst, cap, "%s0x%04X", prefix, code);
}

static int from_reply(int offered, const struct server_reply *r, int *chosen, char *reason, size_t cap)
{
    switch (r->status) {
    case REPLY_SERVER_HELLO:
        *chosen = r->selected_version;
        if (r->selected_version == TLSV_NONE) {
            uint16_t w = r->supported_version ? r->supported_version : r->server_version;
            snprintf(reason, cap, "server chose unknown version 0x%04X", w);
            return offered == CLASSIFY_ALL ? VS_UNKNOWN : VS_REFUSED;
        }
        if (offered == CLASSIFY_ALL || r->selected_version == offered) {
            suite_phrase(reason, cap, "", r->cipher_suite);
            return VS_ACCEPTED;
        }
        snprintf(reason, cap, "server chose %s", tls_version_name(r->selected_version));
        return VS_REFUSED;
    case REPLY_HELLO_RETRY: {
        /* RFC 8446 4.1.4: an HRR is only sent by a server that will speak 1.3 */
        *chosen = TLSV_TLS13;
        const struct named_group *g = group_lookup(r->selected_group);
        if (g)
            snprintf(reason, cap, "hello retry request for %s", g->name);
        else
            snprintf(reason, cap, "hello retry request for group 0x%04X", r->selected_group);
        if (offered == CLASSIFY_ALL || offered == TLSV_TLS13)
            return VS_ACCEPTED;
        snprintf(reason, cap, "server chose tls1.3");
        return VS_REFUSED;
    }
    case REPLY_ALERT: {
        const char *name = tls_alert_name(r->alert_description);
        if (name)
            snprintf(reason, cap, "alert %s", name);
        else
            snprintf(reason, cap, "alert %u", r->alert_description);
        return VS_REFUSED;
    }
    case REPLY_SSL2:
        snprintf(reason, cap, r->ssl2_error ? "sslv2 error %d" : "server answered in sslv2", r->ssl2_error);
        return VS_REFUSED;
    case REPLY_NOT_TLS:
        snprintf(reason, cap, "not TLS: %s", r->reason[0] ? r->reason : "unexpected bytes");
        return VS_UNKNOWN;
    case REPLY_MALFORMED:
    default:
        snprintf(reason, cap, "malformed reply: %s", r->reason[0] ? r->reason : "unparsable");
        return VS_UNKNOWN;
    }
}

int classify_outcome(int offered, const struct probe_outcome *o, int *chosen, char *reason, size_t cap)
{
    *chosen = TLSV_NONE;
    reason[0] = 0;
    switch (o->kind) {
    case OUTCOME_REPLY:
        if (!o->reply) {
            snprintf(reason, cap, "no reply");
            return VS_UNKNOWN;
        }
        return from_reply(offered, o->reply, chosen, reason, cap);
    case OUTCOME_CLOSED:
        /* a closed connection with nothing sent is how many servers refuse a version;
         * a close in the middle of a record is not an answer */
        if (o->bytes_received == 0) {
            snprintf(reason, cap, "connection closed");
            return VS_REFUSED;
        }
        snprintf(reason, cap, "connection closed mid-reply after %zu bytes", o->bytes_received);
        return VS_UNKNOWN;
    case OUTCOME_RESET:
        if (o->bytes_received == 0) {
            snprintf(reason, cap, "connection reset");
            return VS_REFUSED;
        }
        snprintf(reason, cap, "connection reset mid-reply after %zu bytes", o->bytes_received);
        return VS_UNKNOWN;
    case OUTCOME_CONNECT_FAILED:
        if (o->sys_errno == ECONNREFUSED)
            snprintf(reason, cap, "connection refused");
        else if (o->sys_errno == ENETUNREACH)
            snprintf(reason, cap, "network unreachable");
        else if (o->sys_errno == EHOSTUNREACH)
            snprintf(reason, cap, "host unreachable");
        else
            snprintf(reason, cap, "connect: %s", strerror(o->sys_errno));
        return VS_UNKNOWN;
    case OUTCOME_CONNECT_TIMEOUT:
        snprintf(reason, cap, "connect timeout");
        return VS_UNKNOWN;
    case OUTCOME_READ_TIMEOUT:
        snprintf(reason, cap, "timeout (no reply)");
        return VS_UNKNOWN;
    case OUTCOME_TOO_LARGE:
        snprintf(reason, cap, "reply too large without a server hello");
        return VS_UNKNOWN;
    case OUTCOME_SKIPPED:
    case OUTCOME_LOCAL_ERROR:
    default:
        snprintf(reason, cap, "%s", o->reason[0] ? o->reason : "not probed");
        return VS_UNKNOWN;
    }
}

int classify_outcome_checked(int offered, const uint16_t *suites, size_t n, const struct probe_outcome *o,
                             int *chosen, char *reason, size_t cap)
{
    int st = classify_outcome(offered, o, chosen, reason, cap);
    if (o->kind != OUTCOME_REPLY || !o->reply || !suites)
        return st;
    const struct server_reply *r = o->reply;
    if (r->status != REPLY_SERVER_HELLO && r->status != REPLY_HELLO_RETRY)
        return st;
    if (*chosen == TLSV_NONE)
        return st;
    /* RFC 8446 4.2.1: supported_versions in a ServerHello means TLS 1.3, and
     * only answers a client that sent it (our tls1.3 and all-versions probes) */
    if (r->status == REPLY_SERVER_HELLO && r->supported_version != 0 &&
        (*chosen != TLSV_TLS13 || (offered != CLASSIFY_ALL && offered != TLSV_TLS13))) {
        snprintf(reason, cap, "malformed reply: supported_versions extension 0x%04X in a ServerHello %s",
                 r->supported_version, *chosen != TLSV_TLS13 ? "below tls1.3" : "to a hello without it");
        *chosen = TLSV_NONE;
        return VS_UNKNOWN;
    }
    int offered_suite = 0;
    for (size_t i = 0; i < n; i++)
        if (suites[i] == r->cipher_suite)
            offered_suite = 1;
    if (!offered_suite) {
        snprintf(reason, cap, "malformed reply: server chose cipher suite 0x%04X, which was not offered", r->cipher_suite);
        *chosen = TLSV_NONE;
        return VS_UNKNOWN;
    }
    const struct cipher_suite *cs = cipher_suite_lookup(r->cipher_suite);
    if (cs && !cipher_suite_usable_at(cs, *chosen)) {
        snprintf(reason, cap, "malformed reply: cipher suite %s cannot be used with %s", cs->iana, tls_version_name(*chosen));
        *chosen = TLSV_NONE;
        return VS_UNKNOWN;
    }
    return st;
}
