// The session pool (see spdy_session_pool.h). Sessions and keys are few (one
// per proxy and per origin), so plain lists are enough.
#include "net/spdy/spdy_session_pool.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/timer.h"
#include "net/spdy/spdy_framer.h"

typedef struct pool_entry {
  cn_list_node link;
  cn_spdy_session_pool *pool;
  cn_spdy_session *session;
  char *key;
  bool available;
} pool_entry;

typedef struct creating_mark {
  cn_list_node link;
  char *key;
} creating_mark;

// One registration with a lower socket pool; a cn_higher_layer can sit in
// one pool's list only, hence one per lower pool.
typedef struct lower_link {
  cn_higher_layer layer;
  cn_spdy_session_pool *pool;
  bool registered;
} lower_link;

struct cn_spdy_session_pool {
  uv_loop_t *loop;
  cn_netlog *netlog;
  cn_spdy_session_options opts;
  cn_list_node entries;   // pool_entry, oldest first
  cn_list_node creating;  // creating_mark
  cn_list_node known;     // creating_mark: keys that had a session
  cn_list_node http11;    // creating_mark: keys that negotiated HTTP/1.1 since
  cn_list_node waiters;   // cn_spdy_session_waiter waiting
  cn_list_node notify;    // waiters whose callback is due
  cn_timer *notify_timer;
  lower_link lowers[CN_SPDY_SESSION_POOL_MAX_LOWER_POOLS];
  cn_spdy_session_pool_observer observer;
};

size_t cn_spdy_session_key_write(char *buf, size_t size, const cn_host_port *dest,
                                 const char *chain_key, bool privacy_mode) {
  // Copies, not snprintf: a key is written per request (the pool is looked
  // up by it).
  char hp[CN_HOST_PORT_STR_SIZE];
  cn_host_port_to_string(dest, hp, sizeof(hp));
  const char *parts[] = {hp, "|", chain_key && *chain_key ? chain_key : "direct", "|",
                         privacy_mode ? "private" : "normal"};
  size_t n = 0;
  for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
    size_t len = strlen(parts[i]);
    if (size > 0 && n < size - 1) {  // as snprintf: what fits, then the NUL
      size_t room = size - 1 - n;
      memcpy(buf + n, parts[i], len < room ? len : room);
    }
    n += len;
  }
  if (size > 0)
    buf[n < size - 1 ? n : size - 1] = '\0';
  return n;
}

char *cn_spdy_session_key_format(const cn_host_port *dest, const char *chain_key,
                                 bool privacy_mode) {
  char small[512];
  size_t n = cn_spdy_session_key_write(small, sizeof(small), dest, chain_key, privacy_mode);
  if (n < sizeof(small))
    return cn_xstrndup(small, n);
  char *key = cn_xmalloc(n + 1);
  cn_spdy_session_key_write(key, n + 1, dest, chain_key, privacy_mode);
  return key;
}

static pool_entry *entry_of(const cn_spdy_session_pool *pool, const cn_spdy_session *s) {
  for (cn_list_node *n = pool->entries.next; n != &pool->entries; n = n->next) {
    pool_entry *e = CN_CONTAINER_OF(n, pool_entry, link);
    if (e->session == s)
      return e;
  }
  return NULL;
}

static creating_mark *find_in(const cn_list_node *list, const char *key) {
  for (cn_list_node *n = list->next; n != list; n = n->next) {
    creating_mark *m = CN_CONTAINER_OF(n, creating_mark, link);
    if (strcmp(m->key, key) == 0)
      return m;
  }
  return NULL;
}

static creating_mark *find_mark(const cn_spdy_session_pool *pool, const char *key) {
  return find_in(&pool->creating, key);
}

static void remove_mark(creating_mark *m) {
  cn_list_remove(&m->link);
  free(m->key);
  free(m);
}

static void add_mark(cn_list_node *list, const char *key) {
  creating_mark *m = cn_xcalloc(1, sizeof(*m));
  m->key = cn_xstrdup(key);
  cn_list_push_back(list, &m->link);
}

static void free_entry(pool_entry *e) {
  cn_list_remove(&e->link);
  // No delegate call may reach a freed entry.
  cn_spdy_session_set_delegate(e->session, NULL);
  cn_spdy_session_destroy(e->session);
  free(e->key);
  free(e);
}

