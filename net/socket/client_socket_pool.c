#include "net/socket/client_socket_pool.h"

#include <stdlib.h>
#include <string.h>

#include "base/hashmap.h"
#include "base/mem.h"
#include "base/timer.h"

// Structure: the pool has groups (by group id) and chains (by chain key, for
// the per-chain limit). A group has idle sockets (most recently used first),
// connect jobs, pending requests (highest priority first, FIFO within a
// priority) and a count of sockets handed out. Every callback to a request
// goes through the pool's notify queue, drained from a zero-delay timer, so
// no pool call ever runs a callback re-entrantly and no callback runs while
// the pool is half-way through an update.

typedef struct pool_chain {
  char *key;
  size_t sockets;  // handed out + idle + connecting, over its groups
} pool_chain;

struct cn_pool_group {
  char *id;
  pool_chain *chain;  // NULL when the requests named no chain
  cn_client_socket_pool *pool;
  cn_list_node idle;     // idle_socket.link, most recent first
  cn_list_node jobs;     // job_entry.link
  cn_list_node pending;  // cn_client_socket_handle.link, by priority
  size_t num_idle;
  size_t num_jobs;
  size_t num_pending;
  size_t active;  // handed out (including those queued for notification)
  size_t limit;   // max sockets in this group
  cn_socket_params *last_params;  // for jobs started on behalf of the queue
};

typedef struct idle_socket {
  cn_stream_socket *socket;
  uint64_t since_ms;
  bool used;
  cn_list_node link;
} idle_socket;

typedef struct job_entry {
  cn_connect_job *job;
  cn_pool_group *group;
  cn_timer *timeout;
  cn_list_node link;
} job_entry;

struct cn_client_socket_pool {
  uv_loop_t *loop;
  cn_client_socket_pool_options options;
  cn_loop_clock loop_clock;  // the default clock
  cn_clock *clock;           // options.clock or &loop_clock.base
  cn_connect_job_factory factory;
  cn_netlog *netlog;
  cn_hashmap groups;  // id -> cn_pool_group
  cn_hashmap chains;  // key -> pool_chain
  size_t sockets;     // handed out + idle + connecting
  size_t idle;
  cn_list_node notify;    // handles waiting for their callback
  cn_list_node assigned;  // handles holding a socket
  cn_list_node higher_layers;
  cn_timer *notify_timer;
  cn_timer *idle_timer;
  // Non-zero while the pool is serving requests; a socket released from
  // inside (a higher layer closing an idle socket that held one of ours)
  // then leaves the serving to the operation already running.
  int busy;
  bool deferred;  // a slot freed while busy: serve stalled requests after
  bool sweep_due;  // some group may be empty: free it at the end of the call
  // Points at a flag in on_notify's frame while callbacks run, so that a
  // callback destroying the pool ends the loop safely.
  bool *destroyed;
};

static uint64_t now_ms(const cn_client_socket_pool *pool) { return cn_clock_now_ms(pool->clock); }

void cn_client_socket_pool_options_init(cn_client_socket_pool_options *o) {
  memset(o, 0, sizeof(*o));
  o->max_sockets = 256;
  o->max_sockets_per_group = 6;
  o->max_sockets_per_chain = 32;
  o->unused_idle_timeout_ms = 10 * 1000;
  o->used_idle_timeout_ms = 300 * 1000;
  o->connect_timeout_ms = 240 * 1000;
  o->name = "pool";
}

void cn_client_socket_handle_init(cn_client_socket_handle *h) {
  memset(h, 0, sizeof(*h));
  cn_list_init(&h->link);
  h->error_hop = CN_HOP_UNSET;
}

// --- counting ---

static void count_socket(cn_pool_group *g, int delta) {
  g->pool->sockets += (size_t)delta;
  if (g->chain)
    g->chain->sockets += (size_t)delta;
}

static size_t group_sockets(const cn_pool_group *g) { return g->active + g->num_idle + g->num_jobs; }

// --- groups ---

static cn_pool_group *find_group(const cn_client_socket_pool *pool, const char *id) {
  return cn_hashmap_get(&pool->groups, id);
}

static cn_pool_group *get_group(cn_client_socket_pool *pool, const char *id,
                                const char *chain_key, const cn_socket_params *params) {
  cn_pool_group *g = find_group(pool, id);
  if (g)
    return g;
  g = CN_NEW(cn_pool_group);
  g->id = cn_xstrdup(id);
  g->pool = pool;
  g->limit = params && params->max_sockets_per_group ? params->max_sockets_per_group
                                                      : pool->options.max_sockets_per_group;
  cn_list_init(&g->idle);
  cn_list_init(&g->jobs);
  cn_list_init(&g->pending);
  if (chain_key) {
    pool_chain *c = cn_hashmap_get(&pool->chains, chain_key);
    if (!c) {
      c = CN_NEW(pool_chain);
      c->key = cn_xstrdup(chain_key);
      cn_hashmap_put(&pool->chains, chain_key, c);
    }
    g->chain = c;
  }
  cn_hashmap_put(&pool->groups, id, g);
  return g;
}

