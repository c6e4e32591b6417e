#include "net/socket/socks5_connect_job.h"

#include <stdlib.h>

#include "base/mem.h"
#include "net/socket/pooled_socket.h"
#include "net/socket/socks5_client_socket.h"

static void destroy_params(cn_socket_params *p) {
  cn_socks5_params *s = (cn_socks5_params *)p;
  free(s->lower_group_id);
  free(s->lower_chain_key);
  cn_socket_params_unref(s->lower_params);
  cn_proxy_server_free(&s->proxy);
  free(s);
}

cn_socket_params *cn_socks5_params_new(cn_client_socket_pool *lower_pool,
                                       const char *lower_group_id, const char *lower_chain_key,
                                       cn_socket_params *lower_params,
                                       const cn_proxy_server *proxy, const cn_host_port *target,
                                       cn_host_resolver *resolver) {
  cn_socks5_params *s = CN_NEW(cn_socks5_params);
  s->base.refs = 1;
  s->target_hop = CN_HOP_ORIGIN;
  s->base.hop = 0;  // a SOCKS proxy is only ever a chain's first hop
  s->base.destroy = destroy_params;
  s->lower_pool = lower_pool;
  s->lower_group_id = cn_xstrdup(lower_group_id);
  s->lower_chain_key = cn_xstrdup(lower_chain_key);
  s->lower_params = cn_socket_params_ref(lower_params);
  cn_proxy_server_copy(&s->proxy, proxy);
  s->target = *target;
  s->resolver = resolver;
  return &s->base;
}

typedef struct socks5_job {
  cn_connect_job base;
  cn_socks5_params *params;
  cn_host_resolve_request *resolve;  // while the target is resolved
  cn_address_list addrs;
  cn_stream_socket *pooled;  // while the lower request is pending
  cn_stream_socket *socks;   // while the handshake runs
} socks5_job;

// Lower-pool failures are the proxy's: reported as such, the cause logged.
static int proxy_failed(socks5_job *j, int rv) {
  if (rv == CN_ERR_PROXY_CONNECTION_FAILED)
    return rv;  // the transport job (to_proxy) already logged the cause
  cn_netlog_event(j->base.netlog, j->base.source, CN_NETLOG_PROXY_CONNECT_ERROR,
                  CN_NL_ERROR(rv));
  return CN_ERR_PROXY_CONNECTION_FAILED;
}

static void on_handshake(void *arg, int rv) {
  socks5_job *j = arg;
  // A handshake that completed synchronously (start_handshake) already
  // moved the socket to base.socket.
  if (rv == CN_OK && j->socks) {
    j->base.socket = j->socks;
    j->socks = NULL;
  }
  cn_connect_job_complete(&j->base, rv);
}

// The connection to the proxy is up: the SOCKS5 handshake over it.
static int start_handshake(socks5_job *j) {
  cn_socks5_client_socket_params sp = {
      .target = &j->params->target,
      .address = j->addrs.count ? &j->addrs.items[0] : NULL,
      .username = j->params->proxy.username,
      .password = j->params->proxy.password,
  };
  cn_stream_socket *pooled = j->pooled;
  j->pooled = NULL;
  cn_connect_job_phase_started(&j->base);  // the tunnel timeout counts from here
  j->socks = cn_socks5_client_socket_new(pooled, &sp, j->base.netlog);  // takes |pooled|
  cn_netlog_event(j->base.netlog, j->base.source, CN_NETLOG_CONNECT_JOB_SET_SOCKET,
                  CN_NL_SOURCE("socket", j->socks->source));
  int rv = cn_stream_socket_connect(j->socks, on_handshake, j);
  if (rv == CN_OK) {
    j->base.socket = j->socks;
    j->socks = NULL;
  }
  return rv;
}

static void on_lower(void *arg, int rv) {
  socks5_job *j = arg;
  rv = rv == CN_OK ? start_handshake(j) : proxy_failed(j, rv);
  if (rv != CN_ERR_IO_PENDING)
    on_handshake(j, rv);
}

