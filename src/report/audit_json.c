/* The audit report as one JSON document: see audit_report.h and docs/audit.md. */
#include <stdio.h>
#include <string.h>

#include "probe/scan.h"
#include "report/audit_report.h"
#include "report/json.h"

/* "key": unsigned number, the most common member of this document */
static void key_uint(struct json_writer *w, const char *key, uint64_t v)
{
    json_key(w, key);
    json_uint(w, v);
}

static void time_or_null(struct json_writer *w, int64_t t)
{
    char b[32];
    json_string(w, agg_format_time(t, b, sizeof b));
}

static void versions_obj(struct json_writer *w, const uint64_t *v)
{
    json_object_begin(w);
    for (int i = 0; i < TLSV_SLOTS; i++) {
        json_key(w, tls_version_name(i));
        json_uint(w, v[i]);
    }
    json_object_end(w);
}

static void endpoint_obj(struct json_writer *w, const struct audit_endpoint *e)
{
    json_object_begin(w);
    json_key(w, "endpoint");
    json_string(w, e->name);
    json_key(w, "url");
    json_string(w, e->url);
    json_key(w, "owner");
    json_string(w, e->owner);
    json_key(w, "found_in");
    json_string(w, e->found_in[0] ? e->found_in : NULL);
    json_key(w, "scanned");
    json_bool(w, e->scanned);
    json_key(w, "versions");
    if (e->scanned) {
        json_object_begin(w);
        for (int v = 0; v < TLSV_COUNT; v++) {
            json_key(w, tls_version_name(v));
            json_string(w, version_status_name(e->status[v]));
        }
        json_object_end(w);
    } else {
        json_null(w);
    }
    json_key(w, "preferred");
    json_string(w, e->preferred >= 0 ? tls_version_name(e->preferred) : NULL);
    json_key(w, "verdict");
    json_string(w, e->verdict >= 0 ? scan_verdict_name(e->verdict) : NULL);
    json_key(w, "note");
    json_string(w, e->note[0] ? e->note : NULL);
    json_key(w, "certificate");
    if (e->has_cert) {
        json_object_begin(w);
        json_key(w, "subject");
        json_string(w, e->cert_subject);
        json_key(w, "days_left");
        json_int(w, e->cert_days_left);
        json_key(w, "flags");
        json_string(w, e->cert_flags);
        json_object_end(w);
    } else {
        json_null(w);
    }
    json_object_end(w);
}

static void traffic_rows(struct json_writer *w, const char *name, const char *key, struct aggregate *agg,
                         const struct source_view *v, int pair)
{
    json_key(w, name);
    json_array_begin(w);
    for (size_t i = 0; v && i < v->n; i++) {
        const struct agg_row *r = v->rows[i];
        char buf[600];
        json_object_begin(w);
        json_key(w, key);
        json_string(w, r->key);
        json_key(w, "versions");
        versions_obj(w, r->versions);
        key_uint(w, "legacy", r->legacy + r->failed_legacy);
        key_uint(w, "total", r->total + r->failed);
        json_key(w, "first_legacy");
        time_or_null(w, r->first_legacy);
        json_key(w, "last_legacy");
        time_or_null(w, r->last_legacy);
        if (pair >= 0) {
            json_key(w, "user_agents");
            json_string(w, audit_tops(agg, pair, r, 0, 3, buf, sizeof buf));
        }
        json_object_end(w);
    }
    json_array_end(w);
}

static void area_obj(struct json_writer *w, const struct readiness *rd, const struct audit_inputs *in, int a)
{
    const struct area_summary *s = &rd->areas[a];
    const struct area_view *v = &rd->view[a];
    char buf[600];
    json_object_begin(w);
    json_key(w, "area");
    json_string(w, audit_area_name(a));
    json_key(w, "title");
    json_string(w, audit_area_title(a));
    key_uint(w, "legacy", s->legacy);
    key_uint(w, "failed_legacy", s->failed_legacy);
    key_uint(w, "total", s->total);
    key_uint(w, "legacy_users", s->legacy_users);
    json_key(w, "last_legacy");
    time_or_null(w, s->last_legacy);
    key_uint(w, "endpoints_total", s->endpoints);
    key_uint(w, "endpoints_fail", s->endpoints_fail);
    key_uint(w, "endpoints_unreachable", s->endpoints_unreachable);
    json_key(w, "users");
    json_array_begin(w);
    for (size_t i = 0; i < v->n_users; i++) {
        const struct agg_row *r = v->users[i];
        json_object_begin(w);
        json_key(w, "user");
        json_string(w, r->key);
        json_key(w, "versions");
        versions_obj(w, r->versions);
        key_uint(w, "legacy", r->legacy + r->failed_legacy);
        key_uint(w, "legacy_in_area", area_row_legacy(in->logins, r, a));
        key_uint(w, "failed_legacy", r->failed_legacy);
        key_uint(w, "total", r->total + r->failed);
        json_key(w, "first_legacy");
        time_or_null(w, r->first_legacy);
        json_key(w, "last_legacy");
        time_or_null(w, r->last_legacy);
        json_key(w, "clients");
        json_string(w, audit_tops(in->logins, AUDIT_PAIR_USER_CLIENT, r, 1, 3, buf, sizeof buf));
        json_key(w, "source_ips");
        json_string(w, audit_tops(in->logins, AUDIT_PAIR_USER_IP, r, 0, 3, buf, sizeof buf));
        json_object_end(w);
    }
    json_array_end(w);
    json_key(w, "clients");
    json_array_begin(w);
    for (size_t i = 0; i < v->n_clients; i++) {
        const struct agg_row *r = v->clients[i];
        static const char *const parts[4] = { "application", "client_version", "browser", "platform" };
        json_object_begin(w);
        json_key(w, "client");
        json_string(w, audit_client_label(r->key, r->key_len, buf, sizeof buf));
        for (int p = 0; p < 4; p++) {
            size_t n;
            const char *part = agg_key_part(r->key, r->key_len, p, &n);
            json_key(w, parts[p]);
            if (part)
                json_string_n(w, part, n);
            else
                json_null(w);
        }
        json_key(w, "versions");
        versions_obj(w, r->versions);
        key_uint(w, "legacy", r->legacy + r->failed_legacy);
        key_uint(w, "total", r->total + r->failed);
        key_uint(w, "users", aggregate_top_count(in->logins, AUDIT_PAIR_CLIENT_USER, r));
        json_key(w, "last_legacy");
        time_or_null(w, r->last_legacy);
        json_object_end(w);
    }
    json_array_end(w);
    json_key(w, "endpoints");
    json_array_begin(w);
    for (size_t i = 0; i < v->n_endpoints; i++)
        endpoint_obj(w, &in->endpoints[v->endpoints[i]]);
    json_array_end(w);
    json_object_end(w);
}