// Frees |g| if nothing refers to it any more.
static void delete_group_if_empty(cn_pool_group *g) {
  if (group_sockets(g) || g->num_pending)
    return;
  cn_client_socket_pool *pool = g->pool;
  cn_hashmap_remove(&pool->groups, g->id);
  if (g->chain) {
    // A chain outlives its groups only while another group still uses it.
    bool in_use = false;
    size_t it = 0;
    void *v;
    while (cn_hashmap_next(&pool->groups, &it, NULL, &v)) {
      if (((cn_pool_group *)v)->chain == g->chain) {
        in_use = true;
        break;
      }
    }
    if (!in_use) {
      cn_hashmap_remove(&pool->chains, g->chain->key);
      free(g->chain->key);
      free(g->chain);
    }
  }
  cn_socket_params_unref(g->last_params);
  free(g->id);
  free(g);
}

// Groups are freed only at the end of a public entry point: deep inside an
// operation a group pointer may still be held up the stack (closing an idle
// socket of another group to make room must not free that group under its
// caller). This records that a sweep is due.
static void maybe_delete_group(cn_pool_group *g) { g->pool->sweep_due = true; }

static void sweep_groups(cn_client_socket_pool *pool) {
  if (!pool->sweep_due || pool->busy)
    return;
  pool->sweep_due = false;
  size_t n = cn_hashmap_count(&pool->groups), k = 0, it = 0;
  cn_pool_group **groups = cn_xmalloc(sizeof(*groups) * (n + 1));
  void *v;
  while (cn_hashmap_next(&pool->groups, &it, NULL, &v))
    groups[k++] = v;
  for (size_t i = 0; i < k; i++)
    delete_group_if_empty(groups[i]);
  free(groups);
}

// --- idle sockets ---

static void arm_idle_timer(cn_client_socket_pool *pool);

static void add_idle(cn_pool_group *g, cn_stream_socket *s, bool used) {
  idle_socket *i = CN_NEW(idle_socket);
  i->socket = s;
  i->since_ms = now_ms(g->pool);
  i->used = used;
  cn_list_push_front(&g->idle, &i->link);
  g->num_idle++;
  g->pool->idle++;
  // Waiting idle is no work for the application's loop: uv_run() returns
  // once its requests are done (the TLS peek's read stays pending).
  cn_stream_socket_set_keeps_loop_alive(s, false);
  arm_idle_timer(g->pool);
}

// Removes an idle entry; returns its socket (still counted).
static cn_stream_socket *remove_idle(cn_pool_group *g, idle_socket *i) {
  cn_stream_socket *s = i->socket;
  cn_list_remove(&i->link);
  g->num_idle--;
  g->pool->idle--;
  free(i);
  cn_stream_socket_set_keeps_loop_alive(s, true);  // it carries a request again
  return s;
}

static void close_idle(cn_pool_group *g, idle_socket *i) {
  cn_stream_socket_destroy(remove_idle(g, i));
  count_socket(g, -1);
}

static bool idle_usable(const idle_socket *i) {
  // A used socket must have nothing unread and no EOF waiting; a never-used
  // one may legitimately hold early bytes (a TLS ticket, a SETTINGS frame).
  return i->used ? cn_stream_socket_is_connected_and_idle(i->socket)
                 : cn_stream_socket_is_connected(i->socket);
}

static bool idle_expired(const cn_client_socket_pool *pool, const idle_socket *i, uint64_t now) {
  uint64_t limit = i->used ? pool->options.used_idle_timeout_ms : pool->options.unused_idle_timeout_ms;
  return now - i->since_ms >= limit;
}

// Pops the best usable idle socket of |g|, closing stale ones on the way.
static idle_socket *take_usable_idle(cn_pool_group *g) {
  uint64_t now = now_ms(g->pool);
  while (!cn_list_empty(&g->idle)) {
    idle_socket *i = CN_CONTAINER_OF(g->idle.next, idle_socket, link);
    if (idle_usable(i) && !idle_expired(g->pool, i, now))
      return i;
    close_idle(g, i);
  }
  return NULL;
}

static void on_idle_timer(void *arg) {
  cn_client_socket_pool *pool = arg;
  uint64_t now = now_ms(pool);
  size_t it = 0;
  void *v;
  // Collect first: closing may delete groups, which changes the map.
  cn_pool_group **groups = cn_xmalloc(sizeof(*groups) * (cn_hashmap_count(&pool->groups) + 1));
  size_t n = 0;
  while (cn_hashmap_next(&pool->groups, &it, NULL, &v))
    groups[n++] = v;
  for (size_t k = 0; k < n; k++) {
    cn_pool_group *g = groups[k];
    cn_list_node *node, *tmp;
    CN_LIST_FOREACH_SAFE(node, tmp, &g->idle) {
      idle_socket *i = CN_CONTAINER_OF(node, idle_socket, link);
      if (idle_expired(pool, i, now) || !cn_stream_socket_is_connected(i->socket))
        close_idle(g, i);
    }
    maybe_delete_group(g);
  }
  free(groups);
  sweep_groups(pool);
  arm_idle_timer(pool);
}

