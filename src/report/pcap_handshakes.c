/* Per-handshake lines of `tlsready pcap --handshakes`: see pcap_handshakes.h. */
#include "report/pcap_handshakes.h"

#include <stdio.h>
#include <time.h>

#include "report/json.h"
#include "tls/registry.h"
#include "tls/version.h"

const char *pcap_format_time_us(int64_t us, char *buf, size_t cap)
{
    int64_t sec = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
    long frac = (long)(us - sec * 1000000);
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, cap, "?");
        return buf;
    }
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
    return buf;
}

static const char *version_label(uint16_t wire, char buf[8])
{
    const char *n = tls_version_name(tls_version_from_wire(wire));
    if (n)
        return n;
    snprintf(buf, 8, "0x%04x", wire);
    return buf;
}

static const char *group_label(uint16_t code, char buf[8])
{
    const struct named_group *g = group_lookup(code);
    if (g && g->name)
        return g->name;
    snprintf(buf, 8, "0x%04x", code);
    return buf;
}

/* GREASE values (RFC 8701) are left out of the name lists: they mean nothing. */
void pcap_handshake_json(struct tr_buf *out, const struct pcap_record *r)
{
    const struct client_hello_info *ch = r->hs->ch;
    struct json_writer w;
    char tb[40], hex[8];
    json_init(&w, out);
    json_object_begin(&w);
    json_key(&w, "time");
    json_string(&w, pcap_format_time_us(r->time_us, tb, sizeof tb));
    json_key(&w, "client");
    json_string(&w, r->client);
    json_key(&w, "server");
    json_string(&w, r->server);
    json_key(&w, "sni");
    json_string(&w, r->sni);
    json_key(&w, "alpn");
    json_array_begin(&w);
    for (size_t i = 0; i < ch->n_alpn; i++)
        json_string(&w, ch->alpn[i]);
    json_array_end(&w);
    json_key(&w, "legacy_version");
    json_string(&w, version_label(ch->legacy_version, hex));
    json_key(&w, "supported_versions");
    json_array_begin(&w);
    for (size_t i = 0; i < ch->n_supported_versions; i++)
        if (!tls_is_grease(ch->supported_versions[i]))
            json_string(&w, version_label(ch->supported_versions[i], hex));
    json_array_end(&w);
    json_key(&w, "max_offered");
    json_string(&w, r->max_offered);
    json_key(&w, "suites");
    json_array_begin(&w);
    for (size_t i = 0; i < ch->n_suites; i++)
        if (!tls_is_grease(ch->suites[i]))
            json_string(&w, pcap_suite_name(ch->suites[i], hex));
    json_array_end(&w);
    json_key(&w, "groups");
    json_array_begin(&w);
    for (size_t i = 0; i < ch->n_groups; i++)
        if (!tls_is_grease(ch->groups[i]))
            json_string(&w, group_label(ch->groups[i], hex));
    json_array_end(&w);
    json_key(&w, "outcome");
    json_string(&w, hs_outcome_name(r->hs->outcome));
    json_key(&w, "negotiated");
    json_string(&w, r->negotiated);
    json_key(&w, "cipher");
    json_string(&w, r->cipher);
    json_key(&w, "cipher_code");
    json_string(&w, r->cipher_code[0] ? r->cipher_code : NULL);
    json_key(&w, "alert");
    json_string(&w, r->alert);
    json_key(&w, "refused_for_version");
    json_bool(&w, r->refused_for_version);
    json_key(&w, "ja3");
    json_string(&w, r->ja3[0] ? r->ja3 : NULL);
    json_key(&w, "ja3s");
    json_string(&w, r->ja3s[0] ? r->ja3s : NULL);
    json_key(&w, "ja4");
    json_string(&w, r->ja4[0] ? r->ja4 : NULL);
    json_key(&w, "ja4s");
    json_string(&w, r->ja4s[0] ? r->ja4s : NULL);
    json_object_end(&w);
    tr_buf_push_u8(out, '\n');
}

/* Values in the text line never hold spaces: absent ones are "-". */
static const char *dash(const char *s) { return s && *s ? s : "-"; }

/* A comma-separated list without GREASE values, "-" when empty. */
static void text_list(struct tr_buf *out, const uint16_t *v, size_t n, const char *(*label)(uint16_t, char[8]))
{
    char hex[8];
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        if (tls_is_grease(v[i]))
            continue;
        if (k++)
            tr_buf_push_u8(out, ',');
        tr_buf_puts(out, label(v[i], hex));
    }
    if (!k)
        tr_buf_push_u8(out, '-');
}

static void field(struct tr_buf *out, const char *name, const char *value)
{
    tr_buf_push_u8(out, ' ');
    tr_buf_puts(out, name);
    tr_buf_push_u8(out, '=');
    tr_buf_puts(out, dash(value));
}

/* Plain pushes rather than printf: this runs once per handshake, and captures hold millions. */
void pcap_handshake_text(struct tr_buf *out, const struct pcap_record *r)
{
    const struct client_hello_info *ch = r->hs->ch;
    char tb[40], hex[8], num[24];
    tr_buf_puts(out, pcap_format_time_us(r->time_us, tb, sizeof tb));
    tr_buf_push_u8(out, ' ');
    tr_buf_puts(out, r->client);
    tr_buf_puts(out, " -> ");
    tr_buf_puts(out, r->server);
    field(out, "sni", r->sni);
    tr_buf_puts(out, " alpn=");
    for (size_t i = 0; i < ch->n_alpn; i++) {
        if (i)
            tr_buf_push_u8(out, ',');
        tr_buf_puts(out, ch->alpn[i]);
    }
    if (!ch->n_alpn)
        tr_buf_push_u8(out, '-');
    field(out, "offered", r->max_offered);
    field(out, "legacy_version", version_label(ch->legacy_version, hex));
    tr_buf_puts(out, " versions=");
    text_list(out, ch->supported_versions, ch->n_supported_versions, version_label);
    size_t ns = 0;
    for (size_t i = 0; i < ch->n_suites; i++)
        ns += !tls_is_grease(ch->suites[i]);
    snprintf(num, sizeof num, "%zu", ns);
    field(out, "suites", num);
    tr_buf_puts(out, " groups=");
    text_list(out, ch->groups, ch->n_groups, group_label);
    field(out, "outcome", hs_outcome_name(r->hs->outcome));
    field(out, "negotiated", r->negotiated);
    field(out, "cipher", r->cipher);
    field(out, "alert", r->alert);
    if (r->refused_for_version)
        tr_buf_puts(out, "(refused-for-version)");
    field(out, "ja3", r->ja3);
    field(out, "ja3s", r->ja3s);
    field(out, "ja4", r->ja4);
    field(out, "ja4s", r->ja4s);
    tr_buf_push_u8(out, '\n');
}
