#include "net/socket/ssl_context.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/is_boringssl.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "base/hashmap.h"
#include "base/list.h"
#include "base/mem.h"
#include "net/base/net_errors.h"
#include "net/socket/ssl_internal.h"

// Two per key: a TLS 1.3 server sends two tickets per connection, and two
// let two connections to one host resume in parallel.
#define CN_SESSIONS_PER_KEY 2
#define CN_DEFAULT_SESSION_CACHE_SIZE 256

typedef struct session_entry {
  cn_list_node lru;  // in cn_ssl_context.lru, most recently used first
  char *key;
  SSL_SESSION *sessions[CN_SESSIONS_PER_KEY];  // oldest first
  size_t count;
} session_entry;

struct cn_ssl_context {
  unsigned refs;
  bool is_server;
  SSL_CTX *ctx;
  // A variant SSL_CTX, made on first use: for a client, with the NPN select
  // callback (BoringSSL offers NPN whenever it is set); for a server,
  // without the ALPN callback (BoringSSL lets ALPN override NPN whenever it
  // is set, so only this one can negotiate NPN with an ALPN-offering
  // client, like a server from before ALPN).
  SSL_CTX *variant_ctx;
  X509_STORE *store;  // client: trust anchors, used by our own verifier
  bool verify_disabled;  // client: accept failed verifications (logged)
  // Server: the identity, kept to set up the variant SSL_CTX too.
  X509 *cert;
  STACK_OF(X509) * chain;
  EVP_PKEY *key;
  BIO_METHOD *bio_method;
  cn_hashmap sessions;  // key -> session_entry
  cn_list_node lru;
  size_t max_keys;
};

// Settings every connection of the context shares; per-connection ones
// (versions, ALPN list, SNI, verification) are set on the SSL by
// ssl_socket.c.
static SSL_CTX *new_ssl_ctx(const cn_ssl_context *c, bool variant) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  if (!ctx)
    abort();  // out of memory; cnet treats it as fatal
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
  if (c->is_server) {
    // BoringSSL's server cache (TLS 1.2 session IDs) and ticket keys stay
    // on: resumption against the test server must work.
    if (!variant)
      SSL_CTX_set_alpn_select_cb(ctx, cn_ssl_on_alpn_select_, NULL);
    SSL_CTX_set_next_protos_advertised_cb(ctx, cn_ssl_on_npn_advertise_, NULL);
    if (c->cert) {
      bool ok = SSL_CTX_use_certificate(ctx, c->cert) && SSL_CTX_use_PrivateKey(ctx, c->key);
      for (size_t i = 0; ok && i < sk_X509_num(c->chain); i++)
        ok = SSL_CTX_add1_chain_cert(ctx, sk_X509_value(c->chain, i));
      if (!ok)
        abort();  // the same identity was accepted for the main SSL_CTX
    }
  } else {
    // Sessions go to our keyed cache only: BoringSSL's internal client cache
    // would be keyed by nothing useful.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_sess_set_new_cb(ctx, cn_ssl_on_new_session_);
    if (variant)
      SSL_CTX_set_next_proto_select_cb(ctx, cn_ssl_on_npn_select_, NULL);
  }
  return ctx;
}

static cn_ssl_context *context_new(bool is_server) {
  cn_ssl_context *c = CN_NEW(cn_ssl_context);
  c->refs = 1;
  c->is_server = is_server;
  c->bio_method = BIO_meth_new(BIO_TYPE_SOURCE_SINK, "cnet stream socket");
  if (!c->bio_method)
    abort();
  BIO_meth_set_read(c->bio_method, cn_ssl_bio_read_);
  BIO_meth_set_write(c->bio_method, cn_ssl_bio_write_);
  BIO_meth_set_ctrl(c->bio_method, cn_ssl_bio_ctrl_);
  cn_hashmap_init(&c->sessions);
  cn_list_init(&c->lru);
  c->max_keys = CN_DEFAULT_SESSION_CACHE_SIZE;
  return c;
}