// Waiters' callbacks run from a zero-delay timer so that adding a session
// (inside a connect callback of the caller) never calls another request
// back re-entrantly.
static void on_notify(void *arg) {
  cn_spdy_session_pool *pool = arg;
  while (!cn_list_empty(&pool->notify)) {
    cn_spdy_session_waiter *w = CN_CONTAINER_OF(pool->notify.next, cn_spdy_session_waiter, link);
    cn_list_remove(&w->link);
    cn_list_init(&w->link);
    free(w->key);
    w->key = NULL;
    w->notifying = false;
    w->pool = NULL;
    w->cb(w->arg, CN_OK);
  }
}

static void wake_waiters(cn_spdy_session_pool *pool, const char *key) {
  cn_list_node *it, *tmp;
  CN_LIST_FOREACH_SAFE(it, tmp, &pool->waiters) {
    cn_spdy_session_waiter *w = CN_CONTAINER_OF(it, cn_spdy_session_waiter, link);
    if (strcmp(w->key, key) != 0)
      continue;
    cn_list_remove(&w->link);
    w->notifying = true;
    cn_list_push_back(&pool->notify, &w->link);
  }
  if (!cn_list_empty(&pool->notify) && !cn_timer_is_active(pool->notify_timer))
    cn_timer_start(pool->notify_timer, 0, 0);
}

static void clear_mark(cn_spdy_session_pool *pool, const char *key) {
  creating_mark *m = find_mark(pool, key);
  if (m)
    remove_mark(m);
  wake_waiters(pool, key);
}

// Delegate: a session's stream limit is reached with streams waiting, or
// its last stream closed; the owner of the layers above hears of both (see
// cn_spdy_session_pool_observer).
static void on_stalled(void *ctx, cn_spdy_session *s) {
  cn_spdy_session_pool *pool = ctx;
  if (pool->observer.on_stalled)
    pool->observer.on_stalled(pool->observer.arg, s);
}

static void on_idle(void *ctx, cn_spdy_session *s) {
  cn_spdy_session_pool *pool = ctx;
  if (pool->observer.on_idle)
    pool->observer.on_idle(pool->observer.arg, s);
}

// Delegate: a session that takes no new streams leaves its key's slot at
// once so nobody is handed a going-away session; it lives on while its
// streams finish.
static void on_unavailable(void *ctx, cn_spdy_session *s) {
  cn_spdy_session_pool *pool = ctx;
  pool_entry *e = entry_of(pool, s);
  if (e)
    e->available = false;
}

static void on_closed(void *ctx, cn_spdy_session *s, int error) {
  (void)error;
  cn_spdy_session_pool *pool = ctx;
  pool_entry *e = entry_of(pool, s);
  if (e)
    free_entry(e);
}

static bool lower_close_one_idle(cn_higher_layer *self) {
  lower_link *l = CN_CONTAINER_OF(self, lower_link, layer);
  return cn_spdy_session_pool_close_one_idle(l->pool);
}

cn_spdy_session_pool *cn_spdy_session_pool_new(uv_loop_t *loop,
                                               const cn_spdy_session_options *session_opts,
                                               cn_netlog *netlog) {
  cn_spdy_session_pool *pool = cn_xcalloc(1, sizeof(*pool));
  pool->loop = loop;
  pool->netlog = netlog;
  if (session_opts)
    pool->opts = *session_opts;
  else
    cn_spdy_session_options_init(&pool->opts);
  // The pointers in the options are the caller's; sessions get their own.
  pool->opts.limits = NULL;
  pool->opts.peer = NULL;
  cn_list_init(&pool->entries);
  cn_list_init(&pool->creating);
  cn_list_init(&pool->known);
  cn_list_init(&pool->http11);
  cn_list_init(&pool->waiters);
  cn_list_init(&pool->notify);
  pool->notify_timer = cn_timer_new(loop, on_notify, pool);
  return pool;
}

