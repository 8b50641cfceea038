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

void pcap_handshake_text(struct tr_buf *out, const struct pcap_record *r)
{
    const struct client_hello_info *ch = r->hs->ch;
    char tb[40], hex[8];
    tr_buf_printf(out, "%s %s -> %s sni=%s alpn=", pcap_format_time_us(r->time_us, tb, sizeof tb), r->client,
                  r->server, dash(r->sni));
    for (size_t i = 0; i < ch->n_alpn; i++)
        tr_buf_printf(out, "%s%s", i ? "," : "", ch->alpn[i]);
    if (!ch->n_alpn)
        tr_buf_puts(out, "-");
    tr_buf_printf(out, " offered=%s legacy_version=%s versions=", dash(r->max_offered),
                  version_label(ch->legacy_version, hex));
    int n = 0;
    for (size_t i = 0; i < ch->n_supported_versions; i++)
        if (!tls_is_grease(ch->supported_versions[i]))
            tr_buf_printf(out, "%s%s", n++ ? "," : "", version_label(ch->supported_versions[i], hex));
    if (!n)
        tr_buf_puts(out, "-");
    size_t ns = 0;
    for (size_t i = 0; i < ch->n_suites; i++)
        ns += !tls_is_grease(ch->suites[i]);
    tr_buf_printf(out, " suites=%zu groups=", ns);
    n = 0;
    for (size_t i = 0; i < ch->n_groups; i++)
        if (!tls_is_grease(ch->groups[i]))
            tr_buf_printf(out, "%s%s", n++ ? "," : "", group_label(ch->groups[i], hex));
    if (!n)
        tr_buf_puts(out, "-");
    tr_buf_printf(out, " outcome=%s negotiated=%s cipher=%s alert=%s%s ja3=%s ja3s=%s ja4=%s ja4s=%s\n",
                  hs_outcome_name(r->hs->outcome), dash(r->negotiated), dash(r->cipher), dash(r->alert),
                  r->refused_for_version ? "(refused-for-version)" : "", dash(r->ja3), dash(r->ja3s), dash(r->ja4),
                  dash(r->ja4s));
}
