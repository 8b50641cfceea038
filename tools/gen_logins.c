/*
 * gen_logins: deterministic, realistic Salesforce login history for tests,
 * demos and benchmarks, in every format `tlsready logins` reads, with the
 * exact counts tlsready must find.
 *
 *   gen_logins [--format api|dataloader|setup|elf] [--rows N] [--users N]
 *              [--days N] [--start YYYY-MM-DD] [--seed N] [--legacy-users PCT]
 *              [--min tls1.1|tls1.2|tls1.3] [--malformed N]
 *              [--out FILE] [--users-out FILE] [--expect FILE]
 *
 * Formats: api = `sf data query --result-format csv` (API names, minimal
 * quoting, +0000 times, UserId only: use --users-out for names); dataloader =
 * Data Loader (BOM, every field quoted, Z times, User.Username column);
 * setup = Setup download (display labels, M/D/YYYY h:mm:ss AM times in GMT);
 * elf = Event Monitoring Login log (TLS_PROTOCOL TLSv1, one-letter codes).
 *
 * The model: each user has one or two clients (a browser, the mobile app,
 * Outlook, Data Loader, an integration...); some users are on old software
 * and log in with TLS 1.0/1.1 part of the time, less and less over the days
 * (a falling trend). 2% of logins fail. One integration's application name
 * holds a line break ("ERP Connector\n(prod)"), so rows span lines as in real exports. --expect writes shell-sourceable
 * EXPECT_* lines: the counts tlsready must report, computed while generating.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum fmt { F_API, F_DATALOADER, F_SETUP, F_ELF };
enum { CAT_PEOPLE, CAT_TOOLS, CAT_INTEGRATIONS, CAT_OTHER, NCAT };
static const char *const cat_names[NCAT] = { "people", "tools", "integrations", "other" };

/* A kind of client, as Login History shows it (and as ELF shows it). */
struct client {
    int cat, cat_elf;       /* what the shipped rules must say for the CSV formats and for ELF */
    const char *application, *browser, *platform, *client_version, *login_type, *login_subtype, *api_type,
        *api_version;
    const char *elf_login_type, *elf_api_type, *ua;
    int legacy_prone;       /* old software: can be the legacy client of a legacy user */
};

