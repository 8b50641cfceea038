/*
 * hsload: a TLS handshake load generator for bench/serve. Keeps C
 * connections in flight on one epoll loop; each one connects, does a full
 * handshake (a fresh SSL object, no session cache, no tickets: never a
 * resumption), sends "GET PATH" with Connection: close, reads the response
 * until the server closes, and starts over. The server closes first, so
 * TIME_WAIT stays on its side and the client never resets a connection
 * the server is still finishing.
 *
 *   hsload [-c CONCURRENCY] [-d SECONDS] [-w WARMUP] [-p PATH] [-v tls1.2|tls1.3] HOST PORT
 *
 * Prints one JSON line: completed cycles, errors, handshakes per second, and
 * the handshake latency (TCP connect start to handshake done) p50/p90/p99/max.
 * Cycles that finish during the warm-up are not counted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

enum { S_CONNECT, S_HANDSHAKE, S_WRITE, S_READ };

struct slot {
    int fd;
    int state;
    SSL *ssl;
    double t0, t_hs;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct sockaddr_in6 g_addr6;
static struct sockaddr_in g_addr4;
static int g_family;
static SSL_CTX *g_ctx;
static int g_ep;
static char g_req[512];
static size_t g_req_len;

static double *g_lat;
static size_t g_nlat, g_caplat;
static unsigned long g_errors, g_done;
static double g_count_from;

static void record(double lat)
{
    if (g_nlat == g_caplat) {
        g_caplat = g_caplat ? g_caplat * 2 : 65536;
        g_lat = realloc(g_lat, g_caplat * sizeof *g_lat);
        if (!g_lat)
            exit(2);
    }
    g_lat[g_nlat++] = lat;
}

static void slot_start(struct slot *s)
{
    s->fd = socket(g_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (s->fd < 0) {
        perror("socket");
        exit(2);
    }
    int one = 1;
    setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    s->t0 = now();
    s->state = S_CONNECT;
    int r = g_family == AF_INET6 ? connect(s->fd, (struct sockaddr *)&g_addr6, sizeof g_addr6)
                                 : connect(s->fd, (struct sockaddr *)&g_addr4, sizeof g_addr4);
    if (r < 0 && errno != EINPROGRESS) {
        g_errors++;
    }
    struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = s };
    epoll_ctl(g_ep, EPOLL_CTL_ADD, s->fd, &ev);
}

static void slot_end(struct slot *s, int ok)
{
    if (!ok) {
        if (now() >= g_count_from)
            g_errors++;
    }
    if (s->ssl)
        SSL_free(s->ssl);
    s->ssl = NULL;
    close(s->fd);
    slot_start(s);
}

static void slot_drive(struct slot *s)
{
    char buf[16384];
    for (;;) {
        switch (s->state) {
        case S_CONNECT: {
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err) {
                slot_end(s, 0);
                return;
            }
            s->ssl = SSL_new(g_ctx);
            SSL_set_fd(s->ssl, s->fd);
            SSL_set_connect_state(s->ssl);
            s->state = S_HANDSHAKE;
            break;
        }
        case S_HANDSHAKE: {
            ERR_clear_error();
            int r = SSL_do_handshake(s->ssl);
            if (r == 1) {
                s->t_hs = now();
                s->state = S_WRITE;
                break;
            }
            int e = SSL_get_error(s->ssl, r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
                return;
            slot_end(s, 0);
            return;
        }
        case S_WRITE: {
            int r = SSL_write(s->ssl, g_req, (int)g_req_len);
            if (r > 0) {
                s->state = S_READ;
                break;
            }
            int e = SSL_get_error(s->ssl, r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
                return;
            slot_end(s, 0);
            return;
        }
        case S_READ: {
            int r = SSL_read(s->ssl, buf, sizeof buf);
            if (r > 0)
                continue;
            int e = SSL_get_error(s->ssl, r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
                return;
            /* the server closed: with close_notify (ZERO_RETURN) or a bare FIN (SYSCALL, errno 0) */
            if (s->t_hs >= g_count_from) {
                g_done++;
                record(s->t_hs - s->t0);
            }
            ERR_clear_error();
            slot_end(s, 1);
            return;
        }
        }
    }
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double p)
{
    if (!g_nlat)
        return 0;
    size_t i = (size_t)(p / 100.0 * (double)(g_nlat - 1) + 0.5);
    return g_lat[i] * 1000.0;
}

int main(int argc, char **argv)
{
    int conc = 64;
    double dur = 10, warm = 1;
    const char *path = "/", *ver = "tls1.3";
    int c;
    while ((c = getopt(argc, argv, "c:d:w:p:v:")) != -1) {
        switch (c) {
        case 'c': conc = atoi(optarg); break;
        case 'd': dur = atof(optarg); break;
        case 'w': warm = atof(optarg); break;
        case 'p': path = optarg; break;
        case 'v': ver = optarg; break;
        default:
            fprintf(stderr, "usage: hsload [-c N] [-d SECONDS] [-w WARMUP] [-p PATH] [-v tls1.2|tls1.3] HOST PORT\n");
            return 2;
        }
    }
    if (argc - optind != 2 || conc < 1) {
        fprintf(stderr, "usage: hsload [-c N] [-d SECONDS] [-w WARMUP] [-p PATH] [-v tls1.2|tls1.3] HOST PORT\n");
        return 2;
    }
    const char *host = argv[optind];
    int port = atoi(argv[optind + 1]);
    if (inet_pton(AF_INET, host, &g_addr4.sin_addr) == 1) {
        g_family = AF_INET;
        g_addr4.sin_family = AF_INET;
        g_addr4.sin_port = htons((uint16_t)port);
    } else if (inet_pton(AF_INET6, host, &g_addr6.sin6_addr) == 1) {
        g_family = AF_INET6;
        g_addr6.sin6_family = AF_INET6;
        g_addr6.sin6_port = htons((uint16_t)port);
    } else {
        fprintf(stderr, "hsload: '%s' is not an IP address\n", host);
        return 2;
    }
    g_req_len = (size_t)snprintf(g_req, sizeof g_req, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: hsload\r\nConnection: close\r\n\r\n",
                                 path, host);
    g_ctx = SSL_CTX_new(TLS_client_method());
    int v = strcmp(ver, "tls1.2") == 0 ? TLS1_2_VERSION : TLS1_3_VERSION;
    SSL_CTX_set_min_proto_version(g_ctx, v);
    SSL_CTX_set_max_proto_version(g_ctx, v);
    SSL_CTX_set_verify(g_ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_session_cache_mode(g_ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(g_ctx, SSL_OP_NO_TICKET);

    g_ep = epoll_create1(0);
    struct slot *slots = calloc((size_t)conc, sizeof *slots);
    double start = now();
    g_count_from = start + warm;
    double end = g_count_from + dur;
    for (int i = 0; i < conc; i++)
        slot_start(&slots[i]);
    struct epoll_event evs[256];
    while (now() < end) {
        int n = epoll_wait(g_ep, evs, 256, 100);
        for (int i = 0; i < n; i++)
            slot_drive(evs[i].data.ptr);
    }
    qsort(g_lat, g_nlat, sizeof *g_lat, cmp);
    printf("{\"concurrency\":%d,\"seconds\":%.1f,\"version\":\"%s\",\"completed\":%lu,\"errors\":%lu,"
           "\"handshakes_per_s\":%.1f,\"p50_ms\":%.2f,\"p90_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f}\n",
           conc, dur, ver, g_done, g_errors, g_done / dur, pct(50), pct(90), pct(99), pct(100));
    return 0;
}
