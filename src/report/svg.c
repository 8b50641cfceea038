/* Inline SVG charts: see svg.h. Coordinates are plain user units; the
 * viewBox lets the browser scale them, and print keeps them sharp. */
#include "report/svg.h"

#include <stdio.h>

#include "report/html.h"

static void text(struct tr_buf *out, double x, double y, const char *anchor, const char *cls, const char *s)
{
    tr_buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">", x, y, anchor, cls);
    html_escape(out, s);
    tr_buf_puts(out, "</text>");
}

static void open_svg(struct tr_buf *out, const char *title, int w, int h)
{
    tr_buf_printf(out, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", w, h);
    html_escape(out, title);
    tr_buf_puts(out, "\"><title>");
    html_escape(out, title);
    tr_buf_puts(out, "</title>");
}

void svg_share_line(struct tr_buf *out, const char *title, const char *const *labels, const double *values,
                    size_t n, double marker_at, const char *marker_label)
{
    const int W = 720, H = 240, L = 48, R = 20, T = 20, B = 40;
    double pw = W - L - R, ph = H - T - B;
    open_svg(out, title, W, H);
    for (int i = 0; i <= 4; i++) { /* grid at 0, 25, 50, 75, 100 % */
        double y = T + ph - ph * i / 4.0;
        char lab[16];
        snprintf(lab, sizeof lab, "%d%%", i * 25);
        tr_buf_printf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>", L, W - R, y, y);
        text(out, L - 6, y + 4, "end", "axis", lab);
    }
    if (n == 0) {
        text(out, W / 2.0, H / 2.0, "middle", "axis", "no dated observations");
        tr_buf_puts(out, "</svg>\n");
        return;
    }
    double step = n > 1 ? pw / (double)(n - 1) : 0;
    tr_buf_puts(out, "<polyline class=\"line\" points=\"");
    for (size_t i = 0; i < n; i++) {
        double v = values[i] < 0 ? 0 : values[i] > 1 ? 1 : values[i];
        tr_buf_printf(out, "%.1f,%.1f ", L + step * (double)i, T + ph - ph * v);
    }
    tr_buf_puts(out, "\"/>");
    for (size_t i = 0; i < n; i++) {
        double v = values[i] < 0 ? 0 : values[i] > 1 ? 1 : values[i];
        tr_buf_printf(out, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\"><title>", L + step * (double)i,
                      T + ph - ph * v);
        html_escape(out, labels[i]);
        tr_buf_printf(out, ": %.1f%%</title></circle>", values[i] * 100);
    }
    /* first, middle and last labels are enough to read a date axis */
    size_t ticks[3] = { 0, n / 2, n - 1 };
    for (int k = 0; k < 3; k++) {
        if (k > 0 && ticks[k] == ticks[k - 1])
            continue;
        text(out, L + step * (double)ticks[k], H - B + 16, k == 0 ? "start" : k == 2 ? "end" : "middle", "axis",
             labels[ticks[k]]);
    }
    if (marker_at >= 0 && marker_label) {
        int beyond = marker_at > (double)(n - 1);
        double x = beyond ? W - R : L + step * marker_at;
        tr_buf_printf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" class=\"marker\"/>", x, x, T,
                      T + ph);
        text(out, beyond ? x - 4 : x + 4, T + 12, beyond ? "end" : "start", "marker-label", marker_label);
    }
    tr_buf_puts(out, "</svg>\n");
}

