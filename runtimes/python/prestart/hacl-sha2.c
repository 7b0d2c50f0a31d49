/*
 * The SHA-2 primitives the built-in _sha2 module of libpython3.13.a calls (Modules/sha2module.c). Debian's
 * libpython3.13.a leaves them out (CPython links Modules/_hacl/libHacl_Hash_SHA2.a beside it, which is not
 * shipped), so python-prestart gets them here, on OpenSSL's libcrypto, which python3's _hashlib uses already.
 * The states are opaque to sha2module.c: malloc/update/digest/copy/free. digest does not end the state (more data
 * may follow) and writes the digest of the state's own algorithm: sha2module.c calls digest_256 for SHA-224 and
 * digest_512 for SHA-384 into a buffer of the larger size and keeps the first digestsize bytes.
 */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>

typedef EVP_MD_CTX state;

static state *new_state(const EVP_MD *md) {
  state *s = EVP_MD_CTX_new();
  if (s != NULL && EVP_DigestInit_ex(s, md, NULL) != 1) {
    EVP_MD_CTX_free(s);
    return NULL;
  }
  return s;
}

/* 0: Hacl_Streaming_Types_Success; 3: MaximumLengthExceeded, the only other answer of the originals. */
static uint8_t update(state *s, uint8_t *input, uint32_t len) {
  return EVP_DigestUpdate(s, input, len) == 1 ? 0 : 3;
}

static void digest(state *s, uint8_t *output) {
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  unsigned int n;
  if (c == NULL || EVP_MD_CTX_copy_ex(c, s) != 1 || EVP_DigestFinal_ex(c, output, &n) != 1) abort();
  EVP_MD_CTX_free(c);
}

static state *copy(state *s) {
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  if (c != NULL && EVP_MD_CTX_copy_ex(c, s) != 1) {
    EVP_MD_CTX_free(c);
    return NULL;
  }
  return c;
}

state *python_hashlib_Hacl_Hash_SHA2_malloc_224(void) { return new_state(EVP_sha224()); }
state *python_hashlib_Hacl_Hash_SHA2_malloc_256(void) { return new_state(EVP_sha256()); }
state *python_hashlib_Hacl_Hash_SHA2_malloc_384(void) { return new_state(EVP_sha384()); }
state *python_hashlib_Hacl_Hash_SHA2_malloc_512(void) { return new_state(EVP_sha512()); }
uint8_t python_hashlib_Hacl_Hash_SHA2_update_256(state *s, uint8_t *input, uint32_t len) {
  return update(s, input, len);
}
uint8_t python_hashlib_Hacl_Hash_SHA2_update_512(state *s, uint8_t *input, uint32_t len) {
  return update(s, input, len);
}
void python_hashlib_Hacl_Hash_SHA2_digest_256(state *s, uint8_t *output) { digest(s, output); }
void python_hashlib_Hacl_Hash_SHA2_digest_512(state *s, uint8_t *output) { digest(s, output); }
state *python_hashlib_Hacl_Hash_SHA2_copy_256(state *s) { return copy(s); }
state *python_hashlib_Hacl_Hash_SHA2_copy_512(state *s) { return copy(s); }
void python_hashlib_Hacl_Hash_SHA2_free_256(state *s) { EVP_MD_CTX_free(s); }
void python_hashlib_Hacl_Hash_SHA2_free_512(state *s) { EVP_MD_CTX_free(s); }
