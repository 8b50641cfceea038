/*
 * User-Agent classification: an ordered rule table (first match wins) of
 * product tokens. Order matters: Edge and Opera also say "Chrome/", Chrome
 * also says "Safari/", Outlook embeds "Microsoft Office/".
 */
#include "ingest/useragent.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

enum ver_style {
    V_MAJOR,       /* "119" */
    V_MINOR,       /* "7.88" */
    V_JAVA,        /* "1.7" for 1.x, "11" for 11.x */
    V_NONE,        /* family only */
};

struct ua_rule {
    const char *token;    /* searched anywhere in the UA */
    const char *family;   /* output name */
    const char *ver_from; /* token whose following "/x.y" or " x.y" gives the version; NULL = token */
    uint8_t style;
};

static const struct ua_rule rules[] = {
    /* mail and office clients */
    { "Microsoft Outlook", "Outlook", "Microsoft Outlook ", V_MAJOR },
    { "Outlook-iOS", "Outlook iOS", "Outlook-iOS/", V_MAJOR },
    { "Outlook-Android", "Outlook Android", "Outlook-Android/", V_MAJOR },
    { "Microsoft Office", "Microsoft Office", "Microsoft Office/", V_MAJOR },
    /* bots */
    { "Googlebot", "Googlebot", "Googlebot/", V_MINOR },
    { "bingbot", "bingbot", "bingbot/", V_MINOR },
    /* browsers, most specific first */
    { "Edg/", "Edge", "Edg/", V_MAJOR },
    { "EdgA/", "Edge", "EdgA/", V_MAJOR },
    { "EdgiOS/", "Edge", "EdgiOS/", V_MAJOR },
    { "Edge/", "Edge Legacy", "Edge/", V_MAJOR },
    { "OPR/", "Opera", "OPR/", V_MAJOR },
    { "Opera", "Opera", "Version/", V_MAJOR },
    { "SamsungBrowser/", "Samsung Internet", "SamsungBrowser/", V_MAJOR },
    { "YaBrowser/", "Yandex Browser", "YaBrowser/", V_MAJOR },
    { "Vivaldi/", "Vivaldi", "Vivaldi/", V_MAJOR },
    { "CriOS/", "Chrome iOS", "CriOS/", V_MAJOR },
    { "FxiOS/", "Firefox iOS", "FxiOS/", V_MAJOR },
    { "HeadlessChrome/", "Headless Chrome", "HeadlessChrome/", V_MAJOR },
    { "Chromium/", "Chromium", "Chromium/", V_MAJOR },
    { "Chrome/", "Chrome", "Chrome/", V_MAJOR },
    { "Firefox/", "Firefox", "Firefox/", V_MAJOR },
    { "MSIE ", "IE", "MSIE ", V_MAJOR },
    { "Trident/7", "IE", NULL, V_NONE }, /* IE 11 dropped "MSIE" */
    { "Safari/", "Safari", "Version/", V_MAJOR },
    /* libraries and tools */
    { "curl/", "curl", "curl/", V_MINOR },
    { "Wget/", "Wget", "Wget/", V_MINOR },
    { "python-requests/", "python-requests", "python-requests/", V_MINOR },
    { "Python-urllib/", "Python-urllib", "Python-urllib/", V_MINOR },
    { "python-httpx/", "python-httpx", "python-httpx/", V_MINOR },
    { "aiohttp/", "aiohttp", "aiohttp/", V_MINOR },
    { "Go-http-client/", "Go-http-client", "Go-http-client/", V_MINOR },
    { "okhttp/", "okhttp", "okhttp/", V_MINOR },
    { "Apache-HttpClient/", "Apache-HttpClient", "Apache-HttpClient/", V_MINOR },
    { "Java/", "Java", "Java/", V_JAVA },
    { "Dalvik/", "Android Dalvik", "Dalvik/", V_MINOR },
    { "CFNetwork/", "CFNetwork", "CFNetwork/", V_MAJOR },
    { "libwww-perl/", "libwww-perl", "libwww-perl/", V_MINOR },
    { "PowerShell/", "PowerShell", "PowerShell/", V_MINOR },
    { "WindowsPowerShell/", "PowerShell", "WindowsPowerShell/", V_MINOR },
    { "PostmanRuntime/", "Postman", "PostmanRuntime/", V_MINOR },
    { "axios/", "axios", "axios/", V_MINOR },
    { "node-fetch", "node-fetch", "node-fetch/", V_MINOR },
    { "Ruby", "Ruby", NULL, V_NONE },
    { "GuzzleHttp/", "Guzzle", "GuzzleHttp/", V_MINOR },
    { "OpenSSL/", "OpenSSL", "OpenSSL/", V_MINOR },
};

static const char *find(const char *h, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    if (k > n)
        return NULL;
    return memmem(h, n, needle, k);
}

