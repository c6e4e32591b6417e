// The test server's certificates for each cert mode: the CA it publishes
// (what clients are told to trust) and the leaf it serves.
//
// Ownership: cn_ts_certs owns everything it holds; free with
// cn_ts_certs_free().
#ifndef CNET_TOOLS_TESTSERVER_SERVER_CERTS_H_
#define CNET_TOOLS_TESTSERVER_SERVER_CERTS_H_

#include "net/test/cert_generator.h"
#include "tools/testserver/test_server.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_ts_certs {
  char *ca_pem;          // published trust anchor
  char *leaf_chain_pem;  // what the server sends
  char *leaf_key_pem;
} cn_ts_certs;

// Makes the certificates for |mode|. The leaf is for |names| (IP literals
// become IP SANs), except in WRONG_HOST mode. |issuer| (may be NULL: a fresh
// CA) signs the leaf, except in UNKNOWN_CA mode where a second, unpublished
// CA does. Returns CN_OK, or CN_ERR_INVALID_ARGUMENT (a name the generator
// rejects, an issuer that is not a CA).
int cn_ts_certs_init(cn_ts_certs *certs, cn_test_server_cert_mode mode, const char *const *names,
                     size_t num_names, const cn_test_cert *issuer);
void cn_ts_certs_free(cn_ts_certs *certs);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_TESTSERVER_SERVER_CERTS_H_