static const struct client clients[] = {
    { CAT_PEOPLE, CAT_PEOPLE, "Browser", "Chrome 56", "Windows 10", "N/A", "Application", "UsernamePasswordUiLogin",
      "N/A", "N/A", "A", "", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/56.0.2924.87 Safari/537.36", 0 },
    { CAT_PEOPLE, CAT_PEOPLE, "Browser", "IE 10", "Windows 7", "N/A", "Application", "UsernamePasswordUiLogin", "N/A",
      "N/A", "A", "", "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; Trident/6.0)", 1 },
    { CAT_PEOPLE, CAT_PEOPLE, "Browser", "Safari 10", "Mac OSX", "N/A", "SAML Sfdc Initiated SSO", "", "N/A", "N/A",
      "8", "", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_3) AppleWebKit/602.4.8 (KHTML, like Gecko) Version/10.0.3 Safari/602.4.8", 0 },
    { CAT_PEOPLE, CAT_PEOPLE, "Salesforce for Android", "Unknown", "Android", "N/A", "Remote Access 2.0",
      "OauthHybridRefreshToken", "N/A", "N/A", "i", "", "Mozilla/5.0 (Linux; Android 4.3; GT-I9300 Build/JSS15J) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30", 1 },
    { CAT_PEOPLE, CAT_PEOPLE, "Salesforce for iOS", "Unknown", "iOS/Mac", "N/A", "Remote Access 2.0",
      "OauthHybridRefreshToken", "N/A", "N/A", "i", "", "Mozilla/5.0 (iPhone; CPU iPhone OS 10_2 like Mac OS X) AppleWebKit/602.3.12 (KHTML, like Gecko) Mobile/14C92 Safari", 0 },
    { CAT_TOOLS, CAT_INTEGRATIONS, "Salesforce for Outlook", "Unknown", "Windows 7", "2.9.3", "Remote Access 2.0",
      "OauthRefreshToken", "N/A", "N/A", "i", "", "SFFO/2.9.3", 1 },
    { CAT_TOOLS, CAT_INTEGRATIONS, "Dataloader Bulk", "Java", "Windows 10", "39.0", "Remote Access 2.0", "OauthWebServer",
      "SOAP Partner", "39.0", "i", "P", "Java/1.8.0_121", 0 },
    { CAT_TOOLS, CAT_INTEGRATIONS, "DataLoaderPartnerUI/36.0.0", "Java", "Windows 7", "36.0", "Partner Product", "",
      "SOAP Partner", "36.0", "R", "P", "Java/1.7.0_80", 1 },
    { CAT_INTEGRATIONS, CAT_INTEGRATIONS, "N/A", "Java (Salesforce.com)", "Unknown", "N/A", "Other Apex API", "",
      "SOAP Partner", "20.0", "I", "P", "Java/1.6.0_45", 1 },
    { CAT_INTEGRATIONS, CAT_INTEGRATIONS, "Dell Boomi", "Unknown", "Unknown", "N/A", "Remote Access 2.0",
      "OauthUsernamePassword", "N/A", "N/A", "i", "", "Apache-HttpClient/4.5.2 (Java/1.8.0_101)", 0 },
    { CAT_INTEGRATIONS, CAT_INTEGRATIONS, "ERP Connector\n(prod)", "Unknown", "Unknown", "N/A", "Remote Access 2.0",
      "OauthClientCredentials", "REST API", "41.0", "i", "", "Microsoft .NET Framework 4.5", 1 },
    { CAT_OTHER, CAT_OTHER, "Salesforce Internal Application", "Unknown", "Unknown", "N/A", "Cross Tenant Login (internal)",
      "", "N/A", "N/A", "x", "", "", 0 },
};
#define NCLIENTS ((int)(sizeof clients / sizeof clients[0]))

/* ---------------------------------------------------------------- rng: splitmix64 */

static uint64_t rng_state;
static uint64_t rnd64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static uint32_t rnd(uint32_t n) { return (uint32_t)((rnd64() >> 32) * n >> 32); }

/* ---------------------------------------------------------------- users */

struct user {
    char id18[19];
    char username[64];
    char name[48];
    char ip[40];
    int client[2];
    int legacy;           /* on old software: logs in with TLS 1.0/1.1 part of the time */
    int seen, seen_legacy;
};

static const char *const first_names[] = { "Anna", "Ben", "Chloe", "David", "Emma", "Felix", "Grace", "Hugo",
                                           "Ines", "Jonas", "Karin", "Luis", "Maya", "Noah", "Olga", "Paul" };
static const char *const last_names[] = { "Keller", "Martin", "Novak", "Okafor", "Petit", "Quinn", "Rossi",
                                          "Schmidt", "Tanaka", "Usman", "Varga", "Weber", "Yilmaz", "Zhang" };

static void make_users(struct user *u, int n, int legacy_pct)
{
    static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for (int i = 0; i < n; i++) {
        /* 005 key prefix; 15 significant characters, then a 3-character suffix */
        snprintf(u[i].id18, sizeof u[i].id18, "0055j0000%c%c%c%c%c%cAAL", b62[(i / 238328) % 62],
                 b62[(i / 3844) % 62], b62[(i / 62) % 62], b62[i % 62], b62[(i * 7) % 62], b62[(i * 13) % 62]);
        int kind = rnd(100);
        int c0;
        if (kind < 55)
            c0 = rnd(3);                  /* browsers */
        else if (kind < 70)
            c0 = 3 + rnd(2);              /* mobile */
        else if (kind < 82)
            c0 = 5 + rnd(3);              /* tools */
        else if (kind < 97)
            c0 = 8 + rnd(3);              /* integrations */
        else
            c0 = 11;                      /* internal */
        const char *fn = first_names[rnd(16)], *ln = last_names[rnd(14)];
        if (c0 >= 8 && c0 <= 10) {
            snprintf(u[i].username, sizeof u[i].username, "integration.%d@acme.example.com", i);
            snprintf(u[i].name, sizeof u[i].name, "Integration User %d", i);
            snprintf(u[i].ip, sizeof u[i].ip, "192.0.2.%d", 1 + rnd(250));
        } else {
            snprintf(u[i].username, sizeof u[i].username, "%c%s.%s%d@acme.example.com", fn[0] | 0x20, "", ln, i);
            for (char *p = u[i].username; *p && *p != '@'; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p |= 0x20;
            snprintf(u[i].name, sizeof u[i].name, "%s %s", fn, ln);
            snprintf(u[i].ip, sizeof u[i].ip, "203.0.113.%d", 1 + rnd(250));
        }
        u[i].client[0] = c0;
        /* people often also use Outlook or the mobile app */
        u[i].client[1] = c0 < 3 && rnd(3) == 0 ? (rnd(2) ? 5 : 4) : c0;
        u[i].legacy = (int)rnd(100) < legacy_pct &&
                      (clients[u[i].client[0]].legacy_prone || clients[u[i].client[1]].legacy_prone);
    }
}

/* ---------------------------------------------------------------- time */

static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil(int64_t t, int *y, int *mo, int *d, int *h, int *mi, int *s)
{
    int64_t z = t / 86400 + 719468, rem = t % 86400;
    int64_t era = z / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mo = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*mo <= 2));
    *h = (int)(rem / 3600);
    *mi = (int)(rem % 3600 / 60);
    *s = (int)(rem % 60);
}