void cn_spdy_session_pool_destroy(cn_spdy_session_pool *pool) {
  if (!pool)
    return;
  for (size_t i = 0; i < CN_SPDY_SESSION_POOL_MAX_LOWER_POOLS; i++) {
    if (pool->lowers[i].registered)
      cn_client_socket_pool_remove_higher_layer(&pool->lowers[i].layer);
  }
  while (!cn_list_empty(&pool->entries))
    free_entry(CN_CONTAINER_OF(pool->entries.next, pool_entry, link));
  cn_list_node *marks[3] = {&pool->creating, &pool->known, &pool->http11};
  for (int i = 0; i < 3; i++) {
    while (!cn_list_empty(marks[i])) {
      creating_mark *m = CN_CONTAINER_OF(marks[i]->next, creating_mark, link);
      cn_list_remove(&m->link);
      free(m->key);
      free(m);
    }
  }
  // Waiters are embedded in their owners: detach them, no callback.
  cn_list_node *lists[2] = {&pool->waiters, &pool->notify};
  for (int i = 0; i < 2; i++) {
    while (!cn_list_empty(lists[i])) {
      cn_spdy_session_waiter *w = CN_CONTAINER_OF(lists[i]->next, cn_spdy_session_waiter, link);
      cn_list_remove(&w->link);
      cn_list_init(&w->link);
      free(w->key);
      w->key = NULL;
      w->pool = NULL;
      w->notifying = false;
    }
  }
  cn_timer_destroy(pool->notify_timer);
  free(pool);
}

cn_spdy_session *cn_spdy_session_pool_find(cn_spdy_session_pool *pool, const char *key) {
  for (cn_list_node *n = pool->entries.next; n != &pool->entries; n = n->next) {
    pool_entry *e = CN_CONTAINER_OF(n, pool_entry, link);
    // Double-check availability: the delegate's on_unavailable is queued,
    // so the session may know before the pool does.
    if (e->available && strcmp(e->key, key) == 0 && cn_spdy_session_is_available(e->session))
      return e->session;
  }
  return NULL;
}

int cn_spdy_session_pool_add(cn_spdy_session_pool *pool, const char *key,
                             cn_stream_socket *socket, cn_spdy_session **out, bool *reused) {
  if (reused)
    *reused = false;
  cn_spdy_session *existing = cn_spdy_session_pool_find(pool, key);
  if (existing) {
    // A racing connection made a session first: one session per key, so
    // this socket (which carried nothing yet) is dropped.
    cn_stream_socket_destroy(socket);
    *out = existing;
    if (reused)
      *reused = true;
    clear_mark(pool, key);
    return CN_OK;
  }
  pool_entry *e = cn_xcalloc(1, sizeof(*e));
  e->pool = pool;
  e->key = cn_xstrdup(key);
  cn_spdy_session_options o = pool->opts;
  // The socket's ALPN decides; the pool's protocol serves sockets that
  // negotiate nothing (pipes in tests).
  cn_next_proto negotiated = cn_stream_socket_negotiated_protocol(socket);
  o.protocol = negotiated != CN_PROTO_UNKNOWN ? negotiated : pool->opts.protocol;
  o.is_server = false;
  o.peer = key;
  cn_spdy_session_delegate d = {0};
  d.ctx = pool;
  d.on_unavailable = on_unavailable;
  d.on_closed = on_closed;
  d.on_stalled = on_stalled;
  d.on_idle = on_idle;
  int rv = cn_spdy_session_create(pool->loop, socket, &o, &d, pool->netlog, &e->session);
  if (rv != CN_OK) {
    free(e->key);
    free(e);
    clear_mark(pool, key);
    return rv;
  }
  e->available = true;
  cn_list_push_back(&pool->entries, &e->link);
  if (!find_in(&pool->known, key))
    add_mark(&pool->known, key);
  creating_mark *h = find_in(&pool->http11, key);
  if (h)
    remove_mark(h);
  *out = e->session;
  clear_mark(pool, key);
  return CN_OK;
}

bool cn_spdy_session_pool_start_creating(cn_spdy_session_pool *pool, const char *key) {
  if (find_mark(pool, key))
    return false;
  creating_mark *m = cn_xcalloc(1, sizeof(*m));
  m->key = cn_xstrdup(key);
  cn_list_push_back(&pool->creating, &m->link);
  return true;
}

void cn_spdy_session_pool_creation_done(cn_spdy_session_pool *pool, const char *key) {
  clear_mark(pool, key);
}

bool cn_spdy_session_pool_is_creating(const cn_spdy_session_pool *pool, const char *key) {
  return find_mark(pool, key) != NULL;
}

bool cn_spdy_session_pool_known_multiplexed(const cn_spdy_session_pool *pool, const char *key) {
  return find_in(&pool->known, key) != NULL;
}

void cn_spdy_session_pool_note_http11(cn_spdy_session_pool *pool, const char *key) {
  if (!find_in(&pool->http11, key) && !find_in(&pool->known, key))
    add_mark(&pool->http11, key);
}

