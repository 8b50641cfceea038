/* Readiness for the cut-over: see readiness.h. */
#include "analyze/readiness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe/scan.h"

static const char *const area_names[AREA_COUNT] = { "access", "tools", "integrations", "vendors", "other" };
static const char *const area_titles[AREA_COUNT] = {
    "Access to the application (browsers and the mobile app)",
    "Installed tools (mail add-ins, data loaders, connectors)",
    "System integrations (API logins and the org's own endpoints)",
    "Add-on vendors (installed packages' servers)",
    "Other or unknown clients",
};

const char *audit_area_name(int a) { return a >= 0 && a < AREA_COUNT ? area_names[a] : NULL; }
const char *audit_area_title(int a) { return a >= 0 && a < AREA_COUNT ? area_titles[a] : NULL; }

const char *check_status_name(int s)
{
    return s == CHECK_DONE ? "done" : s == CHECK_TODO ? "todo" : "not evaluated";
}

/* Salesforce login categories (sf_rules.h) to areas, by name so the two stay decoupled. */
static int area_of_category(const char *name)
{
    if (!name)
        return AREA_OTHER;
    if (strcmp(name, "people") == 0)
        return AREA_ACCESS;
    if (strcmp(name, "tools") == 0)
        return AREA_TOOLS;
    if (strcmp(name, "integrations") == 0)
        return AREA_INTEGRATIONS;
    if (strcmp(name, "vendors") == 0)
        return AREA_VENDORS;
    return AREA_OTHER;
}