/* ---------------------------------------------------------------- output */

static FILE *out;
static enum fmt format;

/* One CSV field: quoted always (dataloader, elf) or only when needed (api, setup). */
static void field(const char *s, int first)
{
    if (!first)
        putc(',', out);
    int quote = format == F_DATALOADER || format == F_ELF || strpbrk(s, ",\"\r\n") != NULL;
    if (!quote) {
        fputs(s, out);
        return;
    }
    putc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            putc('"', out);
        putc(*s, out);
    }
    putc('"', out);
}

static void header(void)
{
    static const char *const api[] = { "Id", "UserId", "LoginTime", "LoginType", "LoginSubType", "Status",
                                       "SourceIp", "LoginUrl", "Application", "Browser", "Platform",
                                       "ClientVersion", "ApiType", "ApiVersion", "TlsProtocol", "CipherSuite",
                                       "CountryIso", NULL };
    static const char *const dl[] = { "Id", "UserId", "User.Username", "LoginTime", "LoginType", "Status",
                                      "SourceIp", "LoginUrl", "Application", "Browser", "Platform",
                                      "ClientVersion", "ApiType", "ApiVersion", "TlsProtocol", "CipherSuite", NULL };
    static const char *const setup[] = { "Username", "Login Time", "Source IP", "Login Type", "Status",
                                         "Browser", "Platform", "Application", "Client Version", "API Type",
                                         "API Version", "Login URL", "TLS Protocol", "TLS Cipher Suite", NULL };
    static const char *const elf[] = { "EVENT_TYPE", "TIMESTAMP", "REQUEST_ID", "ORGANIZATION_ID", "USER_ID",
                                       "RUN_TIME", "CPU_TIME", "URI", "SESSION_KEY", "LOGIN_KEY", "USER_TYPE",
                                       "REQUEST_STATUS", "DB_TOTAL_TIME", "LOGIN_TYPE", "BROWSER_TYPE",
                                       "API_TYPE", "API_VERSION", "USER_NAME", "TLS_PROTOCOL", "CIPHER_SUITE",
                                       "AUTHENTICATION_METHOD_REFERENCE", "LOGIN_SUB_TYPE", "TIMESTAMP_DERIVED",
                                       "USER_ID_DERIVED", "CLIENT_IP", "URI_ID_DERIVED", "LOGIN_STATUS",
                                       "SOURCE_IP", NULL };
    const char *const *h = format == F_API ? api : format == F_DATALOADER ? dl : format == F_SETUP ? setup : elf;
    if (format == F_DATALOADER)
        fputs("\xef\xbb\xbf", out);
    for (int i = 0; h[i]; i++)
        field(h[i], i == 0);
    fputs(format == F_DATALOADER ? "\r\n" : "\n", out);
}