// Adds every certificate in |pem| to |store|; returns how many.
static size_t add_pem_certs(X509_STORE *store, const char *pem) {
  BIO *bio = BIO_new_mem_buf(pem, (int)strlen(pem));
  size_t n = 0;
  X509 *x;
  while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
    if (X509_STORE_add_cert(store, x))
      n++;
    X509_free(x);
  }
  BIO_free(bio);
  ERR_clear_error();  // the loop always ends on a "no start line" error
  return n;
}

int cn_ssl_client_context_new(const cn_ssl_client_context_options *options, cn_ssl_context **out) {
  cn_ssl_client_context_options defaults = {0};
  if (!options)
    options = &defaults;
  *out = NULL;
  cn_ssl_context *c = context_new(false);
  c->ctx = new_ssl_ctx(c, false);
  c->store = X509_STORE_new();
  if (options->session_cache_size)
    c->max_keys = options->session_cache_size;
  c->verify_disabled = options->verify_disabled;
  const char *file = options->ca_file;
  if (!file && !options->ca_pem)
    file = CN_SSL_SYSTEM_CA_FILE;
  int rv = CN_OK;
  if (file) {
    struct stat st;
    if (stat(file, &st) != 0) {
      rv = errno == EACCES ? CN_ERR_ACCESS_DENIED : CN_ERR_FILE_NOT_FOUND;
    } else if (!X509_STORE_load_locations(c->store, file, NULL)) {
      rv = CN_ERR_INVALID_ARGUMENT;  // no certificate in it
      ERR_clear_error();
    }
  }
  if (rv == CN_OK && options->ca_pem && add_pem_certs(c->store, options->ca_pem) == 0)
    rv = CN_ERR_INVALID_ARGUMENT;
  if (rv != CN_OK) {
    cn_ssl_context_unref(c);
    return rv;
  }
  *out = c;
  return CN_OK;
}

int cn_ssl_server_context_new(const char *cert_chain_pem, const char *key_pem,
                              cn_ssl_context **out) {
  *out = NULL;
  if (!cert_chain_pem || !key_pem)
    return CN_ERR_INVALID_ARGUMENT;
  cn_ssl_context *c = context_new(true);
  c->chain = sk_X509_new_null();
  BIO *bio = BIO_new_mem_buf(cert_chain_pem, (int)strlen(cert_chain_pem));
  c->cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
  X509 *x;
  while (c->cert && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
    if (!sk_X509_push(c->chain, x))
      abort();
  }
  BIO_free(bio);
  bio = BIO_new_mem_buf(key_pem, (int)strlen(key_pem));
  c->key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
  BIO_free(bio);
  int rv = CN_OK;
  if (!c->cert || !c->key || !X509_check_private_key(c->cert, c->key)) {
    rv = CN_ERR_INVALID_ARGUMENT;
  } else {
    c->ctx = new_ssl_ctx(c, false);
  }
  ERR_clear_error();
  if (rv != CN_OK) {
    cn_ssl_context_unref(c);
    return rv;
  }
  *out = c;
  return CN_OK;
}

cn_ssl_context *cn_ssl_context_ref(cn_ssl_context *ctx) {
  ctx->refs++;
  return ctx;
}

static void entry_free(session_entry *e) {
  for (size_t i = 0; i < e->count; i++)
    SSL_SESSION_free(e->sessions[i]);
  cn_list_remove(&e->lru);
  free(e->key);
  free(e);
}

static void entry_remove(cn_ssl_context *c, session_entry *e) {
  cn_hashmap_remove(&c->sessions, e->key);
  entry_free(e);
}

void cn_ssl_context_clear_sessions(cn_ssl_context *c) {
  while (!cn_list_empty(&c->lru))
    entry_remove(c, CN_CONTAINER_OF(cn_list_front(&c->lru), session_entry, lru));
}

