/*
 * One Salesforce login row to an observation: date-time forms, TLS protocol
 * spellings, success, ELF codes and User-Agents (specs/salesforce.md 1a-1c).
 */
#include "ingest/salesforce.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "analyze/trend.h"
#include "tls/version.h"

/* ---------------------------------------------------------------- time */

struct cur {
    const char *p, *end;
};

static int num(struct cur *c, int min_digits, int max_digits, int *v)
{
    int k = 0;
    *v = 0;
    while (c->p < c->end && k < max_digits && isdigit((unsigned char)*c->p)) {
        *v = *v * 10 + (*c->p++ - '0');
        k++;
    }
    return k >= min_digits ? 0 : -1;
}

static int lit(struct cur *c, char ch)
{
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 0;
    }
    return -1;
}

static void skip_spaces(struct cur *c)
{
    while (c->p < c->end && *c->p == ' ')
        c->p++;
}

/* Optional ".sss" fractions: ignored (seconds are enough for first/last seen). */
static void fraction(struct cur *c)
{
    if (c->p < c->end && (*c->p == '.' || *c->p == ','))
        for (c->p++; c->p < c->end && isdigit((unsigned char)*c->p); c->p++)
            ;
}

/*
 * A zone after the time: "Z", "+0000", "+00:00", "-0530", " GMT", " UTC", or
 * another name (ignored). *off is the offset to subtract; *has set when written.
 */
static int zone(struct cur *c, int32_t *off, int *has)
{
    *off = 0;
    *has = 0;
    skip_spaces(c);
    if (c->p == c->end)
        return 0;
    if (*c->p == 'Z' && c->p + 1 == c->end) {
        c->p++;
        *has = 1;
        return 0;
    }
    if (*c->p == '+' || *c->p == '-') {
        int sign = *c->p++ == '-' ? -1 : 1, hh, mm = 0;
        if (num(c, 2, 2, &hh))
            return -1;
        lit(c, ':');
        if (c->p < c->end && num(c, 2, 2, &mm))
            return -1;
        if (hh > 14 || mm > 59)
            return -1;
        *off = sign * (hh * 3600 + mm * 60);
        *has = 1;
        return c->p == c->end ? 0 : -1;
    }
    /* a zone name: letters only */
    const char *s = c->p;
    while (c->p < c->end && isalpha((unsigned char)*c->p))
        c->p++;
    if (c->p != c->end || c->p - s > 5)
        return -1;
    size_t n = (size_t)(c->p - s);
    if ((n == 3 && (strncasecmp(s, "GMT", 3) == 0 || strncasecmp(s, "UTC", 3) == 0)) || (n == 1 && *s == 'Z'))
        *has = 1;
    return 0;
}

static int valid(int y, int mo, int d, int h, int mi, int s)
{
    return y >= 1970 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 &&
           mi <= 59 && s >= 0 && s <= 60;
}

int sf_parse_time(const char *str, size_t n, int day_first, int32_t tz_offset, int64_t *t)
{
    struct cur c = { str, str + n };
    while (c.p < c.end && isspace((unsigned char)*c.p))
        c.p++;
    while (c.end > c.p && isspace((unsigned char)c.end[-1]))
        c.end--;
    int y, mo, d, h = 0, mi = 0, s = 0;
    int32_t off = 0;
    int has_zone = 0;
    size_t len = (size_t)(c.end - c.p);
    if (len >= 10 && c.p[4] == '-') {
        /* ISO 8601 and "YYYY-MM-DD hh:mm:ss GMT" */
        if (num(&c, 4, 4, &y) || lit(&c, '-') || num(&c, 2, 2, &mo) || lit(&c, '-') || num(&c, 2, 2, &d))
            return -1;
        if (c.p < c.end && (*c.p == 'T' || *c.p == ' ')) {
            c.p++;
            if (num(&c, 2, 2, &h) || lit(&c, ':') || num(&c, 2, 2, &mi))
                return -1;
            if (lit(&c, ':') == 0 && num(&c, 2, 2, &s))
                return -1;
            fraction(&c);
        }
        if (zone(&c, &off, &has_zone))
            return -1;
    } else if (len >= 14 && isdigit((unsigned char)c.p[8]) && memchr(c.p, '/', len) == NULL) {
        /* ELF TIMESTAMP: YYYYMMDDhhmmss.sss, GMT */
        if (num(&c, 4, 4, &y) || num(&c, 2, 2, &mo) || num(&c, 2, 2, &d) || num(&c, 2, 2, &h) ||
            num(&c, 2, 2, &mi) || num(&c, 2, 2, &s))
            return -1;
        fraction(&c);
        if (c.p != c.end)
            return -1;
        has_zone = 1;
    } else {
        /* M/D/YYYY h:mm[:ss] [AM|PM] [zone] (Setup download in a user's locale) */
        int a, b;
        if (num(&c, 1, 2, &a) || lit(&c, '/') || num(&c, 1, 2, &b) || lit(&c, '/') || num(&c, 4, 4, &y))
            return -1;
        mo = day_first ? b : a;
        d = day_first ? a : b;
        skip_spaces(&c);
        lit(&c, ',');
        skip_spaces(&c);
        if (c.p < c.end && isdigit((unsigned char)*c.p)) {
            if (num(&c, 1, 2, &h) || lit(&c, ':') || num(&c, 2, 2, &mi))
                return -1;
            if (lit(&c, ':') == 0 && num(&c, 2, 2, &s))
                return -1;
            skip_spaces(&c);
            if (c.end - c.p >= 2 && (c.p[1] == 'M' || c.p[1] == 'm') &&
                (c.p + 2 == c.end || c.p[2] == ' ')) {
                int pm = c.p[0] == 'P' || c.p[0] == 'p';
                if (!pm && c.p[0] != 'A' && c.p[0] != 'a')
                    return -1;
                if (h < 1 || h > 12)
                    return -1;
                h = h % 12 + (pm ? 12 : 0);
                c.p += 2;
            }
        }
        if (zone(&c, &off, &has_zone))
            return -1;
    }
    if (!valid(y, mo, d, h, mi, s))
        return -1;
    if (!has_zone && off == 0)
        off = tz_offset;
    *t = agg_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s - off;
    return 0;
}

