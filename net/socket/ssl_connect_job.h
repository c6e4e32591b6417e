// The TLS layers' connect job: borrow a connected socket from the pool below
// (transport for TLS to a proxy or a direct origin; tunnel for TLS to an
// origin through a proxy), then run TLS over it. The same job serves the
// ssl-to-proxy and ssl-to-origin pools; only the params differ.
//
// Errors reach the caller as they are (ERR_SSL_PROTOCOL_ERROR for plaintext
// where TLS was expected, ERR_SSL_VERSION_OR_CIPHER_MISMATCH, a reset, ...)
// with the hop they came from (connect_job.h): a handshake failure is the
// params' hop, a failure of the lower request keeps the hop it named. The
// one rename: a proxy's (|to_proxy|) certificate error becomes
// CN_ERR_PROXY_CERTIFICATE_INVALID (never bypassable), the certificate's
// own error logged as PROXY_CONNECT_ERROR. Whether an error moves the
// request to the next proxy is the transaction's decision
// (proxy_fallback.h), not this job's.
#ifndef CNET_NET_SOCKET_SSL_CONNECT_JOB_H_
#define CNET_NET_SOCKET_SSL_CONNECT_JOB_H_

#include <stdbool.h>

#include "net/socket/client_socket_pool.h"
#include "net/socket/ssl_config.h"
#include "net/socket/ssl_context.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_ssl_connect_params {
  cn_socket_params base;
  // Where the socket underneath comes from.
  cn_client_socket_pool *lower_pool;
  char *lower_group_id;
  char *lower_chain_key;  // may be NULL
  cn_socket_params *lower_params;
  // TLS.
  char *host;  // SNI and the name the certificate must match
  cn_ssl_context *context;
  cn_ssl_config config;
  char *session_key;
  bool to_proxy;
} cn_ssl_connect_params;

// New params with one reference. Strings and |config| are copied;
// |lower_params| and |context| are referenced. |lower_chain_key| and
// |session_key| may be NULL.
cn_socket_params *cn_ssl_connect_params_new(cn_client_socket_pool *lower_pool,
                                            const char *lower_group_id,
                                            const char *lower_chain_key,
                                            cn_socket_params *lower_params, const char *host,
                                            cn_ssl_context *context,
                                            const cn_ssl_config *config,
                                            const char *session_key, bool to_proxy);

cn_connect_job_factory cn_ssl_connect_job_factory(void);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_SSL_CONNECT_JOB_H_