void cn_ssl_context_unref(cn_ssl_context *c) {
  if (!c || --c->refs > 0)
    return;
  cn_ssl_context_clear_sessions(c);
  cn_hashmap_free(&c->sessions);
  SSL_CTX_free(c->ctx);
  SSL_CTX_free(c->variant_ctx);
  X509_STORE_free(c->store);
  X509_free(c->cert);
  sk_X509_pop_free(c->chain, X509_free);
  EVP_PKEY_free(c->key);
  BIO_meth_free(c->bio_method);
  free(c);
}

bool cn_ssl_context_is_server(const cn_ssl_context *c) { return c->is_server; }

size_t cn_ssl_context_session_count(const cn_ssl_context *c, const char *key) {
  const session_entry *e = cn_hashmap_get(&c->sessions, key);
  return e ? e->count : 0;
}

SSL *cn_ssl_context_new_ssl_(cn_ssl_context *c, bool variant) {
  SSL_CTX *ctx = c->ctx;
  if (variant) {
    if (!c->variant_ctx)
      c->variant_ctx = new_ssl_ctx(c, true);
    ctx = c->variant_ctx;
  }
  SSL *ssl = SSL_new(ctx);
  if (!ssl)
    abort();
  return ssl;
}

X509_STORE *cn_ssl_context_trust_store_(cn_ssl_context *c) { return c->store; }

bool cn_ssl_context_verify_disabled_(const cn_ssl_context *c) { return c->verify_disabled; }

const BIO_METHOD *cn_ssl_context_bio_method_(cn_ssl_context *c) { return c->bio_method; }

static bool session_expired(const SSL_SESSION *s, uint64_t now) {
  return SSL_SESSION_get_time(s) + SSL_SESSION_get_timeout(s) <= now;
}

SSL_SESSION *cn_ssl_context_take_session_(cn_ssl_context *c, const char *key) {
  if (!key)
    return NULL;
  session_entry *e = cn_hashmap_get(&c->sessions, key);
  if (!e)
    return NULL;
  uint64_t now = (uint64_t)time(NULL);
  // Newest last; drop expired ones from the front as we go.
  while (e->count > 0 && session_expired(e->sessions[0], now)) {
    SSL_SESSION_free(e->sessions[0]);
    memmove(&e->sessions[0], &e->sessions[1], sizeof(e->sessions[0]) * (e->count - 1));
    e->count--;
  }
  if (e->count == 0) {
    entry_remove(c, e);
    return NULL;
  }
  SSL_SESSION *s = e->sessions[e->count - 1];
  if (SSL_SESSION_should_be_single_use(s)) {
    e->count--;  // the reference moves to the caller
  } else {
    SSL_SESSION_up_ref(s);
  }
  cn_list_remove(&e->lru);
  cn_list_push_front(&c->lru, &e->lru);
  if (e->count == 0)
    entry_remove(c, e);
  return s;
}

void cn_ssl_context_put_session_(cn_ssl_context *c, const char *key, SSL_SESSION *session) {
  session_entry *e = cn_hashmap_get(&c->sessions, key);
  if (!e) {
    e = CN_NEW(session_entry);
    e->key = cn_xstrdup(key);
    cn_list_init(&e->lru);
    cn_hashmap_put(&c->sessions, key, e);
  }
  if (e->count == CN_SESSIONS_PER_KEY) {
    SSL_SESSION_free(e->sessions[0]);
    memmove(&e->sessions[0], &e->sessions[1], sizeof(e->sessions[0]) * (e->count - 1));
    e->count--;
  }
  e->sessions[e->count++] = session;
  cn_list_remove(&e->lru);
  cn_list_push_front(&c->lru, &e->lru);
  while (cn_hashmap_count(&c->sessions) > c->max_keys)
    entry_remove(c, CN_CONTAINER_OF(c->lru.prev, session_entry, lru));
}