/* ---------------------------------------------------------------- user agents */

const char *sf_browser_from_ua(const char *ua, char *buf, size_t cap)
{
    if (!ua || !*ua)
        return NULL;
    if (strncmp(ua, "Mozilla/", 8) == 0) {
        /* order matters: Edge and Opera say Chrome too, Chrome says Safari */
        static const struct {
            const char *token, *name;
        } fam[] = {
            { "Edg/", "Edge" }, { "Edge/", "Edge" }, { "OPR/", "Opera" }, { "Firefox/", "Firefox" },
            { "Chrome/", "Chrome" }, { "MSIE ", "IE" }, { "Trident/7", "IE 11" }, { "Version/", "Safari" },
        };
        for (size_t i = 0; i < sizeof fam / sizeof fam[0]; i++) {
            const char *p = strstr(ua, fam[i].token);
            if (!p)
                continue;
            if (strcmp(fam[i].name, "IE 11") == 0)
                return fam[i].name;
            p += strlen(fam[i].token);
            int major = 0, k = 0;
            while (isdigit((unsigned char)p[k]) && k < 4)
                major = major * 10 + (p[k++] - '0');
            if (!k)
                return fam[i].name;
            snprintf(buf, cap, "%s %d", fam[i].name, major);
            return buf;
        }
        return "Mozilla";
    }
    /* a library: its first product token ("Java/1.6.0_45", "python-requests/2.31.0") */
    size_t n = strcspn(ua, " (;");
    snprintf(buf, cap, "%.*s", (int)(n < cap ? n : cap - 1), ua);
    return buf;
}

/* ---------------------------------------------------------------- rows */

static const char *field(const struct sf_layout *l, const struct csv_row *row, enum sf_col c)
{
    int i = l->col[c];
    if (i < 0 || (size_t)i >= row->n || !row->f[i].len)
        return NULL;
    return row->f[i].p;
}

static int success_of(const char *status)
{
    if (!status)
        return -1;
    if (strcasecmp(status, "Success") == 0 || strcmp(status, "LOGIN_NO_ERROR") == 0)
        return 1;
    return 0;
}

int sf_login_from_row(struct sf_login *lg, const struct sf_layout *l, const struct csv_row *row,
                      const struct sf_users *users, int32_t tz_offset, struct tr_error *err)
{
    if (row->n != l->n_fields)
        return tr_errorf(err, "expected %zu fields as in the header, found %zu", l->n_fields, row->n);
    struct observation *o = &lg->obs;
    memset(o, 0, sizeof *o);
    lg->login_subtype = field(l, row, SFC_LOGIN_SUBTYPE);
    lg->event_type = field(l, row, SFC_EVENT_TYPE);

    o->time = OBS_TIME_UNKNOWN;
    const char *ts = field(l, row, SFC_TIME);
    if (!ts)
        ts = field(l, row, SFC_TIMESTAMP);
    if (ts && sf_parse_time(ts, strlen(ts), l->day_first, tz_offset, &o->time) < 0)
        return tr_errorf(err, "cannot read the login time '%.40s'", ts);

    o->user_id = field(l, row, SFC_USER_ID_DERIVED);
    if (!o->user_id)
        o->user_id = field(l, row, SFC_USER_ID);
    o->user = field(l, row, SFC_USERNAME);
    if (users && o->user_id) {
        const struct sf_user *u = sf_users_by_id(users, o->user_id, strlen(o->user_id));
        if (u && u->username)
            o->user = u->username;
    }

    const char *tls = field(l, row, SFC_TLS);
    o->version = tls ? tls_version_parse(tls, strlen(tls)) : TLSV_UNKNOWN;
    if (o->version == TLSV_NONE)
        o->version = TLSV_UNKNOWN; /* a spelling we do not know counts as unknown, not as an error */
    o->max_offered = TLSV_NONE;
    o->cipher = field(l, row, SFC_CIPHER);
    o->status = field(l, row, SFC_STATUS);
    o->success = success_of(o->status);
    o->server = field(l, row, SFC_LOGIN_URL);
    o->client_ip = field(l, row, SFC_CLIENT_IP);
    if (!o->client_ip)
        o->client_ip = field(l, row, SFC_SOURCE_IP);
    o->application = field(l, row, SFC_APPLICATION);
    o->client_version = field(l, row, SFC_CLIENT_VERSION);
    o->platform = field(l, row, SFC_PLATFORM);
    o->login_type = field(l, row, SFC_LOGIN_TYPE);
    o->api_type = field(l, row, SFC_API_TYPE);
    o->api_version = field(l, row, SFC_API_VERSION);
    o->browser = field(l, row, SFC_BROWSER);
    if (l->format == SF_ELF) {
        const char *lt = sf_elf_login_type(o->login_type);
        if (lt)
            o->login_type = lt;
        const char *at = sf_elf_api_type(o->api_type);
        if (at)
            o->api_type = at;
        if (o->api_version && strcmp(o->api_version, "9998.0") == 0)
            o->api_version = "N/A"; /* ELF writes 9998.0 for UI and OAuth logins */
        o->user_agent = o->browser;
        o->browser = sf_browser_from_ua(o->user_agent, lg->browser_buf, sizeof lg->browser_buf);
    }
    return 0;
}
