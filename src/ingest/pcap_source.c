/*
 * Capture input through libpcap: see pcap_source.h.
 *
 * Files are opened by us and handed to libpcap as a FILE with a 1 MB buffer
 * (the default 4 KB buffer costs a read(2) per few packets; mapping the file
 * instead measured no faster and holds more resident memory). Gzip files, and
 * standard input (which cannot be peeked and rewound), go through zlib behind a
 * fopencookie stream; zlib passes plain bytes through unchanged.
 */
#include "ingest/pcap_source.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define FILE_BUFFER (1 << 20)

static ssize_t gz_cookie_read(void *c, char *buf, size_t n)
{
    if (n > (1u << 30))
        n = 1u << 30;
    int r = gzread((gzFile)c, buf, (unsigned)n);
    return r < 0 ? -1 : r;
}

static int gz_cookie_close(void *c) { return gzclose((gzFile)c) == Z_OK ? 0 : -1; }

static FILE *open_gz(int fd)
{
    gzFile gz = gzdopen(fd, "rb");
    if (!gz)
        return NULL;
    gzbuffer(gz, 256 * 1024);
    cookie_io_functions_t io = { .read = gz_cookie_read, .close = gz_cookie_close };
    FILE *f = fopencookie(gz, "rb", io);
    if (!f)
        gzclose(gz);
    return f;
}

static int set_filter(struct pcap_source *s, const char *filter, struct tr_error *err)
{
    if (!filter || !*filter)
        return 0;
    struct bpf_program prog;
    if (pcap_compile(s->pc, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0)
        return tr_errorf(err, "bad filter '%s': %s", filter, pcap_geterr(s->pc));
    int rc = pcap_setfilter(s->pc, &prog);
    pcap_freecode(&prog);
    if (rc < 0)
        return tr_errorf(err, "cannot set filter '%s': %s", filter, pcap_geterr(s->pc));
    return 0;
}

int pcap_filter_check(const char *filter, struct tr_error *err)
{
    pcap_t *pc = pcap_open_dead(DLT_EN10MB, 65535);
    if (!pc)
        return tr_errorf(err, "out of memory");
    struct bpf_program prog;
    int rc = 0;
    if (pcap_compile(pc, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0)
        rc = tr_errorf(err, "bad filter '%s': %s", filter, pcap_geterr(pc));
    else
        pcap_freecode(&prog);
    pcap_close(pc);
    return rc;
}

int pcap_source_open_file(struct pcap_source *s, const char *path, const char *filter, struct tr_error *err)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", strcmp(path, "-") == 0 ? "<stdin>" : path);
    int is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return tr_errorf(err, "cannot open '%s': %s", s->name, strerror(errno));
    unsigned char magic[2] = { 0, 0 };
    int gz = is_stdin || (pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b);
    FILE *f = gz ? open_gz(fd) : fdopen(fd, "rb");
    if (f && !gz)
        setvbuf(f, NULL, _IOFBF, FILE_BUFFER);
    if (!f) {
        close(fd);
        return tr_errorf(err, "cannot open '%s': %s", s->name, strerror(errno));
    }
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, ebuf);
    if (!pc) {
        fclose(f);
        return tr_errorf(err, "%s: not a pcap or pcapng capture: %s", s->name, ebuf);
    }
    s->pc = pc;
    s->fp = f;
    s->linktype = pcap_datalink(pc);
    if (set_filter(s, filter, err) < 0) {
        pcap_source_close(s);
        return -1;
    }
    return 0;
}

int pcap_source_open_live(struct pcap_source *s, const char *iface, const char *filter, int snaplen,
                          struct tr_error *err)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", iface);
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_create(iface, ebuf);
    if (!pc)
        return tr_errorf(err, "cannot capture on '%s': %s", iface, ebuf);
    s->pc = pc;
    s->live = 1;
    pcap_set_snaplen(pc, snaplen > 0 ? snaplen : 65535);
    pcap_set_timeout(pc, 200); /* ms: the loop checks for Ctrl-C at least this often */
    /* packets reach us one by one rather than in blocks: handshake lines appear
     * at once, and nothing captured is left in a half-filled block at Ctrl-C */
    pcap_set_immediate_mode(pc, 1);
    pcap_set_buffer_size(pc, 16 << 20);
    int rc = pcap_activate(pc);
    if (rc < 0) {
        tr_errorf(err, "cannot capture on '%s': %s", iface,
                  rc == PCAP_ERROR ? pcap_geterr(pc) : pcap_statustostr(rc));
        pcap_source_close(s);
        return -1;
    }
    s->linktype = pcap_datalink(pc);
    if (set_filter(s, filter, err) < 0) {
        pcap_source_close(s);
        return -1;
    }
    return 0;
}

int pcap_source_next(struct pcap_source *s, int64_t *ts_us, const uint8_t **data, uint32_t *caplen,
                     uint32_t *wirelen, struct tr_error *err)
{
    struct pcap_pkthdr *h;
    const u_char *d;
    int rc = pcap_next_ex(s->pc, &h, &d);
    switch (rc) {
    case 1:
        *ts_us = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
        *data = d;
        *caplen = h->caplen;
        *wirelen = h->len;
        return SRC_PACKET;
    case 0:
        return SRC_AGAIN;
    case PCAP_ERROR_BREAK:
        return SRC_END;
    default:
        return tr_errorf(err, "%s: %s", s->name, pcap_geterr(s->pc));
    }
}

void pcap_source_break(struct pcap_source *s)
{
    if (s->pc)
        pcap_breakloop(s->pc);
}

void pcap_source_close(struct pcap_source *s)
{
    if (s->pc)
        pcap_close(s->pc); /* closes s->fp too */
    else if (s->fp)
        fclose(s->fp);
    s->pc = NULL;
    s->fp = NULL;
}
