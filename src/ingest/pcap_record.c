/* A handshake's reportable fields: see pcap_record.h. */
#include "ingest/pcap_record.h"

#include <stdio.h>
#include <string.h>

#include "tls/registry.h"
#include "tls/version.h"

const char *pcap_suite_name(uint16_t code, char buf[8])
{
    const struct cipher_suite *cs = cipher_suite_lookup(code);
    if (cs && cs->iana)
        return cs->iana;
    snprintf(buf, 8, "0x%04x", code);
    return buf;
}

void pcap_record_from(struct pcap_record *r, const struct pcap_handshake *hs)
{
    memset(r, 0, sizeof *r);
    const struct client_hello_info *ch = hs->ch;
    const struct server_reply *sr = hs->sr;
    r->hs = hs;
    r->time_us = hs->time_us;
    pcap_format_endpoint(hs->family, hs->client_addr, hs->client_port, r->client, sizeof r->client);
    pcap_format_endpoint(hs->family, hs->server_addr, hs->server_port, r->server, sizeof r->server);
    pcap_format_addr(hs->family, hs->client_addr, r->client_ip, sizeof r->client_ip);
    pcap_format_addr(hs->family, hs->server_addr, r->server_ip, sizeof r->server_ip);
    r->sni = ch->has_sni && ch->sni[0] ? ch->sni : NULL;
    r->max_offered_v = ch->max_offered;
    r->max_offered = tls_version_name(ch->max_offered);
    r->legacy_version = tls_version_name(tls_version_from_wire(ch->legacy_version));
    r->negotiated_v = TLSV_NONE;
    r->alert_code = -1;
    if (ja3_hash(ch, r->ja3) < 0)
        r->ja3[0] = 0;
    if (ja4(ch, 't', r->ja4) < 0)
        r->ja4[0] = 0;
    if (!sr)
        return;
    if (hs->outcome == HS_SERVER_HELLO || hs->outcome == HS_HELLO_RETRY) {
        r->negotiated_v = sr->selected_version;
        r->negotiated = tls_version_name(sr->selected_version);
        r->cipher = pcap_suite_name(sr->cipher_suite, r->cipher_hex);
        snprintf(r->cipher_code, sizeof r->cipher_code, "0x%04x", sr->cipher_suite);
        if (ja3s_hash(sr, r->ja3s) < 0)
            r->ja3s[0] = 0;
        if (ja4s(sr, 't', r->ja4s) < 0)
            r->ja4s[0] = 0;
    }
    if (sr->have_alert) {
        r->alert_code = sr->alert_description;
        r->alert = tls_alert_name(sr->alert_description);
        if (!r->alert)
            r->alert = "unknown_alert";
        r->refused_for_version = sr->alert_description == 70;
    }
}

void pcap_record_observation(const struct pcap_record *r, struct observation *obs)
{
    memset(obs, 0, sizeof *obs);
    obs->time = r->time_us >= 0 ? r->time_us / 1000000 : -((-r->time_us + 999999) / 1000000);
    obs->client_ip = r->client_ip;
    obs->server = r->sni ? r->sni : r->server_ip;
    obs->server_addr = r->server;
    obs->version = r->negotiated_v >= 0 ? r->negotiated_v : TLSV_UNKNOWN;
    obs->max_offered = r->max_offered_v;
    obs->cipher = r->cipher;
    obs->fingerprint = r->ja4[0] ? r->ja4 : NULL;
    switch (r->hs->outcome) {
    case HS_SERVER_HELLO:
    case HS_HELLO_RETRY:
    case HS_SSL2: /* SSLv2 has no name in the version vocabulary: it counts as "unknown" */
        obs->success = 1;
        break;
    case HS_ALERT:
    case HS_BAD_REPLY:
        obs->success = 0;
        break;
    case HS_NO_REPLY:
        obs->success = -1;
        break;
    }
    obs->status = r->alert ? r->alert : hs_outcome_name(r->hs->outcome);
}
