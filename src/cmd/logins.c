/*
 * tlsready logins: who in a Salesforce org still logs in with legacy TLS, with
 * what, and how often. Reads LoginHistory exports (API names), the Setup
 * download (display labels) and Event Monitoring Login logs, counts logins
 * per user, client, application, IP and day in one aggregate, and renders it
 * (terminal, --json, --csv TABLE). Documentation: docs/logins.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/aggregate.h"
#include "analyze/sf_rules.h"
#include "analyze/trend.h"
#include "cmd/cmd.h"
#include "ingest/salesforce.h"
#include "ingest/salesforce_file.h"
#include "report/agg_report.h"
#include "report/csv.h"
#include "report/json.h"
#include "util/buf.h"

static const char usage_text[] =
    "usage: tlsready logins [options] FILE...\n"
    "\n"
    "Who in a Salesforce org still logs in with legacy TLS, with what, and how often.\n"
    "FILE: LoginHistory exported through the API (sf data query, Data Loader, Workbench),\n"
    "the CSV downloaded from Setup > Login History, or Event Monitoring Login log files;\n"
    "plain or .gz; '-' reads standard input. The format is detected from each header.\n"
    "\n"
    "options:\n"
    "  --min VERSION      below it is legacy: tls1.0, tls1.1, tls1.2 (default), tls1.3\n"
    "                     (--min tls1.1 replays the 2017 cut-over)\n"
    "  --cutover DATE     YYYY-MM-DD: show the legacy trend before this date\n"
    "  --users FILE       a User export (Id, Username, Name, Email, Profile, IsActive)\n"
    "                     to turn user ids into people\n"
    "  --rules FILE       category rules to add (they come before the shipped ones;\n"
    "                     format: data/salesforce-rules.tsv)\n"
    "  --format FORMAT    auto (default), api, setup or elf\n"
    "  --tz OFFSET        offset of times written without a zone, e.g. +01:00 (default UTC)\n"
    "  --date-order ORDER mdy (default) or dmy: how to read 1/3/2017 in a Setup download\n"
    "  --json             one JSON document with every table\n"
    "  --csv TABLE        one table as CSV: actions, users, clients, applications,\n"
    "                     login_types, apis, ips, days, categories, login_urls, ciphers\n"
    "  --tables LIST      compute only these tables (comma-separated; faster)\n"
    "  --top N            rows per list in the terminal report (default 10)\n"
    "  --strict           a malformed row is an error (default: reported and skipped)\n"
    "  --threads N        split large plain files between N threads (1 or 2; default 2)\n"
    "  --no-color         no terminal colours\n"
    "  -h, --help         this text\n"
    "\n"
    "exit codes: 0 no legacy logins, 1 legacy logins found, 2 usage or input error\n";

/* Tables of the report. Pairs (cfg.pairs indexes) give each row its "top" lists. */
enum {
    P_USER_APP, P_USER_IP, P_USER_CLIENT, P_CLIENT_USER, P_APP_USER, P_IP_USER, P_COUNT
};

static const char *const client_parts[] = { "application", "client_version", "browser", "platform" };
static const char *const api_parts[] = { "api_type", "api_version" };

