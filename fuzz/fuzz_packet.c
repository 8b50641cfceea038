/*
 * libFuzzer target for frame decoding (ingest/pcap_decode.c): the first byte
 * picks the link type, the rest is the captured frame. The decoded payload must
 * lie inside the frame.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ingest/pcap_decode.h"

static const int links[] = { LINK_NULL, LINK_ETHERNET, LINK_RAW, LINK_RAW_DLT, LINK_LOOP, LINK_LINUX_SLL,
                             LINK_IPV4, LINK_IPV6, LINK_LINUX_SLL2, 147 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int link = links[data[0] % (sizeof links / sizeof links[0])];
    const uint8_t *frame = data + 1;
    size_t n = size - 1;
    struct tcp_segment s;
    if (pcap_decode(link, frame, n, &s) == PKT_TCP) {
        if (s.payload < frame || s.payload + s.payload_len > frame + n || s.payload_len > s.seg_len)
            abort();
        if (s.family != 4 && s.family != 6)
            abort();
    }
    return 0;
}