static int64_t day_start(const char *day)
{
    struct tm tm = { 0 };
    if (sscanf(day, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        return OBS_TIME_UNKNOWN;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm);
}

struct day_count {
    char day[11];
    uint64_t legacy, total;
};

static int cmp_day(const void *a, const void *b)
{
    return strcmp(((const struct day_count *)a)->day, ((const struct day_count *)b)->day);
}

/* Appends the day rows of one aggregate; returns -1 when out of memory. */
static int collect_days(struct aggregate *agg, struct day_count **v, size_t *n, size_t *cap)
{
    if (!agg)
        return 0;
    size_t rows = aggregate_count(agg, AGG_DAY);
    const struct agg_row *r = aggregate_rows(agg, AGG_DAY);
    for (size_t i = 0; i < rows; i++) {
        if (r[i].key_len != 10)
            continue; /* "" = observations without a time */
        if (*n == *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            struct day_count *nv = realloc(*v, nc * sizeof *nv);
            if (!nv)
                return -1;
            *v = nv;
            *cap = nc;
        }
        struct day_count *d = &(*v)[(*n)++];
        memcpy(d->day, r[i].key, 11);
        d->legacy = r[i].legacy + r[i].failed_legacy;
        d->total = r[i].total + r[i].failed;
    }
    return 0;
}

static void add_totals(struct readiness *rd, struct aggregate *agg)
{
    if (!agg)
        return;
    const struct agg_row *t = aggregate_totals(agg);
    rd->observations += t->total + t->failed;
    rd->legacy += t->legacy + t->failed_legacy;
    rd->failed_legacy += t->failed_legacy;
    if (t->first_seen != OBS_TIME_UNKNOWN && (rd->data_first == OBS_TIME_UNKNOWN || t->first_seen < rd->data_first))
        rd->data_first = t->first_seen;
    if (t->last_seen != OBS_TIME_UNKNOWN && (rd->data_last == OBS_TIME_UNKNOWN || t->last_seen > rd->data_last))
        rd->data_last = t->last_seen;
}

/* Per-area counts from the Salesforce categories. */
static void logins_areas(struct readiness *rd, struct aggregate *agg)
{
    const struct agg_config *cfg = aggregate_config(agg);
    size_t n = aggregate_count(agg, AGG_CATEGORY);
    const struct agg_row *r = aggregate_rows(agg, AGG_CATEGORY);
    for (size_t i = 0; i < n; i++) {
        struct area_summary *a = &rd->areas[area_of_category(r[i].key)];
        a->legacy += r[i].legacy + r[i].failed_legacy;
        a->failed_legacy += r[i].failed_legacy;
        a->total += r[i].total + r[i].failed;
        for (int v = 0; v < TLSV_SLOTS; v++)
            a->versions[v] += r[i].versions[v];
        if (r[i].last_legacy != OBS_TIME_UNKNOWN && r[i].last_legacy > a->last_legacy)
            a->last_legacy = r[i].last_legacy;
    }
    n = aggregate_count(agg, AGG_USER);
    r = aggregate_rows(agg, AGG_USER);
    for (size_t i = 0; i < n; i++) {
        if (r[i].legacy + r[i].failed_legacy == 0)
            continue;
        rd->legacy_users++;
        for (int a = 0; a < AREA_COUNT; a++)
            if (area_row_legacy(agg, &r[i], a))
                rd->areas[a].legacy_users++;
    }
    (void)cfg;
}

uint64_t area_row_legacy(struct aggregate *logins, const struct agg_row *r, int area)
{
    int ncat = aggregate_config(logins)->n_categories;
    uint64_t n = 0;
    for (int c = 0; c < ncat && c < AGG_MAX_CATEGORIES; c++)
        if (area_of_category(aggregate_category_name(logins, c)) == area)
            n += r->cat_legacy[c];
    return n;
}

static void endpoint_areas(struct readiness *rd, const struct audit_inputs *in)
{
    for (size_t i = 0; i < in->n_endpoints; i++) {
        const struct audit_endpoint *e = &in->endpoints[i];
        struct area_summary *a = &rd->areas[e->area >= 0 && e->area < AREA_COUNT ? e->area : AREA_INTEGRATIONS];
        a->endpoints++;
        rd->endpoints++;
        if (e->verdict == VERDICT_FAIL) {
            a->endpoints_fail++;
            rd->endpoints_fail++;
        } else if (e->verdict == VERDICT_UNREACHABLE) {
            a->endpoints_unreachable++;
            rd->endpoints_unreachable++;
        }
        for (int v = 0; v < in->min_version && v < TLSV_COUNT; v++)
            if (e->status[v] == VS_ACCEPTED) {
                a->endpoints_below_min++;
                break;
            }
    }
}

static int readiness_views(struct readiness *rd, const struct audit_inputs *in);
static void readiness_views_free(struct readiness *rd);

static int build_days(struct readiness *rd, const struct audit_inputs *in)
{
    struct day_count *v = NULL;
    size_t n = 0, cap = 0;
    if (collect_days(in->logins, &v, &n, &cap) || collect_days(in->logs, &v, &n, &cap) ||
        collect_days(in->pcap, &v, &n, &cap)) {
        free(v);
        return -1;
    }
    qsort(v, n, sizeof *v, cmp_day);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) { /* merge the same day from several sources */
        if (m && strcmp(v[m - 1].day, v[i].day) == 0) {
            v[m - 1].legacy += v[i].legacy;
            v[m - 1].total += v[i].total;
        } else {
            v[m++] = v[i];
        }
    }
    rd->n_days = m;
    rd->cutover_at = -1;
    if (m) {
        rd->days = calloc(m, sizeof *rd->days);
        rd->day_share = calloc(m, sizeof *rd->day_share);
        rd->day_legacy = calloc(m, sizeof *rd->day_legacy);
        rd->day_total = calloc(m, sizeof *rd->day_total);
        if (!rd->days || !rd->day_share || !rd->day_legacy || !rd->day_total) {
            free(v);
            return -1;
        }
    }
    int64_t last_day = m ? day_start(v[m - 1].day) : OBS_TIME_UNKNOWN;
    int64_t recent_from = last_day == OBS_TIME_UNKNOWN ? 0 : last_day - (int64_t)(in->recent_days - 1) * 86400;
    for (size_t i = 0; i < m; i++) {
        memcpy(rd->days[i], v[i].day, 11);
        rd->day_legacy[i] = v[i].legacy;
        rd->day_total[i] = v[i].total;
        rd->day_share[i] = v[i].total ? (double)v[i].legacy / (double)v[i].total : 0;
        if (day_start(v[i].day) >= recent_from)
            rd->recent_legacy += v[i].legacy;
    }
    if (m && in->cutover != OBS_TIME_UNKNOWN) {
        int64_t first_day = day_start(v[0].day);
        if (in->cutover <= first_day) {
            rd->cutover_at = 0;
        } else if (in->cutover > last_day) {
            rd->cutover_at = (double)(m - 1) + (double)(in->cutover - last_day) / 86400.0;
        } else {
            for (size_t i = 0; i < m; i++)
                if (day_start(v[i].day) >= in->cutover) {
                    rd->cutover_at = (double)i;
                    break;
                }
        }
    }
    free(v);
    return 0;
}

