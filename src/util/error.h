/*
 * Errors are values. A function that can fail returns 0 on success or -1 on
 * failure and fills a caller-provided `struct tr_error` with a message that says
 * where (file, line, offset) and what was expected. Library code never exits and
 * never prints; commands decide what to do with the message.
 *
 * Messages follow git's convention: lowercase, no final full stop, the subject quoted.
 */
#ifndef TR_ERROR_H
#define TR_ERROR_H

#define TR_ERRMSG_MAX 512

struct tr_error {
    char msg[TR_ERRMSG_MAX];
};

/* Sets err->msg (when err is not NULL) and returns -1, so callers can write
 * `return tr_errorf(err, "...")`. */
int tr_errorf(struct tr_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefixes an existing message, e.g. with the file name: "logins.csv: line 3: ..." */
int tr_error_prefix(struct tr_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