static void arm_idle_timer(cn_client_socket_pool *pool) {
  if (pool->idle == 0) {
    cn_timer_stop(pool->idle_timer);
    return;
  }
  if (cn_timer_is_active(pool->idle_timer))
    return;
  uint64_t a = pool->options.unused_idle_timeout_ms, b = pool->options.used_idle_timeout_ms;
  uint64_t period = a < b ? a : b;
  cn_timer_start(pool->idle_timer, period ? period : 1, 0);
}

// --- notification ---

static void schedule_notify(cn_client_socket_pool *pool) {
  if (!cn_timer_is_active(pool->notify_timer))
    cn_timer_start(pool->notify_timer, 0, 0);
}

// The hop a failed |job| names (connect_job.h): its own when it set one (a
// lower pool's failure passed up), else the hop of the params it ran with.
static int job_error_hop(const cn_connect_job *job, const cn_socket_params *params) {
  if (job->error_hop != CN_HOP_UNSET)
    return job->error_hop;
  return params ? params->hop : CN_HOP_ORIGIN;
}

int cn_client_socket_handle_waiting_hop(const cn_client_socket_handle *h) {
  if (!h || h->state != CN_HANDLE_PENDING || !h->group || cn_list_empty(&h->group->jobs))
    return CN_HOP_UNSET;
  // The group's oldest job: the one furthest along.
  const job_entry *e = CN_CONTAINER_OF(h->group->jobs.next, job_entry, link);
  const cn_connect_job *job = e->job;
  if (!job->phase_started && job->ops->lower_request) {
    int lower = cn_client_socket_handle_waiting_hop(job->ops->lower_request(job));
    if (lower != CN_HOP_UNSET)
      return lower;
  }
  return h->params ? h->params->hop : CN_HOP_UNSET;
}

// Completes |h| (removed from the pending list) with |result|; the callback
// runs from the notify queue.
static void complete_request(cn_client_socket_handle *h, int result, cn_stream_socket *socket,
                             cn_socket_reuse_type reuse, uint64_t idle_ms) {
  cn_client_socket_pool *pool = h->pool;
  h->state = CN_HANDLE_NOTIFYING;
  h->pending_result = result;
  h->socket = socket;
  h->reuse_type = reuse;
  h->idle_time_ms = idle_ms;
  if (socket) {
    h->group->active++;
  } else {
    h->group = NULL;
  }
  cn_list_push_back(&pool->notify, &h->link);
  schedule_notify(pool);
}

static const char *reuse_name(cn_socket_reuse_type t) {
  switch (t) {
    case CN_SOCKET_REUSED_IDLE:
      return "reused_idle";
    case CN_SOCKET_UNUSED_IDLE:
      return "unused_idle";
    default:
      return "new";
  }
}

// The request got its socket: it is the handle's now. Logged on the
// request's source (the ladder diagrams draw "jump to step N" from |reuse|).
static void bind_handle(cn_client_socket_pool *pool, cn_client_socket_handle *h) {
  h->state = CN_HANDLE_ASSIGNED;
  cn_list_push_back(&pool->assigned, &h->link);
  cn_netlog_event(pool->netlog, h->request_source, CN_NETLOG_SOCKET_POOL_BOUND,
                  CN_NL_STR("pool", pool->options.name), CN_NL_STR("group_id", h->group->id),
                  CN_NL_STR("reuse", reuse_name(h->reuse_type)),
                  CN_NL_SOURCE("socket", h->socket->source));
}

static void on_notify(void *arg) {
  cn_client_socket_pool *pool = arg;
  // One at a time: a callback may reset or request other handles.
  while (!cn_list_empty(&pool->notify)) {
    cn_client_socket_handle *h = CN_CONTAINER_OF(pool->notify.next, cn_client_socket_handle, link);
    cn_list_remove(&h->link);
    int result = h->pending_result;
    if (h->socket) {
      bind_handle(pool, h);
    } else {
      h->state = CN_HANDLE_IDLE;
      h->pool = NULL;
    }
    cn_socket_params_unref(h->params);
    h->params = NULL;
    cn_pool_request_cb cb = h->cb;
    h->cb = NULL;
    bool destroyed = false;
    pool->destroyed = &destroyed;
    cb(h->cb_arg, result);
    if (destroyed)
      return;
    pool->destroyed = NULL;
  }
}

// --- pending requests ---

