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

/* Two 64-bit multiply-xorshift hashes over the same words: a 128-bit key */
struct fp_hash {
    uint64_t h1, h2;
};

static void fh_word(struct fp_hash *h, uint64_t v)
{
    h->h1 = (h->h1 ^ v) * 0x100000001b3ull;
    h->h1 ^= h->h1 >> 29;
    h->h2 = (h->h2 + v) * 0x9e3779b97f4a7c15ull;
    h->h2 ^= h->h2 >> 31;
}

static void fh_u16s(struct fp_hash *h, const uint16_t *v, size_t n)
{
    fh_word(h, 0xff00000000ull | n);
    for (size_t i = 0; i < n; i++)
        fh_word(h, v[i]);
}

/* Exactly what ja3_hash and ja4 read from a ClientHello (see tls/fingerprint.c). */
static struct fp_hash client_key(const struct client_hello_info *ch)
{
    struct fp_hash h = { 0xcbf29ce484222325ull, 0x84222325cbf29ce4ull };
    fh_word(&h, (uint64_t)ch->legacy_version << 32 | (uint64_t)(ch->is_ssl2 & 1) << 16 | ch->n_alpn);
    fh_word(&h, (uint64_t)ch->alpn0_first << 40 | (uint64_t)ch->alpn0_last << 32 | ch->alpn0_len);
    fh_u16s(&h, ch->supported_versions, ch->n_supported_versions);
    fh_u16s(&h, ch->suites, ch->n_suites);
    fh_u16s(&h, ch->extensions, ch->n_extensions);
    fh_u16s(&h, ch->groups, ch->n_groups);
    fh_u16s(&h, ch->sigalgs, ch->n_sigalgs);
    fh_word(&h, 0xee00000000ull | ch->n_ec_point_formats);
    for (size_t i = 0; i < ch->n_ec_point_formats; i++)
        fh_word(&h, ch->ec_point_formats[i]);
    fh_word(&h, 0xdd00000000ull | ch->n_ssl2_specs);
    for (size_t i = 0; i < ch->n_ssl2_specs; i++)
        fh_word(&h, ch->ssl2_specs[i]);
    h.h1 |= 1; /* never the empty marker */
    return h;
}

/* What ja3s_hash and ja4s read from a ServerHello. */
static struct fp_hash server_key(const struct server_reply *sr)
{
    struct fp_hash h = { 0x9ae16a3b2f90404full, 0xc3a5c85c97cb3127ull };
    fh_word(&h, (uint64_t)sr->server_version << 32 | (uint64_t)sr->supported_version << 16 | sr->cipher_suite);
    fh_word(&h, (uint64_t)sr->status << 8 | (uint64_t)sr->have_server_hello);
    fh_u16s(&h, sr->extensions, sr->n_extensions);
    size_t alen = strnlen(sr->alpn, sizeof sr->alpn);
    fh_word(&h, 0xcc00000000ull | alen);
    for (size_t i = 0; i < alen; i++)
        fh_word(&h, (uint8_t)sr->alpn[i]);
    h.h1 |= 1;
    return h;
}

static void client_fps(struct pcap_record *r, const struct client_hello_info *ch, struct pcap_fp_cache *c)
{
    struct fp_entry *e = NULL;
    struct fp_hash k = { 0, 0 };
    if (c) {
        k = client_key(ch);
        e = &c->client[k.h2 % FP_CACHE_CLIENT];
        if (e->h1 == k.h1 && e->h2 == k.h2) {
            memcpy(r->ja3, e->a, sizeof r->ja3);
            memcpy(r->ja4, e->b, sizeof r->ja4);
            c->hits++;
            return;
        }
        c->misses++;
    }
    if (ja3_hash(ch, r->ja3) < 0)
        r->ja3[0] = 0;
    if (ja4(ch, 't', r->ja4) < 0)
        r->ja4[0] = 0;
    if (e) {
        e->h1 = k.h1;
        e->h2 = k.h2;
        memcpy(e->a, r->ja3, sizeof e->a);
        memcpy(e->b, r->ja4, sizeof e->b);
    }
}

static void server_fps(struct pcap_record *r, const struct server_reply *sr, struct pcap_fp_cache *c)
{
    struct fp_entry *e = NULL;
    struct fp_hash k = { 0, 0 };
    if (c) {
        k = server_key(sr);
        e = &c->server[k.h2 % FP_CACHE_SERVER];
        if (e->h1 == k.h1 && e->h2 == k.h2) {
            memcpy(r->ja3s, e->a, sizeof r->ja3s);
            memcpy(r->ja4s, e->b, sizeof r->ja4s);
            c->hits++;
            return;
        }
        c->misses++;
    }
    if (ja3s_hash(sr, r->ja3s) < 0)
        r->ja3s[0] = 0;
    if (ja4s(sr, 't', r->ja4s) < 0)
        r->ja4s[0] = 0;
    if (e) {
        e->h1 = k.h1;
        e->h2 = k.h2;
        memcpy(e->a, r->ja3s, sizeof e->a);
        memcpy(e->b, r->ja4s, sizeof e->b);
    }
}

void pcap_record_from(struct pcap_record *r, const struct pcap_handshake *hs, struct pcap_fp_cache *cache,
                      int fp_flags)
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
    if (fp_flags & PCAP_FP_CLIENT)
        client_fps(r, ch, cache);
    if (!sr)
        return;
    if (hs->outcome == HS_SERVER_HELLO || hs->outcome == HS_HELLO_RETRY) {
        r->negotiated_v = sr->selected_version;
        r->negotiated = tls_version_name(sr->selected_version);
        r->cipher = pcap_suite_name(sr->cipher_suite, r->cipher_hex);
        snprintf(r->cipher_code, sizeof r->cipher_code, "0x%04x", sr->cipher_suite);
        if (fp_flags & PCAP_FP_SERVER)
            server_fps(r, sr, cache);
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
