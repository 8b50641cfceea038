/*
 * Writers for an aggregate (analyze/aggregate.h): the terminal summary with top
 * tables (agg_text.c), the JSON document (agg_json.c) and one table as CSV
 * (agg_csv.c). They never compute policy: they render what the aggregate
 * counted. A command describes what to show with a `struct agg_report`: which
 * tables, in what order, under which names, with which "top" lists, and
 * optional hooks for its own extra fields (e.g. logins adds a user's name and
 * e-mail from a User export).
 *
 * JSON document shape (every command that uses these writers):
 *   {"command": "...", "min": "tls1.2",
 *    "summary": {"rows_read": N, "rows_skipped": N, "total": N,
 *                "versions": {"ssl3": N, ..., "unknown": N}, "legacy": N,
 *                "legacy_share": 0.123, "failed": N, "failed_legacy": N,
 *                "first_seen": ISO|null, "last_seen": ISO|null,
 *                "distinct_<table>": N, "legacy_<table>": N, ...
 *                [, "categories": [{"category", "legacy", "total", "legacy_<table>": N}]]
 *                [, "trend": {...}] <extra summary hook>},
 *    "<table>": [ row, ... ], ...}
 *   row: {"<key>": "...", [key parts], "versions": {...}, "total", "legacy",
 *         "legacy_share", "failed", "failed_legacy", "first_seen", "last_seen",
 *         "first_legacy", "last_legacy", ["offered": {...}], ["category"],
 *         ["<top name>": [{"<b key>": "...", "legacy": N, "total": N}], ...]
 *         <extra row hook>}
 * Times are ISO 8601 UTC ("2017-03-01T10:22:33Z") or null.
 */
#ifndef TR_REPORT_AGG_REPORT_H
#define TR_REPORT_AGG_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "analyze/aggregate.h"
#include "report/json.h"
#include "util/buf.h"

#define AGG_REPORT_MAX_TOPS 4

/* A "top" list shown inside each row of a table: the b-values of pair `pair`. */
struct agg_top_spec {
    int pair;            /* index into the aggregate config's pairs (its a dim = the table's dim) */
    const char *name;    /* JSON/CSV name of the list, e.g. "applications" */
    const char *key;     /* JSON key of each element's value, e.g. "application" */
    size_t max;          /* how many to list (JSON, CSV); the text shows fewer */
};

/* One table of the report. */
struct agg_table_spec {
    enum agg_dim dim;
    const char *name;        /* JSON member and --csv name: "users", "clients", "days" */
    const char *key;         /* each row's key member: "user", "client", "day" */
    const char *title;       /* terminal heading, e.g. "Users on legacy TLS" */
    const char *const *parts;/* names of the key parts for multi-part keys (NULL: none) */
    int n_parts;
    enum agg_order order;    /* AGG_BY_LEGACY for most, AGG_BY_KEY for days */
    int text_legacy_only;    /* terminal lists only rows with legacy */
    int text_by_category;    /* terminal: one top list per category */
    int text_limit;          /* rows per terminal list (0: 10) */
    int summary_count;       /* put distinct_<name>/legacy_<name> into the summary */
    struct agg_top_spec tops[AGG_REPORT_MAX_TOPS];
    int n_tops;
};

/* Hooks for a command's own fields; any may be NULL. */
struct agg_report_hooks {
    void *ctx;
    /* extra members inside "summary" */
    void (*json_summary)(void *ctx, struct json_writer *w);
    /* extra members of a row object */
    void (*json_row)(void *ctx, const struct agg_table_spec *t, const struct agg_row *r, struct json_writer *w);
    /* extra CSV columns: header names, then fields for a row (csv_field(out, s, 0)) */
    void (*csv_header)(void *ctx, const struct agg_table_spec *t, struct tr_buf *out);
    void (*csv_row)(void *ctx, const struct agg_table_spec *t, const struct agg_row *r, struct tr_buf *out);
    /* a display label for a row in the terminal (e.g. "Jane Doe <jane@x>"); NULL = key */
    const char *(*text_label)(void *ctx, const struct agg_table_spec *t, const struct agg_row *r, char *buf,
                              size_t cap);
};

struct agg_report {
    const char *command;      /* "logins", "logs", "pcap" */
    const char *unit;         /* what one observation is: "logins", "requests", "handshakes" */
    uint64_t rows_read;       /* input records read (what the parser saw) */
    uint64_t rows_skipped;    /* malformed records skipped */
    int64_t cutover;          /* --cutover date (UTC seconds) or OBS_TIME_UNKNOWN */
    const struct agg_table_spec *tables;
    int n_tables;
    struct agg_report_hooks hooks;
    const char *const *category_titles; /* terminal names of the categories (NULL: their names) */
};

/* Terminal report: summary first, then each table's top rows. */
void agg_write_text(struct tr_buf *out, struct aggregate *a, const struct agg_report *r, int color);
/* The JSON document above, ending with "\n". */
void agg_write_json(struct tr_buf *out, struct aggregate *a, const struct agg_report *r);
/*
 * One table as CSV: header row then one row per key (table order, all rows).
 * Columns: key (or its parts), ssl3..tls1.3, unknown, total, legacy, failed,
 * failed_legacy, first_seen, last_seen, first_legacy, last_legacy, category
 * (when the aggregate has categories), one column per top list ("a; b; c"),
 * then the hook's columns.
 */
void agg_write_csv(struct tr_buf *out, struct aggregate *a, const struct agg_report *r,
                   const struct agg_table_spec *t);
/* The table named `name` in r, or NULL. */
const struct agg_table_spec *agg_report_table(const struct agg_report *r, const char *name);

/* Writes the buffer to f and frees it; -1 on a write error or a failed buffer. */
int agg_flush(struct tr_buf *out, FILE *f);

#endif
