/*
 * gen_nginx_log: writes a deterministic synthetic access log with TLS fields,
 * in any format `tlsready logs` reads, and the ground truth it used.
 *
 *   gen_nginx_log [--format F] [--lines N | --bytes N] [--clients N] [--seed S]
 *                 [--days D] [--expect FILE] > access.log
 *
 * F: nginx (default; the "combined plus TLS fields" preset), apache, haproxy,
 * envoy, alb, clb, nlb, cloudfront, iis, caddy, serve.
 * Each client IP has a fixed profile (user agent, TLS version, SNI), so a
 * client is legacy or not on every line, as in real logs. --expect writes the
 * exact counts as JSON: lines, plain (no TLS), versions per name, legacy
 * (below tls1.2), distinct clients, distinct legacy clients.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng_state;
static uint64_t rnd(void)
{
    /* splitmix64: deterministic for a seed, independent of libc */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static const char *const UAS[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Safari/605.1.15",
    "curl/7.88.1",
    "python-requests/2.31.0",
    "Java/1.7.0_80",
    "Java/1.6.0_45",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.5356; Pro)",
    "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; Trident/6.0)",
    "okhttp/4.9.3",
};
#define N_UAS (sizeof UAS / sizeof UAS[0])
/* which versions each UA uses: index into VERS; -1 plain */
static const char *const VER_OPENSSL[] = { "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3" };
static const char *const VER_NAME[] = { "ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3" };
static const char *const VER_NLB[] = { "sslv3", "tlsv1", "tlsv11", "tlsv12", "tlsv13" };
static const char *const VER_IIS[] = { "10", "40", "100", "400", "1000" };
static const int VER_CADDY[] = { 768, 769, 770, 771, 772 };
static const char *const CIPHER[] = { "DES-CBC3-SHA", "ECDHE-RSA-AES256-SHA", "ECDHE-RSA-AES128-SHA",
                                      "ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256" };
