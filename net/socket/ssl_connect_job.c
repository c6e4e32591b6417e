#include "net/socket/ssl_connect_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "net/socket/pooled_socket.h"
#include "net/socket/ssl_socket.h"

static void destroy_params(cn_socket_params *p) {
  cn_ssl_connect_params *s = (cn_ssl_connect_params *)p;
  free(s->lower_group_id);
  free(s->lower_chain_key);
  cn_socket_params_unref(s->lower_params);
  free(s->host);
  cn_ssl_context_unref(s->context);
  free(s->session_key);
  free(s);
}

cn_socket_params *cn_ssl_connect_params_new(cn_client_socket_pool *lower_pool,
                                            const char *lower_group_id,
                                            const char *lower_chain_key,
                                            cn_socket_params *lower_params, const char *host,
                                            cn_ssl_context *context,
                                            const cn_ssl_config *config,
                                            const char *session_key, bool to_proxy) {
  cn_ssl_connect_params *s = CN_NEW(cn_ssl_connect_params);
  s->base.refs = 1;
  s->base.destroy = destroy_params;
  s->lower_pool = lower_pool;
  s->lower_group_id = cn_xstrdup(lower_group_id);
  s->lower_chain_key = cn_xstrdup(lower_chain_key);
  s->lower_params = cn_socket_params_ref(lower_params);
  s->host = cn_xstrdup(host);
  s->context = cn_ssl_context_ref(context);
  if (config)
    s->config = *config;
  s->session_key = cn_xstrdup(session_key);
  s->to_proxy = to_proxy;
  // To a proxy: the first unless the plan says which (it sets the index).
  s->base.hop = to_proxy ? 0 : CN_HOP_ORIGIN;
  return &s->base;
}

typedef struct ssl_job {
  cn_connect_job base;
  cn_ssl_connect_params *params;
  cn_stream_socket *pooled;  // while the lower request is pending
  cn_stream_socket *ssl;     // while the handshake runs
} ssl_job;

// "host:port" of the TLS peer, from the session key ("proxy|HOST:PORT",
// "origin|HOST:PORT|CHAIN").
static void peer_host_port(const ssl_job *j, char *out, size_t size) {
  const char *key = j->params->session_key ? j->params->session_key : "";
  const char *start = strchr(key, '|');
  start = start ? start + 1 : key;
  const char *end = strchr(start, '|');
  size_t n = end ? (size_t)(end - start) : strlen(start);
  snprintf(out, size, "%.*s", (int)n, start);
}

// A certificate failure of this job's TLS: what it was and whose (for the
// request's certificate-error report), before a proxy's is mapped.
static void log_cert_error(const ssl_job *j, int rv) {
  if (!cn_error_is_certificate_error(rv) || !j->ssl)
    return;
  const char *subject, *issuer;
  cn_ssl_socket_cert_error_names(j->ssl, &subject, &issuer);
  char server[300];
  peer_host_port(j, server, sizeof(server));
  cn_netlog_event(j->base.netlog, j->base.source, CN_NETLOG_SSL_CERT_ERROR, CN_NL_ERROR(rv),
                  CN_NL_STR("hop", j->params->to_proxy ? "proxy" : "origin"),
                  CN_NL_STR("server", server), CN_NL_STR("subject", subject),
                  CN_NL_STR("issuer", issuer));
}

// A failure of the TLS handshake is this job's hop's (params->base.hop);
// one of the lower request keeps the hop it named (error_hop). Only a
// proxy's certificate error is renamed: CN_ERR_PROXY_CERTIFICATE_INVALID,
// the certificate's own error logged, so that it is never taken for the
// origin's (which the user may be asked to accept) — every other error
// reaches the caller as it is.
static int handshake_error(const ssl_job *j, int rv) {
  if (rv < 0 && rv != CN_ERR_IO_PENDING)
    log_cert_error(j, rv);
  if (rv >= 0 || rv == CN_ERR_IO_PENDING || !j->params->to_proxy ||
      !cn_error_is_certificate_error(rv))
    return rv;
  cn_netlog_event(j->base.netlog, j->base.source, CN_NETLOG_PROXY_CONNECT_ERROR,
                  CN_NL_ERROR(rv));
  return CN_ERR_PROXY_CERTIFICATE_INVALID;
}

// The lower request failed with |rv|: its hop is the failure's.
static int lower_failed(ssl_job *j, int rv) {
  j->base.error_hop = cn_pooled_socket_handle(j->pooled)->error_hop;
  return rv;
}

static void finish(ssl_job *j, int rv) {
  if (rv == CN_OK && j->ssl) {
    j->base.socket = j->ssl;
    j->ssl = NULL;
  }
  if (rv == CN_OK && j->base.socket && !j->base.socket->timing.connect_end_us)
    j->base.socket->timing.connect_end_us = cn_socket_timing_now();
  cn_connect_job_complete(&j->base, rv);
}