/* Copies the version after `at` (digits and up to `dots` dots) into v. */
static size_t version_at(const char *at, const char *end, int style, char *v, size_t cap)
{
    size_t o = 0;
    int dots = 0, max_dots = style == V_MINOR ? 1 : 0;
    const char *p = at;
    if (style == V_JAVA && p < end && p[0] == '1' && p + 1 < end && p[1] == '.')
        max_dots = 1;
    while (p < end && o + 1 < cap) {
        if (*p >= '0' && *p <= '9') {
            v[o++] = *p++;
        } else if (*p == '.' && dots < max_dots && p + 1 < end && p[1] >= '0' && p[1] <= '9') {
            v[o++] = *p++;
            dots++;
        } else {
            break;
        }
    }
    v[o] = 0;
    return o;
}

static size_t emit(char *out, size_t cap, const char *family, size_t fn, const char *ver)
{
    if (cap == 0)
        return 0;
    int w = ver && ver[0] ? snprintf(out, cap, "%.*s %s", (int)fn, family, ver)
                          : snprintf(out, cap, "%.*s", (int)fn, family);
    if (w < 0)
        return 0;
    return (size_t)w < cap ? (size_t)w : cap - 1;
}

size_t useragent_family(const char *ua, size_t n, char *out, size_t cap)
{
    const char *end = ua + n;
    char ver[24];
    while (n && (*ua == ' ' || *ua == '\t'))
        ua++, n--;
    if (n == 0 || (n == 1 && ua[0] == '-')) {
        if (cap)
            out[0] = 0;
        return 0;
    }
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        const struct ua_rule *r = &rules[i];
        if (!find(ua, n, r->token))
            continue;
        ver[0] = 0;
        if (r->style != V_NONE) {
            const char *from = r->ver_from ? r->ver_from : r->token;
            const char *at = find(ua, n, from);
            if (at)
                version_at(at + strlen(from), end, r->style, ver, sizeof ver);
        } else if (strcmp(r->family, "IE") == 0) {
            snprintf(ver, sizeof ver, "11");
        }
        return emit(out, cap, r->family, strlen(r->family), ver);
    }
    /* unknown: the first product token "Name/1.2.3 ..." */
    size_t k = 0;
    while (k < n && ua[k] != '/' && ua[k] != ' ' && ua[k] != '(' && ua[k] != ';')
        k++;
    if (k == 0)
        return emit(out, cap, "other", 5, NULL);
    ver[0] = 0;
    if (k < n && ua[k] == '/')
        version_at(ua + k + 1, end, V_MINOR, ver, sizeof ver);
    if (k > 48)
        k = 48;
    return emit(out, cap, ua, k, ver);
}

/* ---- the memo ------------------------------------------------------------ */

struct ua_slot {
    uint64_t hash;
    uint32_t ua_off, ua_len, fam_off; /* into the arena; ua_len 0 = empty slot */
};

struct ua_cache {
    struct ua_slot *slots;
    size_t mask, count, max;
    char *arena;
    size_t used, cap;
    char tmp[128];
};


struct ua_cache *ua_cache_new(size_t max_entries)
{
    struct ua_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    size_t slots = 64;
    while (slots < max_entries * 2)
        slots <<= 1;
    c->slots = calloc(slots, sizeof *c->slots);
    if (!c->slots) {
        free(c);
        return NULL;
    }
    c->mask = slots - 1;
    c->max = max_entries;
    return c;
}

void ua_cache_free(struct ua_cache *c)
{
    if (!c)
        return;
    free(c->slots);
    free(c->arena);
    free(c);
}

static int arena_reserve(struct ua_cache *c, size_t n)
{
    if (c->used + n <= c->cap)
        return 0;
    size_t cap = c->cap ? c->cap * 2 : 1 << 16;
    while (cap < c->used + n)
        cap *= 2;
    if (cap > UINT32_MAX)
        return -1;
    char *a = realloc(c->arena, cap);
    if (!a)
        return -1;
    c->arena = a;
    c->cap = cap;
    return 0;
}

const char *ua_cache_family(struct ua_cache *c, const char *ua, size_t n)
{
    if (n == 0 || n > 4096) {
        useragent_family(ua, n, c->tmp, sizeof c->tmp);
        return c->tmp;
    }
    uint64_t h = tr_hash_bytes(ua, n);
    size_t i = (size_t)h & c->mask;
    for (;;) {
        struct ua_slot *s = &c->slots[i];
        if (s->ua_len == 0)
            break;
        if (s->hash == h && s->ua_len == n && memcmp(c->arena + s->ua_off, ua, n) == 0)
            return c->arena + s->fam_off;
        i = (i + 1) & c->mask;
    }
    size_t fl = useragent_family(ua, n, c->tmp, sizeof c->tmp);
    if (c->count >= c->max || arena_reserve(c, n + fl + 1) != 0)
        return c->tmp;
    struct ua_slot *s = &c->slots[i];
    s->hash = h;
    s->ua_off = (uint32_t)c->used;
    s->ua_len = (uint32_t)n;
    memcpy(c->arena + c->used, ua, n);
    c->used += n;
    s->fam_off = (uint32_t)c->used;
    memcpy(c->arena + c->used, c->tmp, fl + 1);
    c->used += fl + 1;
    c->count++;
    return c->arena + s->fam_off;
}
