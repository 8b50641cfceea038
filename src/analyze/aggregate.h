/*
 * The aggregation engine (DESIGN.md "aggregation"): every client-side source
 * (logins, logs, pcap, serve) feeds `struct observation`s into one of these and
 * the report writers (report/agg_*.h) render the tables it keeps.
 *
 * An aggregate holds one table per enabled dimension (user, client, client IP,
 * day, server, ...). A row is keyed by the dimension's value and counts
 * observations per negotiated version slot, legacy ones (below --min), failed
 * ones (success == 0, counted apart), first/last seen and first/last legacy.
 * Optional pair tables count (a, b) combinations, e.g. which applications and
 * IPs a user connected from with legacy TLS; writers read them as the "top"
 * values of a row (aggregate_top).
 *
 * Memory grows with the number of distinct keys only: keys are copied once
 * into an arena, rows live in one dense array per table, and an open-addressing
 * hash table indexes them.
 *
 * Aggregates are mergeable: aggregate_merge(into, from) over two aggregates fed
 * with two halves of an input gives exactly the aggregate of the whole input.
 * Threads use that (one aggregate per thread, merged at the end); so can a
 * batch scheduler that splits a run across machines.
 *
 * Not thread-safe: one aggregate per thread.
 */
#ifndef TR_ANALYZE_AGGREGATE_H
#define TR_ANALYZE_AGGREGATE_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/observation.h"
#include "tls/version.h"

/* The dimensions a table can be keyed by. */
enum agg_dim {
    AGG_USER = 0,      /* obs->user, else obs->user_id */
    AGG_CLIENT,        /* application + client version + browser + platform (4 key parts) */
    AGG_APPLICATION,   /* obs->application */
    AGG_LOGIN_TYPE,    /* obs->login_type */
    AGG_API,           /* api type + api version (2 key parts) */
    AGG_CLIENT_IP,     /* obs->client_ip */
    AGG_DAY,           /* "YYYY-MM-DD" (UTC) of obs->time; "" when unknown */
    AGG_SERVER,        /* obs->server (server name, SNI, login URL host) */
    AGG_USER_AGENT,    /* obs->user_agent */
    AGG_FINGERPRINT,   /* obs->fingerprint */
    AGG_CIPHER,        /* obs->cipher */
    AGG_CATEGORY,      /* the classifier's category name (needs cfg.classify) */
    AGG_DIM_COUNT
};

#define AGG_DIM_BIT(d) (1u << (d))

/* Key parts are joined with this byte inside a key (AGG_CLIENT, AGG_API). */
#define AGG_KEY_SEP '\x1f'

#define AGG_MAX_CATEGORIES 8
#define AGG_MAX_PAIRS 8
#define AGG_NO_CATEGORY (-1)

/* Which version makes an observation legacy. */
enum agg_legacy_rule {
    /* the negotiated version; when it is not known, the highest offered (default) */
    AGG_LEGACY_NEGOTIATED = 0,
    /* the highest version offered when known (what breaks at the cut-over), else negotiated */
    AGG_LEGACY_OFFERED,
};

/* A pair table: counts observations per (a, b), e.g. (AGG_USER, AGG_APPLICATION). */
struct agg_pair_spec {
    enum agg_dim a, b;
    int legacy_only;  /* count only legacy observations (failed legacy ones too) */
};

/*
 * Returns the category index (0 .. n_categories-1) of an observation, or
 * AGG_NO_CATEGORY. Called once per observation, from the thread that calls
 * aggregate_add; `ctx` is cfg.classify_ctx (read-only rules are safe to share).
 */
typedef int (*agg_classify_fn)(void *ctx, const struct observation *obs);

struct agg_config {
    uint32_t dims;                /* OR of AGG_DIM_BIT(d) */
    int min_version;              /* enum tls_version: below it is legacy (e.g. TLSV_TLS12) */
    enum agg_legacy_rule legacy_rule;
    agg_classify_fn classify;     /* NULL: no categories */
    void *classify_ctx;
    const char *const *category_names; /* n_categories names, static storage */
    int n_categories;             /* <= AGG_MAX_CATEGORIES */
    struct agg_pair_spec pairs[AGG_MAX_PAIRS];
    int n_pairs;                  /* a pair's dims are enabled automatically */
};