static uint64_t legacy_since(const struct readiness *rd, int64_t from)
{
    uint64_t n = 0;
    for (size_t i = 0; i < rd->n_days; i++)
        if (day_start(rd->days[i]) >= from)
            n += rd->day_legacy[i];
    return n;
}

static struct check_item *item(struct readiness *rd, const char *step, int status)
{
    struct check_item *it = &rd->items[rd->n_items++];
    it->step = step;
    it->status = status;
    it->evidence[0] = 0;
    return it;
}

static void checklist(struct readiness *rd, const struct audit_inputs *in)
{
    const char *minname = tls_version_name(in->min_version);
    struct check_item *it;
    const struct area_summary *A = rd->areas;

    it = item(rd, "Find who still connects with legacy TLS", rd->has_client_data ? CHECK_DONE : CHECK_NOT_EVALUATED);
    if (rd->has_client_data)
        snprintf(it->evidence, sizeof it->evidence,
                 "%llu logins, %llu log requests and %llu captured handshakes analysed; %llu below %s (%.1f%%)",
                 (unsigned long long)in->logins_rows, (unsigned long long)in->logs_lines,
                 (unsigned long long)in->pcap_handshakes, (unsigned long long)rd->legacy, minname,
                 rd->legacy_share * 100);
    else
        snprintf(it->evidence, sizeof it->evidence, "no Login History, access logs or captures were given (--logins, --logs, --pcap)");

    size_t people = A[AREA_ACCESS].legacy_users + A[AREA_TOOLS].legacy_users;
    it = item(rd, "Contact the people still on legacy TLS",
              !in->logins ? CHECK_NOT_EVALUATED : people ? CHECK_TODO : CHECK_DONE);
    if (!in->logins)
        snprintf(it->evidence, sizeof it->evidence, "needs Login History (--logins) to name people");
    else
        snprintf(it->evidence, sizeof it->evidence,
                 "%zu users in browsers or the mobile app and %zu users of installed tools on legacy TLS (areas 1 and 2)",
                 A[AREA_ACCESS].legacy_users, A[AREA_TOOLS].legacy_users);

    it = item(rd, "Upgrade installed tools", !in->logins ? CHECK_NOT_EVALUATED : A[AREA_TOOLS].legacy ? CHECK_TODO : CHECK_DONE);
    if (in->logins)
        snprintf(it->evidence, sizeof it->evidence, "%llu legacy logins from installed tools by %zu users",
                 (unsigned long long)A[AREA_TOOLS].legacy, A[AREA_TOOLS].legacy_users);
    else
        snprintf(it->evidence, sizeof it->evidence, "needs Login History (--logins)");

    int integ_eval = in->logins || in->n_endpoints;
    int integ_todo = A[AREA_INTEGRATIONS].legacy || A[AREA_INTEGRATIONS].endpoints_fail;
    it = item(rd, "Fix system integrations", !integ_eval ? CHECK_NOT_EVALUATED : integ_todo ? CHECK_TODO : CHECK_DONE);
    snprintf(it->evidence, sizeof it->evidence,
             "%llu legacy API/integration logins by %zu users; %zu of %zu own endpoints accept no version at or above %s, "
             "%zu unreachable, %zu callouts with a run-time URL",
             (unsigned long long)A[AREA_INTEGRATIONS].legacy, A[AREA_INTEGRATIONS].legacy_users,
             A[AREA_INTEGRATIONS].endpoints_fail, A[AREA_INTEGRATIONS].endpoints, minname,
             A[AREA_INTEGRATIONS].endpoints_unreachable, in->dynamic_endpoints);

    int vend_todo = A[AREA_VENDORS].endpoints_fail || A[AREA_VENDORS].endpoints_unreachable || A[AREA_VENDORS].legacy;
    it = item(rd, "Confirm add-on vendors are ready",
              !in->n_endpoints ? CHECK_NOT_EVALUATED : vend_todo ? CHECK_TODO : CHECK_DONE);
    if (in->n_endpoints)
        snprintf(it->evidence, sizeof it->evidence, "%zu of %zu package endpoints fail, %zu unreachable",
                 A[AREA_VENDORS].endpoints_fail, A[AREA_VENDORS].endpoints, A[AREA_VENDORS].endpoints_unreachable);
    else
        snprintf(it->evidence, sizeof it->evidence, "needs the org's metadata (--metadata) or a target list (--targets)");

    if (in->rehearsal) {
        const struct agg_row *t = aggregate_totals(in->rehearsal);
        uint64_t bad = t->legacy + t->failed_legacy;
        it = item(rd, "Rehearse with tlsready serve", bad ? CHECK_TODO : CHECK_DONE);
        snprintf(it->evidence, sizeof it->evidence, "%llu rehearsal connections, %llu below %s (%llu refused)",
                 (unsigned long long)(t->total + t->failed), (unsigned long long)bad, minname,
                 (unsigned long long)t->failed);
    } else {
        it = item(rd, "Rehearse with tlsready serve", CHECK_NOT_EVALUATED);
        snprintf(it->evidence, sizeof it->evidence,
                 "run 'tlsready serve --min %s --log rehearsal.jsonl', point clients at it, then pass --rehearsal rehearsal.jsonl",
                 minname);
    }

    if (in->cutover != OBS_TIME_UNKNOWN && rd->data_last != OBS_TIME_UNKNOWN && rd->data_last >= in->cutover) {
        uint64_t after = legacy_since(rd, in->cutover);
        it = item(rd, "Re-check after the cut-over", after ? CHECK_TODO : CHECK_DONE);
        snprintf(it->evidence, sizeof it->evidence, "%llu legacy connections on or after the cut-over date",
                 (unsigned long long)after);
    } else {
        it = item(rd, "Re-check after the cut-over", CHECK_NOT_EVALUATED);
        snprintf(it->evidence, sizeof it->evidence, "%s", in->cutover == OBS_TIME_UNKNOWN
                 ? "give --cutover DATE, and re-run this audit on data from after that date"
                 : "the data ends before the cut-over date: re-run this audit on data from after it");
    }
}

