#include "net/test/cert_generator.h"

#include <gtest/gtest.h>

// BoringSSL's headers come in through -I (not -isystem), and its stack
// macros trip -Wignored-qualifiers when compiled as C++.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-qualifiers"
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#pragma GCC diagnostic pop

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "net/base/net_errors.h"

namespace {

struct CertDeleter {
  void operator()(cn_test_cert *c) const { cn_test_cert_free(c); }
};
using CertPtr = std::unique_ptr<cn_test_cert, CertDeleter>;
struct X509Deleter {
  void operator()(X509 *x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

std::vector<X509Ptr> ParsePems(const char *pem) {
  std::vector<X509Ptr> out;
  BIO *bio = BIO_new_mem_buf(pem, static_cast<int>(strlen(pem)));
  while (X509 *x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr))
    out.emplace_back(x);
  BIO_free(bio);
  return out;
}

X509Ptr ParsePem(const char *pem) {
  std::vector<X509Ptr> all = ParsePems(pem);
  EXPECT_EQ(1u, all.size());
  return all.empty() ? nullptr : std::move(all[0]);
}

// Verifies |leaf_pem| (plus intermediates) against |root_pem| for |host| the
// way a TLS client would, returning the X509_V_* result.
int Verify(const char *chain_pem, const char *root_pem, const char *host) {
  std::vector<X509Ptr> chain = ParsePems(chain_pem);
  X509Ptr root = ParsePem(root_pem);
  if (chain.empty() || !root)
    return -1;
  X509_STORE *store = X509_STORE_new();
  X509_STORE_add_cert(store, root.get());
  STACK_OF(X509) *untrusted = sk_X509_new_null();
  for (size_t i = 1; i < chain.size(); i++)
    sk_X509_push(untrusted, chain[i].get());
  X509_STORE_CTX *ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, chain[0].get(), untrusted);
  X509_STORE_CTX_set_default(ctx, "ssl_server");
  X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
  if (host) {
    if (!X509_VERIFY_PARAM_set1_ip_asc(param, host))
      X509_VERIFY_PARAM_set1_host(param, host, strlen(host));
  }
  int ok = X509_verify_cert(ctx);
  int err = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  sk_X509_free(untrusted);
  X509_STORE_free(store);
  return err;
}

TEST(CertGeneratorTest, CaIsSelfSignedCa) {
  CertPtr ca(cn_test_cert_new_ca("cnet Test Root"));
  ASSERT_TRUE(ca);
  X509Ptr x = ParsePem(cn_test_cert_pem(ca.get()));
  ASSERT_TRUE(x);
  EXPECT_EQ(0, X509_NAME_cmp(X509_get_subject_name(x.get()), X509_get_issuer_name(x.get())));
  EXPECT_EQ(1, X509_check_ca(x.get()));
  EXPECT_STREQ(cn_test_cert_pem(ca.get()), cn_test_cert_chain_pem(ca.get()));
  EXPECT_NE(nullptr, strstr(cn_test_cert_key_pem(ca.get()), "-----BEGIN PRIVATE KEY-----"));
}

TEST(CertGeneratorTest, LeafVerifiesForItsNamesOnly) {
  CertPtr ca(cn_test_cert_new_ca("cnet Test Root"));
  const char *dns[] = {"origin.test", "*.wild.test"};
  const char *ips[] = {"127.0.0.1", "::1"};
  cn_test_cert_options o = {};
  o.dns_names = dns;
  o.num_dns_names = 2;
  o.ip_addresses = ips;
  o.num_ip_addresses = 2;
  CertPtr leaf(cn_test_cert_new(&o, ca.get()));
  ASSERT_TRUE(leaf);
  const char *root = cn_test_cert_pem(ca.get());
  const char *chain = cn_test_cert_chain_pem(leaf.get());
  EXPECT_EQ(X509_V_OK, Verify(chain, root, "origin.test"));
  EXPECT_EQ(X509_V_OK, Verify(chain, root, "a.wild.test"));
  EXPECT_EQ(X509_V_OK, Verify(chain, root, "127.0.0.1"));
  EXPECT_EQ(X509_V_OK, Verify(chain, root, "::1"));
  EXPECT_EQ(X509_V_ERR_HOSTNAME_MISMATCH, Verify(chain, root, "other.test"));
  EXPECT_EQ(X509_V_ERR_IP_ADDRESS_MISMATCH, Verify(chain, root, "127.0.0.2"));
  // The key matches the certificate.
  X509Ptr x = ParsePem(cn_test_cert_pem(leaf.get()));
  const char *key_pem = cn_test_cert_key_pem(leaf.get());
  BIO *bio = BIO_new_mem_buf(key_pem, static_cast<int>(strlen(key_pem)));
  EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(nullptr, key);
  EXPECT_EQ(1, X509_check_private_key(x.get(), key));
  EXPECT_EQ(0, X509_check_ca(x.get()));
  EVP_PKEY_free(key);
}

TEST(CertGeneratorTest, LeafShorthandUsesIpSanForIpLiterals) {
  CertPtr ca(cn_test_cert_new_ca("cnet Test Root"));
  CertPtr by_ip(cn_test_cert_new_leaf("127.0.0.1", ca.get()));
  CertPtr by_name(cn_test_cert_new_leaf("localhost", ca.get()));
  ASSERT_TRUE(by_ip && by_name);
  const char *root = cn_test_cert_pem(ca.get());
  EXPECT_EQ(X509_V_OK, Verify(cn_test_cert_pem(by_ip.get()), root, "127.0.0.1"));
  EXPECT_EQ(X509_V_OK, Verify(cn_test_cert_pem(by_name.get()), root, "localhost"));
  EXPECT_NE(X509_V_OK, Verify(cn_test_cert_pem(by_name.get()), root, "127.0.0.1"));
}

TEST(CertGeneratorTest, UnknownCaAndSelfSigned) {
  CertPtr ca(cn_test_cert_new_ca("cnet Test Root"));
  CertPtr other_ca(cn_test_cert_new_ca("cnet Other Root"));
  CertPtr leaf(cn_test_cert_new_leaf("origin.test", other_ca.get()));
  const char *dns[] = {"origin.test"};
  cn_test_cert_options o = {};
  o.dns_names = dns;
  o.num_dns_names = 1;
  CertPtr self(cn_test_cert_new(&o, nullptr));
  ASSERT_TRUE(leaf && self);
  EXPECT_EQ(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
            Verify(cn_test_cert_pem(leaf.get()), cn_test_cert_pem(ca.get()), "origin.test"));
  // A self-signed leaf has no keyCertSign, so the verifier does not even see
  // it as self-signed: it is just a certificate with no known issuer.
  int self_err = Verify(cn_test_cert_pem(self.get()), cn_test_cert_pem(ca.get()), "origin.test");
  EXPECT_TRUE(self_err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
              self_err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT)
      << self_err;
  // Its signature is its own.
  X509Ptr x = ParsePem(cn_test_cert_pem(self.get()));
  EVP_PKEY *pub = X509_get_pubkey(x.get());
  EXPECT_EQ(1, X509_verify(x.get(), pub));
  EVP_PKEY_free(pub);
}

TEST(CertGeneratorTest, ValidityWindow) {
  CertPtr ca(cn_test_cert_new_ca("cnet Test Root"));
  const char *dns[] = {"origin.test"};
  cn_test_cert_options o = {};
  o.dns_names = dns;
  o.num_dns_names = 1;
  o.not_before_offset_s = -10 * 86400;
  o.not_after_offset_s = -86400;
  CertPtr expired(cn_test_cert_new(&o, ca.get()));
  o.not_before_offset_s = 86400;
  o.not_after_offset_s = 10 * 86400;
  CertPtr future(cn_test_cert_new(&o, ca.get()));
  ASSERT_TRUE(expired && future);
  const char *root = cn_test_cert_pem(ca.get());
  EXPECT_EQ(X509_V_ERR_CERT_HAS_EXPIRED,
            Verify(cn_test_cert_pem(expired.get()), root, "origin.test"));
  EXPECT_EQ(X509_V_ERR_CERT_NOT_YET_VALID,
            Verify(cn_test_cert_pem(future.get()), root, "origin.test"));
}

TEST(CertGeneratorTest, IntermediateChain) {
  CertPtr root(cn_test_cert_new_ca("cnet Test Root"));
  cn_test_cert_options io = {};
  io.common_name = "cnet Test Intermediate";
  io.is_ca = true;
  CertPtr inter(cn_test_cert_new(&io, root.get()));
  ASSERT_TRUE(inter);
  CertPtr leaf(cn_test_cert_new_leaf("origin.test", inter.get()));
  ASSERT_TRUE(leaf);
  // The issuer may go first: the leaf keeps its own copy of the chain.
  inter.reset();
  EXPECT_EQ(2u, ParsePems(cn_test_cert_chain_pem(leaf.get())).size());
  EXPECT_EQ(X509_V_OK, Verify(cn_test_cert_chain_pem(leaf.get()), cn_test_cert_pem(root.get()),
                              "origin.test"));
  // Without the intermediate the chain does not build.
  EXPECT_EQ(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
            Verify(cn_test_cert_pem(leaf.get()), cn_test_cert_pem(root.get()), "origin.test"));
}

TEST(CertGeneratorTest, RejectsBadOptions) {
  CertPtr ca(cn_test_cert_new_ca("cnet Test Root"));
  CertPtr leaf(cn_test_cert_new_leaf("origin.test", ca.get()));
  // A leaf cannot sign.
  EXPECT_EQ(nullptr, cn_test_cert_new_leaf("x.test", leaf.get()));
  const char *ips[] = {"not-an-ip"};
  cn_test_cert_options o = {};
  o.ip_addresses = ips;
  o.num_ip_addresses = 1;
  EXPECT_EQ(nullptr, cn_test_cert_new(&o, ca.get()));
}

TEST(CertGeneratorTest, FreshKeysAndSerials) {
  CertPtr a(cn_test_cert_new_ca("cnet Test Root"));
  CertPtr b(cn_test_cert_new_ca("cnet Test Root"));
  EXPECT_STRNE(cn_test_cert_key_pem(a.get()), cn_test_cert_key_pem(b.get()));
  X509Ptr xa = ParsePem(cn_test_cert_pem(a.get()));
  X509Ptr xb = ParsePem(cn_test_cert_pem(b.get()));
  EXPECT_NE(0,
            ASN1_INTEGER_cmp(X509_get0_serialNumber(xa.get()), X509_get0_serialNumber(xb.get())));
}

TEST(CertGeneratorTest, WritesPemFile) {
  CertPtr ca(cn_test_cert_new_ca("cnet Test Root"));
  char path[] = "/tmp/cnet_cert_test_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  ASSERT_EQ(CN_OK, cn_test_write_pem_file(path, cn_test_cert_pem(ca.get())));
  FILE *f = fopen(path, "r");
  ASSERT_NE(nullptr, f);
  std::string content;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
    content.append(buf, n);
  fclose(f);
  unlink(path);
  EXPECT_EQ(std::string(cn_test_cert_pem(ca.get())), content);
  EXPECT_EQ(CN_ERR_FILE_NOT_FOUND,
            cn_test_write_pem_file("/nonexistent-dir/x.pem", cn_test_cert_pem(ca.get())));
}

}  // namespace
