#include "tools/testserver/server_certs.h"

#include <arpa/inet.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "net/base/net_errors.h"

#define DAY (24 * 60 * 60)

static bool is_ip_literal(const char *name) {
  unsigned char tmp[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, name, tmp) == 1 || inet_pton(AF_INET6, name, tmp) == 1;
}

static cn_test_cert *make_leaf(const char *const *names, size_t num_names, bool expired,
                               const cn_test_cert *issuer) {
  const char **dns = cn_xcalloc(num_names + 1, sizeof(*dns));
  const char **ips = cn_xcalloc(num_names + 1, sizeof(*ips));
  size_t ndns = 0, nips = 0;
  for (size_t i = 0; i < num_names; i++) {
    if (is_ip_literal(names[i]))
      ips[nips++] = names[i];
    else
      dns[ndns++] = names[i];
  }
  cn_test_cert_options o;
  memset(&o, 0, sizeof(o));
  o.common_name = num_names ? names[0] : "cnet testserver";
  o.dns_names = dns;
  o.num_dns_names = ndns;
  o.ip_addresses = ips;
  o.num_ip_addresses = nips;
  if (expired) {
    o.not_before_offset_s = -10 * DAY;
    o.not_after_offset_s = -1 * DAY;
  }
  cn_test_cert *leaf = cn_test_cert_new(&o, issuer);
  free(dns);
  free(ips);
  return leaf;
}

int cn_ts_certs_init(cn_ts_certs *certs, cn_test_server_cert_mode mode, const char *const *names,
                     size_t num_names, const cn_test_cert *issuer) {
  memset(certs, 0, sizeof(*certs));
  cn_test_cert *own_ca = NULL;
  if (!issuer) {
    // A name of its own per instance: verifiers find a certificate's issuer
    // by name, so two servers' CAs in one --cacert bundle must not share one.
    uint8_t id[6];
    RAND_bytes(id, sizeof(id));
    char name[64];
    snprintf(name, sizeof(name), "cnet testserver CA %02x%02x%02x%02x%02x%02x", id[0], id[1],
             id[2], id[3], id[4], id[5]);
    own_ca = cn_test_cert_new_ca(name);
    issuer = own_ca;
  }
  // UNKNOWN_CA: the leaf is signed by a CA nobody is told about; clients
  // trusting the published one must reject it.
  cn_test_cert *hidden_ca = NULL;
  const cn_test_cert *signer = issuer;
  if (mode == CN_TEST_SERVER_CERT_UNKNOWN_CA) {
    hidden_ca = cn_test_cert_new_ca("cnet testserver unknown CA");  // never published
    signer = hidden_ca;
  }
  static const char *const kWrongHost[] = {CN_TEST_SERVER_WRONG_HOST};
  cn_test_cert *leaf =
      mode == CN_TEST_SERVER_CERT_WRONG_HOST
          ? make_leaf(kWrongHost, 1, false, signer)
          : make_leaf(names, num_names, mode == CN_TEST_SERVER_CERT_EXPIRED, signer);
  int rv = CN_ERR_INVALID_ARGUMENT;
  if (leaf) {
    certs->ca_pem = cn_xstrdup(cn_test_cert_pem(issuer));
    certs->leaf_chain_pem = cn_xstrdup(cn_test_cert_chain_pem(leaf));
    certs->leaf_key_pem = cn_xstrdup(cn_test_cert_key_pem(leaf));
    rv = CN_OK;
  }
  cn_test_cert_free(leaf);
  cn_test_cert_free(hidden_ca);
  cn_test_cert_free(own_ca);
  return rv;
}

void cn_ts_certs_free(cn_ts_certs *certs) {
  free(certs->ca_pem);
  free(certs->leaf_chain_pem);
  free(certs->leaf_key_pem);
  memset(certs, 0, sizeof(*certs));
}