static const char *tls_text(int v)
{
    static const char *const sf[] = { "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3", "Unknown" };
    static const char *const elf[] = { "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", "" };
    return format == F_ELF ? elf[v] : sf[v];
}

static const char *cipher_of(int v)
{
    static const char *const c[] = { "AES128-SHA", "ECDHE-RSA-AES256-SHA", "ECDHE-RSA-AES256-GCM-SHA384",
                                     "TLS_AES_256_GCM_SHA384", "" };
    return c[v];
}

static void row(long n, const struct user *u, const struct client *c, int v, int fail, int64_t t)
{
    char ts[40], id[24], ver[8];
    int y, mo, d, h, mi, s;
    civil(t, &y, &mo, &d, &h, &mi, &s);
    int ms = (int)(n % 1000);
    const char *status = fail ? (format == F_ELF ? "LOGIN_ERROR_INVALID_PASSWORD" : "Invalid Password")
                              : (format == F_ELF ? "LOGIN_NO_ERROR" : "Success");
    const char *tls = tls_text(v), *cipher = cipher_of(v);
    const char *url = n % 3 ? "acme.my.salesforce.com" : "login.salesforce.com";
    snprintf(id, sizeof id, "0Ya%012ldAAA", n);
    switch (format) {
    case F_API:
    case F_DATALOADER:
        if (format == F_API)
            snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+0000", y, mo, d, h, mi, s, ms);
        else
            snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d, h, mi, s, ms);
        field(id, 1);
        field(u->id18, 0);
        if (format == F_DATALOADER)
            field(u->username, 0);
        field(ts, 0);
        field(c->login_type, 0);
        if (format == F_API)
            field(c->login_subtype, 0);
        field(status, 0);
        field(u->ip, 0);
        field(url, 0);
        field(c->application, 0);
        field(c->browser, 0);
        field(c->platform, 0);
        field(c->client_version, 0);
        field(c->api_type, 0);
        field(c->api_version, 0);
        field(tls, 0);
        field(cipher, 0);
        if (format == F_API)
            field("US", 0);
        fputs(format == F_DATALOADER ? "\r\n" : "\n", out);
        break;
    case F_SETUP:
        snprintf(ts, sizeof ts, "%d/%d/%04d %d:%02d:%02d %s", mo, d, y, h % 12 ? h % 12 : 12, mi, s, h < 12 ? "AM" : "PM");
        field(u->username, 1);
        field(ts, 0);
        field(u->ip, 0);
        field(c->login_type, 0);
        field(status, 0);
        field(c->browser, 0);
        field(c->platform, 0);
        field(c->application, 0);
        field(c->client_version, 0);
        field(c->api_type, 0);
        field(c->api_version, 0);
        field(url, 0);
        field(tls, 0);
        field(cipher, 0);
        putc('\n', out);
        break;
    case F_ELF: {
        char ts2[40], id15[16], reqid[24];
        snprintf(ts, sizeof ts, "%04d%02d%02d%02d%02d%02d.%03d", y, mo, d, h, mi, s, ms);
        snprintf(ts2, sizeof ts2, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d, h, mi, s, ms);
        memcpy(id15, u->id18, 15);
        id15[15] = 0;
        snprintf(reqid, sizeof reqid, "4exLFFQZ%08ld", n);
        const char *uri = c->elf_api_type[0] ? "/services/Soap/u/36.0" : "/index.jsp";
        snprintf(ver, sizeof ver, "%s", c->api_version[0] == 'N' ? "9998.0" : c->api_version);
        const char *f[] = { "Login", ts, reqid, "00D5j000000XXXX", id15, "82", "41", uri, "", "", "Standard", "",
                            "40000000", c->elf_login_type, c->ua, c->elf_api_type, ver, u->username, tls, cipher,
                            "", "", ts2, u->id18, u->ip, "", status, u->ip, NULL };
        for (int i = 0; f[i]; i++)
            field(f[i], i == 0);
        putc('\n', out);
        break;
    }
    }
}

