/*
 * libFuzzer target for flows, reassembly and handshake extraction
 * (ingest/tcp_flow.c, ingest/pcap_handshake.c, and through them the TLS
 * parsers). The input is a script of segments:
 *   flags8 | who8 (bit 0: from the client; bits 1-2: which of 4 connections)
 *   | seq_delta16 | len16 | len bytes of payload (cut at the input's end)
 * fed to a tracker with small limits (2 flows, 600 bytes per direction), so
 * caps, eviction and expiry are reached quickly. The reassembler also runs
 * alone on the same segments, and its invariants are checked.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/pcap_handshake.h"

static void on_hs(void *ctx, const struct pcap_handshake *hs)
{
    size_t *n = ctx;
    if (!hs->ch || (hs->outcome != HS_NO_REPLY && !hs->sr))
        abort();
    (*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t emitted = 0;
    struct hs_tracker t;
    struct hs_config cfg = { .max_flows = 2, .dir_cap = 600, .idle_timeout_us = 3000000 };
    if (hs_tracker_init(&t, &cfg, on_hs, &emitted) < 0)
        return 0;
    struct reasm r;
    reasm_init(&r, 300);
    uint32_t seq[8] = { 0xfffffe00u, 1000, 5, 77777, 0, 0, 0x7fffffffu, 42 };
    int64_t ts = 0;
    size_t at = 0;
    while (at + 6 <= size) {
        uint8_t flags = data[at], who = data[at + 1];
        uint16_t delta = (uint16_t)(data[at + 2] << 8 | data[at + 3]);
        uint32_t len = (uint32_t)(data[at + 4] << 8 | data[at + 5]);
        at += 6;
        if (len > size - at)
            len = (uint32_t)(size - at);
        int from_client = who & 1, conn = (who >> 1) & 3;
        struct tcp_segment s;
        memset(&s, 0, sizeof s);
        s.family = (who & 8) ? 6 : 4;
        s.src[0] = s.dst[0] = 10;
        s.src[3] = from_client ? 1 : 2;
        s.dst[3] = from_client ? 2 : 1;
        s.sport = (uint16_t)(from_client ? 40000 + conn : 443);
        s.dport = (uint16_t)(from_client ? 443 : 40000 + conn);
        uint32_t *q = &seq[conn * 2 + from_client];
        *q += (uint32_t)(int16_t)delta;
        s.seq = *q;
        s.flags = flags;
        s.payload = data + at;
        s.payload_len = s.seg_len = len;
        ts += (who & 0x10) ? 2000000 : 1000;
        hs_tracker_segment(&t, ts, &s);
        if (conn == 0 && from_client) {
            uint32_t c = reasm_add(&r, s.seq, s.payload, len);
            if (c > r.cap || c > r.hi || r.hi > r.alloc)
                abort();
        }
        at += len;
    }
    hs_tracker_finish(&t);
    if (emitted != t.stats.handshakes)
        abort();
    hs_tracker_release(&t);
    reasm_release(&r);
    return 0;
}