static void headline(struct readiness *rd, const struct audit_inputs *in)
{
    char when[48] = "";
    if (in->cutover != OBS_TIME_UNKNOWN) {
        time_t t = (time_t)in->cutover;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, " on %Y-%m-%d", &tm);
    }
    const char *minname = tls_version_name(in->min_version);
    if (!rd->has_client_data && !rd->has_server_data) {
        snprintf(rd->headline, sizeof rd->headline, "NOTHING TO JUDGE: no input was given");
        return;
    }
    if (rd->ready) {
        snprintf(rd->headline, sizeof rd->headline,
                 "READY for the cut-over to %s%s: no legacy TLS in the last %d days of data and no endpoint that fails%s",
                 minname, when, in->recent_days,
                 rd->endpoints_unreachable ? " (some endpoints could not be reached)" : "");
        return;
    }
    char why[200] = "";
    if (rd->recent_legacy)
        snprintf(why, sizeof why, "%llu legacy connections in the last %d days of data, %zu users on legacy TLS in all",
                 (unsigned long long)rd->recent_legacy, in->recent_days, rd->legacy_users);
    if (rd->endpoints_fail) {
        size_t u = strlen(why);
        snprintf(why + u, sizeof why - u, "%s%zu endpoints accept no version at or above %s", u ? "; " : "",
                 rd->endpoints_fail, minname);
    }
    snprintf(rd->headline, sizeof rd->headline, "NOT READY for the cut-over to %s%s: %s", minname, when, why);
}