/* ---------------------------------------------------------------- main */

static int version_index(const char *s)
{
    return strcmp(s, "tls1.0") == 0 ? 0 : strcmp(s, "tls1.1") == 0 ? 1 : strcmp(s, "tls1.2") == 0 ? 2
         : strcmp(s, "tls1.3") == 0 ? 3 : -1;
}

int main(int argc, char **argv)
{
    long rows = 10000;
    int nusers = 200, days = 30, legacy_pct = 25, min = 2, malformed = 0;
    uint64_t seed = 1;
    const char *start = "2017-03-01", *out_path = NULL, *users_out = NULL, *expect = NULL;
    format = F_API;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            puts("usage: gen_logins [--format api|dataloader|setup|elf] [--rows N] [--users N] [--days N]\n"
                 "                  [--start YYYY-MM-DD] [--seed N] [--legacy-users PCT] [--min tls1.x]\n"
                 "                  [--malformed N] [--out FILE] [--users-out FILE] [--expect FILE]");
            return 0;
        }
        if (!v) {
            fprintf(stderr, "gen_logins: %s needs a value\n", a);
            return 2;
        }
        i++;
        if (strcmp(a, "--format") == 0) {
            format = strcmp(v, "api") == 0 ? F_API : strcmp(v, "dataloader") == 0 ? F_DATALOADER
                   : strcmp(v, "setup") == 0 ? F_SETUP : strcmp(v, "elf") == 0 ? F_ELF : (enum fmt)-1;
            if ((int)format < 0) {
                fprintf(stderr, "gen_logins: unknown format '%s'\n", v);
                return 2;
            }
        } else if (strcmp(a, "--rows") == 0) rows = atol(v);
        else if (strcmp(a, "--users") == 0) nusers = atoi(v);
        else if (strcmp(a, "--days") == 0) days = atoi(v);
        else if (strcmp(a, "--start") == 0) start = v;
        else if (strcmp(a, "--seed") == 0) seed = strtoull(v, NULL, 10);
        else if (strcmp(a, "--legacy-users") == 0) legacy_pct = atoi(v);
        else if (strcmp(a, "--min") == 0) min = version_index(v);
        else if (strcmp(a, "--malformed") == 0) malformed = atoi(v);
        else if (strcmp(a, "--out") == 0) out_path = v;
        else if (strcmp(a, "--users-out") == 0) users_out = v;
        else if (strcmp(a, "--expect") == 0) expect = v;
        else {
            fprintf(stderr, "gen_logins: unknown option '%s'\n", a);
            return 2;
        }
    }
    int sy, sm, sd;
    if (nusers < 1 || rows < 0 || days < 1 || min < 1 || sscanf(start, "%d-%d-%d", &sy, &sm, &sd) != 3) {
        fprintf(stderr, "gen_logins: bad arguments\n");
        return 2;
    }
    rng_state = seed;
    struct user *users = calloc((size_t)nusers, sizeof *users);
    if (!users)
        return 2;
    make_users(users, nusers, legacy_pct);
    out = out_path ? fopen(out_path, "w") : stdout;
    if (!out) {
        perror(out_path);
        return 2;
    }
    static char obuf[1 << 20];
    setvbuf(out, obuf, _IOFBF, sizeof obuf);
    header();

    int64_t t0 = days_from_civil(sy, (unsigned)sm, (unsigned)sd) * 86400;
    uint64_t versions[5] = { 0 }, legacy = 0, failed = 0, failed_legacy = 0, total = 0;
    uint64_t cat_legacy[NCAT] = { 0 };
    long every = malformed > 0 ? rows / (malformed + 1) : 0;
    int bad_written = 0;
    for (long n = 0; n < rows; n++) {
        if (every && bad_written < malformed && n > 0 && n % every == 0) {
            /* a malformed row: an unterminated quote in the middle of a line, closed on the same line
             * by nothing; the reader skips it and resynchronises at the next line */
            fputs(format == F_DATALOADER ? "\"broken,row\"x\r\n" : "\"broken,row\"x\n", out);
            bad_written++;
        }
        /* skewed: a few users log in a lot (integrations every few minutes) */
        int ui = (int)(rnd(2) ? rnd((uint32_t)nusers) : rnd((uint32_t)(nusers / 10 + 1)));
        struct user *u = &users[ui];
        const struct client *c = &clients[u->client[rnd(2)]];
        int64_t day = rnd((uint32_t)days);
        int64_t t = t0 + day * 86400 + rnd(86400);
        int v;
        /* legacy users on their old client: legacy share falls from 80% to 30% over the period */
        if (u->legacy && c->legacy_prone && (int)rnd(100) < 80 - (int)(50 * day / days))
            v = rnd(4) ? 0 : 1;
        else
            v = rnd(100) < 80 ? 2 : 3;
        if (rnd(200) == 0)
            v = 4; /* Unknown */
        int fail = rnd(50) == 0;
        int is_legacy = v < 4 && v < min;
        int cat = format == F_ELF ? c->cat_elf : c->cat;
        if (fail) {
            failed++;
            failed_legacy += (uint64_t)is_legacy;
        } else {
            total++;
            versions[v]++;
            legacy += (uint64_t)is_legacy;
        }
        cat_legacy[cat] += (uint64_t)is_legacy;
        u->seen = 1;
        u->seen_legacy |= is_legacy;
        row(n, u, c, v, fail, t);
    }
    if (fflush(out) != 0 || (out_path && fclose(out) != 0)) {
        perror("gen_logins: write");
        return 2;
    }
    if (users_out) {
        FILE *f = fopen(users_out, "w");
        if (!f) {
            perror(users_out);
            return 2;
        }
        fputs("Id,Username,Name,Email,Profile.Name,IsActive\n", f);
        for (int i = 0; i < nusers; i++)
            fprintf(f, "%s,%s,%s,%s,%s,%s\n", users[i].id18, users[i].username, users[i].name, users[i].username,
                    users[i].username[0] == 'i' && strncmp(users[i].username, "integration.", 12) == 0
                        ? "API Only" : "Standard User",
                    i % 17 ? "true" : "false");
        fclose(f);
    }
    if (expect) {
        FILE *f = fopen(expect, "w");
        if (!f) {
            perror(expect);
            return 2;
        }
        int seen = 0, seen_legacy = 0;
        for (int i = 0; i < nusers; i++) {
            seen += users[i].seen;
            seen_legacy += users[i].seen_legacy;
        }
        fprintf(f, "EXPECT_ROWS=%ld\nEXPECT_SKIPPED=%d\nEXPECT_TOTAL=%llu\nEXPECT_LEGACY=%llu\n", rows + bad_written,
                bad_written, (unsigned long long)total, (unsigned long long)legacy);
        fprintf(f, "EXPECT_FAILED=%llu\nEXPECT_FAILED_LEGACY=%llu\n", (unsigned long long)failed,
                (unsigned long long)failed_legacy);
        static const char *const vn[] = { "TLS10", "TLS11", "TLS12", "TLS13", "UNKNOWN" };
        for (int i = 0; i < 5; i++)
            fprintf(f, "EXPECT_%s=%llu\n", vn[i], (unsigned long long)versions[i]);
        fprintf(f, "EXPECT_USERS=%d\nEXPECT_LEGACY_USERS=%d\n", seen, seen_legacy);
        for (int c = 0; c < NCAT; c++)
            fprintf(f, "EXPECT_CAT_%s=%llu\n", cat_names[c], (unsigned long long)cat_legacy[c]);
        fclose(f);
    }
    free(users);
    return 0;
}