/* Keys shorter than this live inside their row (one cache miss less per lookup). */
#define AGG_INLINE_KEY 40

/*
 * One row of a dimension table. All counters cover the observations of this key.
 * Rows (and the key of a short key) move when their table grows: pointers to
 * rows and keys are valid until the next aggregate_add or aggregate_merge.
 */
struct agg_row {
    /* the counters every add touches come first, in two cache lines */
    uint64_t versions[TLSV_SLOTS];/* non-failed observations per negotiated version; unknown slot too */
    uint64_t total;               /* non-failed observations (= sum of versions[]) */
    uint64_t legacy;              /* non-failed legacy observations */
    int64_t first_seen, last_seen;     /* over all observations; OBS_TIME_UNKNOWN when none known */
    int64_t first_legacy, last_legacy; /* over legacy observations, failed or not */
    uint64_t failed;              /* observations with success == 0 (not in versions[]/total) */
    uint64_t failed_legacy;       /* failed ones whose version was legacy */
    uint64_t offered[TLSV_SLOTS]; /* per highest offered version (only where obs->max_offered known) */
    const char *key;              /* NUL-terminated (in the row or the arena); "" = not known */
    uint32_t key_len;
    uint32_t index;               /* position in its table (stable while the aggregate lives) */
    char inline_key[AGG_INLINE_KEY];
    uint64_t cat_all[AGG_MAX_CATEGORIES];    /* observations per category */
    uint64_t cat_legacy[AGG_MAX_CATEGORIES]; /* legacy (failed or not) per category */
};

/* One row of a pair table: indexes of the a and b rows in their own tables. */
struct agg_pair_row {
    uint32_t a, b;
    uint64_t total, legacy, failed, failed_legacy;
    int64_t first_seen, last_seen, first_legacy, last_legacy;
};

struct aggregate;

/* Creates an empty aggregate; NULL on a bad config (too many categories or pairs) or no memory. */
struct aggregate *aggregate_new(const struct agg_config *cfg);
void aggregate_free(struct aggregate *a);
const struct agg_config *aggregate_config(const struct aggregate *a);

/* Is `version` (enum tls_version, or TLSV_UNKNOWN/TLSV_NONE) below the minimum? Unknown is never legacy. */
int aggregate_is_legacy_version(const struct aggregate *a, int version);

/* Counts one observation in every enabled table. Returns 0, or -1 when out of memory
 * (the aggregate then stops counting and aggregate_failed() says so). */
int aggregate_add(struct aggregate *a, const struct observation *obs);
/* n identical observations at once (same keys, version, outcome), first seen at
 * obs->time and last at last_time: the same counts as n aggregate_add() calls.
 * Used by `logs`, which pre-combines repeated requests. */
int aggregate_add_n(struct aggregate *a, const struct observation *obs, uint64_t n, int64_t last_time);
int aggregate_failed(const struct aggregate *a);
/*
 * The same with the rows resolved by the caller, for a caller that meets the
 * same keys again and again (the `logs` combiner resolves each distinct
 * client, agent, server ... once): aggregate_row_of gives the row index that
 * aggregate_add would use for `dim` given o (the row is created when new), and
 * aggregate_add_n_at counts items[0..n): item i is n observations with its
 * version, offered, outcome, first and last time, at rows idx[d] of the dims
 * d in `parts` (AGG_DIM_BIT(d) | ...), in the pairs of two such dims, and in
 * the totals when parts has AGG_AT_TOTALS (rows of the batch are loaded
 * together). The whole of an observation is counted once all its parts are:
 * a caller may count the day of each request apart from its other keys.
 * Indexes stay valid while the aggregate lives. Not for aggregates with a
 * classifier (the category is a per-observation key): both return -1 then,
 * and -1 when out of memory or when an index is not a row of its table.
 */
struct agg_at {
    uint32_t idx[AGG_DIM_COUNT];
    int version, max_offered, success; /* as in struct observation */
    int64_t first, last;
    uint64_t n;
};
int64_t aggregate_row_of(struct aggregate *a, enum agg_dim dim, const struct observation *o);
#define AGG_AT_TOTALS (1u << 31)
int aggregate_add_n_at(struct aggregate *a, const struct agg_at *items, size_t n, uint32_t parts);
/*
 * The same as aggregate_add over obs[0..n), faster on large tables: keys are
 * looked up AGG_BATCH at a time with their cache misses overlapped. The
 * observations' strings must stay valid for the call.
 */
