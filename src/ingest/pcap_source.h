/*
 * Where packets come from: a capture file (pcap or pcapng, plain or gzip, or
 * "-" for standard input) or a live interface, both through libpcap. This is
 * the I/O edge of `tlsready pcap`; everything after it is pure.
 */
#ifndef TR_INGEST_PCAP_SOURCE_H
#define TR_INGEST_PCAP_SOURCE_H

#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

struct pcap_source {
    void *pc;            /* pcap_t */
    FILE *fp;            /* the stream libpcap reads (files only); closed by pcap_close */
    int linktype;
    int live;
    char name[256];
};

/* Opens a capture file; `filter` is an optional BPF expression (NULL: none). */
int pcap_source_open_file(struct pcap_source *s, const char *path, const char *filter, struct tr_error *err);
/* Checks a BPF expression's syntax (as for Ethernet) before any input is opened. */
int pcap_filter_check(const char *filter, struct tr_error *err);
/* Opens a live capture on `iface` with an optional BPF filter. */
int pcap_source_open_live(struct pcap_source *s, const char *iface, const char *filter, int snaplen,
                          struct tr_error *err);

enum { SRC_PACKET = 1, SRC_END = 0, SRC_AGAIN = 2, SRC_ERROR = -1 };
/*
 * The next packet: SRC_PACKET with *ts_us (capture time, microseconds since the
 * epoch), *data, *caplen and *wirelen set (valid until the next call);
 * SRC_AGAIN when a live capture's read timeout passed with nothing; SRC_END at
 * the end of a file or after pcap_source_break; SRC_ERROR with err (a
 * truncated file says where).
 */
int pcap_source_next(struct pcap_source *s, int64_t *ts_us, const uint8_t **data, uint32_t *caplen,
                     uint32_t *wirelen, struct tr_error *err);
/* Makes the next (or current) pcap_source_next return SRC_END; safe in a signal handler. */
void pcap_source_break(struct pcap_source *s);
void pcap_source_close(struct pcap_source *s);

#endif
