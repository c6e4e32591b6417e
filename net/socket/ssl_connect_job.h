// The TLS layers' connect job: borrow a connected socket from the pool below
// (transport for TLS to a proxy or a direct origin; tunnel for TLS to an
// origin through a proxy), then run TLS over it. The same job serves the
// ssl-to-proxy and ssl-to-origin pools; only the params differ.
//
// For TLS to a proxy (|to_proxy|), failures are reported as the proxy's:
// a certificate error becomes CN_ERR_PROXY_CERTIFICATE_INVALID (never
// bypassable), any other failure CN_ERR_PROXY_CONNECTION_FAILED, so the
// caller can fall back to the next proxy; the original error is in the
// NetLog. For TLS to an origin errors pass through unchanged.
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
