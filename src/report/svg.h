/*
 * Inline SVG charts for the self-contained HTML report: no scripts, fonts or
 * images from outside. Each function appends one <svg> element. Text is escaped.
 */
#ifndef TR_REPORT_SVG_H
#define TR_REPORT_SVG_H

#include <stddef.h>

#include "util/buf.h"

/*
 * A line of values in [0, 1] (shares) over labelled points (days), with an
 * optional vertical marker (the cut-over date) at fractional index
 * `marker_at` (< 0: none; beyond the last point: drawn at the right edge with
 * an arrow, "in N days").
 */
void svg_share_line(struct tr_buf *out, const char *title, const char *const *labels, const double *values,
                    size_t n, double marker_at, const char *marker_label);

/* Horizontal stacked bars: rows x series counts (values[row * n_series + s]). */
void svg_stacked_bars(struct tr_buf *out, const char *title, const char *const *rows, size_t n_rows,
                      const char *const *series, const char *const *colors, size_t n_series,
                      const unsigned long long *values);

/* A grid: rows x cols cells with a state each: 0 unknown, 1 accepted, 2 refused, 3 accepted but below the minimum. */
void svg_matrix(struct tr_buf *out, const char *title, const char *const *rows, size_t n_rows,
                const char *const *cols, size_t n_cols, const unsigned char *cells);

/* Horizontal bars of days left (negative: expired), warn below `warn_days`. */
void svg_days_bars(struct tr_buf *out, const char *title, const char *const *labels, const long *days, size_t n,
                   long warn_days);

#endif
