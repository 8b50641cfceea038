/*
 * `tlsready pcap --handshakes`: one line per handshake, as text or as a JSON
 * object (docs/pcap.md has the contract). Renders a pcap_record; decides
 * nothing.
 */
#ifndef TR_REPORT_PCAP_HANDSHAKES_H
#define TR_REPORT_PCAP_HANDSHAKES_H

#include "ingest/pcap_record.h"
#include "util/buf.h"

/* Appends one JSON object and "\n". */
void pcap_handshake_json(struct tr_buf *out, const struct pcap_record *r);
/* Appends one text line and "\n". */
void pcap_handshake_text(struct tr_buf *out, const struct pcap_record *r);
/* "2026-11-28T12:00:00.123456Z" */
const char *pcap_format_time_us(int64_t us, char *buf, size_t cap);

#endif
