// A socket pool: hands out connected sockets by group, keeps idle ones for
// reuse, and limits how many exist (the model of Chromium's
// ClientSocketPoolBase).
//
// cnet layers pools as the architecture describes — transport, TLS to a
// proxy, tunnel, TLS to an origin — with one cn_client_socket_pool per layer;
// the layer is given by the pool's connect-job factory. A group is the set of
// sockets that are interchangeable: same destination, proxy chain, privacy
// mode and TLS configuration, spelled out in the group id string the caller
// builds. Only sockets of the same group are ever reused for each other.
//
// Behaviour:
//   - Idle sockets first (most recently used first); an idle socket is
//     checked with is_connected_and_idle (used) or is_connected (never used)
//     before it is handed out, and a stale one is closed instead.
//   - Limits: max_sockets for the pool, max_sockets_per_group, and
//     max_sockets_per_chain over all groups sharing a chain key (the proxy
//     chain). A socket counts from the moment its connect job starts until
//     it is closed, including while idle. At the pool limit an idle socket of
//     another group is closed to make room, then the higher layers are asked
//     to close one of theirs (cn_client_socket_pool_add_higher_layer).
//   - Late binding: connect jobs belong to the group. A finished job's socket
//     goes to the highest-priority request waiting in its group (first come
//     first served within a priority); with nobody waiting it becomes idle.
//   - Requests that cannot start a job for a limit wait, by priority; they
//     start when a slot frees anywhere in the pool.
//   - Cancel (cn_client_socket_handle_reset on a pending handle) never runs
//     the callback afterwards; a job left with no request is cancelled unless
//     the group has more waiting requests than jobs.
//   - Idle sockets expire: never-used ones after unused_idle_timeout_ms,
//     used ones after used_idle_timeout_ms.
//
// Callbacks: a request's callback runs exactly once, later, from the loop —
// never from inside a pool call — even when a release elsewhere is what
// freed a socket for it.
//
// Ownership: the caller owns the pool and each cn_client_socket_handle
// (usually embedded in its own struct). While a handle holds a socket the
// caller uses handle->socket and gives it back with
// cn_client_socket_handle_reset(). cn_client_socket_pool_destroy() closes
// idle sockets, cancels jobs and silently cancels pending requests (no
// callbacks); handles still holding sockets are detached from the pool and
// their reset then just destroys the socket.
#ifndef CNET_NET_SOCKET_CLIENT_SOCKET_POOL_H_
#define CNET_NET_SOCKET_CLIENT_SOCKET_POOL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "base/clock.h"
#include "base/list.h"
#include "net/base/netlog.h"
#include "net/base/request_priority.h"
#include "net/socket/connect_job.h"
#include "net/socket/stream_socket.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_client_socket_pool cn_client_socket_pool;
typedef struct cn_pool_group cn_pool_group;

// Per-request connection parameters, refcounted because connect jobs may
// outlive the request that started them. Embed first in a pool-specific
// struct; |destroy| frees the whole struct at the last unref.
typedef struct cn_socket_params {
  unsigned refs;
  void (*destroy)(struct cn_socket_params *p);
  // The group's socket limit when these params create it; 0 means the
  // pool's max_sockets_per_group. A group of connections to a proxy serves
  // every origin behind it, so its natural limit is the per-proxy one (32),
  // not the per-origin 6 — the per-origin limit is then enforced by the
  // layers above, whose groups are per origin.
  size_t max_sockets_per_group;
  // The hop of the request's route these params connect to (a proxy's index
  // in the chain, or CN_HOP_ORIGIN): a failure of the job itself is that
  // hop's (connect_job.h). Set by each params constructor from what it
  // knows and by the network session's plan, which knows the index.
  int hop;
} cn_socket_params;

static inline cn_socket_params *cn_socket_params_ref(cn_socket_params *p) {
  p->refs++;
  return p;
}
static inline void cn_socket_params_unref(cn_socket_params *p) {
  if (p && --p->refs == 0)
    p->destroy(p);
}