static const struct agg_table_spec all_tables[] = {
    { .dim = AGG_USER, .name = "users", .key = "user", .title = "Users on legacy TLS", .order = AGG_BY_LEGACY,
      .text_legacy_only = 1, .text_by_category = 1, .summary_count = 1,
      .tops = { { P_USER_APP, "applications", "application", 10 }, { P_USER_CLIENT, "clients", "client", 10 },
                { P_USER_IP, "ips", "client_ip", 10 } },
      .n_tops = 3 },
    { .dim = AGG_CLIENT, .name = "clients", .key = "client", .title = "Clients on legacy TLS",
      .parts = client_parts, .n_parts = 4, .order = AGG_BY_LEGACY, .text_legacy_only = 1,
      .text_by_category = 1, .summary_count = 1,
      .tops = { { P_CLIENT_USER, "users", "user", 10 } }, .n_tops = 1 },
    { .dim = AGG_APPLICATION, .name = "applications", .key = "application", .order = AGG_BY_LEGACY,
      .summary_count = 1, .tops = { { P_APP_USER, "users", "user", 10 } }, .n_tops = 1 },
    { .dim = AGG_LOGIN_TYPE, .name = "login_types", .key = "login_type", .order = AGG_BY_LEGACY },
    { .dim = AGG_API, .name = "apis", .key = "api", .parts = api_parts, .n_parts = 2, .order = AGG_BY_LEGACY },
    { .dim = AGG_CLIENT_IP, .name = "ips", .key = "client_ip", .title = "Source IPs on legacy TLS",
      .order = AGG_BY_LEGACY, .text_legacy_only = 1, .summary_count = 1,
      .tops = { { P_IP_USER, "users", "user", 10 } }, .n_tops = 1 },
    { .dim = AGG_DAY, .name = "days", .key = "day", .order = AGG_BY_KEY },
    { .dim = AGG_CATEGORY, .name = "categories", .key = "category", .order = AGG_BY_LEGACY },
    { .dim = AGG_SERVER, .name = "login_urls", .key = "login_url", .order = AGG_BY_LEGACY },
    { .dim = AGG_CIPHER, .name = "ciphers", .key = "cipher", .order = AGG_BY_LEGACY },
};
#define N_TABLES ((int)(sizeof all_tables / sizeof all_tables[0]))

struct logins {
    const struct sf_users *users;
    struct tr_buf reports;
    size_t n_reports;
    uint64_t skipped;
    const char *const *files;
    int n_files;
};

/* ---------------------------------------------------------------- hooks: people from --users */

static const struct sf_user *person(const struct logins *L, const struct agg_row *r)
{
    if (!L->users || !r->key_len)
        return NULL;
    const struct sf_user *u = sf_users_by_username(L->users, r->key, r->key_len);
    return u ? u : sf_users_by_id(L->users, r->key, r->key_len);
}

static void hook_json_row(void *ctx, const struct agg_table_spec *t, const struct agg_row *r, struct json_writer *w)
{
    const struct logins *L = ctx;
    if (t->dim != AGG_USER || !L->users)
        return;
    const struct sf_user *u = person(L, r);
    json_key(w, "user_id");
    json_string(w, u ? u->id : NULL);
    json_key(w, "name");
    json_string(w, u ? u->name : NULL);
    json_key(w, "email");
    json_string(w, u ? u->email : NULL);
    json_key(w, "profile");
    json_string(w, u ? u->profile : NULL);
    json_key(w, "active");
    if (u && u->active)
        json_bool(w, strcasecmp(u->active, "true") == 0 || strcmp(u->active, "1") == 0);
    else
        json_null(w);
}

static void hook_csv_header(void *ctx, const struct agg_table_spec *t, struct tr_buf *out)
{
    const struct logins *L = ctx;
    if (t->dim != AGG_USER || !L->users)
        return;
    csv_field(out, "name", 0);
    csv_field(out, "email", 0);
    csv_field(out, "profile", 0);
}

static void hook_csv_row(void *ctx, const struct agg_table_spec *t, const struct agg_row *r, struct tr_buf *out)
{
    const struct logins *L = ctx;
    if (t->dim != AGG_USER || !L->users)
        return;
    const struct sf_user *u = person(L, r);
    csv_field(out, u ? u->name : NULL, 0);
    csv_field(out, u ? u->email : NULL, 0);
    csv_field(out, u ? u->profile : NULL, 0);
}

static const char *hook_label(void *ctx, const struct agg_table_spec *t, const struct agg_row *r, char *buf,
                              size_t cap)
{
    const struct logins *L = ctx;
    if (t->dim != AGG_USER)
        return NULL;
    const struct sf_user *u = person(L, r);
    if (!u || !u->name)
        return NULL;
    snprintf(buf, cap, "%s (%s)", u->username ? u->username : r->key, u->name);
    return buf;
}

static void hook_json_summary(void *ctx, struct json_writer *w)
{
    const struct logins *L = ctx;
    json_key(w, "files");
    json_array_begin(w);
    for (int i = 0; i < L->n_files; i++)
        json_string(w, L->files[i]);
    json_array_end(w);
    json_key(w, "malformed_rows");
    json_array_begin(w);
    const char *p = L->reports.len ? (const char *)L->reports.base : "";
    const char *end = p + L->reports.len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        json_string_n(w, p, n);
        p += n + 1;
    }
    json_array_end(w);
}

