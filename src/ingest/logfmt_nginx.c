/*
 * nginx: compiles a `log_format` string into a template, and reads one from
 * an nginx configuration file. Variables are `$name` or `${name}`; the ones we
 * need are mapped to fields, every other variable is skipped. nginx writes an
 * empty variable as "-", and in escape=default mode writes '"', '\' and bytes
 * outside 0x20..0x7e as \xHH.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ingest/logfmt_families.h"

/*
 * The preset "combined plus TLS fields": nginx's predefined `combined` format
 * followed by the negotiated protocol and cipher, the most common choice.
 */
const char LOGFMT_NGINX_PRESET[] =
    "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
    "\"$http_referer\" \"$http_user_agent\" $ssl_protocol $ssl_cipher";

static const struct {
    const char *name;
    uint8_t field, fixed;
} nginx_vars[] = {
    { "remote_addr", TF_CLIENT_IP, 0 },
    { "time_local", TF_TIME_CLF, 26 },
    { "time_iso8601", TF_TIME_ISO, 25 },
    { "ssl_protocol", TF_PROTOCOL, 0 },
    { "ssl_cipher", TF_CIPHER, 0 },
    { "ssl_server_name", TF_SNI, 0 },
    { "host", TF_HOST, 0 },
    { "http_host", TF_HOST, 0 },
    { "http_user_agent", TF_USER_AGENT, 0 },
};

static int is_name_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

int tpl_compile_nginx(struct tpl *t, const char *fmt, int escape, struct tr_error *err)
{
    tpl_begin(t, LOGFMT_NGINX, escape);
    const char *p = fmt;
    while (*p) {
        const char *dollar = strchr(p, '$');
        size_t lit = dollar ? (size_t)(dollar - p) : strlen(p);
        if (tpl_lit(t, p, lit, err))
            return -1;
        if (!dollar)
            break;
        const char *name = dollar + 1, *end;
        size_t nlen;
        if (*name == '{') {
            name++;
            end = strchr(name, '}');
            if (!end)
                return tr_errorf(err, "nginx format: '${' without '}' at offset %zu", (size_t)(dollar - fmt));
            nlen = (size_t)(end - name);
            end++;
        } else {
            end = name;
            while (is_name_char(*end))
                end++;
            nlen = (size_t)(end - name);
        }
        if (nlen == 0)
            return tr_errorf(err, "nginx format: '$' without a variable name at offset %zu", (size_t)(dollar - fmt));
        int field = TF_SKIP, fixed = 0;
        for (size_t i = 0; i < sizeof nginx_vars / sizeof nginx_vars[0]; i++)
            if (strlen(nginx_vars[i].name) == nlen && memcmp(nginx_vars[i].name, name, nlen) == 0) {
                field = nginx_vars[i].field;
                fixed = nginx_vars[i].fixed;
            }
        if (tpl_var(t, field, fixed, name, nlen, err))
            return tr_error_prefix(err, "nginx format: ");
        p = end;
    }
    return tpl_finish(t, err) ? tr_error_prefix(err, "nginx format: ") : 0;
}

/* ---- reading log_format from nginx.conf ------------------------------------ */

struct conf_lexer {
    const char *p, *e;
    size_t line;
};

enum { TOK_END = 0, TOK_WORD, TOK_SEMI, TOK_OPEN, TOK_CLOSE, TOK_ERROR };

