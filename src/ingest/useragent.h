/*
 * User-Agent strings to a browser or tool family with its version, the level
 * at which a person decides what to upgrade: "Chrome 119", "Firefox 115",
 * "Safari 16", "IE 11", "curl 7.88", "Java 1.7", "python-requests 2.31",
 * "Outlook 16", "okhttp 4.9". Browsers get their major version, tools
 * major.minor (Java 1.x keeps "1.x"; Java 9+ its major). An unknown agent is
 * named by its first product token ("MyAgent 2.1"); an empty one gives "".
 * Pure function over the bytes; no allocation.
 */
#ifndef TR_INGEST_USERAGENT_H
#define TR_INGEST_USERAGENT_H

#include <stddef.h>

/* Writes the family and version to out (NUL-terminated, truncated to cap);
 * returns its length. */
size_t useragent_family(const char *ua, size_t n, char *out, size_t cap);

/*
 * A memo of useragent_family for log processing, where a few thousand
 * distinct agents repeat millions of times. Bounded: after max_entries
 * distinct agents it computes without remembering. One per thread.
 */
struct ua_cache;

struct ua_cache *ua_cache_new(size_t max_entries);
void ua_cache_free(struct ua_cache *c);
/* The family of ua (NUL-terminated, valid until the next call); "" for an empty agent. */
const char *ua_cache_family(struct ua_cache *c, const char *ua, size_t n);

#endif