/* ---------------------------------------------------------------- the action list */

static int informative(const char *p, size_t n)
{
    return n && !(n == 3 && memcmp(p, "N/A", 3) == 0) && !(n == 7 && memcmp(p, "Unknown", 7) == 0);
}

/* A client key as people read it: "Salesforce for Outlook 2.9.3 (Windows 7)", "Browser (IE 10, Windows 7)". */
static const char *client_text(const struct agg_row *c, char *buf, size_t cap)
{
    size_t l[4] = { 0 };
    const char *p[4];
    for (int q = 0; q < 4; q++)
        if (!(p[q] = agg_key_part(c->key, c->key_len, q, &l[q])))
            l[q] = 0, p[q] = "";
    int app = informative(p[0], l[0]);
    size_t at = 0;
    if (app)
        at += (size_t)snprintf(buf, cap, "%.*s%s%.*s", (int)l[0], p[0], informative(p[1], l[1]) ? " " : "",
                               informative(p[1], l[1]) ? (int)l[1] : 0, p[1]);
    else
        at += (size_t)snprintf(buf, cap, "%.*s", informative(p[2], l[2]) ? (int)l[2] : 0, p[2]);
    int details = 0;
    for (int q = app ? 2 : 3; q < 4 && at < cap; q++) {
        if (!informative(p[q], l[q]))
            continue;
        at += (size_t)snprintf(buf + at, cap - at, "%s%.*s", details++ ? ", " : at ? " (" : "(", (int)l[q], p[q]);
    }
    if (details && at < cap)
        snprintf(buf + at, cap - at, ")");
    if (!buf[0])
        snprintf(buf, cap, "(unknown client)");
    return buf;
}

/*
 * --csv actions: one line per user still on legacy TLS, what an admin needs
 * to contact them: who, what they use, when they were last seen.
 */
static void write_actions(struct tr_buf *out, struct aggregate *a, const struct logins *L)
{
    static const char *const head[] = { "username", "name", "email", "profile", "category", "legacy_logins",
                                        "legacy_versions", "uses", "ips", "first_legacy", "last_legacy",
                                        "last_seen" };
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        csv_field(out, head[i], i == 0);
    csv_row_end(out);
    size_t n;
    const struct agg_row **rows = aggregate_sorted(a, AGG_USER, AGG_BY_LEGACY, 1, &n);
    const struct agg_config *cfg = aggregate_config(a);
    struct tr_buf list;
    tr_buf_init(&list, NULL, 0);
    char tb[32], kb[512];
    for (size_t i = 0; i < n; i++) {
        const struct agg_row *r = rows[i];
        const struct sf_user *u = person(L, r);
        csv_field(out, u && u->username ? u->username : r->key, 1);
        csv_field(out, u ? u->name : NULL, 0);
        csv_field(out, u ? u->email : NULL, 0);
        csv_field(out, u ? u->profile : NULL, 0);
        csv_field(out, aggregate_category_name(a, agg_row_category(r, cfg->n_categories)), 0);
        csv_field_u64(out, r->legacy + r->failed_legacy, 0);
        list.len = 0;
        for (int v = 0; v < cfg->min_version; v++)
            if (r->versions[v])
                tr_buf_printf(&list, "%s%s", list.len ? " " : "", tls_version_name(v));
        csv_field(out, tr_buf_cstr(&list), 0);
        for (int k = 0; k < 2; k++) {
            const struct agg_row *top[5];
            size_t m = aggregate_top(a, k == 0 ? P_USER_CLIENT : P_USER_IP, r, top, NULL, 5);
            list.len = 0;
            for (size_t j = 0; j < m; j++) {
                const char *s = top[j]->key;
                if (k == 0)
                    s = client_text(top[j], kb, sizeof kb);
                tr_buf_printf(&list, "%s%s", j ? "; " : "", s);
            }
            csv_field(out, tr_buf_cstr(&list), 0);
        }
        csv_field(out, agg_format_time(r->first_legacy, tb, sizeof tb), 0);
        csv_field(out, agg_format_time(r->last_legacy, tb, sizeof tb), 0);
        csv_field(out, agg_format_time(r->last_seen, tb, sizeof tb), 0);
        csv_row_end(out);
    }
    tr_buf_free(&list);
    free(rows);
}

