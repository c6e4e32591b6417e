#include "net/socket/happy_eyeballs.h"

#include <stdlib.h>

#include "base/mem.h"
#include "net/socket/tcp_socket.h"

typedef enum attempt_state {
  ATTEMPT_UNUSED,   // its slot has not been started
  ATTEMPT_PENDING,  // connecting
  ATTEMPT_FAILED,   // failed or timed out
  ATTEMPT_WON,
  ATTEMPT_CLOSED,  // lost the race (or the race was cancelled)
} attempt_state;

typedef struct he_attempt {
  cn_happy_eyeballs *he;
  size_t slot;     // its index in he->attempts (the NetLog's "attempt")
  size_t address;  // index into he->order
  bool backup;
  attempt_state state;
  cn_stream_socket *socket;  // while pending
  cn_timer *timeout;         // the attempt's own limit, or NULL
} he_attempt;

struct cn_happy_eyeballs {
  uv_loop_t *loop;
  cn_loop_clock loop_clock;  // the default clock
  cn_clock *clock;
  const cn_client_socket_factory *factory;
  cn_happy_eyeballs_options options;
  cn_netlog *netlog;
  cn_netlog_source source;
  cn_address_list order;  // interleaved
  // 2 * order.count slots: the first round (one per address), then the
  // backup round (slot count + i retries address i while its first attempt
  // is unanswered).
  he_attempt *attempts;
  size_t next_slot;  // the next slot to consider
  size_t pending;    // attempts connecting
  cn_timer *delay;   // starts the next attempt
  int last_error;
  cn_stream_socket *winner;
  cn_completion_cb cb;
  void *cb_arg;
  bool connecting;  // inside cn_happy_eyeballs_connect: report by return
};

void cn_happy_eyeballs_order(const cn_address_list *in, cn_address_list *out) {
  cn_address_list_init(out);
  if (in->count == 0)
    return;
  int first = cn_ip_endpoint_family(&in->items[0]);
  // Walk the two families side by side: next of the first family, next of
  // the other, until both are used up.
  size_t a = 0, b = 0;
  for (;;) {
    while (a < in->count && cn_ip_endpoint_family(&in->items[a]) != first)
      a++;
    while (b < in->count && cn_ip_endpoint_family(&in->items[b]) == first)
      b++;
    if (a >= in->count && b >= in->count)
      break;
    if (a < in->count)
      cn_address_list_append(out, &in->items[a++]);
    if (b < in->count)
      cn_address_list_append(out, &in->items[b++]);
  }
}

static size_t num_slots(const cn_happy_eyeballs *he) { return 2 * he->order.count; }

static const char *address_string(const cn_happy_eyeballs *he, size_t i, char *buf,
                                  size_t size) {
  return cn_ip_endpoint_to_string(&he->order.items[i], buf, size);
}

// Logs TRANSPORT_CONNECT_ATTEMPT for |a|'s end: |outcome| ("won", "lost",
// "cancelled") or, when NULL, the error |err|. Point events on the caller's
// source carry the attempt's number: attempts overlap, so BEGIN/END pairs
// would not nest (each attempt's socket has its own TCP_CONNECT BEGIN/END).
static void log_end(const he_attempt *a, const char *outcome, int err) {
  const cn_happy_eyeballs *he = a->he;
  char tmp[80];
  const char *address = address_string(he, a->address, tmp, sizeof(tmp));
  if (outcome)
    cn_netlog_event(he->netlog, he->source, CN_NETLOG_TRANSPORT_CONNECT_ATTEMPT,
                    CN_NL_INT("attempt", a->slot), CN_NL_STR("address", address),
                    CN_NL_STR("result", outcome));
  else
    cn_netlog_event(he->netlog, he->source, CN_NETLOG_TRANSPORT_CONNECT_ATTEMPT,
                    CN_NL_INT("attempt", a->slot), CN_NL_STR("address", address),
                    CN_NL_ERROR(err));
}

