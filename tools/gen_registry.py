#!/usr/bin/env python3
"""Generates src/tls/registry_data.c from the IANA registries.

Inputs (all in the repository):
  tools/registry/iana-cipher-suites.txt        IANA TLS Cipher Suites (code, name)
  tests/fixtures/tls/openssl-ciphers-V-stdname.txt  `openssl ciphers -V -stdname ALL:COMPLEMENTOFALL:@SECLEVEL=0`
  tools/registry/openssl-legacy-names.txt      OpenSSL names of suites current OpenSSL dropped
Groups, signature schemes and extension types are listed below (IANA
tls-parameters-8, -16, tls-extensiontype-values-1).

Every attribute of a suite is derived from its IANA name by the rules in
derive(); the strength rules are documented in src/tls/registry.h and
docs/tls-engine.md. Run: python3 tools/gen_registry.py > src/tls/registry_data.c
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Suites negotiated only by TLS 1.3 (RFC 8446, RFC 8998 SM4, RFC 9150
# integrity-only, RFC 9367 GOST MGM, AEGIS draft).
TLS13_ONLY = {0x1301, 0x1302, 0x1303, 0x1304, 0x1305, 0x1306, 0x1307,
              0x00C6, 0x00C7, 0xC0B4, 0xC0B5, 0xC103, 0xC104, 0xC105, 0xC106}
SCSV = {0x00FF, 0x5600}

# key exchange part of "TLS_<KX>_WITH_..." -> (kx, auth, export)
KX = {
    "NULL": ("NULL", "NULL"),
    "RSA": ("RSA", "RSA"), "RSA_EXPORT": ("RSA_EXPORT", "RSA"),
    "DH_DSS": ("DH", "DSS"), "DH_DSS_EXPORT": ("DH_EXPORT", "DSS"),
    "DH_RSA": ("DH", "RSA"), "DH_RSA_EXPORT": ("DH_EXPORT", "RSA"),
    "DHE_DSS": ("DHE", "DSS"), "DHE_DSS_EXPORT": ("DHE_EXPORT", "DSS"),
    "DHE_RSA": ("DHE", "RSA"), "DHE_RSA_EXPORT": ("DHE_EXPORT", "RSA"),
    "DH_anon": ("DHE", "anon"), "DH_anon_EXPORT": ("DHE_EXPORT", "anon"),
    "KRB5": ("KRB5", "KRB5"), "KRB5_EXPORT": ("KRB5_EXPORT", "KRB5"),
    "PSK": ("PSK", "PSK"), "DHE_PSK": ("DHE_PSK", "PSK"), "PSK_DHE": ("DHE_PSK", "PSK"),
    "RSA_PSK": ("RSA_PSK", "RSA"), "ECDHE_PSK": ("ECDHE_PSK", "PSK"),
    "ECDH_ECDSA": ("ECDH", "ECDSA"), "ECDH_RSA": ("ECDH", "RSA"),
    "ECDHE_ECDSA": ("ECDHE", "ECDSA"), "ECDHE_RSA": ("ECDHE", "RSA"),
    "ECDH_anon": ("ECDHE", "anon"),
    "SRP_SHA": ("SRP", "SRP"), "SRP_SHA_RSA": ("SRP", "RSA"), "SRP_SHA_DSS": ("SRP", "DSS"),
    "ECCPWD": ("ECCPWD", "ECCPWD"), "GOSTR341112_256": ("GOST", "GOST"),
}
EPHEMERAL = {"DHE", "DHE_EXPORT", "ECDHE", "DHE_PSK", "ECDHE_PSK", "ECCPWD", "GOST", "SRP", "any"}
MACS = {"MD5", "SHA", "SHA256", "SHA384", "SM3", "OMAC", "IMIT"}


def cipher_bits(c):
    if c == "NULL":
        return 0
    if re.search(r"(^|_)40($|_)|DES40", c):
        return 40
    if c.startswith("3DES"):
        return 168
    if c.startswith("DES"):
        return 56
    m = re.search(r"_(\d+)", c)
    if m:
        return int(m.group(1))
    for k, b in (("AEGIS_128L", 128), ("CHACHA20", 256), ("IDEA", 128), ("SEED", 128),
                 ("KUZNYECHIK", 256), ("MAGMA", 256), ("28147", 256), ("SM4", 128)):
        if c.startswith(k):
            return b
    raise SystemExit("no bits for " + c)


def derive(code, name):
    d = {"code": code, "iana": name}
    if code in SCSV:
        d.update(kx="SCSV", auth="SCSV", cipher="NULL", mac="NULL", bits=0,
                 minv="TLSV_SSL3", maxv="TLSV_TLS13", export=0)
    elif code in TLS13_ONLY:
        body = name[4:]
        if code in (0xC0B4, 0xC0B5):
            cipher, mac = "NULL", body.split("_")[0]
        elif body.startswith("GOSTR341112_256_WITH_"):
            cipher, mac = body[len("GOSTR341112_256_WITH_"):], "AEAD"
        elif body.startswith("SM4"):
            cipher, mac = body[:-4], "AEAD"
        else:
            parts = body.split("_")
            cipher, mac = "_".join(parts[:-1]), "AEAD"
        d.update(kx="any", auth="any", cipher=cipher, mac=mac, bits=cipher_bits(cipher),
                 minv="TLSV_TLS13", maxv="TLSV_TLS13", export=0)
    else:
        kxpart, rest = name[4:].split("_WITH_")
        kx, auth = KX[kxpart]
        toks = rest.split("_")
        if rest == "NULL_NULL":
            mac, cipher = "NULL", "NULL"
        elif toks[-1] in MACS and not (toks[-1] in ("SHA256", "SHA384") and
                                     any(t in ("GCM", "CCM", "8", "POLY1305") for t in toks)):
            mac, cipher = toks[-1], "_".join(toks[:-1])
            if mac in ("OMAC", "IMIT"):
                cipher = "_".join(toks)
        elif toks[-1] in ("SHA256", "SHA384"):
            mac, cipher = "AEAD", "_".join(toks[:-1])
        else:
            mac, cipher = "AEAD", "_".join(toks)   # ..._CCM, ..._CCM_8: no PRF hash in the name
        aead = mac == "AEAD"
        if aead:
            minv = "TLSV_TLS12"
        elif mac in ("SHA256", "SHA384"):
            # RFC 5487/5489/6367: PSK suites with SHA-256/384 HMAC also work in TLS 1.0/1.1
            minv = "TLSV_TLS10" if "PSK" in kx else "TLSV_TLS12"
        elif kxpart.startswith("ECDH") or kxpart == "GOSTR341112_256":
            minv = "TLSV_TLS10"   # RFC 4492/8422: needs TLS extensions
        elif "PSK" in kx and kx != "PSK" and kx != "DHE_PSK" and kx != "RSA_PSK":
            minv = "TLSV_TLS10"
        else:
            minv = "TLSV_SSL3"
        if code in (0xC100, 0xC101, 0xC102):
            minv = "TLSV_TLS12"   # RFC 9189: TLS 1.2 only
        d.update(kx=kx, auth=auth, cipher=cipher, mac=mac, bits=cipher_bits(cipher),
                 minv=minv, maxv="TLSV_TLS12", export=int("EXPORT" in kx))
    d["aead"] = int(d["mac"] == "AEAD")
    d["fs"] = int(d["kx"] in EPHEMERAL)
    d["strength"], d["reason"] = classify(d)
    return d


def classify(d):
    """First matching rule wins (src/tls/registry.h)."""
    c, mac, kx, auth = d["cipher"], d["mac"], d["kx"], d["auth"]
    if kx == "SCSV":
        return "CS_SECURE", None
    if c == "NULL":
        return "CS_INSECURE", "no encryption (NULL cipher)"
    if d["export"] or re.search(r"_40($|_)|DES40", c):
        return "CS_INSECURE", "EXPORT grade (40-bit)"
    if auth == "anon":
        return "CS_INSECURE", "anonymous key exchange (no authentication)"
    if c.startswith("RC4"):
        return "CS_INSECURE", "RC4 (RFC 7465)"
    if c.startswith("RC2"):
        return "CS_INSECURE", "RC2"
    if c.startswith("DES"):
        return "CS_INSECURE", "single DES (56-bit)"
    if mac == "MD5":
        return "CS_INSECURE", "MD5 MAC"
    if c.startswith("3DES"):
        return "CS_WEAK", "3DES (64-bit block, Sweet32)"
    if c.startswith("IDEA") or c.startswith("MAGMA") or c.startswith("28147"):
        return "CS_WEAK", "64-bit block cipher (Sweet32)"
    if kx not in EPHEMERAL:
        return "CS_WEAK", "no forward secrecy (static %s key exchange)" % kx
    if c.endswith("CCM_8"):
        return "CS_WEAK", "CCM_8 (64-bit authentication tag)"
    if "CBC" in c:
        return "CS_WEAK", "CBC mode (padding-oracle attacks: Lucky13, POODLE-TLS)"
    if mac in ("SHA", "OMAC", "IMIT") and not d["aead"]:
        return "CS_WEAK", "not an AEAD cipher"
    return "CS_SECURE", None


def read_pairs(path):
    out = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            code, name = line.split()[:2]
            out[int(code, 16)] = name
    return out


def read_openssl(path):
    out = {}
    rx = re.compile(r"0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)\s+- (\S+)\s+(\S+)")
    with open(path) as f:
        for line in f:
            m = rx.search(line)
            if m:
                code = int(m.group(1) + m.group(2), 16)
                out[code] = m.group(4)
    return out


GROUPS = [  # code, name, pq, ffdhe, bits
    (1, "sect163k1", 0, 0, 163), (2, "sect163r1", 0, 0, 163), (3, "sect163r2", 0, 0, 163),
    (4, "sect193r1", 0, 0, 193), (5, "sect193r2", 0, 0, 193), (6, "sect233k1", 0, 0, 233),
    (7, "sect233r1", 0, 0, 233), (8, "sect239k1", 0, 0, 239), (9, "sect283k1", 0, 0, 283),
    (10, "sect283r1", 0, 0, 283), (11, "sect409k1", 0, 0, 409), (12, "sect409r1", 0, 0, 409),
    (13, "sect571k1", 0, 0, 571), (14, "sect571r1", 0, 0, 571), (15, "secp160k1", 0, 0, 160),
    (16, "secp160r1", 0, 0, 160), (17, "secp160r2", 0, 0, 160), (18, "secp192k1", 0, 0, 192),
    (19, "secp192r1", 0, 0, 192), (20, "secp224k1", 0, 0, 224), (21, "secp224r1", 0, 0, 224),
    (22, "secp256k1", 0, 0, 256), (23, "secp256r1", 0, 0, 256), (24, "secp384r1", 0, 0, 384),
    (25, "secp521r1", 0, 0, 521), (26, "brainpoolP256r1", 0, 0, 256),
    (27, "brainpoolP384r1", 0, 0, 384), (28, "brainpoolP512r1", 0, 0, 512),
    (29, "x25519", 0, 0, 255), (30, "x448", 0, 0, 448),
    (31, "brainpoolP256r1tls13", 0, 0, 256), (32, "brainpoolP384r1tls13", 0, 0, 384),
    (33, "brainpoolP512r1tls13", 0, 0, 512), (34, "GC256A", 0, 0, 256), (35, "GC256B", 0, 0, 256),
    (36, "GC256C", 0, 0, 256), (37, "GC256D", 0, 0, 256), (38, "GC512A", 0, 0, 512),
    (39, "GC512B", 0, 0, 512), (40, "GC512C", 0, 0, 512), (41, "curveSM2", 0, 0, 256),
    (256, "ffdhe2048", 0, 1, 2048), (257, "ffdhe3072", 0, 1, 3072), (258, "ffdhe4096", 0, 1, 4096),
    (259, "ffdhe6144", 0, 1, 6144), (260, "ffdhe8192", 0, 1, 8192),
    (0x0200, "MLKEM512", 1, 0, 0), (0x0201, "MLKEM768", 1, 0, 0), (0x0202, "MLKEM1024", 1, 0, 0),
    (0x11EB, "SecP256r1MLKEM768", 1, 0, 0), (0x11EC, "X25519MLKEM768", 1, 0, 0),
    (0x11ED, "SecP384r1MLKEM1024", 1, 0, 0),
    (0x6399, "X25519Kyber768Draft00", 1, 0, 0), (0x639A, "SecP256r1Kyber768Draft00", 1, 0, 0),
    (0xFF01, "arbitrary_explicit_prime_curves", 0, 0, 0),
    (0xFF02, "arbitrary_explicit_char2_curves", 0, 0, 0),
]

SIGALGS = [
    (0x0101, "rsa_pkcs1_md5"), (0x0102, "dsa_md5"), (0x0103, "ecdsa_md5"),
    (0x0201, "rsa_pkcs1_sha1"), (0x0202, "dsa_sha1"), (0x0203, "ecdsa_sha1"),
    (0x0301, "rsa_pkcs1_sha224"), (0x0302, "dsa_sha224"), (0x0303, "ecdsa_sha224"),
    (0x0401, "rsa_pkcs1_sha256"), (0x0402, "dsa_sha256"), (0x0403, "ecdsa_secp256r1_sha256"),
    (0x0420, "rsa_pkcs1_sha256_legacy"),
    (0x0501, "rsa_pkcs1_sha384"), (0x0502, "dsa_sha384"), (0x0503, "ecdsa_secp384r1_sha384"),
    (0x0520, "rsa_pkcs1_sha384_legacy"),
    (0x0601, "rsa_pkcs1_sha512"), (0x0602, "dsa_sha512"), (0x0603, "ecdsa_secp521r1_sha512"),
    (0x0620, "rsa_pkcs1_sha512_legacy"),
    (0x0704, "eccsi_sha256"), (0x0705, "iso_ibs1"), (0x0706, "iso_ibs2"), (0x0707, "iso_chinese_ibs"),
    (0x0708, "sm2sig_sm3"), (0x0709, "gostr34102012_256a"), (0x070A, "gostr34102012_256b"),
    (0x070B, "gostr34102012_256c"), (0x070C, "gostr34102012_256d"), (0x070D, "gostr34102012_512a"),
    (0x070E, "gostr34102012_512b"), (0x070F, "gostr34102012_512c"),
    (0x0804, "rsa_pss_rsae_sha256"), (0x0805, "rsa_pss_rsae_sha384"), (0x0806, "rsa_pss_rsae_sha512"),
    (0x0807, "ed25519"), (0x0808, "ed448"), (0x0809, "rsa_pss_pss_sha256"),
    (0x080A, "rsa_pss_pss_sha384"), (0x080B, "rsa_pss_pss_sha512"),
    (0x081A, "ecdsa_brainpoolP256r1tls13_sha256"), (0x081B, "ecdsa_brainpoolP384r1tls13_sha384"),
    (0x081C, "ecdsa_brainpoolP512r1tls13_sha512"),
    (0x0904, "mldsa44"), (0x0905, "mldsa65"), (0x0906, "mldsa87"),
]

EXTENSIONS = [
    (0, "server_name"), (1, "max_fragment_length"), (2, "client_certificate_url"),
    (3, "trusted_ca_keys"), (4, "truncated_hmac"), (5, "status_request"), (6, "user_mapping"),
    (7, "client_authz"), (8, "server_authz"), (9, "cert_type"), (10, "supported_groups"),
    (11, "ec_point_formats"), (12, "srp"), (13, "signature_algorithms"), (14, "use_srtp"),
    (15, "heartbeat"), (16, "application_layer_protocol_negotiation"), (17, "status_request_v2"),
    (18, "signed_certificate_timestamp"), (19, "client_certificate_type"),
    (20, "server_certificate_type"), (21, "padding"), (22, "encrypt_then_mac"),
    (23, "extended_master_secret"), (24, "token_binding"), (25, "cached_info"), (26, "tls_lts"),
    (27, "compress_certificate"), (28, "record_size_limit"), (29, "pwd_protect"), (30, "pwd_clear"),
    (31, "password_salt"), (32, "ticket_pinning"), (33, "tls_cert_with_extern_psk"),
    (34, "delegated_credential"), (35, "session_ticket"), (36, "TLMSP"), (37, "TLMSP_proxying"),
    (38, "TLMSP_delegate"), (39, "supported_ekt_ciphers"), (41, "pre_shared_key"),
    (42, "early_data"), (43, "supported_versions"), (44, "cookie"), (45, "psk_key_exchange_modes"),
    (47, "certificate_authorities"), (48, "oid_filters"), (49, "post_handshake_auth"),
    (50, "signature_algorithms_cert"), (51, "key_share"), (52, "transparency_info"),
    (53, "connection_id_deprecated"), (54, "connection_id"), (55, "external_id_hash"),
    (56, "external_session_id"), (57, "quic_transport_parameters"), (58, "ticket_request"),
    (59, "dnssec_chain"), (60, "sequence_number_encryption_algorithms"), (61, "rrc"),
    (13172, "next_protocol_negotiation"), (17513, "application_settings"),
    (17613, "application_settings_new"), (65037, "encrypted_client_hello"),
    (65281, "renegotiation_info"),
]


def cstr(s):
    return "NULL" if s is None else '"%s"' % s


def main():
    iana = read_pairs(os.path.join(ROOT, "tools/registry/iana-cipher-suites.txt"))
    legacy = read_pairs(os.path.join(ROOT, "tools/registry/openssl-legacy-names.txt"))
    ossl = read_openssl(os.path.join(ROOT, "tests/fixtures/tls/openssl-ciphers-V-stdname.txt"))
    w = sys.stdout.write
    w("/* GENERATED by tools/gen_registry.py from tools/registry/ (IANA list, OpenSSL legacy names) and\n"
      " * tests/fixtures/tls/openssl-ciphers-V-stdname.txt: do not edit by hand. */\n")
    w('#include "tls/registry_data.h"\n\n#include <stddef.h>\n\n')
    w("const struct cipher_suite registry_cipher_suites[] = {\n")
    n = 0
    for code in sorted(iana):
        d = derive(code, iana[code])
        name = ossl.get(code) or legacy.get(code)
        w("    { 0x%04X, %s, %s, %s, %s, %s, %s, %s, %d, %s, %s, %d, %d, %d, %s },\n" % (
            code, cstr(d["iana"]), cstr(name), d["minv"], d["maxv"], cstr(d["kx"]), cstr(d["auth"]),
            cstr(d["cipher"]), d["bits"], cstr(d["mac"]), d["strength"], d["fs"], d["aead"],
            d["export"], cstr(d["reason"])))
        n += 1
    w("};\nconst size_t registry_n_cipher_suites = %d;\n\n" % n)
    # Preference order for default hello lists (client_hello_default_suites):
    # strength class; suites needing out-of-band credentials (PSK, SRP,
    # ECCPWD, KRB5) last; then forward secrecy, ECDHE before DHE, AEAD, key
    # bits, code. TLS 1.3 suites by code (1301, 1302, ... as clients send them).
    strength_num = {"CS_SECURE": 0, "CS_WEAK": 1, "CS_INSECURE": 2}
    def rank(code):
        d = derive(code, iana[code])
        if d["minv"] == "TLSV_TLS13":
            return (strength_num[d["strength"]], 0, 0, code, 0, 0, 0, 0)
        creds = int(any(k in d["kx"] for k in ("PSK", "SRP", "ECCPWD", "KRB5")))
        ecdhe = int(d["kx"] == "ECDHE")
        return (strength_num[d["strength"]], 1, creds, -d["fs"], -ecdhe, -d["aead"], -d["bits"], code)
    w("const uint16_t registry_suite_rank[] = {   /* indexes into registry_cipher_suites */\n")
    codes = sorted(iana)
    order = [codes.index(c) for c in sorted(iana, key=rank)]
    for i in range(0, len(order), 16):
        w("    " + " ".join("%d," % c for c in order[i:i + 16]) + "\n")
    w("};\n\n")
    w("const struct named_group registry_groups[] = {\n")
    for code, name, pq, ff, bits in GROUPS:
        w('    { 0x%04X, "%s", %d, %d, %d },\n' % (code, name, pq, ff, bits))
    w("};\nconst size_t registry_n_groups = %d;\n\n" % len(GROUPS))
    w("const struct sig_scheme registry_sigalgs[] = {\n")
    for code, name in SIGALGS:
        w('    { 0x%04X, "%s" },\n' % (code, name))
    w("};\nconst size_t registry_n_sigalgs = %d;\n\n" % len(SIGALGS))
    w("const struct tls_extension_type registry_extensions[] = {\n")
    for code, name in EXTENSIONS:
        w('    { %d, "%s" },\n' % (code, name))
    w("};\nconst size_t registry_n_extensions = %d;\n" % len(EXTENSIONS))


if __name__ == "__main__":
    main()