/* ---------------------------------------------------------------- options */

struct options {
    int min;
    int64_t cutover;
    const char *users, *rules, *csv;
    enum sf_format format;
    int32_t tz;
    int json, strict, threads, top, color, day_first;
    uint64_t split_min;
    uint32_t dims;       /* --tables: 0 = all */
};

static int parse_tz(const char *s, int32_t *off)
{
    int sign = *s == '-' ? -1 : 1;
    if (*s != '+' && *s != '-')
        return -1;
    int hh, mm = 0;
    char extra;
    if (sscanf(s + 1, "%2d:%2d%c", &hh, &mm, &extra) != 2 && sscanf(s + 1, "%2d%2d%c", &hh, &mm, &extra) != 2 &&
        sscanf(s + 1, "%2d%c", &hh, &extra) != 1)
        return -1;
    if (hh > 14 || mm > 59)
        return -1;
    *off = sign * (hh * 3600 + mm * 60);
    return 0;
}

static int parse_tables(const char *list, uint32_t *dims)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    *dims = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int found = 0;
        for (int i = 0; i < N_TABLES; i++)
            if (strcmp(all_tables[i].name, t) == 0) {
                *dims |= AGG_DIM_BIT(all_tables[i].dim);
                found = 1;
            }
        if (strcmp(t, "actions") == 0) {
            *dims |= AGG_DIM_BIT(AGG_USER) | AGG_DIM_BIT(AGG_CLIENT) | AGG_DIM_BIT(AGG_CLIENT_IP);
            found = 1;
        }
        if (!found) {
            fprintf(stderr, "tlsready logins: unknown table '%s'\n", t);
            return -1;
        }
    }
    return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        { "min", required_argument, 0, 'm' },     { "cutover", required_argument, 0, 'c' },
        { "users", required_argument, 0, 'u' },   { "rules", required_argument, 0, 'r' },
        { "format", required_argument, 0, 'f' },  { "tz", required_argument, 0, 'z' },
        { "json", no_argument, 0, 'j' },          { "csv", required_argument, 0, 'C' },
        { "tables", required_argument, 0, 'T' },  { "top", required_argument, 0, 'n' },
        { "strict", no_argument, 0, 's' },        { "threads", required_argument, 0, 't' },
        { "no-color", no_argument, 0, 'N' },      { "help", no_argument, 0, 'h' },
        { "split-min", required_argument, 0, 'S' }, { "date-order", required_argument, 0, 'D' },
        { 0, 0, 0, 0 },
    };
    memset(o, 0, sizeof *o);
    o->min = TLSV_TLS12;
    o->cutover = OBS_TIME_UNKNOWN;
    o->threads = 2;
    o->top = 10;
    o->color = isatty(1);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm':
            o->min = tls_version_parse_option(optarg);
            if (o->min == TLSV_NONE || o->min == TLSV_SSL3) {
                fprintf(stderr, "tlsready logins: --min: expected tls1.0, tls1.1, tls1.2 or tls1.3, not '%s'\n", optarg);
                return -1;
            }
            break;
        case 'c':
            if (agg_parse_date(optarg, &o->cutover) < 0) {
                fprintf(stderr, "tlsready logins: --cutover: expected YYYY-MM-DD, not '%s'\n", optarg);
                return -1;
            }
            break;
        case 'u': o->users = optarg; break;
        case 'r': o->rules = optarg; break;
        case 'f': {
            int f = sf_format_parse(optarg);
            if (f < 0) {
                fprintf(stderr, "tlsready logins: --format: expected auto, api, setup or elf, not '%s'\n", optarg);
                return -1;
            }
            o->format = (enum sf_format)f;
            break;
        }
        case 'z':
            if (parse_tz(optarg, &o->tz) < 0) {
                fprintf(stderr, "tlsready logins: --tz: expected an offset like +01:00 or -0500, not '%s'\n", optarg);
                return -1;
            }
            break;
        case 'j': o->json = 1; break;
        case 'C': o->csv = optarg; break;
        case 'T':
            if (parse_tables(optarg, &o->dims) < 0)
                return -1;
            break;
        case 'n':
            o->top = atoi(optarg);
            if (o->top <= 0) {
                fprintf(stderr, "tlsready logins: --top: expected a positive number\n");
                return -1;
            }
            break;
        case 's': o->strict = 1; break;
        case 't':
            o->threads = atoi(optarg);
            if (o->threads < 1 || o->threads > 64) {
                fprintf(stderr, "tlsready logins: --threads: expected 1 or more\n");
                return -1;
            }
            break;
        case 'N': o->color = 0; break;
        case 'D':
            if (strcmp(optarg, "mdy") && strcmp(optarg, "dmy")) {
                fprintf(stderr, "tlsready logins: --date-order: expected mdy or dmy, not '%s'\n", optarg);
                return -1;
            }
            o->day_first = strcmp(optarg, "dmy") == 0;
            break;
        case 'S': o->split_min = strtoull(optarg, NULL, 10); break; /* tests: split small files too */
        case 'h': fputs(usage_text, stdout); return 1;
        default:
            fprintf(stderr, "tlsready logins: unknown or incomplete option '%s'\n%s", argv[optind - 1], usage_text);
            return -1;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "tlsready logins: no input file\n%s", usage_text);
        return -1;
    }
    if (o->json && o->csv) {
        fprintf(stderr, "tlsready logins: --json and --csv exclude each other\n");
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- the command */

static void make_config(const struct options *o, uint32_t dims, struct agg_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->min_version = o->min;
    cfg->classify = sf_classify_login;
    cfg->category_names = sf_category_names;
    cfg->n_categories = SF_CAT_COUNT;
    cfg->dims = dims;
    static const struct agg_pair_spec pairs[P_COUNT] = {
        [P_USER_APP] = { AGG_USER, AGG_APPLICATION, 1 }, [P_USER_IP] = { AGG_USER, AGG_CLIENT_IP, 1 },
        [P_USER_CLIENT] = { AGG_USER, AGG_CLIENT, 1 },   [P_CLIENT_USER] = { AGG_CLIENT, AGG_USER, 1 },
        [P_APP_USER] = { AGG_APPLICATION, AGG_USER, 1 }, [P_IP_USER] = { AGG_CLIENT_IP, AGG_USER, 1 },
    };
    /* a pair enables both of its tables: cmd_logins drops the pairs when --tables leaves one out */
    cfg->n_pairs = P_COUNT;
    for (int p = 0; p < P_COUNT; p++)
        cfg->pairs[p] = pairs[p];
}

int cmd_logins(int argc, char **argv)
{
    struct options o;
    int rc = parse_options(argc, argv, &o);
    if (rc)
        return rc > 0 ? EXIT_OK : EXIT_USAGE;

    struct tr_error err = { { 0 } };
    struct logins L = { .files = (const char *const *)argv + optind, .n_files = argc - optind };
    tr_buf_init(&L.reports, NULL, 0);
    struct sf_users *users = NULL;
    struct sf_rules *rules = sf_rules_new();
    struct sf_classifier *classifier = NULL;
    struct aggregate *agg = NULL;
    int exit_code = EXIT_USAGE;
    if (!rules)
        goto out;
    if (o.rules && sf_rules_add_file(rules, o.rules, &err) < 0) {
        fprintf(stderr, "tlsready logins: --rules: %s\n", err.msg);
        goto out;
    }
    if (sf_rules_add_text(rules, sf_rules_default, strlen(sf_rules_default), "built-in rules", &err) < 0) {
        fprintf(stderr, "tlsready logins: %s\n", err.msg);
        goto out;
    }
    if (o.users && !(users = sf_users_load(o.users, &err))) {
        fprintf(stderr, "tlsready logins: --users: %s\n", err.msg);
        goto out;
    }
    L.users = users;

    /* which tables: all, or --tables, and what --csv needs */
    uint32_t dims = 0;
    for (int i = 0; i < N_TABLES; i++)
        dims |= AGG_DIM_BIT(all_tables[i].dim);
    if (o.dims)
        dims = o.dims;
    if (o.csv) {
        uint32_t need;
        if (parse_tables(o.csv, &need) < 0)
            goto out;
        if (o.dims && (need & ~o.dims)) {
            fprintf(stderr, "tlsready logins: --csv %s is not among --tables\n", o.csv);
            goto out;
        }
        /* without --tables every table is computed: the top lists need them */
    }
    struct agg_config cfg;
    make_config(&o, dims, &cfg);
    /* the top lists need all their tables; with a subset (--tables) they are left out */
    int all_pairs = 1;
    for (int p = 0; p < cfg.n_pairs; p++)
        all_pairs &= (dims & AGG_DIM_BIT(cfg.pairs[p].a)) && (dims & AGG_DIM_BIT(cfg.pairs[p].b));
    if (!all_pairs)
        cfg.n_pairs = 0;
    classifier = sf_classifier_new(rules);
    cfg.classify_ctx = classifier;
    agg = classifier ? aggregate_new(&cfg) : NULL;
    if (!agg) {
        fprintf(stderr, "tlsready logins: out of memory\n");
        goto out;
    }

    struct sf_ingest_opts io = {
        .format = o.format, .strict = o.strict, .tz_offset = o.tz, .day_first = o.day_first, .users = users, .rules = rules,
        .threads = o.threads, .split_min = o.split_min, .max_reports = 10,
    };
    struct sf_ingest_stats st = { .reports = &L.reports };
    for (int i = 0; i < L.n_files; i++) {
        if (sf_ingest_file(L.files[i], &io, agg, &cfg, &st, &err) < 0) {
            fprintf(stderr, "tlsready logins: %s\n", err.msg);
            goto out;
        }
    }
    L.skipped = st.skipped;
    if (st.skipped) {
        fprintf(stderr, "tlsready logins: %llu malformed row%s skipped", (unsigned long long)st.skipped,
                st.skipped == 1 ? "" : "s");
        fprintf(stderr, st.skipped > st.n_reports ? " (the first %zu):\n" : ":\n", st.n_reports);
        fwrite(L.reports.base, 1, L.reports.len, stderr);
    }

    /* the report: only the tables that were computed */
    struct agg_table_spec tables[N_TABLES];
    int nt = 0;
    for (int i = 0; i < N_TABLES; i++) {
        if (!(dims & AGG_DIM_BIT(all_tables[i].dim)))
            continue;
        tables[nt] = all_tables[i];
        tables[nt].text_limit = o.top;
        if (!cfg.n_pairs)
            tables[nt].n_tops = 0;
        nt++;
    }
    struct agg_report rep = {
        .command = "logins", .unit = "logins", .rows_read = st.rows, .rows_skipped = st.skipped,
        .cutover = o.cutover, .tables = tables, .n_tables = nt,
        .hooks = { .ctx = &L, .json_summary = hook_json_summary, .json_row = hook_json_row,
                   .csv_header = hook_csv_header, .csv_row = hook_csv_row, .text_label = hook_label },
        .category_titles = sf_category_titles,
    };
    struct tr_buf out;
    tr_buf_init(&out, NULL, 0);
    if (o.json) {
        agg_write_json(&out, agg, &rep);
    } else if (o.csv && strcmp(o.csv, "actions") == 0) {
        write_actions(&out, agg, &L);
    } else if (o.csv) {
        const struct agg_table_spec *t = agg_report_table(&rep, o.csv);
        if (!t) {
            fprintf(stderr, "tlsready logins: --csv: unknown table '%s'\n", o.csv);
            tr_buf_free(&out);
            goto out;
        }
        agg_write_csv(&out, agg, &rep, t);
    } else {
        agg_write_text(&out, agg, &rep, o.color);
    }
    if (agg_flush(&out, stdout) < 0) {
        fprintf(stderr, "tlsready logins: cannot write the report\n");
        goto out;
    }
    const struct agg_row *tot = aggregate_totals(agg);
    exit_code = tot->legacy + tot->failed_legacy ? EXIT_FINDINGS : EXIT_OK;
out:
    aggregate_free(agg);
    sf_classifier_free(classifier);
    sf_rules_free(rules);
    sf_users_free(users);
    tr_buf_free(&L.reports);
    return exit_code;
}