void audit_write_json(struct tr_buf *out, const struct readiness *rd, const struct audit_inputs *in)
{
    struct json_writer w;
    char b[32];
    json_init(&w, out);
    json_object_begin(&w);
    json_key(&w, "command");
    json_string(&w, "audit");
    json_key(&w, "generated");
    time_or_null(&w, in->now);
    json_key(&w, "min");
    json_string(&w, tls_version_name(in->min_version));
    json_key(&w, "cutover");
    json_string(&w, agg_format_day(in->cutover, b, sizeof b));
    json_key(&w, "ready");
    json_bool(&w, rd->ready);
    json_key(&w, "headline");
    json_string(&w, rd->headline);

    json_key(&w, "summary");
    json_object_begin(&w);
    size_t users = rd->legacy_users;
    key_uint(&w, "observations", rd->observations);
    key_uint(&w, "legacy", rd->legacy);
    key_uint(&w, "failed_legacy", rd->failed_legacy);
    json_key(&w, "legacy_share");
    json_double(&w, rd->legacy_share, 4);
    key_uint(&w, "recent_legacy", rd->recent_legacy);
    json_key(&w, "recent_days");
    json_int(&w, in->recent_days);
    key_uint(&w, "legacy_users", users);
    json_key(&w, "data_first");
    time_or_null(&w, rd->data_first);
    json_key(&w, "data_last");
    time_or_null(&w, rd->data_last);
    key_uint(&w, "endpoints", rd->endpoints);
    key_uint(&w, "endpoints_fail", rd->endpoints_fail);
    key_uint(&w, "endpoints_unreachable", rd->endpoints_unreachable);
    key_uint(&w, "dynamic_endpoints", in->dynamic_endpoints);
    key_uint(&w, "certificates", rd->n_certs);
    key_uint(&w, "certificates_expiring", rd->certs_expiring);
    json_object_end(&w);

    json_key(&w, "sources");
    json_object_begin(&w);
    key_uint(&w, "logins_rows", in->logins_rows);
    key_uint(&w, "logs_lines", in->logs_lines);
    key_uint(&w, "pcap_handshakes", in->pcap_handshakes);
    key_uint(&w, "rehearsal_lines", in->rehearsal_lines);
    json_key(&w, "endpoints_scanned");
    json_bool(&w, in->scanned);
    json_object_end(&w);

    json_key(&w, "checklist");
    json_array_begin(&w);
    for (int i = 0; i < rd->n_items; i++) {
        json_object_begin(&w);
        json_key(&w, "step");
        json_string(&w, rd->items[i].step);
        json_key(&w, "status");
        json_string(&w, check_status_name(rd->items[i].status));
        json_key(&w, "evidence");
        json_string(&w, rd->items[i].evidence);
        json_object_end(&w);
    }
    json_array_end(&w);

    json_key(&w, "areas");
    json_array_begin(&w);
    for (int a = 0; a < AREA_COUNT; a++)
        area_obj(&w, rd, in, a);
    json_array_end(&w);

    json_key(&w, "days");
    json_array_begin(&w);
    for (size_t i = 0; i < rd->n_days; i++) {
        json_object_begin(&w);
        json_key(&w, "day");
        json_string(&w, rd->days[i]);
        key_uint(&w, "legacy", rd->day_legacy[i]);
        key_uint(&w, "total", rd->day_total[i]);
        json_key(&w, "share");
        json_double(&w, rd->day_share[i], 4);
        json_object_end(&w);
    }
    json_array_end(&w);

    json_key(&w, "access_logs");
    json_object_begin(&w);
    traffic_rows(&w, "clients", "client", in->logs, &rd->logs_clients, in->logs ? AUDIT_PAIR_IP_AGENT : -1);
    traffic_rows(&w, "user_agents", "user_agent", in->logs, &rd->logs_agents, -1);
    json_object_end(&w);
    json_key(&w, "captures");
    json_object_begin(&w);
    traffic_rows(&w, "clients", "client", in->pcap, &rd->pcap_clients, -1);
    traffic_rows(&w, "fingerprints", "fingerprint", in->pcap, &rd->pcap_fingerprints, -1);
    json_object_end(&w);
    json_object_end(&w);
    tr_buf_push_u8(out, '\n');
}