void svg_stacked_bars(struct tr_buf *out, const char *title, const char *const *rows, size_t n_rows,
                      const char *const *series, const char *const *colors, size_t n_series,
                      const unsigned long long *values)
{
    const int W = 720, L = 190, R = 70, T = 10, BAR = 22, GAP = 10; /* R: room for the total */
    int H = T + (int)n_rows * (BAR + GAP) + 40;
    double pw = W - L - R;
    open_svg(out, title, W, H);
    unsigned long long max = 0;
    for (size_t r = 0; r < n_rows; r++) {
        unsigned long long sum = 0;
        for (size_t s = 0; s < n_series; s++)
            sum += values[r * n_series + s];
        if (sum > max)
            max = sum;
    }
    for (size_t r = 0; r < n_rows; r++) {
        double y = T + (double)r * (BAR + GAP);
        text(out, L - 8, y + BAR * 0.7, "end", "axis", rows[r]);
        double x = L;
        unsigned long long sum = 0;
        for (size_t s = 0; s < n_series; s++) {
            unsigned long long v = values[r * n_series + s];
            sum += v;
            if (!v || !max)
                continue;
            double w = pw * (double)v / (double)max;
            tr_buf_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>", x, y,
                          w, BAR, colors[s]);
            html_escape(out, series[s]);
            tr_buf_printf(out, ": %llu</title></rect>", v);
            x += w;
        }
        char lab[32];
        snprintf(lab, sizeof lab, "%llu", sum);
        text(out, x + 4, y + BAR * 0.7, "start", "axis", lab);
    }
    double lx = L, ly = H - 16;
    for (size_t s = 0; s < n_series; s++) {
        tr_buf_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>", lx, ly - 9,
                      colors[s]);
        text(out, lx + 14, ly, "start", "axis", series[s]);
        lx += 90;
    }
    tr_buf_puts(out, "</svg>\n");
}

void svg_matrix(struct tr_buf *out, const char *title, const char *const *rows, size_t n_rows,
                const char *const *cols, size_t n_cols, const unsigned char *cells)
{
    static const char *const fill[] = { "#c8c8c8", "#3a9d5d", "#e9eef3", "#d9822b" };
    static const char *const word[] = { "unknown", "accepted", "refused", "accepted (below minimum)" };
    const int L = 260, T = 28, CW = 70, CH = 22;
    int W = L + (int)n_cols * CW + 20, H = T + (int)n_rows * CH + 34;
    if (W < 620)
        W = 620; /* the legend needs the room */
    open_svg(out, title, W, H);
    for (size_t c = 0; c < n_cols; c++)
        text(out, L + (double)c * CW + CW / 2.0, T - 8, "middle", "axis", cols[c]);
    for (size_t r = 0; r < n_rows; r++) {
        double y = T + (double)r * CH;
        text(out, L - 8, y + CH * 0.7, "end", "axis", rows[r]);
        for (size_t c = 0; c < n_cols; c++) {
            unsigned st = cells[r * n_cols + c] & 3;
            tr_buf_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#fff\"><title>",
                          L + (double)c * CW, y, CW, CH, fill[st]);
            html_escape(out, rows[r]);
            tr_buf_puts(out, " ");
            html_escape(out, cols[c]);
            tr_buf_printf(out, ": %s</title></rect>", word[st]);
        }
    }
    double lx = 20, ly = H - 10;
    for (int s = 0; s < 4; s++) {
        tr_buf_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>", lx, ly - 9, fill[s]);
        text(out, lx + 14, ly, "start", "axis", word[s]);
        lx += s == 2 ? 100 : 95;
    }
    tr_buf_puts(out, "</svg>\n");
}

void svg_days_bars(struct tr_buf *out, const char *title, const char *const *labels, const long *days, size_t n,
                   long warn_days)
{
    const int W = 720, L = 260, R = 60, T = 10, BAR = 18, GAP = 6;
    int H = T + (int)n * (BAR + GAP) + 10;
    double pw = W - L - R;
    long max = warn_days * 2;
    for (size_t i = 0; i < n; i++)
        if (days[i] > max)
            max = days[i];
    open_svg(out, title, W, H);
    for (size_t i = 0; i < n; i++) {
        double y = T + (double)i * (BAR + GAP);
        const char *cls = days[i] < 0 ? "bad" : days[i] < warn_days ? "warn" : "good";
        double w = days[i] <= 0 ? 3 : pw * (double)days[i] / (double)max;
        text(out, L - 8, y + BAR * 0.75, "end", "axis", labels[i]);
        tr_buf_printf(out, "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" class=\"%s\"/>", L, y, w, BAR, cls);
        char lab[48];
        if (days[i] < 0)
            snprintf(lab, sizeof lab, "expired %ld d ago", -days[i]);
        else
            snprintf(lab, sizeof lab, "%ld d", days[i]);
        text(out, L + w + 4, y + BAR * 0.75, "start", "axis", lab);
    }
    tr_buf_puts(out, "</svg>\n");
}
