#include "net/socket/transport_connect_job.h"

#include <stdlib.h>

#include "base/mem.h"
#include "net/socket/happy_eyeballs.h"

static void destroy_params(cn_socket_params *p) {
  cn_transport_socket_params *t = (cn_transport_socket_params *)p;
  free(t->host);
  free(t);
}

cn_socket_params *cn_transport_socket_params_new(const char *host, uint16_t port,
                                                 bool to_proxy) {
  cn_transport_socket_params *t = CN_NEW(cn_transport_socket_params);
  t->base.refs = 1;
  t->base.destroy = destroy_params;
  t->host = cn_xstrdup(host);
  t->port = port;
  t->to_proxy = to_proxy;
  // TCP is made only to the first proxy of a chain, or to the origin.
  t->base.hop = to_proxy ? 0 : CN_HOP_ORIGIN;
  return &t->base;
}

typedef struct transport_job {
  cn_connect_job base;
  cn_transport_job_context *ctx;
  cn_transport_socket_params *params;
  cn_host_resolve_request *resolve;
  cn_address_list addrs;
  cn_happy_eyeballs *race;  // the connection attempts, once resolved
  uint64_t connect_start_us;
  uint64_t dns_start_us, dns_end_us;  // for the socket's timing
} transport_job;

static int start_tcp(transport_job *j);

static int map_error(const transport_job *j, int rv) {
  if (rv >= 0 || rv == CN_ERR_IO_PENDING || !j->params->to_proxy)
    return rv;
  cn_netlog_event(j->base.netlog, j->base.source, CN_NETLOG_PROXY_CONNECT_ERROR, CN_NL_ERROR(rv));
  return CN_ERR_PROXY_CONNECTION_FAILED;
}

// The race's winner becomes the job's socket, timed from the first
// attempt's start.
static void take_winner(transport_job *j) {
  cn_stream_socket *s = cn_happy_eyeballs_take_socket(j->race);
  s->timing.dns_start_us = j->dns_start_us;
  s->timing.dns_end_us = j->dns_end_us;
  s->timing.connect_start_us = j->connect_start_us;
  s->timing.connect_end_us = cn_socket_timing_now();
  j->base.socket = s;
}

static void finish(transport_job *j, int rv) {
  if (rv == CN_OK && j->race && !j->base.socket)
    take_winner(j);
  cn_connect_job_complete(&j->base, map_error(j, rv));
}

static void on_tcp_connected(void *arg, int rv) { finish(arg, rv); }

static void on_resolved(void *arg, int rv) {
  transport_job *j = arg;
  j->resolve = NULL;
  j->dns_end_us = cn_socket_timing_now();
  if (rv == CN_OK)
    rv = start_tcp(j);
  if (rv != CN_ERR_IO_PENDING)
    finish(j, rv);
}

// Races connection attempts to the addresses (happy eyeballs and the backup
// connect: net/socket/happy_eyeballs.h).
static int start_tcp(transport_job *j) {
  cn_happy_eyeballs_options o = {j->ctx->connection_attempt_delay_ms,
                                 j->ctx->attempt_timeout_ms};
  j->race = cn_happy_eyeballs_new(j->ctx->loop, j->ctx->clock, j->ctx->socket_factory,
                                  &j->addrs, &o, j->base.netlog, j->base.source);
  j->connect_start_us = cn_socket_timing_now();
  int rv = cn_happy_eyeballs_connect(j->race, on_tcp_connected, j);
  if (rv == CN_OK)
    take_winner(j);
  return rv;
}

static int connect_(cn_connect_job *job) {
  transport_job *j = (transport_job *)job;
  j->dns_start_us = cn_socket_timing_now();
  int rv = cn_host_resolver_resolve(j->ctx->resolver, j->params->host, j->params->port,
                                    job->netlog, job->source, &j->resolve, &j->addrs,
                                    on_resolved, j);
  if (rv != CN_ERR_IO_PENDING)
    j->dns_end_us = cn_socket_timing_now();
  if (rv == CN_OK)
    rv = start_tcp(j);
  return map_error(j, rv);
}

static void destroy_(cn_connect_job *job) {
  transport_job *j = (transport_job *)job;
  if (j->resolve)
    cn_host_resolve_request_cancel(j->resolve);
  cn_happy_eyeballs_destroy(j->race);
  cn_stream_socket_destroy(j->base.socket);
  cn_address_list_free(&j->addrs);
  cn_socket_params_unref(&j->params->base);
  free(j);
}

static const cn_connect_job_ops kTransportJobOps = {
    .name = "transport",
    .connect = connect_,
    .destroy = destroy_,
    .set_priority = NULL,
};

static cn_connect_job *create(void *ctx, const char *group_id, cn_socket_params *params,
                              cn_request_priority priority, cn_netlog *netlog) {
  transport_job *j = CN_NEW(transport_job);
  cn_connect_job_init(&j->base, &kTransportJobOps, netlog, group_id, priority);
  j->ctx = ctx;
  j->params = (cn_transport_socket_params *)cn_socket_params_ref(params);
  cn_address_list_init(&j->addrs);
  return &j->base;
}

cn_connect_job_factory cn_transport_connect_job_factory(cn_transport_job_context *ctx) {
  cn_connect_job_factory f = {create, ctx};
  return f;
}