static void insert_pending(cn_pool_group *g, cn_client_socket_handle *h) {
  // After every request of the same or higher priority: FIFO within one.
  cn_list_node *pos = &g->pending;
  for (cn_list_node *it = g->pending.next; it != &g->pending; it = it->next) {
    cn_client_socket_handle *o = CN_CONTAINER_OF(it, cn_client_socket_handle, link);
    if (o->priority < h->priority) {
      pos = it;
      break;
    }
  }
  cn_list_insert_before(pos, &h->link);
  g->num_pending++;
  h->state = CN_HANDLE_PENDING;
}

static cn_client_socket_handle *pop_pending(cn_pool_group *g) {
  if (cn_list_empty(&g->pending))
    return NULL;
  cn_client_socket_handle *h = CN_CONTAINER_OF(g->pending.next, cn_client_socket_handle, link);
  cn_list_remove(&h->link);
  g->num_pending--;
  return h;
}

static cn_request_priority top_priority(const cn_pool_group *g) {
  if (cn_list_empty(&g->pending))
    return CN_PRIORITY_THROTTLED;
  return CN_CONTAINER_OF(g->pending.next, cn_client_socket_handle, link)->priority;
}

// --- limits ---

static bool close_one_idle_elsewhere(cn_client_socket_pool *pool, cn_pool_group *except);

// True if |g| may start another connect job now. At the pool limit it first
// tries to make room by closing an idle socket of another group, then one
// held idle by a higher layer.
static bool can_start_job(cn_pool_group *g) {
  cn_client_socket_pool *pool = g->pool;
  if (group_sockets(g) >= g->limit)
    return false;
  if (g->chain && g->chain->sockets >= pool->options.max_sockets_per_chain)
    return false;
  while (pool->sockets >= pool->options.max_sockets) {
    if (!close_one_idle_elsewhere(pool, g))
      return false;
  }
  return true;
}

// --- connect jobs ---

static void process_group(cn_pool_group *g);
static void process_stalled(cn_client_socket_pool *pool);

static void remove_job(job_entry *e) {
  cn_list_remove(&e->link);
  e->group->num_jobs--;
  cn_timer_destroy(e->timeout);
  free(e);
}

// A job finished (async): hand its socket or error to the group's best
// waiting request, or keep the socket idle.
static void on_job_complete(cn_connect_job *job, int result) {
  job_entry *e = job->owner;
  cn_pool_group *g = e->group;
  cn_stream_socket *socket = result == CN_OK ? cn_connect_job_take_socket(job) : NULL;
  int error_hop = job_error_hop(job, g->last_params);
  remove_job(e);
  job->ops->destroy(job);
  cn_client_socket_handle *h = pop_pending(g);
  if (socket) {
    // The job's slot becomes the socket's (or the idle socket's) slot.
    if (h)
      complete_request(h, CN_OK, socket, CN_SOCKET_UNUSED, 0);
    else
      add_idle(g, socket, false);
  } else {
    count_socket(g, -1);
    if (h) {
      complete_request(h, result, NULL, CN_SOCKET_UNUSED, 0);
      h->error_hop = error_hop;
    }
  }
  cn_client_socket_pool *pool = g->pool;
  process_group(g);
  process_stalled(pool);
  maybe_delete_group(g);
  sweep_groups(pool);
}

static void on_job_timeout(void *arg) {
  job_entry *e = arg;
  cn_connect_job *job = e->job;
  const cn_client_socket_pool_options *o = &e->group->pool->options;
  cn_netlog_event(job->netlog, job->source, CN_NETLOG_CONNECT_JOB_TIMED_OUT,
                  CN_NL_STR("pool", o->name ? o->name : ""),
                  CN_NL_STR("phase", o->phase ? o->phase : (o->name ? o->name : "")),
                  CN_NL_STR("group_id", e->group->id),
                  CN_NL_INT("timeout_ms", (int64_t)o->connect_timeout_ms));
  cn_netlog_end_with_error(job->netlog, job->source, CN_NETLOG_CONNECT_JOB, CN_ERR_TIMED_OUT);
  // Chromium reports a connect job timeout as a connection timeout.
  on_job_complete(job, CN_ERR_CONNECTION_TIMED_OUT);
}

// The job got its lower socket and starts its own step: its layer's timeout
// counts from now.
static void on_job_phase_start(cn_connect_job *job) {
  job_entry *e = job->owner;
  if (e && e->timeout)
    cn_timer_start(e->timeout, e->group->pool->options.connect_timeout_ms, 0);
}