// Whether |slot| may start now: a first-round slot always; a backup slot
// only while the first attempt to its address is still unanswered.
static bool slot_startable(const cn_happy_eyeballs *he, size_t slot) {
  size_t n = he->order.count;
  return slot < n || he->attempts[slot - n].state == ATTEMPT_PENDING;
}

// Skips slots that may no longer start; true if one is left.
static bool have_next(cn_happy_eyeballs *he) {
  while (he->next_slot < num_slots(he) && !slot_startable(he, he->next_slot))
    he->next_slot++;
  return he->next_slot < num_slots(he);
}

static void close_attempt(he_attempt *a, attempt_state state) {
  cn_timer_destroy(a->timeout);
  a->timeout = NULL;
  cn_stream_socket_destroy(a->socket);
  a->socket = NULL;
  if (a->state == ATTEMPT_PENDING)
    a->he->pending--;
  a->state = state;
}

// Reports |rv| to the caller: by return inside connect, else by callback
// (the last thing that touches |he|: the callee may destroy it).
static void report(cn_happy_eyeballs *he, int rv) {
  if (he->connecting)
    return;
  cn_completion_cb cb = he->cb;
  he->cb = NULL;
  cb(he->cb_arg, rv);
}

static int start_attempts(cn_happy_eyeballs *he);

// |a| connected: it wins, every other attempt closes.
static int win(he_attempt *a) {
  cn_happy_eyeballs *he = a->he;
  he->winner = a->socket;
  a->socket = NULL;
  close_attempt(a, ATTEMPT_WON);
  log_end(a, "won", 0);
  cn_timer_stop(he->delay);
  for (size_t i = 0; i < num_slots(he); i++) {
    he_attempt *other = &he->attempts[i];
    if (other->state != ATTEMPT_PENDING)
      continue;
    log_end(other, "lost", 0);
    close_attempt(other, ATTEMPT_CLOSED);
  }
  return CN_OK;
}

// |a| failed with |err|: the next attempt starts at once.
static int fail(he_attempt *a, int err) {
  cn_happy_eyeballs *he = a->he;
  close_attempt(a, ATTEMPT_FAILED);
  he->last_error = err;
  log_end(a, NULL, err);
  cn_timer_stop(he->delay);
  return start_attempts(he);
}

static void on_attempt_connected(void *arg, int rv) {
  he_attempt *a = arg;
  cn_happy_eyeballs *he = a->he;
  rv = rv == CN_OK ? win(a) : fail(a, rv);
  if (rv != CN_ERR_IO_PENDING)
    report(he, rv);
}

static void on_attempt_timeout(void *arg) {
  he_attempt *a = arg;
  cn_happy_eyeballs *he = a->he;
  int rv = fail(a, CN_ERR_CONNECTION_TIMED_OUT);
  if (rv != CN_ERR_IO_PENDING)
    report(he, rv);
}

static void on_delay(void *arg) {
  cn_happy_eyeballs *he = arg;
  int rv = start_attempts(he);
  if (rv != CN_ERR_IO_PENDING)
    report(he, rv);
}

// Starts the attempt of slot |he->next_slot|. Returns CN_ERR_IO_PENDING
// while it connects, else its synchronous result.
static int start_one(cn_happy_eyeballs *he) {
  size_t slot = he->next_slot++;
  he_attempt *a = &he->attempts[slot];
  a->he = he;
  a->slot = slot;
  a->address = slot % he->order.count;
  a->backup = slot >= he->order.count;
  cn_address_list one;
  cn_address_list_init(&one);
  cn_address_list_append(&one, &he->order.items[a->address]);
  const cn_client_socket_factory *f = he->factory;
  a->socket = f ? f->create_transport_socket(f->ctx, he->loop, &one, he->netlog)
                : cn_tcp_socket_new(he->loop, &one, he->netlog);
  cn_address_list_free(&one);
  char tmp[80];
  cn_netlog_event(he->netlog, he->source, CN_NETLOG_TRANSPORT_CONNECT_ATTEMPT,
                  CN_NL_INT("attempt", slot),
                  CN_NL_STR("address", address_string(he, a->address, tmp, sizeof(tmp))),
                  CN_NL_BOOL("backup", a->backup),
                  CN_NL_SOURCE("socket", a->socket->source));
  cn_netlog_event(he->netlog, he->source, CN_NETLOG_CONNECT_JOB_SET_SOCKET,
                  CN_NL_SOURCE("socket", a->socket->source));
  a->state = ATTEMPT_PENDING;
  he->pending++;
  int rv = cn_stream_socket_connect(a->socket, on_attempt_connected, a);
  if (rv == CN_OK)
    return win(a);
  if (rv != CN_ERR_IO_PENDING) {
    close_attempt(a, ATTEMPT_FAILED);
    he->last_error = rv;
    log_end(a, NULL, rv);
    return rv;
  }
  if (he->options.attempt_timeout_ms) {
    a->timeout = cn_clock_timer_new(he->clock, on_attempt_timeout, a);
    cn_timer_start(a->timeout, he->options.attempt_timeout_ms, 0);
  }
  return CN_ERR_IO_PENDING;
}

