/* X25519 key generation for the TLS 1.3 key_share (OpenSSL EVP): see client_hello.h. */
#include "tls/client_hello.h"

#include <openssl/evp.h>

int x25519_keypair(uint8_t pub[32], struct tr_error *err)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, NULL);
    EVP_PKEY *key = NULL;
    size_t len = 32;
    int ret = -1;

    if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_keygen(ctx, &key) <= 0) {
        tr_errorf(err, "x25519: key generation failed");
        goto exit;
    }
    if (EVP_PKEY_get_raw_public_key(key, pub, &len) <= 0 || len != 32) {
        tr_errorf(err, "x25519: cannot read the public key");
        goto exit;
    }
    ret = 0;
exit:
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(ctx);
    return ret;
}
