/*
 * STARTTLS and friends: the plaintext dialogue a client must have before the
 * ClientHello on mail, directory, database and chat ports. Pure state
 * machines: bytes in -> bytes to send / ready for TLS / error with reason. No
 * sockets here; the scan engine (scan.c) and the certificate fetch
 * (cert_fetch.c) drive them over their own connections.
 *
 *   smtp      RFC 3207: 220 greeting, EHLO, 250 with STARTTLS, STARTTLS, 220
 *   imap      RFC 3501/2595: "* OK" greeting, "a STARTTLS", "a OK"
 *   pop3      RFC 2595: "+OK" greeting, "STLS", "+OK"
 *   ftp       RFC 4217: 220 greeting, "AUTH TLS", 234
 *   ldap      RFC 4511/4513: ExtendedRequest 1.3.6.1.4.1.1466.20037, resultCode 0
 *   postgres  SSLRequest (length 8, code 80877103), one byte 'S'
 *   mysql     server greeting (protocol 10, CLIENT_SSL), SSL request packet
 *   xmpp      RFC 6120: stream header, <starttls/> in features, <proceed/>
 *
 * Use: starttls_init(), send out[0..out_len) if any; then for every read,
 * call starttls_feed() with ALL unconsumed bytes received so far, drop
 * *consumed bytes, send out[0..out_len) if any, and act on the status.
 */
#ifndef TR_PROBE_STARTTLS_H
#define TR_PROBE_STARTTLS_H

#include <stddef.h>
#include <stdint.h>

enum starttls_proto {
    STARTTLS_NONE = 0,
    STARTTLS_SMTP,
    STARTTLS_IMAP,
    STARTTLS_POP3,
    STARTTLS_FTP,
    STARTTLS_LDAP,
    STARTTLS_POSTGRES,
    STARTTLS_MYSQL,
    STARTTLS_XMPP,
    STARTTLS_COUNT
};

enum starttls_status {
    STARTTLS_NEED_MORE = 0,  /* send out[] (if any), then read more */
    STARTTLS_READY,          /* send out[] (if any), then the ClientHello */
    STARTTLS_ERROR,          /* reason says why */
};

#define STARTTLS_LINE_MAX 4096      /* one text line (SMTP allows 512; be generous, but bounded) */
#define STARTTLS_TOTAL_MAX 65536    /* all the server may send before we give up */
#define STARTTLS_OUT_MAX 512

struct starttls {
    int proto;
    int step;
    size_t total;                    /* server bytes consumed so far */
    char host[256];                  /* for XMPP's to= */
    uint8_t out[STARTTLS_OUT_MAX];
    size_t out_len;
    char reason[128];
};

/* Sets up the dialogue; for protocols where the client speaks first, out[] is filled. */
void starttls_init(struct starttls *s, int proto, const char *host);
/* Consumes complete units (lines, packets) from in[0..len). Returns enum starttls_status. */
int starttls_feed(struct starttls *s, const uint8_t *in, size_t len, size_t *consumed);

/* "smtp", ... ; "none" for STARTTLS_NONE */
const char *starttls_name(int proto);
/* "smtp" ... "xmpp", "none" -> proto; -1 if unknown */
int starttls_parse(const char *name);
/* The protocol usually spoken on a port (25, 587, 143, 110, 21, 389, 5432, 3306, 5222), else STARTTLS_NONE. */
int starttls_for_port(unsigned port);

#endif