// Makes connect jobs for one pool layer.
typedef struct cn_connect_job_factory {
  // A new job for |group_id| with the request's |params| (the job takes its
  // own reference if it keeps them). Never NULL.
  cn_connect_job *(*create)(void *ctx, const char *group_id, cn_socket_params *params,
                            cn_request_priority priority, cn_netlog *netlog);
  void *ctx;
} cn_connect_job_factory;

typedef struct cn_client_socket_pool_options {
  size_t max_sockets;            // default 256
  size_t max_sockets_per_group;  // default 6
  size_t max_sockets_per_chain;  // default 32 (groups with the same chain key)
  uint64_t unused_idle_timeout_ms;  // default 10 s (Chromium's)
  uint64_t used_idle_timeout_ms;    // default 300 s
  // Per job: how long the layer's own step may take — from the job's start,
  // restarted when the job gets its lower socket and begins its own step
  // (cn_connect_job_phase_started; a job |timed_from_phase_start| is not
  // timed before it). Then ERR_CONNECTION_TIMED_OUT. Default
  // 240 s (Chromium's for a whole job); the network session sets each pool's
  // (cn_http_network_session_params). 0: none.
  uint64_t connect_timeout_ms;
  const char *name;                 // for NetLog, e.g. "transport"
  // What the layer's step is called in the CONNECT_JOB_TIMED_OUT event
  // ("tcp_connect", "tls_handshake", "tunnel"); NULL: |name|.
  const char *phase;
  // What idle times, idle expiry and connect timeouts are measured on.
  // NULL: the loop's clock. Borrowed: must outlive the pool (tests pass a
  // fake clock, base/fake_clock.h).
  cn_clock *clock;
} cn_client_socket_pool_options;

void cn_client_socket_pool_options_init(cn_client_socket_pool_options *o);

// How the socket in a handle came to be.
typedef enum cn_socket_reuse_type {
  CN_SOCKET_UNUSED = 0,   // freshly connected for this request
  CN_SOCKET_UNUSED_IDLE,  // connected earlier (preconnect/late binding), never used
  CN_SOCKET_REUSED_IDLE,  // used before, idle since: it may have gone stale
} cn_socket_reuse_type;

typedef void (*cn_pool_request_cb)(void *arg, int result);

// A request for a socket, and then the socket. Zero it (or call
// cn_client_socket_handle_init) before first use.
typedef struct cn_client_socket_handle {
  // Valid after a successful request until reset.
  cn_stream_socket *socket;
  cn_socket_reuse_type reuse_type;
  uint64_t idle_time_ms;  // how long it sat idle (reused sockets)
  // Set by the user once the socket carried a request: a used socket is
  // checked more strictly before reuse and counts as REUSED_IDLE.
  bool is_used;
  // After a failed request: the hop the error came from (connect_job.h:
  // a proxy's index in the chain, or CN_HOP_ORIGIN).
  int error_hop;
  // Private.
  cn_client_socket_pool *pool;
  cn_pool_group *group;
  cn_list_node link;  // in the group's pending list, or the notify queue
  cn_request_priority priority;
  cn_socket_params *params;
  cn_pool_request_cb cb;
  void *cb_arg;
  int pending_result;
  enum { CN_HANDLE_IDLE = 0, CN_HANDLE_PENDING, CN_HANDLE_NOTIFYING, CN_HANDLE_ASSIGNED } state;
  cn_netlog_source request_source;
} cn_client_socket_handle;

void cn_client_socket_handle_init(cn_client_socket_handle *h);

// For a pending request: the hop of the layer its connection is waiting on
// now — a job whose own step (TLS handshake, CONNECT, SOCKS5) has begun is
// its hop's, one still waiting for a socket of a lower pool asks that
// request in turn. CN_HOP_UNSET when |h| is not pending or has no job yet.
// (A request that times out while connecting names this hop.)
int cn_client_socket_handle_waiting_hop(const cn_client_socket_handle *h);

// An object above this pool that holds idle things it could close to free a
// socket of this pool (a higher pool, the session pool).
typedef struct cn_higher_layer {
  // Closes one idle item; true if it closed one.
  bool (*close_one_idle)(struct cn_higher_layer *self);
  cn_list_node link;  // private
} cn_higher_layer;