// Starts a job in |g|. Returns CN_ERR_IO_PENDING (job running), or the
// synchronous result with the socket in |*socket| on CN_OK (on a failure,
// the hop it came from in |*error_hop|). The job's slot is counted from
// here; on a synchronous failure it is released again.
static int start_job(cn_pool_group *g, cn_socket_params *params, cn_request_priority priority,
                     cn_stream_socket **socket, int *error_hop) {
  cn_client_socket_pool *pool = g->pool;
  cn_connect_job *job = pool->factory.create(pool->factory.ctx, g->id, params, priority,
                                             pool->netlog);
  count_socket(g, +1);
  int rv = job->ops->connect(job);
  if (rv != CN_ERR_IO_PENDING) {
    cn_netlog_end_with_error(job->netlog, job->source, CN_NETLOG_CONNECT_JOB, rv);
    if (rv == CN_OK) {
      *socket = cn_connect_job_take_socket(job);
    } else {
      count_socket(g, -1);
      *error_hop = job_error_hop(job, params);
    }
    job->ops->destroy(job);
    return rv;
  }
  job_entry *e = CN_NEW(job_entry);
  e->job = job;
  e->group = g;
  job->owner = e;
  job->on_complete = on_job_complete;
  job->on_phase_start = on_job_phase_start;
  cn_list_push_back(&g->jobs, &e->link);
  g->num_jobs++;
  if (pool->options.connect_timeout_ms) {
    e->timeout = cn_clock_timer_new(pool->clock, on_job_timeout, e);
    if (!job->timed_from_phase_start || job->phase_started)
      cn_timer_start(e->timeout, pool->options.connect_timeout_ms, 0);
  }
  if (params != g->last_params) {
    cn_socket_params_unref(g->last_params);
    g->last_params = cn_socket_params_ref(params);
  }
  return CN_ERR_IO_PENDING;
}

// Serves |g|'s waiting requests as far as idle sockets and limits allow.
static void process_group_locked(cn_pool_group *g);

static void leave_busy(cn_client_socket_pool *pool) {
  if (--pool->busy == 0 && pool->deferred) {
    pool->deferred = false;
    process_stalled(pool);
  }
}

static void process_group(cn_pool_group *g) {
  cn_client_socket_pool *pool = g->pool;
  pool->busy++;
  process_group_locked(g);
  leave_busy(pool);
}

static void process_group_locked(cn_pool_group *g) {
  while (g->num_pending) {
    idle_socket *i = take_usable_idle(g);
    if (i) {
      cn_client_socket_handle *h = pop_pending(g);
      uint64_t idle_ms = now_ms(g->pool) - i->since_ms;
      bool used = i->used;
      complete_request(h, CN_OK, remove_idle(g, i),
                       used ? CN_SOCKET_REUSED_IDLE : CN_SOCKET_UNUSED_IDLE, idle_ms);
      continue;
    }
    if (g->num_jobs >= g->num_pending || !can_start_job(g))
      return;
    cn_client_socket_handle *top = CN_CONTAINER_OF(g->pending.next, cn_client_socket_handle, link);
    cn_stream_socket *socket = NULL;
    int error_hop = CN_HOP_ORIGIN;
    int rv = start_job(g, top->params ? top->params : g->last_params, top->priority, &socket,
                       &error_hop);
    if (rv == CN_ERR_IO_PENDING)
      continue;
    pop_pending(g);
    if (rv == CN_OK) {
      complete_request(top, CN_OK, socket, CN_SOCKET_UNUSED, 0);
    } else {
      complete_request(top, rv, NULL, CN_SOCKET_UNUSED, 0);
      top->error_hop = error_hop;
    }
  }
}

// A slot freed somewhere: serve the highest-priority stalled request of any
// group that can now start a job.
static void process_stalled(cn_client_socket_pool *pool) {
  if (pool->busy)
    return;
  for (;;) {
    cn_pool_group *best = NULL;
    size_t it = 0;
    void *v;
    while (cn_hashmap_next(&pool->groups, &it, NULL, &v)) {
      cn_pool_group *g = v;
      if (g->num_pending <= g->num_jobs)
        continue;
      if (group_sockets(g) >= g->limit)
        continue;
      if (g->chain && g->chain->sockets >= pool->options.max_sockets_per_chain)
        continue;
      if (!best || top_priority(g) > top_priority(best))
        best = g;
    }
    if (!best)
      return;
    size_t before = best->num_pending + best->num_jobs;
    process_group(best);
    if (best->num_pending + best->num_jobs == before && best->num_pending > best->num_jobs)
      return;  // still stalled (pool limit): nothing more to do now
  }
}

// --- idle closing across groups and layers ---

// The least recently used idle socket outside |except| for which |match|
// (NULL: any) is true, and its group in |*group|; NULL if none.
static idle_socket *oldest_idle(cn_client_socket_pool *pool, cn_pool_group *except,
                                bool (*match)(const cn_stream_socket *s, void *arg), void *arg,
                                cn_pool_group **group) {
  idle_socket *oldest = NULL;
  size_t it = 0;
  void *v;
  while (cn_hashmap_next(&pool->groups, &it, NULL, &v)) {
    cn_pool_group *g = v;
    if (g == except)
      continue;
    // Each group's idle list runs from most to least recently used.
    for (cn_list_node *n = g->idle.prev; n != &g->idle; n = n->prev) {
      idle_socket *i = CN_CONTAINER_OF(n, idle_socket, link);
      if (match && !match(i->socket, arg))
        continue;
      if (!oldest || i->since_ms < oldest->since_ms) {
        oldest = i;
        *group = g;
      }
      break;  // the group's oldest match
    }
  }
  return oldest;
}

