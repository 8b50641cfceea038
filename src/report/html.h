/*
 * HTML building blocks for self-contained reports: escaping, and sortable,
 * filterable tables whose behaviour comes from one small inline script
 * (html_table_script), so the file needs nothing from outside.
 */
#ifndef TR_REPORT_HTML_H
#define TR_REPORT_HTML_H

#include <stddef.h>

#include "util/buf.h"

/* Appends s with &, <, >, " and ' escaped; invalid UTF-8 bytes become U+FFFD. */
void html_escape(struct tr_buf *out, const char *s);
void html_escape_n(struct tr_buf *out, const char *s, size_t n);

/* <table class="data" data-sortable> with a filter box above it; headers are plain text. */
void html_table_begin(struct tr_buf *out, const char *id, const char *const *headers, size_t n, int filter);
void html_table_end(struct tr_buf *out);
/* A cell; `cls` may be NULL. Numeric cells get data-v so sorting is numeric. */
void html_td(struct tr_buf *out, const char *text, const char *cls);
void html_td_num(struct tr_buf *out, unsigned long long v, const char *cls);

/* The inline script that makes every table[data-sortable] sortable by a header
 * click and filterable through its input[data-filter-for]. */
const char *html_table_script(void);

#endif