// Starts attempts until one is connecting (then arms the delay for the
// next) or one connects. Returns CN_ERR_IO_PENDING while attempts run, CN_OK
// when one connected at once, or the last error when all have failed.
static int start_attempts(cn_happy_eyeballs *he) {
  while (have_next(he)) {
    int rv = start_one(he);
    if (rv == CN_OK)
      return CN_OK;
    if (rv == CN_ERR_IO_PENDING) {
      if (have_next(he))
        cn_timer_start(he->delay, he->options.attempt_delay_ms, 0);
      return CN_ERR_IO_PENDING;
    }
  }
  if (he->pending)
    return CN_ERR_IO_PENDING;
  return he->last_error ? he->last_error : CN_ERR_NAME_NOT_RESOLVED;
}

cn_happy_eyeballs *cn_happy_eyeballs_new(uv_loop_t *loop, cn_clock *clock,
                                         const cn_client_socket_factory *factory,
                                         const cn_address_list *addrs,
                                         const cn_happy_eyeballs_options *options,
                                         cn_netlog *netlog, cn_netlog_source source) {
  cn_happy_eyeballs *he = CN_NEW(cn_happy_eyeballs);
  he->loop = loop;
  cn_loop_clock_init(&he->loop_clock, loop);
  he->clock = clock ? clock : &he->loop_clock.base;
  he->factory = factory;
  if (options)
    he->options = *options;
  if (!he->options.attempt_delay_ms)
    he->options.attempt_delay_ms = CN_HAPPY_EYEBALLS_DEFAULT_DELAY_MS;
  he->netlog = netlog;
  he->source = source;
  cn_happy_eyeballs_order(addrs, &he->order);
  he->attempts = cn_xcalloc(num_slots(he) ? num_slots(he) : 1, sizeof(*he->attempts));
  he->delay = cn_clock_timer_new(he->clock, on_delay, he);
  return he;
}

int cn_happy_eyeballs_connect(cn_happy_eyeballs *he, cn_completion_cb cb, void *arg) {
  he->connecting = true;
  int rv = start_attempts(he);
  he->connecting = false;
  if (rv == CN_ERR_IO_PENDING) {
    he->cb = cb;
    he->cb_arg = arg;
  }
  return rv;
}

cn_stream_socket *cn_happy_eyeballs_take_socket(cn_happy_eyeballs *he) {
  cn_stream_socket *s = he->winner;
  he->winner = NULL;
  return s;
}

void cn_happy_eyeballs_destroy(cn_happy_eyeballs *he) {
  if (!he)
    return;
  cn_timer_destroy(he->delay);
  for (size_t i = 0; i < num_slots(he); i++) {
    he_attempt *a = &he->attempts[i];
    if (a->state == ATTEMPT_PENDING) {
      log_end(a, "cancelled", 0);
      close_attempt(a, ATTEMPT_CLOSED);
    }
  }
  cn_stream_socket_destroy(he->winner);
  cn_address_list_free(&he->order);
  free(he->attempts);
  free(he);
}