bool cn_client_socket_pool_close_one_idle_matching(cn_client_socket_pool *pool,
                                                   bool (*match)(const cn_stream_socket *s,
                                                                 void *arg),
                                                   void *arg) {
  cn_pool_group *g = NULL;
  idle_socket *i = oldest_idle(pool, NULL, match, arg, &g);
  if (!i)
    return false;
  close_idle(g, i);
  maybe_delete_group(g);
  sweep_groups(pool);
  return true;
}

static bool close_one_idle_elsewhere(cn_client_socket_pool *pool, cn_pool_group *except) {
  // The least recently used idle socket of any other group.
  cn_pool_group *oldest_group = NULL;
  idle_socket *oldest = oldest_idle(pool, except, NULL, NULL, &oldest_group);
  if (oldest) {
    close_idle(oldest_group, oldest);
    // The group may now be empty, but |except| is kept by the caller.
    if (oldest_group != except)
      maybe_delete_group(oldest_group);
    return true;
  }
  cn_list_node *node, *tmp;
  CN_LIST_FOREACH_SAFE(node, tmp, &pool->higher_layers) {
    cn_higher_layer *h = CN_CONTAINER_OF(node, cn_higher_layer, link);
    size_t before = pool->sockets;
    // Closing a higher idle item releases the socket it held from us. Judge
    // by our own count, not by the layer's answer: a layer may free one of
    // our sockets through a layer above itself (an idle tunnel over an HTTP
    // proxy closed on behalf of the TLS-to-proxy pool) while reporting that
    // it closed nothing of its own.
    h->close_one_idle(h);
    if (pool->sockets < before)
      return true;
  }
  return false;
}

bool cn_client_socket_pool_close_one_idle(cn_client_socket_pool *pool) {
  bool closed = close_one_idle_elsewhere(pool, NULL);
  sweep_groups(pool);
  return closed;
}

void cn_client_socket_pool_close_idle(cn_client_socket_pool *pool) {
  while (pool->idle > 0 && close_one_idle_elsewhere(pool, NULL)) {
  }
  sweep_groups(pool);
}

void cn_client_socket_pool_add_higher_layer(cn_client_socket_pool *pool, cn_higher_layer *h) {
  cn_list_push_back(&pool->higher_layers, &h->link);
}

void cn_client_socket_pool_remove_higher_layer(cn_higher_layer *h) {
  if (cn_list_linked(&h->link))
    cn_list_remove(&h->link);
}

// --- public API ---

cn_client_socket_pool *cn_client_socket_pool_new(uv_loop_t *loop,
                                                 const cn_client_socket_pool_options *options,
                                                 const cn_connect_job_factory *factory,
                                                 cn_netlog *netlog) {
  cn_client_socket_pool *pool = CN_NEW(cn_client_socket_pool);
  pool->loop = loop;
  if (options)
    pool->options = *options;
  else
    cn_client_socket_pool_options_init(&pool->options);
  cn_loop_clock_init(&pool->loop_clock, loop);
  pool->clock = pool->options.clock ? pool->options.clock : &pool->loop_clock.base;
  pool->factory = *factory;
  pool->netlog = netlog;
  cn_hashmap_init(&pool->groups);
  cn_hashmap_init(&pool->chains);
  cn_list_init(&pool->notify);
  cn_list_init(&pool->assigned);
  cn_list_init(&pool->higher_layers);
  pool->notify_timer = cn_timer_new(loop, on_notify, pool);
  pool->idle_timer = cn_clock_timer_new(pool->clock, on_idle_timer, pool);
  // It only expires idle sockets: no reason to keep the loop running.
  cn_timer_set_keeps_loop_alive(pool->idle_timer, false);
  return pool;
}