static int start_lower(socks5_job *j) {
  j->pooled = cn_pooled_socket_new(j->base.netlog);
  int rv = cn_client_socket_pool_request(j->params->lower_pool, j->params->lower_group_id,
                                         j->params->lower_chain_key, j->params->lower_params,
                                         j->base.priority, j->base.source,
                                         cn_pooled_socket_handle(j->pooled), on_lower, j);
  if (rv == CN_OK)
    return start_handshake(j);
  return rv == CN_ERR_IO_PENDING ? rv : proxy_failed(j, rv);
}

// The target did not resolve: the target's failure, not the proxy's.
static int target_failed(socks5_job *j, int rv) {
  j->base.error_hop = j->params->target_hop;
  return rv;
}

static void on_resolved(void *arg, int rv) {
  socks5_job *j = arg;
  j->resolve = NULL;
  if (rv == CN_OK)
    rv = start_lower(j);
  else
    rv = target_failed(j, rv);
  if (rv != CN_ERR_IO_PENDING)
    on_handshake(j, rv);
}

static int connect_(cn_connect_job *job) {
  socks5_job *j = (socks5_job *)job;
  const cn_socks5_params *p = j->params;
  if (!cn_proxy_server_is_socks(&p->proxy))
    return CN_ERR_INVALID_ARGUMENT;
  cn_ip_endpoint literal;
  bool local = p->proxy.scheme == CN_PROXY_SCHEME_SOCKS5 &&
               !cn_ip_endpoint_from_literal(p->target.host, p->target.port, &literal);
  if (!local)
    return start_lower(j);
  if (!p->resolver)
    return CN_ERR_INVALID_ARGUMENT;
  int rv = cn_host_resolver_resolve(p->resolver, p->target.host, p->target.port, job->netlog,
                                    job->source, &j->resolve, &j->addrs, on_resolved, j);
  if (rv == CN_OK)
    rv = start_lower(j);
  else if (rv != CN_ERR_IO_PENDING)
    rv = target_failed(j, rv);
  return rv;
}

static void set_priority_(cn_connect_job *job, cn_request_priority priority) {
  socks5_job *j = (socks5_job *)job;
  if (j->pooled)
    cn_client_socket_handle_set_priority(cn_pooled_socket_handle(j->pooled), priority);
}

static void destroy_(cn_connect_job *job) {
  socks5_job *j = (socks5_job *)job;
  if (j->resolve)
    cn_host_resolve_request_cancel(j->resolve);
  cn_stream_socket_destroy(j->pooled);  // cancels a pending lower request
  cn_stream_socket_destroy(j->socks);   // cancels a pending handshake
  cn_stream_socket_destroy(j->base.socket);
  cn_address_list_free(&j->addrs);
  cn_socket_params_unref(&j->params->base);
  free(j);
}

// The lower request still pending (connect_job.h), if any.
static cn_client_socket_handle *lower_request_(const cn_connect_job *job) {
  const socks5_job *j = (const socks5_job *)job;
  return j->pooled ? cn_pooled_socket_handle(j->pooled) : NULL;
}

static const cn_connect_job_ops kSocks5JobOps = {
    .name = "socks5",
    .connect = connect_,
    .destroy = destroy_,
    .set_priority = set_priority_,
    .lower_request = lower_request_,
};

static cn_connect_job *create(void *ctx, const char *group_id, cn_socket_params *params,
                              cn_request_priority priority, cn_netlog *netlog) {
  (void)ctx;
  socks5_job *j = CN_NEW(socks5_job);
  cn_connect_job_init(&j->base, &kSocks5JobOps, netlog, group_id, priority);
  j->base.timed_from_phase_start = true;  // the lower pool times the wait for its socket
  j->params = (cn_socks5_params *)cn_socket_params_ref(params);
  cn_address_list_init(&j->addrs);
  return &j->base;
}

cn_connect_job_factory cn_socks5_connect_job_factory(void) {
  cn_connect_job_factory f = {create, NULL};
  return f;
}