static const int CIPHER_CODE[] = { 10, 49172, 49171, 49199, 4865 };
static const char *const SNIS[] = { "api.example.com", "www.example.com", "legacy.example.com", "-" };
static const char *const PATHS[] = { "/", "/api/v1/items", "/login", "/static/app.js", "/health" };
static const char *const MON[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

struct client {
    char ip[48];
    int ua, ver, sni; /* ver: 0..4, or 5 = plain HTTP */
};

static void client_profile(struct client *c, uint32_t i)
{
    uint64_t r = rnd();
    if (i % 17 == 5)
        snprintf(c->ip, sizeof c->ip, "2001:db8:%x::%x", (i >> 16) & 0xffff, i & 0xffff);
    else
        snprintf(c->ip, sizeof c->ip, "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
    c->ua = (int)(r % N_UAS);
    unsigned p = (unsigned)((r >> 16) % 1000);
    /* 50% tls1.3, 33% tls1.2, 7% tls1.1, 8% tls1.0, 0.5% ssl3, 1.5% plain */
    c->ver = p < 500 ? 4 : p < 830 ? 3 : p < 900 ? 2 : p < 980 ? 1 : p < 985 ? 0 : 5;
    c->sni = (int)((r >> 32) % 4);
}

static int usage(void)
{
    fprintf(stderr, "usage: gen_nginx_log [--format F] [--lines N | --bytes N] [--clients N] [--seed S] "
                    "[--days D] [--expect FILE]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *fmt = "nginx", *expect = NULL;
    uint64_t lines = 1000, bytes = 0, seed = 1;
    uint32_t nclients = 1000;
    int days = 7;
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return usage();
        if (!strcmp(a, "--format")) fmt = v;
        else if (!strcmp(a, "--lines")) lines = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--bytes")) bytes = strtoull(v, NULL, 10), lines = UINT64_MAX;
        else if (!strcmp(a, "--clients")) nclients = (uint32_t)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--seed")) seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--days")) days = atoi(v);
        else if (!strcmp(a, "--expect")) expect = v;
        else return usage();
    }
    if (nclients == 0 || days < 1)
        return usage();
    rng_state = seed;
    struct client *cl = calloc(nclients, sizeof *cl);
    uint8_t *seen = calloc(nclients, 1);
    if (!cl || !seen)
        return 1;
    for (uint32_t i = 0; i < nclients; i++)
        client_profile(&cl[i], i);

    static char out[1 << 20];
    setvbuf(stdout, out, _IOFBF, sizeof out);
    uint64_t versions[5] = { 0 }, plain = 0, written = 0, n = 0, legacy = 0;
    const int64_t start = 1793664000; /* 2026-11-03T00:00:00Z */
    const int64_t span = (int64_t)days * 86400;
    if (!strcmp(fmt, "cloudfront"))
        written += (uint64_t)printf("#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method "
                                    "cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query "
                                    "cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol "
                                    "cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher "
                                    "x-edge-response-result-type cs-protocol-version fle-status "
                                    "fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type "
                                    "sc-content-type sc-content-len sc-range-start sc-range-end\n");
    if (!strcmp(fmt, "iis"))
        written += (uint64_t)printf("#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n"
                                    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port "
                                    "cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus "
                                    "sc-win32-status time-taken crypt-protocol crypt-cipher crypt-hash "
                                    "crypt-keyexchange\n");
    /* the expected total is known in advance for --lines; for --bytes we stop after the size */
    for (; n < lines && (bytes == 0 || written < bytes); n++) {
        uint64_t r = rnd();
        /* a skewed choice of clients: a few talk a lot */
        uint32_t ci = (uint32_t)((r % nclients) * ((r >> 20) % 4 == 0 ? 1 : ((r >> 24) % 8 + 1)) / 8 % nclients);
        if ((r >> 40) % 3 == 0)
            ci = (uint32_t)((r >> 8) % nclients);
        const struct client *c = &cl[ci];
        /* time runs evenly over the span, by lines or by bytes written */
        double frac = bytes ? (double)written / (double)bytes : (double)n / (double)lines;
        int64_t t = start + (int64_t)(frac * (double)span);
        if (t >= start + span)
            t = start + span - 1;
        time_t tt = (time_t)t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        int v = c->ver;
        int tls = v < 5;
        const char *ua = UAS[c->ua];
        const char *path = PATHS[(r >> 50) % 5];
        const char *sni = SNIS[c->sni];
        unsigned port = 1024 + (unsigned)((r >> 12) % 60000);
        int len = 0;
        if (!strcmp(fmt, "nginx")) {
            len = printf("%s - - [%02d/%s/%04d:%02d:%02d:%02d +0000] \"GET %s HTTP/1.1\" 200 %u \"-\" \"%s\" %s %s\n",
                         c->ip, tm.tm_mday, MON[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
                         path, (unsigned)(r % 20000), ua, tls ? VER_OPENSSL[v] : "-", tls ? CIPHER[v] : "-");
        } else if (!strcmp(fmt, "apache")) {
            len = printf("[%02d/%s/%04d:%02d:%02d:%02d +0000] %s %s %s \"GET %s HTTP/1.1\" %u\n", tm.tm_mday,
                         MON[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, c->ip,
                         tls ? VER_OPENSSL[v] : "-", tls ? CIPHER[v] : "-", path, (unsigned)(r % 20000));
        } else if (!strcmp(fmt, "haproxy")) {
            len = printf("Nov  3 14:05:11 lb1 haproxy[2110]: %s:%u [%02d/%s/%04d:%02d:%02d:%02d.204] fe_https~ "
                         "be_app/app1 0/0/1/3/4 200 812 - - ---- 4/4/0/0/0 0/0 \"GET %s HTTP/1.1\" 0/0/0/0/0 "
                         "%s/%s/%s\n",
                         c->ip, port, tm.tm_mday, MON[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                         tm.tm_sec, path, sni, tls ? VER_OPENSSL[v] : "-", tls ? CIPHER[v] : "-");
        } else if (!strcmp(fmt, "envoy")) {
            char addr[64];
            snprintf(addr, sizeof addr, strchr(c->ip, ':') ? "[%s]:%u" : "%s:%u", c->ip, port);
            len = printf("[%04d-%02d-%02dT%02d:%02d:%02d.204Z] \"GET %s HTTP/1.1\" 200 - 0 1544 4 3 \"-\" \"%s\" "
                         "\"9a1c-%llx\" \"%s\" \"10.0.1.17:8080\" %s %s %s %s\n",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, path, ua,
                         (unsigned long long)r, sni, addr, sni, tls ? VER_OPENSSL[v] : "-", tls ? CIPHER[v] : "-");
        } else if (!strcmp(fmt, "alb")) {
            len = printf("%s %04d-%02d-%02dT%02d:%02d:%02d.204117Z app/web-alb/5d1e0c7a9b3f2e11 %s:%u "
                         "10.0.1.17:8080 0.001 0.012 0.000 200 200 389 1544 \"GET https://%s:443%s HTTP/1.1\" "
                         "\"%s\" %s %s arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/73e2 "
                         "\"Root=1-%llx\" \"%s\" \"arn:aws:acm:us-east-1:111122223333:certificate/0f1e\" 1 "
                         "2026-11-03T14:05:11.191000Z \"forward\" \"-\" \"-\" \"10.0.1.17:8080\" \"200\" \"-\" \"-\" "
                         "TID_7d1c\n",
                         tls ? "https" : "http", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                         tm.tm_sec, c->ip, port, sni, path, ua, tls ? CIPHER[v] : "-", tls ? VER_OPENSSL[v] : "-",
                         (unsigned long long)r, sni);
        } else if (!strcmp(fmt, "clb")) {
            len = printf("%04d-%02d-%02dT%02d:%02d:%02d.204117Z legacy-elb %s:%u 10.0.1.17:80 0.000042 0.001211 "
                         "0.000037 200 200 0 1544 \"GET https://%s:443%s HTTP/1.1\" \"%s\" %s %s\n",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, c->ip, port,
                         sni, path, ua, tls ? CIPHER[v] : "-", tls ? VER_OPENSSL[v] : "-");
        } else if (!strcmp(fmt, "nlb")) {
            if (!tls) { /* an NLB TLS listener has no plain rows: make it TLS 1.2 */
                v = 3;
                tls = 1;
            }
            len = printf("tls 2.0 %04d-%02d-%02dT%02d:%02d:%02d net/edge-nlb/c6e77e28c25b2234 g3d4b5e8bb8464cd %s:%u "
                         "10.0.1.17:443 48 3 517 4210 - arn:aws:acm:us-east-1:111122223333:certificate/0f1e - %s %s "
                         "secp256r1 %s - - - 2026-11-03T14:05:10\n",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, c->ip, port,
                         CIPHER[v], VER_NLB[v], sni);
        } else if (!strcmp(fmt, "cloudfront")) {
            char uae[512];
            size_t o = 0;
            for (const char *p = ua; *p && o + 4 < sizeof uae; p++)
                o += (size_t)(*p == ' ' ? snprintf(uae + o, 4, "%%20") : (uae[o] = *p, 1));
            uae[o] = 0;
            len = printf("%04d-%02d-%02d\t%02d:%02d:%02d\tFRA56-P4\t2391\t%s\tGET\td111111abcdef8.cloudfront.net\t%s\t"
                         "200\t-\t%s\t-\t-\tMiss\tq9Wk%llx==\t%s\t%s\t412\t0.004\t-\t%s\t%s\tMiss\tHTTP/1.1\t-\t-\t"
                         "%u\t0.004\tMiss\tapplication/json\t1544\t-\t-\n",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, c->ip, path,
                         uae, (unsigned long long)r, sni, tls ? "https" : "http", tls ? VER_OPENSSL[v] : "-",
                         tls ? CIPHER[v] : "-", port);
        } else if (!strcmp(fmt, "iis")) {
            char uae[512];
            size_t o = 0;
            for (const char *p = ua; *p && o + 2 < sizeof uae; p++)
                uae[o++] = *p == ' ' ? '+' : *p;
            uae[o] = 0;
            len = printf("%04d-%02d-%02d %02d:%02d:%02d 10.0.1.17 GET %s - %d - %s %s - 200 0 0 15 %s %s %s %s\n",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, path,
                         tls ? 443 : 80, c->ip, uae, tls ? VER_IIS[v] : "-", tls ? "6610" : "-",
                         tls ? "800c" : "-", tls ? "ae06" : "-");
        } else if (!strcmp(fmt, "caddy")) {
            char tlsobj[160] = "";
            if (tls)
                snprintf(tlsobj, sizeof tlsobj,
                         ",\"tls\":{\"resumed\":false,\"version\":%d,\"cipher_suite\":%d,\"proto\":\"h2\","
                         "\"server_name\":\"%s\"}",
                         VER_CADDY[v], CIPHER_CODE[v], sni[0] == '-' ? "" : sni);
            len = printf("{\"level\":\"info\",\"ts\":%lld.204,\"logger\":\"http.log.access\",\"msg\":\"handled "
                         "request\",\"request\":{\"remote_ip\":\"%s\",\"remote_port\":\"%u\",\"client_ip\":\"%s\","
                         "\"proto\":\"HTTP/1.1\",\"method\":\"GET\",\"host\":\"api.example.com\",\"uri\":\"%s\","
                         "\"headers\":{\"User-Agent\":[\"%s\"]}%s},\"status\":200,\"size\":1544}\n",
                         (long long)t, c->ip, port, c->ip, path, ua, tlsobj);
        } else if (!strcmp(fmt, "serve")) {
            if (!tls) { /* serve only logs TLS connections: make it TLS 1.3 */
                v = 4;
                tls = 1;
            }
            char addr[64];
            snprintf(addr, sizeof addr, strchr(c->ip, ':') ? "[%s]:%u" : "%s:%u", c->ip, port);
            len = printf("{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02dZ\",\"client\":\"%s\",\"sni\":\"localhost\","
                         "\"negotiated\":\"%s\",\"max_offered\":\"%s\",\"ja3\":\"%016llx\",\"ja4\":\"t13d_%llx\","
                         "\"outcome\":\"accepted\"}\n",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, addr,
                         VER_NAME[v], VER_NAME[v], (unsigned long long)r, (unsigned long long)(r >> 8));
        } else {
            fprintf(stderr, "gen_nginx_log: unknown format '%s'\n", fmt);
            return 2;
        }
        if (len < 0)
            return 1;
        written += (uint64_t)len;
        if (tls) {
            versions[v]++;
            if (v < 3) {
                legacy++;
                seen[ci] |= 2;
            }
            seen[ci] |= 1;
        } else {
            plain++;
        }
    }
    if (fflush(stdout) != 0)
        return 1;
    if (expect) {
        uint64_t clients = 0, legacy_clients = 0;
        for (uint32_t i = 0; i < nclients; i++) {
            clients += seen[i] & 1;
            legacy_clients += (seen[i] >> 1) & 1;
        }
        FILE *f = fopen(expect, "w");
        if (!f)
            return 1;
        fprintf(f, "{\"lines\": %llu, \"plain\": %llu, \"legacy\": %llu, \"clients\": %llu, \"legacy_clients\": %llu, "
                   "\"versions\": {\"ssl3\": %llu, \"tls1.0\": %llu, \"tls1.1\": %llu, \"tls1.2\": %llu, "
                   "\"tls1.3\": %llu}}\n",
                (unsigned long long)n, (unsigned long long)plain, (unsigned long long)legacy,
                (unsigned long long)clients, (unsigned long long)legacy_clients, (unsigned long long)versions[0],
                (unsigned long long)versions[1], (unsigned long long)versions[2], (unsigned long long)versions[3],
                (unsigned long long)versions[4]);
        fclose(f);
    }
    free(cl);
    free(seen);
    return 0;
}