void cn_client_socket_pool_destroy(cn_client_socket_pool *pool) {
  if (!pool)
    return;
  if (pool->destroyed)
    *pool->destroyed = true;
  cn_timer_destroy(pool->notify_timer);
  cn_timer_destroy(pool->idle_timer);
  // Detach handles: queued ones lose their callback and socket, assigned
  // ones keep their socket but no longer refer to the pool.
  while (!cn_list_empty(&pool->notify)) {
    cn_client_socket_handle *h = CN_CONTAINER_OF(pool->notify.next, cn_client_socket_handle, link);
    cn_list_remove(&h->link);
    cn_stream_socket_destroy(h->socket);
    cn_socket_params_unref(h->params);
    cn_client_socket_handle_init(h);
  }
  while (!cn_list_empty(&pool->assigned)) {
    cn_client_socket_handle *h =
        CN_CONTAINER_OF(pool->assigned.next, cn_client_socket_handle, link);
    cn_list_remove(&h->link);
    h->pool = NULL;
    h->group = NULL;
  }
  size_t it = 0;
  void *v;
  while (cn_hashmap_next(&pool->groups, &it, NULL, &v)) {
    cn_pool_group *g = v;
    cn_client_socket_handle *h;
    while ((h = pop_pending(g)) != NULL) {
      cn_socket_params_unref(h->params);
      cn_client_socket_handle_init(h);
    }
    while (!cn_list_empty(&g->idle))
      cn_stream_socket_destroy(remove_idle(g, CN_CONTAINER_OF(g->idle.next, idle_socket, link)));
    while (!cn_list_empty(&g->jobs)) {
      job_entry *e = CN_CONTAINER_OF(g->jobs.next, job_entry, link);
      cn_connect_job *job = e->job;
      cn_netlog_end_with_error(job->netlog, job->source, CN_NETLOG_CONNECT_JOB, CN_ERR_ABORTED);
      remove_job(e);
      job->ops->destroy(job);
    }
    cn_socket_params_unref(g->last_params);
    free(g->id);
    free(g);
  }
  cn_hashmap_free(&pool->groups);
  it = 0;
  while (cn_hashmap_next(&pool->chains, &it, NULL, &v)) {
    free(((pool_chain *)v)->key);
    free(v);
  }
  cn_hashmap_free(&pool->chains);
  while (!cn_list_empty(&pool->higher_layers))
    cn_list_remove(pool->higher_layers.next);
  free(pool);
}

static int request_socket(cn_client_socket_pool *pool, const char *group_id,
                          const char *chain_key, cn_socket_params *params,
                          cn_request_priority priority, cn_netlog_source request_source,
                          cn_client_socket_handle *h, cn_pool_request_cb cb, void *arg);

int cn_client_socket_pool_request(cn_client_socket_pool *pool, const char *group_id,
                                  const char *chain_key, cn_socket_params *params,
                                  cn_request_priority priority,
                                  cn_netlog_source request_source,
                                  cn_client_socket_handle *h, cn_pool_request_cb cb, void *arg) {
  int rv = request_socket(pool, group_id, chain_key, params, priority, request_source, h, cb, arg);
  sweep_groups(pool);
  return rv;
}

static int request_socket(cn_client_socket_pool *pool, const char *group_id,
                          const char *chain_key, cn_socket_params *params,
                          cn_request_priority priority, cn_netlog_source request_source,
                          cn_client_socket_handle *h, cn_pool_request_cb cb, void *arg) {
  cn_client_socket_handle_init(h);
  h->pool = pool;
  h->priority = priority;
  h->request_source = request_source;
  cn_pool_group *g = get_group(pool, group_id, chain_key, params);
  h->group = g;

  idle_socket *i = take_usable_idle(g);
  if (i) {
    uint64_t idle_ms = now_ms(pool) - i->since_ms;
    h->reuse_type = i->used ? CN_SOCKET_REUSED_IDLE : CN_SOCKET_UNUSED_IDLE;
    h->idle_time_ms = idle_ms;
    h->socket = remove_idle(g, i);
    g->active++;
    bind_handle(pool, h);
    arm_idle_timer(pool);
    return CN_OK;
  }

  // A job already running without a request to serve will serve this one
  // (late binding); otherwise start one if the limits allow, else wait.
  bool spare_job = g->num_jobs > g->num_pending;
  pool->busy++;
  bool may_start = !spare_job && can_start_job(g);
  leave_busy(pool);
  if (may_start) {
    cn_stream_socket *socket = NULL;
    int error_hop = CN_HOP_ORIGIN;
    int rv = start_job(g, params, priority, &socket, &error_hop);
    if (rv == CN_OK) {
      h->socket = socket;
      h->reuse_type = CN_SOCKET_UNUSED;
      g->active++;  // the job's slot is now the handle's
      bind_handle(pool, h);
      return CN_OK;
    }
    if (rv != CN_ERR_IO_PENDING) {
      h->pool = NULL;
      h->group = NULL;
      h->error_hop = error_hop;
      maybe_delete_group(g);
      return rv;
    }
  }
  h->params = cn_socket_params_ref(params);
  h->cb = cb;
  h->cb_arg = arg;
  insert_pending(g, h);
  return CN_ERR_IO_PENDING;
}