// A failure that came from an optimistic tunnel below, whose proxy refused
// the CONNECT (stream_socket.h, CN_SOCKET_QUERY_REFUSED_HOP), is that
// proxy's, as it would have been without the optimism.
static void note_refused_hop(ssl_job *j, int rv) {
  int hop;
  if (rv < 0 && rv != CN_ERR_IO_PENDING && j->ssl &&
      cn_stream_socket_query(j->ssl, CN_SOCKET_QUERY_REFUSED_HOP, &hop) == CN_OK)
    j->base.error_hop = hop;
}

static void on_handshake(void *arg, int rv) {
  ssl_job *j = arg;
  note_refused_hop(j, rv);
  finish(j, handshake_error(j, rv));
}

// The lower socket is ready: TLS over it.
static int start_tls(ssl_job *j) {
  cn_ssl_socket_params sp = {
      .context = j->params->context,
      .config = &j->params->config,
      .host = j->params->host,
      .session_key = j->params->session_key,
  };
  cn_stream_socket *pooled = j->pooled;
  j->pooled = NULL;
  cn_connect_job_phase_started(&j->base);  // the TLS timeout counts from here
  j->ssl = cn_ssl_socket_new(j->base.netlog, pooled, &sp);  // takes |pooled|
  if (!j->ssl)
    return CN_ERR_INVALID_ARGUMENT;
  cn_netlog_event(j->base.netlog, j->base.source, CN_NETLOG_CONNECT_JOB_SET_SOCKET,
                  CN_NL_SOURCE("socket", j->ssl->source));
  j->ssl->timing.connect_start_us = cn_socket_timing_now();
  int rv = cn_stream_socket_connect(j->ssl, on_handshake, j);
  if (rv == CN_OK) {
    j->ssl->timing.connect_end_us = cn_socket_timing_now();
    j->base.socket = j->ssl;
    j->ssl = NULL;
  }
  note_refused_hop(j, rv);
  return handshake_error(j, rv);
}

static void on_lower(void *arg, int rv) {
  ssl_job *j = arg;
  if (rv < 0)
    rv = lower_failed(j, rv);
  else
    rv = start_tls(j);
  if (rv != CN_ERR_IO_PENDING)
    finish(j, rv);
}

static int connect_(cn_connect_job *job) {
  ssl_job *j = (ssl_job *)job;
  j->pooled = cn_pooled_socket_new(job->netlog);
  int rv = cn_client_socket_pool_request(j->params->lower_pool, j->params->lower_group_id,
                                         j->params->lower_chain_key, j->params->lower_params,
                                         job->priority, job->source,
                                         cn_pooled_socket_handle(j->pooled), on_lower, j);
  if (rv == CN_OK)
    rv = start_tls(j);
  else if (rv != CN_ERR_IO_PENDING)
    rv = lower_failed(j, rv);
  return rv;
}

static void set_priority_(cn_connect_job *job, cn_request_priority priority) {
  ssl_job *j = (ssl_job *)job;
  if (j->pooled)
    cn_client_socket_handle_set_priority(cn_pooled_socket_handle(j->pooled), priority);
}

static void destroy_(cn_connect_job *job) {
  ssl_job *j = (ssl_job *)job;
  cn_stream_socket_destroy(j->pooled);  // cancels a pending lower request
  cn_stream_socket_destroy(j->ssl);
  cn_stream_socket_destroy(j->base.socket);
  cn_socket_params_unref(&j->params->base);
  free(j);
}

// The lower request still pending (connect_job.h), if any.
static cn_client_socket_handle *lower_request_(const cn_connect_job *job) {
  const ssl_job *j = (const ssl_job *)job;
  return j->pooled ? cn_pooled_socket_handle(j->pooled) : NULL;
}

static const cn_connect_job_ops kSslJobOps = {
    .name = "ssl",
    .connect = connect_,
    .destroy = destroy_,
    .set_priority = set_priority_,
    .lower_request = lower_request_,
};

static cn_connect_job *create(void *ctx, const char *group_id, cn_socket_params *params,
                              cn_request_priority priority, cn_netlog *netlog) {
  ssl_job *j = CN_NEW(ssl_job);
  cn_connect_job_init(&j->base, &kSslJobOps, netlog, group_id, priority);
  j->base.timed_from_phase_start = true;  // the lower pool times the wait for its socket
  j->params = (cn_ssl_connect_params *)cn_socket_params_ref(params);
  return &j->base;
}

cn_connect_job_factory cn_ssl_connect_job_factory(void) {
  cn_connect_job_factory f = {create, NULL};
  return f;
}
