/*
 * csv_scan: the CSV reader alone over a file (no Salesforce mapping, no
 * aggregation), for measuring it: prints rows, fields, malformed rows, bytes
 * and MB/s on standard error.  usage: csv_scan FILE
 */
#include <stdio.h>

#include "ingest/csv.h"
#include "util/instream.h"
#include "util/progress.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: csv_scan FILE\n");
        return 2;
    }
    struct tr_error err;
    struct instream *in = instream_open(argv[1], &err);
    struct csv_reader r;
    if (!in || csv_init(&r, NULL) < 0) {
        fprintf(stderr, "csv_scan: %s\n", in ? "out of memory" : err.msg);
        return 2;
    }
    unsigned long long rows = 0, fields = 0, bytes = 0, field_bytes = 0;
    double t0 = now_monotonic();
    for (;;) {
        struct csv_row row;
        int st = csv_next(&r, &row);
        if (st == CSV_END)
            break;
        if (st == CSV_NEED_MORE) {
            size_t avail;
            char *dst = csv_space(&r, &avail);
            long k = instream_read(in, dst, avail, &err);
            if (k < 0) {
                fprintf(stderr, "csv_scan: %s\n", err.msg);
                return 2;
            }
            if (k == 0)
                csv_set_eof(&r);
            csv_commit(&r, (size_t)k);
            bytes += (unsigned long long)k;
            continue;
        }
        if (st == CSV_ROW) {
            rows++;
            fields += row.n;
            for (size_t i = 0; i < row.n; i++)
                field_bytes += row.f[i].len;
        }
    }
    double dt = now_monotonic() - t0;
    printf("rows %llu fields %llu field_bytes %llu malformed %llu bytes %llu\n", rows, fields, field_bytes,
           (unsigned long long)r.bad_rows, bytes);
    fprintf(stderr, "%.2f s, %.0f MB/s\n", dt, dt > 0 ? bytes / 1e6 / dt : 0.0);
    csv_free(&r);
    instream_close(in);
    return 0;
}
