// Certificate verification for TLS clients (see ssl_cert_verify.h).
#include "net/socket/ssl_cert_verify.h"

#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pool.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "net/socket/ssl_internal.h"
#include "net/socket/ssl_socket_internal.h"

// Problems the chain verifier reported, as bits; when there are several the
// most serious one (lowest bit here) becomes the error, the order Chromium
// uses.
enum {
  PROBLEM_INVALID = 1,
  PROBLEM_AUTHORITY = 2,
  PROBLEM_NAME = 4,
  PROBLEM_DATE = 8,
};

static unsigned classify_verify_error(long err) {
  switch (err) {
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return PROBLEM_DATE;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return PROBLEM_NAME;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_INVALID_CA:
      return PROBLEM_AUTHORITY;
    default:
      return PROBLEM_INVALID;
  }
}

static int collect_verify_problem(int ok, X509_STORE_CTX *store_ctx) {
  if (ok)
    return 1;
  SSL *ssl = X509_STORE_CTX_get_ex_data(store_ctx, SSL_get_ex_data_X509_STORE_CTX_idx());
  ssl_socket *s = SSL_get_app_data(ssl);
  long err = X509_STORE_CTX_get_error(store_ctx);
  if (!s->verify_problems)
    s->verify_detail = err;
  s->verify_problems |= classify_verify_error(err);
  return 1;  // keep going, to see every problem
}

static int problems_to_error(unsigned problems) {
  if (problems & PROBLEM_INVALID)
    return CN_ERR_CERT_INVALID;
  if (problems & PROBLEM_AUTHORITY)
    return CN_ERR_CERT_AUTHORITY_INVALID;
  if (problems & PROBLEM_NAME)
    return CN_ERR_CERT_COMMON_NAME_INVALID;
  if (problems & PROBLEM_DATE)
    return CN_ERR_CERT_DATE_INVALID;
  return CN_OK;
}

// Writes |name| in RFC 2253 form into |out|.
void cn_ssl_cert_name_to_str(const X509_NAME *name, char *out, size_t size) {
  out[0] = '\0';
  BIO *bio = BIO_new(BIO_s_mem());
  const uint8_t *data;
  size_t len;
  if (bio && X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0 &&
      BIO_mem_contents(bio, &data, &len)) {
    len = cn_ssl_min_size(len, size - 1);
    memcpy(out, data, len);
    out[len] = '\0';
  }
  BIO_free(bio);
}

void cn_ssl_cert_time_to_str(const ASN1_TIME *t, char *out, size_t size) {
  out[0] = '\0';
  BIO *bio = BIO_new(BIO_s_mem());
  const uint8_t *data;
  size_t len;
  if (bio && ASN1_TIME_print(bio, t) && BIO_mem_contents(bio, &data, &len)) {
    len = cn_ssl_min_size(len, size - 1);
    memcpy(out, data, len);
    out[len] = '\0';
  }
  BIO_free(bio);
}

static int verify_chain(ssl_socket *s) {
  const STACK_OF(CRYPTO_BUFFER) *certs = SSL_get0_peer_certificates(s->ssl);
  if (!certs || sk_CRYPTO_BUFFER_num(certs) == 0)
    return CN_ERR_CERT_INVALID;
  X509 *leaf = X509_parse_from_buffer(sk_CRYPTO_BUFFER_value(certs, 0));
  if (!leaf) {
    ERR_clear_error();
    return CN_ERR_CERT_INVALID;
  }
  STACK_OF(X509) *intermediates = sk_X509_new_null();
  for (size_t i = 1; intermediates && i < sk_CRYPTO_BUFFER_num(certs); i++) {
    X509 *x = X509_parse_from_buffer(sk_CRYPTO_BUFFER_value(certs, i));
    if (x && !sk_X509_push(intermediates, x))
      X509_free(x);
  }
  X509_STORE_CTX *vctx = X509_STORE_CTX_new();
  int rv = CN_ERR_CERT_INVALID;
  s->verify_problems = 0;
  s->verify_detail = X509_V_OK;
  if (vctx && intermediates &&
      X509_STORE_CTX_init(vctx, cn_ssl_context_trust_store_(s->ctx), leaf, intermediates)) {
    X509_STORE_CTX_set_default(vctx, "ssl_server");
    X509_STORE_CTX_set_ex_data(vctx, SSL_get_ex_data_X509_STORE_CTX_idx(), s->ssl);
    X509_STORE_CTX_set_verify_cb(vctx, collect_verify_problem);
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(vctx);
    bool name_ok;
    if (s->host_is_ip) {
      name_ok = X509_VERIFY_PARAM_set1_ip_asc(param, s->verify_name) == 1;
    } else {
      // Only subjectAltNames count, as in browsers since 2017.
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
      name_ok = X509_VERIFY_PARAM_set1_host(param, s->verify_name, strlen(s->verify_name)) == 1;
    }
    if (!name_ok)
      s->verify_problems |= PROBLEM_NAME;
    int ok = X509_verify_cert(vctx);
    if (ok != 1 && !s->verify_problems) {
      s->verify_detail = X509_STORE_CTX_get_error(vctx);
      s->verify_problems |= PROBLEM_INVALID;
    }
    rv = problems_to_error(s->verify_problems);
  }
  if (rv != CN_OK) {
    // Kept for the request's certificate-error report (cnet_request_get_cert_error).
    cn_ssl_cert_name_to_str(X509_get_subject_name(leaf), s->verify_subject,
                            sizeof(s->verify_subject));
    cn_ssl_cert_name_to_str(X509_get_issuer_name(leaf), s->verify_issuer,
                            sizeof(s->verify_issuer));
    cn_netlog_event(s->base.netlog, s->base.source, CN_NETLOG_SSL_CERT_VERIFY_FAILED,
                    CN_NL_ERROR(rv), CN_NL_STR("host", s->host),
                    CN_NL_STR("subject", s->verify_subject), CN_NL_STR("issuer", s->verify_issuer),
                    CN_NL_STR("detail", X509_verify_cert_error_string(s->verify_detail)));
  }
  X509_STORE_CTX_free(vctx);
  sk_X509_pop_free(intermediates, X509_free);
  X509_free(leaf);
  ERR_clear_error();
  return rv;
}

enum ssl_verify_result_t cn_ssl_cert_verify_peer(SSL *ssl, uint8_t *out_alert) {
  ssl_socket *s = SSL_get_app_data(ssl);
  int rv = verify_chain(s);  // logs SSL_CERT_VERIFY_FAILED on a failure
  if (rv == CN_OK || cn_ssl_context_verify_disabled_(s->ctx))
    return ssl_verify_ok;  // (-k: the failure is logged, the handshake goes on)
  s->cert_error = rv;
  switch (rv) {
    case CN_ERR_CERT_AUTHORITY_INVALID:
      *out_alert = SSL_AD_UNKNOWN_CA;
      break;
    case CN_ERR_CERT_DATE_INVALID:
      *out_alert = SSL_AD_CERTIFICATE_EXPIRED;
      break;
    default:
      *out_alert = SSL_AD_BAD_CERTIFICATE;
      break;
  }
  return ssl_verify_invalid;
}
