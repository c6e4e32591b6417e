// In-process test certificates: a CA, and leaf certificates with DNS and IP
// subjectAltNames and any validity window, signed by a given CA or
// self-signed. Tests and the test server make fresh ones per run instead of
// checking in key material that expires; keys are ECDSA P-256 because they
// are generated in well under a millisecond.
//
// Everything comes out as PEM, the form cn_ssl_server_context_new() and
// `fetch --cacert` take.
//
// Ownership: cn_test_cert_new() returns a certificate the caller frees with
// cn_test_cert_free(). The PEM strings it returns are owned by the
// certificate and live as long as it does. A certificate keeps no pointer to
// its issuer, so the issuer may be freed first.
#ifndef CNET_NET_TEST_CERT_GENERATOR_H_
#define CNET_NET_TEST_CERT_GENERATOR_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_test_cert cn_test_cert;

typedef struct cn_test_cert_options {
  // Subject common name; NULL gives "cnet test". Host names belong in
  // |dns_names|: verifiers (cnet's too) ignore the CN.
  const char *common_name;
  // subjectAltName entries. IP addresses are text ("127.0.0.1", "::1").
  const char *const *dns_names;
  size_t num_dns_names;
  const char *const *ip_addresses;
  size_t num_ip_addresses;
  // Validity window in seconds relative to now. 0 keeps the default of the
  // bound: notBefore one day ago, notAfter 365 days ahead. An expired
  // certificate: {-10 days, -1 day}; a not-yet-valid one: {+1 day, +10 days}.
  int64_t not_before_offset_s;
  int64_t not_after_offset_s;
  // A CA certificate (basicConstraints CA:TRUE, keyCertSign) that can sign
  // others, instead of a TLS server/client leaf.
  bool is_ca;
} cn_test_cert_options;

// A new certificate and key pair. |issuer| signs it (it must have been made
// with is_ca); NULL makes it self-signed. Returns NULL only if |options| is
// invalid (an unparsable IP address, a non-CA issuer).
cn_test_cert *cn_test_cert_new(const cn_test_cert_options *options, const cn_test_cert *issuer);

// Shorthands: a self-signed CA named |common_name|, and a leaf for one DNS
// name (or IP literal: "127.0.0.1" and "::1" become IP SANs) signed by |ca|.
cn_test_cert *cn_test_cert_new_ca(const char *common_name);
cn_test_cert *cn_test_cert_new_leaf(const char *host, const cn_test_cert *ca);

void cn_test_cert_free(cn_test_cert *cert);

// The certificate alone, PEM ("-----BEGIN CERTIFICATE-----..."), NUL-terminated.
const char *cn_test_cert_pem(const cn_test_cert *cert);
// The certificate followed by the intermediates up to (not including) the
// self-signed root: what a server sends. For a leaf signed directly by a root
// this equals cn_test_cert_pem().
const char *cn_test_cert_chain_pem(const cn_test_cert *cert);
// The private key, PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----...").
const char *cn_test_cert_key_pem(const cn_test_cert *cert);

// Writes |pem| to |path| (created or truncated, mode 0600). Returns CN_OK or a
// CN_ERR_* (CN_ERR_ACCESS_DENIED, CN_ERR_FILE_NOT_FOUND, CN_ERR_FAILED).
int cn_test_write_pem_file(const char *path, const char *pem);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_TEST_CERT_GENERATOR_H_