int readiness_compute(struct readiness *rd, const struct audit_inputs *in)
{
    memset(rd, 0, sizeof *rd);
    rd->data_first = rd->data_last = OBS_TIME_UNKNOWN;
    for (int a = 0; a < AREA_COUNT; a++)
        rd->areas[a].last_legacy = OBS_TIME_UNKNOWN;
    add_totals(rd, in->logins);
    add_totals(rd, in->logs);
    add_totals(rd, in->pcap);
    rd->has_client_data = in->logins || in->logs || in->pcap;
    rd->has_server_data = in->n_endpoints > 0;
    rd->legacy_share = rd->observations ? (double)rd->legacy / (double)rd->observations : 0;
    if (in->logins)
        logins_areas(rd, in->logins);
    endpoint_areas(rd, in);
    if (build_days(rd, in) != 0)
        return -1;
    /* Observations without a date still count when there are no dated ones. */
    if (rd->n_days == 0)
        rd->recent_legacy = rd->legacy;
    rd->ready = rd->recent_legacy == 0 && rd->endpoints_fail == 0 && (rd->has_client_data || rd->has_server_data);
    checklist(rd, in);
    headline(rd, in);
    return readiness_views(rd, in);
}

void readiness_free(struct readiness *rd)
{
    readiness_views_free(rd);
    free(rd->days);
    free(rd->day_share);
    free(rd->day_legacy);
    free(rd->day_total);
    rd->days = NULL;
    rd->day_share = NULL;
    rd->day_legacy = rd->day_total = NULL;
    rd->n_days = 0;
}

/* ---- aggregate configurations and per-area views ---- */

void audit_logins_config(struct agg_config *cfg, int min_version)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->dims = AGG_DIM_BIT(AGG_USER) | AGG_DIM_BIT(AGG_CLIENT) | AGG_DIM_BIT(AGG_CLIENT_IP) | AGG_DIM_BIT(AGG_API) |
                AGG_DIM_BIT(AGG_DAY) | AGG_DIM_BIT(AGG_CATEGORY);
    cfg->min_version = min_version;
    cfg->pairs[AUDIT_PAIR_USER_CLIENT] = (struct agg_pair_spec){ AGG_USER, AGG_CLIENT, 1 };
    cfg->pairs[AUDIT_PAIR_USER_IP] = (struct agg_pair_spec){ AGG_USER, AGG_CLIENT_IP, 1 };
    cfg->pairs[AUDIT_PAIR_CLIENT_USER] = (struct agg_pair_spec){ AGG_CLIENT, AGG_USER, 1 };
    cfg->n_pairs = AUDIT_LOGINS_PAIRS;
}

void audit_traffic_config(struct agg_config *cfg, int min_version)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->dims = AGG_DIM_BIT(AGG_CLIENT_IP) | AGG_DIM_BIT(AGG_USER_AGENT) | AGG_DIM_BIT(AGG_SERVER) |
                AGG_DIM_BIT(AGG_FINGERPRINT) | AGG_DIM_BIT(AGG_DAY);
    cfg->min_version = min_version;
    cfg->legacy_rule = AGG_LEGACY_NEGOTIATED;
    cfg->pairs[AUDIT_PAIR_IP_AGENT] = (struct agg_pair_spec){ AGG_CLIENT_IP, AGG_USER_AGENT, 1 };
    cfg->pairs[AUDIT_PAIR_IP_SERVER] = (struct agg_pair_spec){ AGG_CLIENT_IP, AGG_SERVER, 1 };
    cfg->n_pairs = AUDIT_TRAFFIC_PAIRS;
}

/* Keeps the rows of `all` whose category maps to `area`. */
static int filter_area(struct aggregate *agg, const struct agg_row **all, size_t n, int area,
                       const struct agg_row ***out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (!n)
        return 0;
    *out = malloc(n * sizeof **out);
    if (!*out)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (area_row_legacy(agg, all[i], area))
            (*out)[(*n_out)++] = all[i];
    return 0;
}

