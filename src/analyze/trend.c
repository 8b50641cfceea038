/* Legacy share before a cut-over date: see trend.h. */
#include "analyze/trend.h"

#include <stdlib.h>
#include <string.h>

int64_t agg_days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return 0;
}

int agg_parse_date(const char *s, int64_t *out)
{
    int y, m, d, hh = 0, mm = 0, ss = 0;
    size_t n = strlen(s);
    if (n < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) || s[7] != '-' ||
        digits(s + 8, 2, &d) || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    if (n > 10) {
        if ((s[10] != 'T' && s[10] != ' ') || n < 19 || digits(s + 11, 2, &hh) || s[13] != ':' ||
            digits(s + 14, 2, &mm) || s[16] != ':' || digits(s + 17, 2, &ss) || hh > 23 || mm > 59 || ss > 60)
            return -1;
        const char *z = s + 19;
        if (*z == '.')
            for (z++; *z >= '0' && *z <= '9'; z++)
                ;
        if (*z && strcmp(z, "Z") && strcmp(z, "+0000") && strcmp(z, "+00:00"))
            return -1;
    }
    *out = agg_days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + hh * 3600 + mm * 60 + ss;
    return 0;
}

static double share(uint64_t legacy, uint64_t total) { return total ? (double)legacy / (double)total : 0.0; }

int agg_trend_compute(const struct aggregate *a, int64_t cutover, struct agg_trend *t)
{
    memset(t, 0, sizeof *t);
    t->cutover = cutover;
    t->last_legacy = aggregate_totals(a)->last_legacy;
    size_t n;
    const struct agg_row **days = aggregate_sorted(a, AGG_DAY, AGG_BY_KEY, 0, &n);
    if (!days)
        return aggregate_count(a, AGG_DAY) ? -1 : 0;
    char cut[11] = "";
    if (cutover != OBS_TIME_UNKNOWN)
        agg_format_day(cutover, cut, sizeof cut);
    size_t first = n, last = 0; /* dated days before the cut-over: [first, last] */
    for (size_t i = 0; i < n; i++) {
        const struct agg_row *r = days[i];
        if (r->key_len != 10)
            continue; /* undated rows */
        if (*cut && strcmp(r->key, cut) >= 0) {
            t->total_after += r->total;
            t->legacy_after += r->legacy;
            continue;
        }
        t->total_before += r->total;
        t->legacy_before += r->legacy;
        if (first == n)
            first = i;
        last = i;
        t->days++;
    }
    if (first < n) {
        t->have_days = 1;
        memcpy(t->first_day, days[first]->key, 11);
        memcpy(t->last_day, days[last]->key, 11);
        /* the first and the last 7 calendar days of the period (its halves when shorter than 14) */
        int64_t d0, d1;
        agg_parse_date(t->first_day, &d0);
        agg_parse_date(t->last_day, &d1);
        int64_t span = (d1 - d0) / 86400 + 1;
        int64_t w = span >= 14 ? 7 : (span + 1) / 2;
        uint64_t fl = 0, ft = 0, ll = 0, lt = 0;
        for (size_t i = first; i <= last; i++) {
            int64_t d;
            if (days[i]->key_len != 10 || agg_parse_date(days[i]->key, &d))
                continue;
            if (d < d0 + w * 86400) {
                fl += days[i]->legacy;
                ft += days[i]->total;
            }
            if (d > d1 - w * 86400) {
                ll += days[i]->legacy;
                lt += days[i]->total;
            }
        }
        t->first_week_share = share(fl, ft);
        t->last_week_share = share(ll, lt);
        double f = t->first_week_share, l = t->last_week_share;
        if (span < 2 || (l <= f * 1.1 && l >= f * 0.9))
            t->direction = 0;
        else
            t->direction = l < f ? -1 : 1;
    }
    free(days);
    return 0;
}
