/*
 * The one hash of the project's in-memory tables (aggregate rows, interned
 * log values, user-agent memo, metadata joins, user lists). Inline: it runs
 * once per key per record.
 *
 * Built for throughput on keys from a few bytes (IPs, user ids) to a user
 * agent (~100): each 16-byte block is mixed on its own with a
 * position-dependent key and the blocks are summed, so the multiplies do not
 * wait on each other as a chained hash's do; the tail is read with whole-word
 * loads that overlap what came before (the length is in the state), never
 * copied byte by byte. Not keyed: a hostile input can collide keys on
 * purpose, which costs probes (speed), never correctness, since every table
 * compares keys in full.
 */
#ifndef TR_UTIL_HASH_H
#define TR_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The folded 128-bit product. */
static inline uint64_t tr_mum(uint64_t a, uint64_t b)
{
    __extension__ typedef unsigned __int128 u128;
    u128 r = (u128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* A 64-bit finaliser (murmur3's): for keys that are already numbers. */
static inline uint64_t tr_mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static inline uint64_t tr_load64(const void *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t tr_load32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline uint64_t tr_hash_bytes(const void *data, size_t n)
{
    const unsigned char *p = data;
    const uint64_t k2 = 0xe7037ed1a0b428dbull;
    uint64_t acc = 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull), key = 0xa0761d6478bd642full;
    uint64_t w = 0, v = 0;
    if (n > 16) {
        const unsigned char *last = p + n - 16;
        while (p < last) {
            acc += tr_mum(tr_load64(p) ^ key, tr_load64(p + 8) ^ (key + k2));
            key += 0x8ebc6af09c88c6e3ull;
            p += 16;
        }
        w = tr_load64(last);
        v = tr_load64(last + 8);
    } else if (n >= 8) {
        w = tr_load64(p);
        v = tr_load64(p + n - 8);
    } else if (n >= 4) {
        w = tr_load32(p);
        v = tr_load32(p + n - 4);
    } else if (n > 0) {
        w = (uint64_t)p[0] << 16 | (uint64_t)p[n / 2] << 8 | p[n - 1];
    }
    acc += tr_mum(w ^ key, v ^ (key + k2));
    return tr_mum(acc ^ 0x589965cc75374cc3ull, (acc >> 29) ^ 0x1d8e4e27c47d124full);
}

static inline uint64_t tr_hash_str(const char *s) { return tr_hash_bytes(s, strlen(s)); }

#endif