cn_client_socket_pool *cn_client_socket_pool_new(uv_loop_t *loop,
                                                 const cn_client_socket_pool_options *options,
                                                 const cn_connect_job_factory *factory,
                                                 cn_netlog *netlog);
// See "Ownership" above.
void cn_client_socket_pool_destroy(cn_client_socket_pool *pool);

// Asks for a socket of |group_id|.
//   CN_OK: |handle| holds a socket now (an idle one, or a job finished
//     synchronously); |cb| will not run.
//   CN_ERR_IO_PENDING: |cb| runs once later with CN_OK (socket in |handle|)
//     or an error.
//   an error: a connect job failed synchronously.
// |chain_key| (may be NULL) names the proxy chain for the per-chain limit.
// |params| is referenced (not taken). |request_source| labels NetLog events.
int cn_client_socket_pool_request(cn_client_socket_pool *pool, const char *group_id,
                                  const char *chain_key, cn_socket_params *params,
                                  cn_request_priority priority,
                                  cn_netlog_source request_source,
                                  cn_client_socket_handle *handle, cn_pool_request_cb cb,
                                  void *arg);

// Cancels a pending request (no callback afterwards), or gives back the
// handle's socket: it becomes idle if it is connected, idle and its group
// is not being flushed, else it is destroyed. Resets |handle| for reuse.
// Safe on a handle that holds nothing.
void cn_client_socket_handle_reset(cn_client_socket_handle *handle);
// Moves the socket held by |src| (which must hold one) into |dst| (empty):
// the pool now tracks |dst|, and |src| is reset to empty. Lets a caller
// hand a socket it got in its own handle to an object that owns a handle,
// e.g. a pooled socket becoming a multiplexed session.
void cn_client_socket_handle_move(cn_client_socket_handle *dst, cn_client_socket_handle *src);
// Changes the priority of a pending request (it moves in the queue).
void cn_client_socket_handle_set_priority(cn_client_socket_handle *handle,
                                          cn_request_priority priority);

// Starts jobs so that |group_id| has up to |num_sockets| sockets (idle or
// connecting), within limits, with nobody waiting for them (preconnect).
void cn_client_socket_pool_preconnect(cn_client_socket_pool *pool, const char *group_id,
                                      const char *chain_key, cn_socket_params *params,
                                      size_t num_sockets);

void cn_client_socket_pool_add_higher_layer(cn_client_socket_pool *pool, cn_higher_layer *h);
void cn_client_socket_pool_remove_higher_layer(cn_higher_layer *h);
// Closes one idle socket (the least recently used of the pool); true if one
// was closed. Higher layers call this on the pool below them.
bool cn_client_socket_pool_close_one_idle(cn_client_socket_pool *pool);
// Closes the least recently used idle socket for which |match(socket, arg)|
// is true (the pool's own sockets only: higher layers are not asked); true
// if one was closed.
bool cn_client_socket_pool_close_one_idle_matching(cn_client_socket_pool *pool,
                                                   bool (*match)(const cn_stream_socket *s,
                                                                 void *arg),
                                                   void *arg);
// Closes every idle socket.
void cn_client_socket_pool_close_idle(cn_client_socket_pool *pool);

// Counts, for tests and stats.
size_t cn_client_socket_pool_idle_count(const cn_client_socket_pool *pool);
size_t cn_client_socket_pool_idle_count_in_group(const cn_client_socket_pool *pool,
                                                 const char *group_id);
size_t cn_client_socket_pool_active_count_in_group(const cn_client_socket_pool *pool,
                                                   const char *group_id);
size_t cn_client_socket_pool_job_count_in_group(const cn_client_socket_pool *pool,
                                                const char *group_id);
size_t cn_client_socket_pool_pending_count_in_group(const cn_client_socket_pool *pool,
                                                    const char *group_id);
// Sockets counted against the pool limit (handed out + idle + connecting).
size_t cn_client_socket_pool_socket_count(const cn_client_socket_pool *pool);
bool cn_client_socket_pool_has_group(const cn_client_socket_pool *pool, const char *group_id);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_CLIENT_SOCKET_POOL_H_
