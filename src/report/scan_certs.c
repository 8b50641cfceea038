/* Certificate and STARTTLS output for scan results (scan_certs.h). */
#include "report/scan_certs.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "probe/starttls.h"
#include "tls/certificate.h"
#include "tls/version.h"

static void iso_time(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, 32, "%lld", (long long)t);
}

static void json_cert(struct json_writer *w, const struct cert_brief *b)
{
    char t[32];
    json_key(w, "subject");
    json_string(w, b->subject);
    json_key(w, "issuer");
    json_string(w, b->issuer);
    json_key(w, "serial");
    json_string(w, b->serial);
    iso_time(b->not_before, t);
    json_key(w, "not_before");
    json_string(w, t);
    iso_time(b->not_after, t);
    json_key(w, "not_after");
    json_string(w, t);
    json_key(w, "key_type");
    json_string(w, b->key_type);
    json_key(w, "key_bits");
    json_int(w, b->key_bits);
    json_key(w, "key_curve");
    json_string(w, b->key_curve[0] ? b->key_curve : NULL);
    json_key(w, "signature_algorithm");
    json_string(w, b->sig_alg);
    json_key(w, "sha256");
    json_string(w, b->sha256);
    json_key(w, "self_signed");
    json_bool(w, b->self_signed);
    json_key(w, "is_ca");
    json_bool(w, b->is_ca);
}

static void json_flags(struct json_writer *w, unsigned flags)
{
    json_array_begin(w);
    for (unsigned bit = 1; bit && bit <= CERT_NO_CERTIFICATE; bit <<= 1)
        if ((flags & bit) && cert_flag_name(bit))
            json_string(w, cert_flag_name(bit));
    json_array_end(w);
}

void scan_json_certs(struct json_writer *w, const struct endpoint_result *r)
{
    const struct cert_summary *c = &r->cert;
    json_key(w, "starttls");
    json_string(w, r->starttls ? starttls_name(r->starttls) : NULL);
    if (c->status == CERTS_NOT_RUN && !c->reason[0])
        return;
    json_key(w, "cert_status");
    json_string(w, cert_scan_status_name(c->status));
    json_key(w, "cert_error");
    json_string(w, c->status == CERTS_OK ? NULL : c->reason);
    if (c->status != CERTS_OK)
        return;
    json_key(w, "cert_via");
    json_string(w, c->via_handshake ? "tls1.3 handshake" : tls_version_name(c->via_version));
    json_key(w, "certificate");
    json_object_begin(w);
    json_cert(w, &c->chain[0]);
    json_key(w, "sans");
    json_array_begin(w);
    for (size_t i = 0; i < c->n_sans; i++)
        json_string(w, c->sans[i]);
    json_array_end(w);
    json_key(w, "days_left");
    json_int(w, c->days_left);
    json_object_end(w);
    json_key(w, "chain");
    json_array_begin(w);
    for (size_t i = 0; i < c->n_chain; i++) {
        json_object_begin(w);
        json_cert(w, &c->chain[i]);
        json_object_end(w);
    }
    json_array_end(w);
    json_key(w, "chain_length");
    json_uint(w, c->chain_sent);
    json_key(w, "cert_trusted");
    json_bool(w, c->verified);
    json_key(w, "cert_verify_error");
    json_string(w, c->verified ? NULL : c->verify_message);
    json_key(w, "cert_hostname");
    json_string(w, c->hostname[0] ? c->hostname : NULL);
    json_key(w, "cert_hostname_match");
    json_bool(w, c->hostname_match);
    json_key(w, "cert_flags");
    json_flags(w, c->flags);
    json_key(w, "sni_behaviour");
    json_object_begin(w);
    json_key(w, "result");
    json_string(w, sni_behaviour_name(c->sni));
    json_key(w, "nosni_sha256");
    json_string(w, c->sni == SNI_DIFFERENT || c->sni == SNI_SAME ? c->nosni_sha256 : NULL);
    json_key(w, "nosni_subject");
    json_string(w, c->sni == SNI_DIFFERENT ? c->nosni_subject : NULL);
    json_key(w, "nosni_error");
    json_string(w, c->sni == SNI_REQUIRED ? c->nosni_reason : NULL);
    json_object_end(w);
}

int scan_cert_has_findings(const struct endpoint_result *r)
{
    return r->cert.status == CERTS_OK && r->cert.flags != 0;
}

void scan_text_certs(struct tr_buf *out, const struct endpoint_result *r, int color)
{
    const struct cert_summary *c = &r->cert;
    if (c->status == CERTS_NOT_RUN && !c->reason[0])
        return;
    tr_buf_printf(out, "%s%s%s%s%s%s%s\n", color ? "\033[1m" : "", r->target->given, r->address[0] ? " " : "",
                  r->address, r->starttls ? " starttls " : "", r->starttls ? starttls_name(r->starttls) : "",
                  color ? "\033[0m" : "");
    if (c->status != CERTS_OK) {
        tr_buf_printf(out, "  certificate: not checked: %s\n", c->reason);
        return;
    }
    const struct cert_brief *l = &c->chain[0];
    char nb[32], na[32];
    iso_time(l->not_before, nb);
    iso_time(l->not_after, na);
    tr_buf_printf(out, "  subject   %s\n  issuer    %s\n", l->subject, l->issuer);
    tr_buf_puts(out, "  names     ");
    for (size_t i = 0; i < c->n_sans; i++)
        tr_buf_printf(out, "%s%s", i ? ", " : "", c->sans[i]);
    if (c->sans_total > c->n_sans)
        tr_buf_printf(out, " (+%zu more)", c->sans_total - c->n_sans);
    tr_buf_printf(out, "%s\n", c->n_sans ? "" : "-");
    tr_buf_printf(out, "  valid     %s .. %s (%ld days left)\n", nb, na, c->days_left);
    tr_buf_printf(out, "  key       %s %d%s%s, signed %s\n", l->key_type, l->key_bits, l->key_curve[0] ? " " : "",
                  l->key_curve, l->sig_alg);
    tr_buf_printf(out, "  sha256    %s\n", l->sha256);
    tr_buf_printf(out, "  chain     %zu sent, %s%s%s\n", c->chain_sent, c->verified ? "trusted" : "not trusted",
                  c->verified ? "" : ": ", c->verified ? "" : c->verify_message);
    tr_buf_printf(out, "  sni       %s", sni_behaviour_name(c->sni));
    if (c->sni == SNI_DIFFERENT)
        tr_buf_printf(out, " (without SNI: %s)", c->nosni_subject);
    else if (c->sni == SNI_REQUIRED)
        tr_buf_printf(out, " (without SNI: %s)", c->nosni_reason);
    tr_buf_puts(out, "\n  flags     ");
    if (!c->flags)
        tr_buf_puts(out, "none");
    const char *sep = "";
    if (color && c->flags)
        tr_buf_puts(out, "\033[31m");
    for (unsigned bit = 1; bit && bit <= CERT_NO_CERTIFICATE; bit <<= 1)
        if ((c->flags & bit) && cert_flag_name(bit)) {
            tr_buf_printf(out, "%s%s", sep, cert_flag_name(bit));
            sep = ", ";
        }
    if (color && c->flags)
        tr_buf_puts(out, "\033[0m");
    tr_buf_push_u8(out, '\n');
}