/* Next token; a word or quoted string is unescaped into buf (truncated at cap). */
static int conf_next(struct conf_lexer *lx, char *buf, size_t cap, size_t *n)
{
    *n = 0;
    for (;;) {
        while (lx->p < lx->e && isspace((unsigned char)*lx->p)) {
            if (*lx->p == '\n')
                lx->line++;
            lx->p++;
        }
        if (lx->p < lx->e && *lx->p == '#') {
            while (lx->p < lx->e && *lx->p != '\n')
                lx->p++;
            continue;
        }
        break;
    }
    if (lx->p >= lx->e)
        return TOK_END;
    char c = *lx->p;
    if (c == ';' || c == '{' || c == '}') {
        lx->p++;
        return c == ';' ? TOK_SEMI : c == '{' ? TOK_OPEN : TOK_CLOSE;
    }
    if (c == '"' || c == '\'') {
        lx->p++;
        while (lx->p < lx->e && *lx->p != c) {
            char ch = *lx->p++;
            if (ch == '\n')
                lx->line++;
            if (ch == '\\' && lx->p < lx->e) {
                char x = *lx->p++;
                ch = x == 't' ? '\t' : x == 'n' ? '\n' : x == 'r' ? '\r' : x;
                if (x != c && x != '\\' && x != 't' && x != 'n' && x != 'r') {
                    if (*n + 1 < cap)
                        buf[(*n)++] = '\\';
                }
            }
            if (*n + 1 < cap)
                buf[(*n)++] = ch;
        }
        if (lx->p >= lx->e)
            return TOK_ERROR;
        lx->p++;
        buf[*n] = 0;
        return TOK_WORD;
    }
    while (lx->p < lx->e && !isspace((unsigned char)*lx->p) && *lx->p != ';' && *lx->p != '{' && *lx->p != '}') {
        if (*n + 1 < cap)
            buf[(*n)++] = *lx->p;
        lx->p++;
    }
    buf[*n] = 0;
    return TOK_WORD;
}

int nginx_conf_find_format(const char *conf, size_t len, const char *name, char *out, size_t cap, int *escape,
                           struct tr_error *err)
{
    struct conf_lexer lx = { conf, conf + len, 1 };
    char tok[4096], names[256] = "";
    size_t n, found = 0;
    int prev_was_end = 1; /* a directive starts after ';', '{', '}' or at the start */
    if (cap == 0)
        return tr_errorf(err, "no room for the format");
    out[0] = 0;
    for (;;) {
        int k = conf_next(&lx, tok, sizeof tok, &n);
        if (k == TOK_END)
            break;
        if (k == TOK_ERROR)
            return tr_errorf(err, "line %zu: unterminated quoted string", lx.line);
        if (k != TOK_WORD) {
            prev_was_end = 1;
            continue;
        }
        if (!prev_was_end || strcmp(tok, "log_format") != 0) {
            prev_was_end = 0;
            continue;
        }
        prev_was_end = 0;
        size_t at_line = lx.line;
        char fname[128];
        if (conf_next(&lx, fname, sizeof fname, &n) != TOK_WORD)
            return tr_errorf(err, "line %zu: log_format without a name", at_line);
        int esc = ESC_NGINX, take = !name || strcmp(name, fname) == 0;
        size_t olen = 0;
        int first = 1;
        for (;;) {
            k = conf_next(&lx, tok, sizeof tok, &n);
            if (k == TOK_SEMI)
                break;
            if (k != TOK_WORD)
                return tr_errorf(err, "line %zu: log_format '%s' does not end with ';'", at_line, fname);
            if (first && strncmp(tok, "escape=", 7) == 0) {
                esc = strcmp(tok + 7, "json") == 0 ? ESC_JSON : strcmp(tok + 7, "none") == 0 ? ESC_NONE : ESC_NGINX;
                continue;
            }
            first = 0;
            if (take) {
                if (olen + n >= cap)
                    return tr_errorf(err, "line %zu: log_format '%s' is too long", at_line, fname);
                memcpy(out + olen, tok, n);
                olen += n;
                out[olen] = 0;
            }
        }
        prev_was_end = 1;
        size_t nl = strlen(names);
        if (nl + strlen(fname) + 3 < sizeof names)
            snprintf(names + nl, sizeof names - nl, "%s'%s'", nl ? ", " : "", fname);
        if (take) {
            if (name) {
                *escape = esc;
                return 0;
            }
            found++;
            *escape = esc;
        }
    }
    if (name)
        return tr_errorf(err, "no log_format named '%s' (found: %s)", name, names[0] ? names : "none");
    if (found == 0)
        return tr_errorf(err, "no log_format directive found");
    if (found > 1)
        return tr_errorf(err, "several log_format directives (%s): choose one with --nginx-format-name", names);
    return 0;
}
