/*
 * Salesforce login records (specs/salesforce.md 1a-1c) as observations:
 *   api    LoginHistory rows exported through the API (sf CLI, Data Loader,
 *          Workbench): API field names (UserId, LoginTime, TlsProtocol, ...),
 *          any case and order, relationship columns such as User.Username;
 *          LoginEvent exports use the same names (Username, EventDate, ...).
 *   setup  the CSV downloaded from Setup > Login History: display labels
 *          ("Login Time", "TLS Protocol", "TLS Cipher Suite", ...).
 *   elf    Event Monitoring log files (EventLogFile, Login event type and any
 *          other type with TLS_PROTOCOL): USER_NAME, CLIENT_IP, TLS_PROTOCOL,
 *          TIMESTAMP_DERIVED, one-letter LOGIN_TYPE and API_TYPE codes.
 * Columns are found by header name: case, spaces and underscores do not matter.
 * Everything here is pure: bytes of a header or a row in, a mapping or an
 * observation out.
 */
#ifndef TR_INGEST_SALESFORCE_H
#define TR_INGEST_SALESFORCE_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/observation.h"
#include "ingest/csv.h"
#include "util/error.h"

enum sf_format { SF_AUTO = 0, SF_API, SF_SETUP, SF_ELF };

/* The columns we use. */
enum sf_col {
    SFC_USER_ID = 0,
    SFC_USER_ID_DERIVED, /* ELF 18-character id */
    SFC_USERNAME,
    SFC_TIME,            /* LoginTime, Login Time, EventDate, TIMESTAMP_DERIVED */
    SFC_TIMESTAMP,       /* ELF TIMESTAMP (YYYYMMDDhhmmss.sss), used when TIMESTAMP_DERIVED is absent */
    SFC_SOURCE_IP,
    SFC_CLIENT_IP,       /* ELF CLIENT_IP (preferred over SOURCE_IP) */
    SFC_LOGIN_TYPE,
    SFC_LOGIN_SUBTYPE,
    SFC_APPLICATION,
    SFC_BROWSER,         /* ELF BROWSER_TYPE is a raw User-Agent */
    SFC_PLATFORM,
    SFC_CLIENT_VERSION,
    SFC_API_TYPE,
    SFC_API_VERSION,
    SFC_TLS,
    SFC_CIPHER,
    SFC_STATUS,          /* Status, or ELF LOGIN_STATUS */
    SFC_LOGIN_URL,
    SFC_EVENT_TYPE,
    SFC_COUNT
};

struct sf_layout {
    enum sf_format format;
    int col[SFC_COUNT];     /* field index of each column, -1 when absent */
    size_t n_fields;        /* fields in the header row */
    int day_first;          /* M/D/YYYY dates are D/M/YYYY (set by the caller: --date-order dmy) */
};

/* Format name ("api", "setup", "elf") and parse ("auto" too); -1 when unknown. */
const char *sf_format_name(enum sf_format f);
int sf_format_parse(const char *s);

/*
 * Maps a header row. `force` is SF_AUTO or the --format value. Fails (with a
 * message saying what is missing) when there is no TLS protocol column or no
 * user column, since then nothing can be answered.
 */
int sf_layout_from_header(struct sf_layout *l, const struct csv_row *header, enum sf_format force,
                          struct tr_error *err);

/* A login as an observation plus the Salesforce fields the observation has no place for. */
struct sf_login {
    struct observation obs;   /* first member: the classifier gets &login->obs */
    const char *login_subtype;
    const char *event_type;
    char browser_buf[64];     /* "Chrome 51" derived from an ELF User-Agent */
};

struct sf_users; /* see sf_users_* below */

/*
 * Fills *lg from a row (fields already NUL-terminated with csv_terminate).
 * Strings point into the row or into static tables. `tz_offset` (seconds) is
 * added to times written without a zone. Returns 0, or -1 with err when the row
 * cannot be used (wrong number of fields, a time that does not parse).
 */
int sf_login_from_row(struct sf_login *lg, const struct sf_layout *l, const struct csv_row *row,
                      const struct sf_users *users, int32_t tz_offset, struct tr_error *err);

/*
 * Parses the date-time forms of specs/salesforce.md: ISO 8601 with "Z",
 * "+0000", "+00:00" or any offset, with or without fractions or "T"; ELF
 * "YYYYMMDDhhmmss.sss"; "YYYY-MM-DD hh:mm:ss GMT"; "M/D/YYYY h:mm[:ss] [AM|PM] [zone]"
 * (D/M/YYYY when day_first). A zone name other than GMT/UTC/Z is ignored;
 * `tz_offset` applies when no zone is written. Returns 0 and *t, or -1.
 */
int sf_parse_time(const char *s, size_t n, int day_first, int32_t tz_offset, int64_t *t);

/* "Chrome 51", "IE 11", "Java/1.6.0_45"... from a User-Agent, into buf. */
const char *sf_browser_from_ua(const char *ua, char *buf, size_t cap);

/* ELF code tables: LOGIN_TYPE "i" -> "Remote Access 2.0", API_TYPE "P" -> "SOAP Partner"; NULL when unknown. */
const char *sf_elf_login_type(const char *code);
const char *sf_elf_api_type(const char *code);

/* ---- users (--users FILE: a User export) ---- */

struct sf_user {
    const char *id;        /* as written (15 or 18 characters) */
    const char *username, *name, *email, *profile, *active;
};

/* Reads a User export (Id, Username, Name, Email, Profile.Name or Profile, IsActive; any order). */
struct sf_users *sf_users_load(const char *path, struct tr_error *err);
void sf_users_free(struct sf_users *u);
size_t sf_users_count(const struct sf_users *u);
/* By id: 15- and 18-character ids match on their first 15 characters. */
const struct sf_user *sf_users_by_id(const struct sf_users *u, const char *id, size_t len);
const struct sf_user *sf_users_by_username(const struct sf_users *u, const char *name, size_t len);

#endif