void cn_client_socket_handle_reset(cn_client_socket_handle *h) {
  cn_client_socket_pool *pool = h->pool;
  cn_pool_group *g = h->group;
  switch (h->state) {
    case CN_HANDLE_IDLE:
      break;
    case CN_HANDLE_PENDING:
      cn_list_remove(&h->link);
      g->num_pending--;
      cn_socket_params_unref(h->params);
      // The group's jobs keep running: a socket they make becomes idle for
      // the next request (Chromium keeps them too, unless a limit is hit).
      if (g->num_jobs > g->num_pending && pool->sockets >= pool->options.max_sockets &&
          !cn_list_empty(&g->jobs)) {
        job_entry *e = CN_CONTAINER_OF(g->jobs.prev, job_entry, link);
        cn_connect_job *job = e->job;
        cn_netlog_end_with_error(job->netlog, job->source, CN_NETLOG_CONNECT_JOB,
                                 CN_ERR_ABORTED);
        remove_job(e);
        job->ops->destroy(job);
        count_socket(g, -1);
        process_stalled(pool);
      }
      maybe_delete_group(g);
      break;
    case CN_HANDLE_NOTIFYING:
      cn_list_remove(&h->link);
      cn_socket_params_unref(h->params);
      if (h->socket) {
        // Never seen by the caller: give it back as a never-used socket.
        h->state = CN_HANDLE_ASSIGNED;
        h->is_used = false;
        cn_list_push_back(&pool->assigned, &h->link);
        cn_client_socket_handle_reset(h);
        return;
      }
      break;
    case CN_HANDLE_ASSIGNED:
      cn_list_remove(&h->link);
      if (!pool) {
        cn_stream_socket_destroy(h->socket);  // the pool is gone
        break;
      }
      g->active--;
      bool reusable = h->is_used ? cn_stream_socket_is_connected_and_idle(h->socket)
                                 : cn_stream_socket_is_connected(h->socket);
      // Destroying the socket may give back sockets of this same pool
      // (through a proxy chain the stack holds, say, the tunnel pool twice:
      // the tunnel to the origin over TLS to hop 2 over the tunnel to hop
      // 2): busy, so that such a nested release frees no group under us.
      pool->busy++;
      if (reusable) {
        add_idle(g, h->socket, h->is_used);
      } else {
        cn_stream_socket_destroy(h->socket);
        count_socket(g, -1);
      }
      pool->busy--;
      if (pool->busy) {
        pool->deferred = true;
      } else {
        pool->deferred = false;
        process_group(g);
        process_stalled(pool);
        maybe_delete_group(g);
      }
      break;
  }
  cn_client_socket_handle_init(h);
  if (pool)
    sweep_groups(pool);
}

void cn_client_socket_handle_move(cn_client_socket_handle *dst, cn_client_socket_handle *src) {
  *dst = *src;
  // An assigned handle sits in its pool's assigned list (unless the pool is
  // gone): |dst| takes |src|'s place there.
  if (src->state == CN_HANDLE_ASSIGNED && src->pool) {
    cn_list_insert_before(&src->link, &dst->link);
    cn_list_remove(&src->link);
  } else {
    cn_list_init(&dst->link);
  }
  cn_client_socket_handle_init(src);
}

void cn_client_socket_handle_set_priority(cn_client_socket_handle *h,
                                          cn_request_priority priority) {
  if (h->state != CN_HANDLE_PENDING) {
    h->priority = priority;
    return;
  }
  cn_pool_group *g = h->group;
  cn_list_remove(&h->link);
  g->num_pending--;
  h->priority = priority;
  insert_pending(g, h);
  cn_list_node *node;
  for (node = g->jobs.next; node != &g->jobs; node = node->next) {
    cn_connect_job *job = CN_CONTAINER_OF(node, job_entry, link)->job;
    if (job->ops->set_priority && job->priority < top_priority(g)) {
      job->priority = top_priority(g);
      job->ops->set_priority(job, job->priority);
    }
  }
}

void cn_client_socket_pool_preconnect(cn_client_socket_pool *pool, const char *group_id,
                                      const char *chain_key, cn_socket_params *params,
                                      size_t num_sockets) {
  cn_pool_group *g = get_group(pool, group_id, chain_key, params);
  while (g->num_idle + g->num_jobs < num_sockets && can_start_job(g)) {
    cn_stream_socket *socket = NULL;
    int error_hop;
    int rv = start_job(g, params, CN_PRIORITY_IDLE, &socket, &error_hop);
    if (rv == CN_OK)
      add_idle(g, socket, false);
    else if (rv != CN_ERR_IO_PENDING)
      break;
  }
  maybe_delete_group(g);
  sweep_groups(pool);
}

size_t cn_client_socket_pool_idle_count(const cn_client_socket_pool *pool) { return pool->idle; }

size_t cn_client_socket_pool_socket_count(const cn_client_socket_pool *pool) {
  return pool->sockets;
}

bool cn_client_socket_pool_has_group(const cn_client_socket_pool *pool, const char *group_id) {
  return find_group(pool, group_id) != NULL;
}

#define GROUP_COUNT(fn, field)                                                        \
  size_t fn(const cn_client_socket_pool *pool, const char *group_id) {               \
    const cn_pool_group *g = find_group(pool, group_id);                              \
    return g ? g->field : 0;                                                          \
  }
GROUP_COUNT(cn_client_socket_pool_idle_count_in_group, num_idle)
GROUP_COUNT(cn_client_socket_pool_active_count_in_group, active)
GROUP_COUNT(cn_client_socket_pool_job_count_in_group, num_jobs)
GROUP_COUNT(cn_client_socket_pool_pending_count_in_group, num_pending)
#undef GROUP_COUNT