static int endpoint_rank(const struct audit_endpoint *e)
{
    return e->verdict == VERDICT_FAIL ? 0 : e->verdict == VERDICT_UNREACHABLE ? 1 : e->verdict < 0 ? 2 : 3;
}

/* Certificates for the expiry chart: insertion sort by days left (a report has few endpoints). */
static int cert_view(struct readiness *rd, const struct audit_inputs *in)
{
    for (size_t i = 0; i < in->n_endpoints; i++) {
        const struct audit_endpoint *e = &in->endpoints[i];
        if (!e->has_cert)
            continue;
        if (!rd->cert_order && !(rd->cert_order = calloc(in->n_endpoints, sizeof *rd->cert_order)))
            return -1;
        size_t k = rd->n_certs++;
        while (k > 0 && in->endpoints[rd->cert_order[k - 1]].cert_days_left > e->cert_days_left) {
            rd->cert_order[k] = rd->cert_order[k - 1];
            k--;
        }
        rd->cert_order[k] = i;
        if (e->cert_days_left < in->warn_days)
            rd->certs_expiring++;
    }
    return 0;
}

static int source_view(struct source_view *v, struct aggregate *agg, enum agg_dim dim)
{
    v->rows = NULL;
    v->n = 0;
    if (!agg || !(aggregate_config(agg)->dims & AGG_DIM_BIT(dim)))
        return 0;
    v->rows = aggregate_sorted(agg, dim, AGG_BY_LEGACY, 1, &v->n);
    return 0;
}

static int readiness_views(struct readiness *rd, const struct audit_inputs *in)
{
    if (in->logins) {
        size_t nu = 0, nc = 0;
        const struct agg_row **users = aggregate_sorted(in->logins, AGG_USER, AGG_BY_LEGACY, 1, &nu);
        const struct agg_row **clients = aggregate_sorted(in->logins, AGG_CLIENT, AGG_BY_LEGACY, 1, &nc);
        int bad = (nu && !users) || (nc && !clients);
        for (int a = 0; a < AREA_COUNT && !bad; a++)
            bad = filter_area(in->logins, users, nu, a, &rd->view[a].users, &rd->view[a].n_users) ||
                  filter_area(in->logins, clients, nc, a, &rd->view[a].clients, &rd->view[a].n_clients);
        free(users);
        free(clients);
        if (bad)
            return -1;
    }
    for (int rank = 0; rank < 4; rank++) /* failing, unreachable, not scanned, ok */
        for (size_t i = 0; i < in->n_endpoints; i++) {
            const struct audit_endpoint *e = &in->endpoints[i];
            if (endpoint_rank(e) != rank)
                continue;
            struct area_view *v = &rd->view[e->area >= 0 && e->area < AREA_COUNT ? e->area : AREA_INTEGRATIONS];
            if (!v->endpoints && !(v->endpoints = calloc(in->n_endpoints, sizeof *v->endpoints)))
                return -1;
            v->endpoints[v->n_endpoints++] = i;
        }
    if (cert_view(rd, in) != 0)
        return -1;
    source_view(&rd->logs_clients, in->logs, AGG_CLIENT_IP);
    source_view(&rd->logs_agents, in->logs, AGG_USER_AGENT);
    source_view(&rd->pcap_clients, in->pcap, AGG_CLIENT_IP);
    source_view(&rd->pcap_fingerprints, in->pcap, AGG_FINGERPRINT);
    return 0;
}

static void readiness_views_free(struct readiness *rd)
{
    for (int a = 0; a < AREA_COUNT; a++) {
        free(rd->view[a].users);
        free(rd->view[a].clients);
        free(rd->view[a].endpoints);
        memset(&rd->view[a], 0, sizeof rd->view[a]);
    }
    free(rd->cert_order);
    rd->cert_order = NULL;
    rd->n_certs = 0;
    free(rd->logs_clients.rows);
    free(rd->logs_agents.rows);
    free(rd->pcap_clients.rows);
    free(rd->pcap_fingerprints.rows);
    rd->logs_clients.rows = rd->logs_agents.rows = rd->pcap_clients.rows = rd->pcap_fingerprints.rows = NULL;
}