bool cn_spdy_session_pool_should_coordinate(const cn_spdy_session_pool *pool, const char *key,
                                            bool offered) {
  if (find_in(&pool->known, key))
    return true;
  return offered && !find_in(&pool->http11, key);
}

int cn_spdy_session_pool_wait(cn_spdy_session_pool *pool, const char *key,
                              cn_spdy_session_waiter *w, cn_completion_cb cb, void *arg) {
  cn_spdy_session_waiter_cancel(w);
  if (!find_mark(pool, key))
    return CN_OK;
  w->pool = pool;
  w->key = cn_xstrdup(key);
  w->cb = cb;
  w->arg = arg;
  w->notifying = false;
  cn_list_push_back(&pool->waiters, &w->link);
  return CN_ERR_IO_PENDING;
}

void cn_spdy_session_waiter_cancel(cn_spdy_session_waiter *w) {
  if (!w->pool)
    return;
  cn_list_remove(&w->link);
  cn_list_init(&w->link);
  free(w->key);
  w->key = NULL;
  w->pool = NULL;
  w->notifying = false;
}

void cn_spdy_session_pool_add_lower_pool(cn_spdy_session_pool *pool,
                                         cn_client_socket_pool *lower) {
  for (size_t i = 0; i < CN_SPDY_SESSION_POOL_MAX_LOWER_POOLS; i++) {
    lower_link *l = &pool->lowers[i];
    if (l->registered)
      continue;
    l->pool = pool;
    l->layer.close_one_idle = lower_close_one_idle;
    l->registered = true;
    cn_client_socket_pool_add_higher_layer(lower, &l->layer);
    return;
  }
  abort();  // more lower pools than the fixed table: a programming error
}

static bool session_is_idle(const cn_spdy_session *s) {
  return cn_spdy_session_num_active_streams(s) == 0 && cn_spdy_session_num_queued_streams(s) == 0;
}

bool cn_spdy_session_pool_close_one_idle_matching(cn_spdy_session_pool *pool,
                                                  bool (*match)(const cn_spdy_session *s,
                                                                void *arg),
                                                  void *arg) {
  for (cn_list_node *n = pool->entries.next; n != &pool->entries; n = n->next) {
    pool_entry *e = CN_CONTAINER_OF(n, pool_entry, link);
    if (session_is_idle(e->session) && (!match || match(e->session, arg))) {
      free_entry(e);
      return true;
    }
  }
  return false;
}

bool cn_spdy_session_pool_close_one_idle(cn_spdy_session_pool *pool) {
  return cn_spdy_session_pool_close_one_idle_matching(pool, NULL, NULL);
}

void cn_spdy_session_pool_set_observer(cn_spdy_session_pool *pool,
                                       const cn_spdy_session_pool_observer *observer) {
  memset(&pool->observer, 0, sizeof(pool->observer));
  if (observer)
    pool->observer = *observer;
}

void cn_spdy_session_pool_close_idle(cn_spdy_session_pool *pool) {
  while (cn_spdy_session_pool_close_one_idle(pool)) {
  }
}

size_t cn_spdy_session_pool_make_all_going_away(cn_spdy_session_pool *pool) {
  size_t n = 0;
  cn_list_node *it, *tmp;
  // Going away only schedules the close, but on_unavailable touches entries:
  // iterate safely all the same.
  CN_LIST_FOREACH_SAFE(it, tmp, &pool->entries) {
    pool_entry *e = CN_CONTAINER_OF(it, pool_entry, link);
    if (cn_spdy_session_is_available(e->session)) {
      cn_spdy_session_go_away(e->session, CN_HTTP2_NO_ERROR);
      n++;
    }
  }
  return n;
}

size_t cn_spdy_session_pool_session_count(const cn_spdy_session_pool *pool) {
  return cn_list_size(&pool->entries);
}

size_t cn_spdy_session_pool_available_count(const cn_spdy_session_pool *pool) {
  size_t n = 0;
  for (cn_list_node *it = pool->entries.next; it != &pool->entries; it = it->next) {
    pool_entry *e = CN_CONTAINER_OF(it, pool_entry, link);
    if (e->available && cn_spdy_session_is_available(e->session))
      n++;
  }
  return n;
}

const char *cn_spdy_session_pool_key_of(const cn_spdy_session_pool *pool,
                                        const cn_spdy_session *s) {
  pool_entry *e = entry_of(pool, s);
  return e ? e->key : NULL;
}