#define AGG_BATCH 32
int aggregate_add_batch(struct aggregate *a, const struct observation *const *obs, size_t n);

/*
 * Adds every count of `from` into `into`. Both must have been created with the
 * same config (same dims, min version, categories and pairs): returns -1 otherwise
 * or when out of memory. `from` is unchanged.
 */
int aggregate_merge(struct aggregate *into, const struct aggregate *from);

/* The whole input as one row (key ""): totals per version, legacy, failed, first/last. */
const struct agg_row *aggregate_totals(const struct aggregate *a);

/* Tables. rows() is the dense array in insertion order; NULL/0 for a disabled dim. */
size_t aggregate_count(const struct aggregate *a, enum agg_dim dim);
const struct agg_row *aggregate_rows(const struct aggregate *a, enum agg_dim dim);
/* Number of rows with legacy + failed_legacy > 0, e.g. "distinct legacy users". */
size_t aggregate_count_legacy(const struct aggregate *a, enum agg_dim dim);
/* Looks a key up (exact bytes; parts joined with AGG_KEY_SEP); NULL when absent. */
const struct agg_row *aggregate_find(const struct aggregate *a, enum agg_dim dim, const char *key, size_t len);

enum agg_order {
    AGG_BY_LEGACY = 0,  /* legacy + failed_legacy desc, then total desc, then key asc */
    AGG_BY_TOTAL,       /* total + failed desc, then key asc */
    AGG_BY_KEY,         /* key asc (bytewise): days in date order */
};
/*
 * A malloc'd array of pointers to the rows of `dim` in `order` (caller frees it
 * with free(); the rows stay owned by the aggregate). *n gets the count. When
 * legacy_only, rows without legacy (nor failed legacy) are left out.
 * Returns NULL with *n = 0 for an empty or disabled table (or no memory).
 */
const struct agg_row **aggregate_sorted(const struct aggregate *a, enum agg_dim dim, enum agg_order order,
                                        int legacy_only, size_t *n);

/*
 * The top `max` b-values paired with row `a_row` (a row of pair `pair`'s a dim),
 * by legacy count then total, into out[] (pointers to rows of the b dim) with
 * their pair rows in pair_out[] (may be NULL). Returns the number written.
 * The first call after adds/merges builds an index (O(pairs log pairs)).
 */
size_t aggregate_top(struct aggregate *a, int pair, const struct agg_row *a_row, const struct agg_row **out,
                     const struct agg_pair_row **pair_out, size_t max);
/* Number of distinct b-values paired with a_row (the "and N more" of a top list). */
size_t aggregate_top_count(struct aggregate *a, int pair, const struct agg_row *a_row);

/* The row's category: the most frequent among its legacy observations, else among
 * all; AGG_NO_CATEGORY when none. Ties go to the lower index. */
int agg_row_category(const struct agg_row *r, int n_categories);
/* Category name or NULL. */
const char *aggregate_category_name(const struct aggregate *a, int cat);

/* Part i (0-based) of a multi-part key: *len set; NULL when there is no such part. */
const char *agg_key_part(const char *key, size_t key_len, int i, size_t *len);

/* Dimension names used in JSON/CSV ("user", "client", "application", "login_type",
 * "api", "client_ip", "day", "server", "user_agent", "fingerprint", "cipher", "category"). */
const char *agg_dim_name(enum agg_dim dim);
/* Parses a dim name; -1 when unknown. */
int agg_dim_parse(const char *name);

/* Formats a time as ISO 8601 UTC "YYYY-MM-DDThh:mm:ssZ" into buf (>= 21 bytes);
 * returns NULL for OBS_TIME_UNKNOWN. */
const char *agg_format_time(int64_t t, char *buf, size_t cap);
/* "YYYY-MM-DD" (>= 11 bytes); NULL for OBS_TIME_UNKNOWN. */
const char *agg_format_day(int64_t t, char *buf, size_t cap);

#endif
