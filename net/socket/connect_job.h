// A connect job makes one connected socket for a socket pool group: resolve
// and TCP for the transport pool, a lower-pool socket plus TLS for an SSL
// pool, a proxy socket plus CONNECT for the tunnel pool.
//
// Jobs belong to the pool's group, not to the request that caused them
// (late binding: the first socket ready goes to the highest-priority request
// still waiting). The pool owns every job; a job reports completion once
// through |on_complete|, from the loop, never from inside connect().
//
// Writing a job type: embed cn_connect_job first in the job struct, fill a
// cn_connect_job_ops, call cn_connect_job_init() from the factory, and on
// success leave the connected socket in |socket|.
#ifndef CNET_NET_SOCKET_CONNECT_JOB_H_
#define CNET_NET_SOCKET_CONNECT_JOB_H_

#include <stdint.h>

#include "net/base/error_hop.h"
#include "net/base/netlog.h"
#include "net/base/request_priority.h"
#include "net/socket/stream_socket.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_connect_job cn_connect_job;

// A failed job names the hop its failure came from (net/base/error_hop.h):
// CN_HOP_UNSET in cn_connect_job.error_hop means the hop its params talk to
// (cn_socket_params.hop).

typedef struct cn_connect_job_ops {
  const char *name;  // "transport", "ssl", "http_proxy_tunnel", … (NetLog)
  // Starts connecting. Returns CN_OK (|socket| is set), an error, or
  // CN_ERR_IO_PENDING and later calls cn_connect_job_complete() once.
  int (*connect)(cn_connect_job *job);
  // Cancels whatever is pending and frees the job, including |socket| if the
  // pool has not taken it.
  void (*destroy)(cn_connect_job *job);
  // Optional: the priority of the best request waiting in the group changed
  // (a job may pass it down to a lower pool).
  void (*set_priority)(cn_connect_job *job, cn_request_priority priority);
  // Optional: the lower pool's request the job waits on before its own
  // step, or NULL (none, or no longer pending). Lets a request that times
  // out name the layer it was stuck in (cn_client_socket_handle_waiting_hop).
  struct cn_client_socket_handle *(*lower_request)(const cn_connect_job *job);
} cn_connect_job_ops;

struct cn_connect_job {
  const cn_connect_job_ops *ops;
  cn_stream_socket *socket;  // the result, owned by the job until taken
  cn_netlog *netlog;
  cn_netlog_source source;  // a CONNECT_JOB source
  cn_request_priority priority;
  // Set by the pool.
  void (*on_complete)(cn_connect_job *job, int result);
  void *owner;
  // Set by the pool (may be NULL): the job's own phase began (below).
  void (*on_phase_start)(cn_connect_job *job);
  // Set by a job type that first waits for a socket of a lower pool (whose
  // own timeout bounds that wait): its pool's timeout starts only at
  // cn_connect_job_phase_started, so two layers' limits never race.
  bool timed_from_phase_start;
  bool phase_started;  // cn_connect_job_phase_started was called
  // Set by the job when its failure came from a lower pool: that request's
  // hop (cn_client_socket_handle.error_hop), so the error keeps naming the
  // hop that failed as it passes up the layers. CN_HOP_UNSET (from
  // cn_connect_job_init): the job's own hop.
  int error_hop;
};

// Initialises the common part and logs CONNECT_JOB BEGIN with the job kind
// and |group_id|.
void cn_connect_job_init(cn_connect_job *job, const cn_connect_job_ops *ops, cn_netlog *netlog,
                         const char *group_id, cn_request_priority priority);
// Reports an async result to the pool (logs CONNECT_JOB END). Call exactly
// once, from a loop callback, after connect() returned CN_ERR_IO_PENDING.
void cn_connect_job_complete(cn_connect_job *job, int result);
// The job's own step begins now (the TLS handshake, the CONNECT or SOCKS5
// exchange), after it got the socket below it from a lower pool: the pool
// restarts its connect timeout, so that each layer's timeout measures that
// layer alone and a slow TCP connect does not eat a TLS handshake's time.
// Jobs that never call it are timed from their start (unless
// |timed_from_phase_start|: then untimed until it).
void cn_connect_job_phase_started(cn_connect_job *job);
// Hands the connected socket to the caller (the job no longer owns it).
cn_stream_socket *cn_connect_job_take_socket(cn_connect_job *job);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_CONNECT_JOB_H_
