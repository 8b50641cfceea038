/*
 * An observation is one client connection seen somewhere (DESIGN.md): a
 * Salesforce login row, an access-log line, a handshake in a capture, a client
 * of `tlsready serve`. Every client-side source produces these and hands them
 * to the one aggregation engine.
 *
 * Strings are views that are valid only during the call that receives the
 * observation; whoever keeps one copies it. NULL or "" means "not known".
 */
#ifndef TR_ANALYZE_OBSERVATION_H
#define TR_ANALYZE_OBSERVATION_H

#include <stdint.h>

#define OBS_TIME_UNKNOWN INT64_MIN

struct observation {
    int64_t time;               /* seconds since the epoch, UTC; OBS_TIME_UNKNOWN */
    /* who */
    const char *user;           /* username where known, else the user id */
    const char *user_id;
    const char *client_ip;
    const char *application;    /* Salesforce Application, or a tool name */
    const char *client_version;
    const char *browser;
    const char *platform;
    const char *login_type;
    const char *api_type;
    const char *api_version;
    const char *user_agent;     /* raw User-Agent where the source has one */
    /* to what */
    const char *server;         /* server name / SNI / login URL host */
    const char *server_addr;    /* "ip:port" or "[ip]:port" where known */
    /* with what TLS */
    int version;                /* negotiated: enum tls_version, TLSV_UNKNOWN when not known */
    int max_offered;            /* highest offered by the client, TLSV_NONE when not known */
    const char *cipher;         /* IANA or OpenSSL name as the source spells it */
    const char *fingerprint;    /* JA3/JA4 where known */
    /* outcome */
    int success;                /* 1 succeeded, 0 failed, -1 not known */
    const char *status;         /* the source's own status text (e.g. "Invalid Password") */
};

#endif
