/*
 * TLS handshakes out of TCP segments: the per-flow state machine behind
 * `tlsready pcap`. Pure: segments in (from pcap_decode), handshakes out through
 * a callback; no I/O, no clock (time is the capture's).
 *
 * Per flow:
 *   NEW   no payload yet. The first bytes of each direction decide: a TLS
 *         handshake record (0x16 0x03 0x0v, plausible length) or an SSLv2
 *         CLIENT-HELLO makes it TLS; anything else makes it DONE. TLS is
 *         recognised by content, never by port. The client is who sent the
 *         SYN, or else whoever sent the ClientHello.
 *   TLS   both directions are reassembled (at most dir_cap bytes each) until
 *         the ClientHello and the server's first decisive reply (ServerHello,
 *         HelloRetryRequest, alert) are complete; then the handshake is
 *         emitted and the flow is DONE.
 *   DONE  the flow's buffers are freed; its later packets cost one hash lookup
 *         and are never copied or parsed.
 * A flow that ends (RST, FIN from the server, both FINs), expires (idle for
 * idle_timeout in capture time) or is still open at the end of input after a
 * complete ClientHello is emitted with outcome HS_NO_REPLY.
 */
#ifndef TR_INGEST_PCAP_HANDSHAKE_H
#define TR_INGEST_PCAP_HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/pcap_decode.h"
#include "ingest/tcp_flow.h"
#include "tls/client_hello_parse.h"
#include "tls/server_reply.h"

enum hs_outcome {
    HS_SERVER_HELLO = 0, /* the server chose a version and suite */
    HS_HELLO_RETRY,      /* TLS 1.3 HelloRetryRequest (version and suite chosen) */
    HS_ALERT,            /* the server answered with an alert: refused */
    HS_SSL2,             /* an SSLv2 SERVER-HELLO */
    HS_NO_REPLY,         /* the flow ended, expired or the input ended first */
    HS_BAD_REPLY,        /* the reply was not TLS, or malformed */
};

struct pcap_handshake {
    int64_t time_us;                     /* capture time of the packet that completed the ClientHello */
    uint8_t family;                      /* 4 or 6 */
    uint8_t client_addr[16], server_addr[16];
    uint16_t client_port, server_port;
    const struct client_hello_info *ch;  /* always set */
    const struct server_reply *sr;       /* NULL for HS_NO_REPLY */
    enum hs_outcome outcome;
};

typedef void (*hs_emit_fn)(void *ctx, const struct pcap_handshake *hs);

struct hs_config {
    uint32_t max_flows;       /* flows tracked at once (default 16384) */
    uint32_t dir_cap;         /* bytes kept per direction (default 16 KB) */
    int64_t idle_timeout_us;  /* a flow idle this long (capture time) is expired (default 120 s) */
};

/*
 * Memory is bounded by max_flows x 2 x dir_cap (each direction's reassembly
 * buffer grows up to dir_cap), about 512 MB at these defaults and ~6 KB per
 * flow in practice. Finished flows are evicted first, so the limit only
 * counts handshakes in progress at the same moment; a hostile capture of many
 * half-open handshakes cannot take more than that bound.
 */
#define HS_DEFAULT_MAX_FLOWS 16384
#define HS_DEFAULT_DIR_CAP 16384
#define HS_DEFAULT_IDLE_US (120 * 1000000LL)

struct hs_stats {
    uint64_t frames, frame_bytes;
    uint64_t status[6];       /* per enum pkt_status */
    uint64_t flows;           /* flows created */
    uint64_t flows_tls;       /* flows that looked like TLS */
    uint64_t flows_dropped;   /* not tracked: the table was full */
    uint64_t flows_expired;
    uint64_t handshakes;      /* emitted */
    uint64_t hello_errors;    /* TLS-looking flows whose ClientHello did not parse */
    uint64_t hello_incomplete;/* ClientHello never completed (gap, cap, end) */
    uint64_t max_flows_seen;  /* peak of flows in the table */
};

struct hs_flow;

struct hs_tracker {
    struct hs_config cfg;
    struct flow_table flows;
    hs_emit_fn emit;
    void *ctx;
    struct hs_flow *free_hs;  /* recycled per-flow handshake states */
    int64_t next_sweep_us;
    int64_t now_us;
    int64_t last_evict_us;    /* capture time of the last full-table eviction */
    struct hs_stats stats;
};

/* cfg may be NULL (defaults); zero fields take their default. */
int hs_tracker_init(struct hs_tracker *t, const struct hs_config *cfg, hs_emit_fn emit, void *ctx);
/* One captured frame: decodes it and feeds the TCP segment, if any. */
void hs_tracker_frame(struct hs_tracker *t, int linktype, int64_t ts_us, const uint8_t *frame, uint32_t caplen);
/* One decoded TCP segment. */
void hs_tracker_segment(struct hs_tracker *t, int64_t ts_us, const struct tcp_segment *s);
/* End of input: emits every complete ClientHello still waiting for a reply. */
void hs_tracker_finish(struct hs_tracker *t);
void hs_tracker_release(struct hs_tracker *t);

/* "1.2.3.4:443" or "[::1]:443" into buf (>= 56 bytes); returns buf. */
const char *pcap_format_endpoint(uint8_t family, const uint8_t addr[16], uint16_t port, char *buf, size_t cap);
/* "1.2.3.4" or "::1" */
const char *pcap_format_addr(uint8_t family, const uint8_t addr[16], char *buf, size_t cap);
/* "server_hello", "hello_retry", "alert", "ssl2", "no_reply", "bad_reply" */
const char *hs_outcome_name(enum hs_outcome o);

#endif
