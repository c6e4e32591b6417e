// The multiplexed session (see spdy_session.h for what it does and
// spdy_session_internal.h for the lifetime and notification rules).
//
// Layout of this file: control frames; notifications and the task; streams
// and slots; liveness; closing; frame handlers (the framer visitor);
// reading; public API. Elsewhere: the stream map (spdy_stream_map.c), the
// protocols' wire values (spdy_wire_codes.c), the NetLog helpers
// (spdy_session_netlog.c) and the write side (spdy_write_queue.c).
#include "net/spdy/spdy_session.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "net/base/net_errors.h"
#include "net/spdy/spdy_session_internal.h"
#include "net/spdy/spdy_session_netlog.h"
#include "net/spdy/spdy_stream_map.h"
#include "net/spdy/spdy_wire_codes.h"
#include "net/spdy/spdy_write_queue.h"

// Socket reads: large while streams are active (parse everything that
// arrived in one go), small when idle (an idle session holds no large
// buffer while its read waits).
#define READ_SIZE_ACTIVE (64 * 1024)
#define READ_SIZE_IDLE (4 * 1024)
// Synchronous reads in a row before yielding to the loop.
#define MAX_SYNC_READS 16

static void grant_queued(cn_spdy_session *s);

static bool is_spdy(const cn_spdy_session *s) { return s->proto == CN_PROTO_SPDY31; }

// Which side opens stream |id|: clients odd, servers even.
static bool id_is_local(const cn_spdy_session *s, uint32_t id) {
  return (id & 1u) == (s->is_server ? 0u : 1u);
}

// A stream id that was never opened (RFC 9113 §5.1 "idle"): frames on it
// other than HEADERS are connection errors.
static bool id_is_idle(const cn_spdy_session *s, uint32_t id) {
  return id_is_local(s, id) ? id >= s->next_stream_id : id > s->last_peer_stream_id;
}

// --- Control frames (encoded at once: they carry no compression state) ---

static void queue_rst(cn_spdy_session *s, uint32_t id, uint32_t h2_code) {
  if (s->state == CN_SPDY_SESSION_CLOSED)
    return;
  uint32_t code = cn_spdy_wire_rst_code(s->proto, h2_code);
  cn_spdy_framer_write_rst_stream(s->framer, id, code, &s->ctl);
  cn_netlog_event(s->netlog, s->source, CN_NETLOG_SPDY_SESSION_SEND_RST_STREAM,
                  CN_NL_INT("stream_id", id), CN_NL_INT("code", code),
                  CN_NL_INT("error", cn_spdy_wire_rst_error(s->proto, code)));
}

static void queue_window_update(cn_spdy_session *s, uint32_t id, uint32_t delta) {
  cn_spdy_framer_write_window_update(s->framer, id, delta, &s->ctl);
  cn_netlog_event(s->netlog, s->source, CN_NETLOG_SPDY_SESSION_SEND_WINDOW_UPDATE,
                  CN_NL_INT("stream_id", id), CN_NL_INT("delta", delta));
}

static void queue_goaway(cn_spdy_session *s, uint32_t h2_code) {
  uint32_t code = cn_spdy_wire_goaway_code(s->proto, h2_code);
  cn_spdy_framer_write_goaway(s->framer, s->last_peer_stream_id, code, &s->ctl);
  s->goaway_sent = true;
  cn_netlog_event(s->netlog, s->source, CN_NETLOG_SPDY_SESSION_SEND_GOAWAY,
                  CN_NL_INT("last_stream_id", s->last_peer_stream_id), CN_NL_INT("code", code));
}

static void queue_ping(cn_spdy_session *s, uint64_t opaque, bool ack) {
  cn_spdy_framer_write_ping(s->framer, opaque, ack, &s->ctl);
  cn_netlog_event(s->netlog, s->source, CN_NETLOG_SPDY_SESSION_SEND_PING,
                  CN_NL_INT("id", (int64_t)opaque), CN_NL_BOOL("ack", ack));
}

static void queue_settings(cn_spdy_session *s, const cn_spdy_setting *set, size_t num) {
  cn_spdy_framer_write_settings(s->framer, set, num, &s->ctl);
  if (!is_spdy(s)) {
    s->settings_sent++;
    s->local_settings_acked = false;
  }
  cn_spdy_session_netlog_settings(s, true, set, num, false);
}

// --- Notifications and the task ---

void cn_spdy_session_ref_(cn_spdy_session *s) { s->refs++; }

static void session_free(cn_spdy_session *s) {
  cn_spdy_stream_trim_free_list_(s, 0);
  cn_timer_destroy(s->task);
  cn_timer_destroy(s->ping_timer);
  cn_spdy_stream_map_free(&s->map);
  cn_bytebuf_free(&s->ctl);
  cn_bytebuf_free(&s->out);
  free(s);
}

void cn_spdy_session_unref_(cn_spdy_session *s) {
  if (--s->refs == 0)
    session_free(s);
}

static void on_task(void *arg);

void cn_spdy_session_schedule_(cn_spdy_session *s) {
  if (!cn_timer_is_active(s->task))
    cn_timer_start(s->task, 0, 0);
}

void cn_spdy_session_notify_stream_(cn_spdy_session *s, cn_spdy_stream *st) {
  if (!cn_list_linked(&st->notify_link))
    cn_list_push_back(&s->notify, &st->notify_link);
  cn_spdy_session_schedule_(s);
}

static void make_unavailable(cn_spdy_session *s) {
  if (s->unavailable)
    return;
  s->unavailable = true;
  s->notify_unavailable = true;
  cn_spdy_session_schedule_(s);
}

// (The caller holds a reference: a delivery may drop every other one.)
void cn_spdy_session_drain_(cn_spdy_session *s) {
  if (s->draining)
    return;
  s->draining = true;
  cn_list_node *n;
  while ((n = cn_list_front(&s->notify))) {
    cn_list_remove(n);
    cn_spdy_stream_deliver_(CN_CONTAINER_OF(n, cn_spdy_stream, notify_link));
  }
  if (s->notify_stalled) {
    s->notify_stalled = false;
    if (!s->owner_gone && s->delegate.on_stalled && cn_spdy_session_is_stalled(s))
      s->delegate.on_stalled(s->delegate.ctx, s);
  }
  if (s->notify_idle) {
    s->notify_idle = false;
    // Idle (for now): an idle session holds no spare streams.
    if (s->num_local_active == 0 && s->num_queued == 0)
      cn_spdy_stream_trim_free_list_(s, 0);
    if (!s->owner_gone && s->delegate.on_idle && s->state == CN_SPDY_SESSION_OPEN &&
        s->num_local_active == 0 && s->num_queued == 0)
      s->delegate.on_idle(s->delegate.ctx, s);
  }
  if (s->notify_unavailable) {
    s->notify_unavailable = false;
    if (!s->owner_gone && s->delegate.on_unavailable)
      s->delegate.on_unavailable(s->delegate.ctx, s);
  }
  if (s->notify_closed && !s->notify_unavailable) {
    s->notify_closed = false;
    if (!s->owner_gone && s->delegate.on_closed)
      s->delegate.on_closed(s->delegate.ctx, s, s->error);
  }
  s->draining = false;
}

// --- Streams and slots ---

static bool can_open_streams(const cn_spdy_session *s) {
  return s->state == CN_SPDY_SESSION_OPEN && !s->ids_exhausted;
}

int cn_spdy_session_create_error_(const cn_spdy_session *s) {
  if (s->state == CN_SPDY_SESSION_CLOSING || s->state == CN_SPDY_SESSION_CLOSED)
    return s->error ? s->error : CN_ERR_HTTP2_GOING_AWAY;
  if (!can_open_streams(s))
    return CN_ERR_HTTP2_GOING_AWAY;
  return CN_OK;
}

// Ids this side can still open, counting those held by granted streams.
static uint64_t ids_left(const cn_spdy_session *s) {
  if (s->next_stream_id > CN_SPDY_MAX_STREAM_ID)
    return 0;
  uint64_t left = (CN_SPDY_MAX_STREAM_ID - s->next_stream_id) / 2 + 1;
  return left > s->ids_reserved ? left - s->ids_reserved : 0;
}

// A session without streams only waits (its read stays pending for the
// peer's frames): it does not keep the application's loop running, so
// uv_run() returns once the requests are done. A stream makes it work
// again. (A session reached through a CONNECT stream of another session
// keeps that one busy: the outer session decides for its own connection.)
static void update_loop_ref(cn_spdy_session *s) {
  if (s->socket)
    cn_stream_socket_set_keeps_loop_alive(
        s->socket, s->num_local_active + s->num_peer_active > s->num_loop_idle);
}

void cn_spdy_stream_set_keeps_loop_alive(cn_spdy_stream *st, bool keep) {
  cn_spdy_session *s = st->session;
  if (!st->active || st->loop_idle == !keep)
    return;
  st->loop_idle = !keep;
  if (keep)
    s->num_loop_idle--;
  else
    s->num_loop_idle++;
  update_loop_ref(s);
}

static void grant(cn_spdy_session *s, cn_spdy_stream *st) {
  // Windows as they are now (SETTINGS may have changed while it waited).
  st->send_window = (int32_t)s->peer_initial_window;
  st->recv_window = (int32_t)s->local_initial_window;
  st->active = true;
  st->id_reserved = true;
  cn_list_push_back(&s->streams, &st->link);
  s->num_local_active++;
  update_loop_ref(s);
  s->ids_reserved++;
  if (ids_left(s) == 0) {
    // The last id is taken: no new streams; the open ones finish and then
    // the session closes (a new one must be made).
    s->ids_exhausted = true;
    make_unavailable(s);
    if (s->state == CN_SPDY_SESSION_OPEN)
      s->state = CN_SPDY_SESSION_GOING_AWAY;
  }
}

static bool has_queued(const cn_spdy_session *s) { return s->num_queued > 0; }

int cn_spdy_session_add_local_stream_(cn_spdy_session *s, cn_spdy_stream *st) {
  int err = cn_spdy_session_create_error_(s);
  if (err)
    return err;
  if (s->num_local_active < s->peer_max_concurrent && !has_queued(s) && !s->awaiting_liveness) {
    grant(s, st);
    return CN_OK;
  }
  st->queued = true;
  cn_list_push_back(&s->create_queue[st->priority], &st->link);
  s->num_queued++;
  if (s->num_local_active >= s->peer_max_concurrent) {
    // Every slot is taken (not just an idle-check PING out): the owner may
    // hold the streams in idle tunnels of its own (on_stalled).
    s->notify_stalled = true;
    cn_spdy_session_schedule_(s);
  }
  cn_netlog_event(s->netlog, s->source, CN_NETLOG_SPDY_SESSION_STREAM_QUEUED,
                  CN_NL_STR("priority", cn_request_priority_name(st->priority)),
                  CN_NL_INT("queued", s->num_queued));
  return CN_ERR_IO_PENDING;
}

static void fail_queued(cn_spdy_session *s, int err) {
  for (int p = CN_SPDY_NUM_PRIORITIES - 1; p >= 0; p--) {
    cn_list_node *n;
    while ((n = cn_list_front(&s->create_queue[p]))) {
      cn_spdy_stream *st = CN_CONTAINER_OF(n, cn_spdy_stream, link);
      cn_list_remove(n);
      st->queued = false;
      s->num_queued--;
      st->create_done = true;
      st->closed = true;
      if (!st->error)
        st->error = err;
      cn_spdy_session_notify_stream_(s, st);
    }
  }
}

// Serves waiting creates while slots are free, highest priority first.
static void grant_queued(cn_spdy_session *s) {
  if (!has_queued(s))
    return;
  if (s->awaiting_liveness && can_open_streams(s))
    return;  // the idle check's answer grants them
  if (!can_open_streams(s)) {
    fail_queued(s, cn_spdy_session_create_error_(s));
    return;
  }
  for (int p = CN_SPDY_NUM_PRIORITIES - 1; p >= 0; p--) {
    cn_list_node *n;
    while (s->num_local_active < s->peer_max_concurrent && can_open_streams(s) &&
           (n = cn_list_front(&s->create_queue[p]))) {
      cn_spdy_stream *st = CN_CONTAINER_OF(n, cn_spdy_stream, link);
      cn_list_remove(n);
      st->queued = false;
      s->num_queued--;
      grant(s, st);
      st->create_done = true;
      cn_spdy_session_notify_stream_(s, st);
    }
  }
  if (has_queued(s) && !can_open_streams(s))
    fail_queued(s, cn_spdy_session_create_error_(s));
}

void cn_spdy_session_assign_id_(cn_spdy_session *s, cn_spdy_stream *st) {
  st->id = s->next_stream_id;
  s->next_stream_id += 2;
  if (st->id_reserved) {
    st->id_reserved = false;
    s->ids_reserved--;
  }
  cn_spdy_stream_map_put(&s->map, st->id, st);
  st->in_map = true;
}

static void maybe_finish_going_away(cn_spdy_session *s);

void cn_spdy_session_close_stream_(cn_spdy_session *s, cn_spdy_stream *st, int error) {
  if (st->closed)
    return;
  st->closed = true;
  if (st->in_map) {
    cn_spdy_stream_map_remove(&s->map, st->id);
    st->in_map = false;
  }
  cn_spdy_write_queue_remove(st);
  if (st->id_reserved) {
    st->id_reserved = false;
    s->ids_reserved--;
  }
  if (st->active) {
    st->active = false;
    cn_list_remove(&st->link);
    if (st->local)
      s->num_local_active--;
    else
      s->num_peer_active--;
    if (st->loop_idle) {
      st->loop_idle = false;
      s->num_loop_idle--;
    }
    update_loop_ref(s);
  }
  // Behaviour 11: bytes the consumer will never read (or may read later)
  // are given back to the session window now, so a closed stream leaks
  // none of it.
  size_t unread = cn_bytebuf_len(&st->rbuf);
  if (unread && !st->session_credited && s->state != CN_SPDY_SESSION_CLOSED) {
    st->session_credited = true;
    cn_spdy_session_consumed_(s, NULL, unread);
  }
  st->session_credited = true;
  if (st->logged_alive) {
    cn_spdy_session_netlog_data_counts(s, st);
    st->logged_alive = false;
    // CN_ERR_ABORTED is the session's owner closing it (a context torn
    // down with an idle tunnel stream in its pool): a local end like a
    // cancel, not a network failure — the stream served its requests and
    // counts as one.
    if (error < 0 && error != CN_ERR_ABORTED)
      cn_netlog_end(s->netlog, st->source, CN_NETLOG_STREAM_ALIVE, CN_NL_ERROR(error));
    else
      cn_netlog_end(s->netlog, st->source, CN_NETLOG_STREAM_ALIVE,
                    CN_NL_BOOL("cancelled", st->cancelled || error == CN_ERR_ABORTED));
  }
  grant_queued(s);
  if (st->local && s->num_local_active == 0 && s->num_queued == 0) {
    s->notify_idle = true;
    cn_spdy_session_schedule_(s);
  }
  maybe_finish_going_away(s);
}

void cn_spdy_session_reset_stream_(cn_spdy_session *s, cn_spdy_stream *st, uint32_t h2_code,
                                   int error) {
  if (st->closed)
    return;
  // A stream the peer knows of: a peer stream, or ours once its HEADERS
  // are framed. Ours still queued never reach the wire.
  if ((!st->local || st->headers_sent) && s->state != CN_SPDY_SESSION_CLOSED &&
      s->state != CN_SPDY_SESSION_CLOSING) {
    queue_rst(s, st->id, h2_code);
    cn_spdy_session_schedule_(s);
  }
  cn_spdy_session_close_stream_(s, st, error);
  if (error)
    cn_spdy_stream_fail_(st, error);
}

void cn_spdy_session_fin_framed_(cn_spdy_session *s, cn_spdy_stream *st) {
  st->fin_sent = true;
  if (st->remote_fin) {
    cn_spdy_session_close_stream_(s, st, CN_OK);
  } else if (st->orphaned) {
    // Its owner is gone and the response is out: the rest of the request
    // is not wanted (RFC 9113 §8.1).
    queue_rst(s, st->id, CN_HTTP2_NO_ERROR);
    cn_spdy_session_schedule_(s);
    cn_spdy_session_close_stream_(s, st, CN_OK);
  }
  if (st->orphaned && st->closed)
    cn_spdy_session_notify_stream_(s, st);  // freed by the drain
}

void cn_spdy_session_forget_stream_(cn_spdy_session *s, cn_spdy_stream *st) {
  if (st->queued) {
    cn_list_remove(&st->link);
    st->queued = false;
    s->num_queued--;
  }
  if (cn_list_linked(&st->notify_link))
    cn_list_remove(&st->notify_link);
  if (st->log && cn_list_linked(&st->log->link))
    cn_list_remove(&st->log->link);
}

void cn_spdy_session_consumed_(cn_spdy_session *s, cn_spdy_stream *st, size_t n) {
  if (n == 0 || s->state == CN_SPDY_SESSION_CLOSED || s->state == CN_SPDY_SESSION_CLOSING)
    return;
  bool queued = false;
  if (st && !st->closed && !st->remote_fin) {
    // Batched: give back a window only once half of it was consumed.
    st->recv_unacked += (uint32_t)n;
    if (st->recv_unacked >= (uint64_t)(s->local_initial_window / 2)) {
      // recv_window + recv_unacked never exceeds the window we granted, so
      // this never overflows the peer's 2^31-1 (nor the int32 fields).
      uint32_t delta = st->recv_unacked;
      st->recv_window += (int32_t)delta;
      st->recv_unacked = 0;
      queue_window_update(s, st->id, delta);
      queued = true;
    }
  }
  if (st && st->session_credited)
    n = 0;  // already given back to the session when the stream closed
  s->recv_unacked += n;
  if (s->recv_unacked >= (uint64_t)(s->session_window_max / 2)) {
    uint32_t delta = (uint32_t)s->recv_unacked;
    s->recv_window += delta;
    s->recv_unacked = 0;
    queue_window_update(s, 0, delta);
    queued = true;
  }
  if (queued)
    cn_spdy_session_schedule_(s);
}

// --- Liveness ---

static void on_ping_timeout(void *arg);

static void send_ping(cn_spdy_session *s) {
  if ((s->state != CN_SPDY_SESSION_OPEN && s->state != CN_SPDY_SESSION_GOING_AWAY) ||
      s->ping_in_flight)
    return;
  s->ping_opaque = s->next_ping_id;
  s->next_ping_id += 2;  // SPDY: clients use odd ids, servers even
  s->ping_in_flight = true;
  queue_ping(s, s->ping_opaque, false);
  cn_timer_start(s->ping_timer, s->opts.ping_timeout_ms, 0);
  cn_spdy_session_schedule_(s);
}

void cn_spdy_session_maybe_idle_ping_(cn_spdy_session *s) {
  if (s->opts.idle_ping_ms < 0 || !can_open_streams(s) || s->awaiting_liveness)
    return;
  if (cn_clock_now_ms(s->clock) - s->last_recv_ms < (uint64_t)s->opts.idle_ping_ms)
    return;
  // A session that heard nothing for long may be dead without knowing
  // (a NAT dropped it, the peer vanished): a request sent into it would be
  // lost. Ask first; the new stream waits for any sign of life, and if
  // none comes within the PING timeout the session fails with
  // CN_ERR_HTTP2_PING_FAILED, which its caller retries elsewhere.
  s->awaiting_liveness = true;
  send_ping(s);
}

// The peer sent something: it is alive; streams held by the idle check go.
static void liveness_confirmed(cn_spdy_session *s) {
  if (!s->awaiting_liveness)
    return;
  s->awaiting_liveness = false;
  grant_queued(s);
}

// --- Closing ---

void cn_spdy_session_fail_(cn_spdy_session *s, int err, bool goaway, uint32_t h2_code) {
  if (s->state == CN_SPDY_SESSION_CLOSING || s->state == CN_SPDY_SESSION_CLOSED)
    return;
  s->error = err;
  make_unavailable(s);
  if (goaway && s->socket && !s->write_failed)
    queue_goaway(s, h2_code);
  s->state = CN_SPDY_SESSION_CLOSING;
  s->close_after_write = true;
  cn_timer_stop(s->ping_timer);
  s->ping_in_flight = false;
  fail_queued(s, err);
  cn_list_node *n;
  while ((n = cn_list_front(&s->streams))) {
    cn_spdy_stream *st = CN_CONTAINER_OF(n, cn_spdy_stream, link);
    cn_spdy_session_close_stream_(s, st, err);
    if (!st->local && !st->handed_over) {
      // Never seen by the delegate: nobody else will free it.
      cn_spdy_session_forget_stream_(s, st);
      cn_spdy_stream_free_(st);
      cn_spdy_session_unref_(s);
    } else if (st->orphaned) {
      cn_spdy_stream_free_orphan_(st);  // its frames will never go out
    } else {
      cn_spdy_stream_fail_(st, err);
    }
  }
  cn_spdy_session_schedule_(s);
}

void cn_spdy_session_connection_error_(cn_spdy_session *s, int err, const char *detail) {
  cn_spdy_session_netlog_error(s, err, detail);
  cn_spdy_session_fail_(s, err, true, cn_spdy_wire_h2_code_for_error(err));
}

// A graceful end: GOAWAY (if we sent none) and close once nothing is open.
static void maybe_finish_going_away(cn_spdy_session *s) {
  if (s->state != CN_SPDY_SESSION_GOING_AWAY || s->num_local_active || s->num_peer_active ||
      s->num_queued)
    return;
  if (!s->goaway_sent && !s->write_failed)
    queue_goaway(s, CN_HTTP2_NO_ERROR);
  make_unavailable(s);
  s->state = CN_SPDY_SESSION_CLOSING;
  s->close_after_write = true;
  cn_timer_stop(s->ping_timer);
  s->ping_in_flight = false;
  cn_spdy_session_schedule_(s);
}

void cn_spdy_session_close_socket_(cn_spdy_session *s) {
  if (s->state == CN_SPDY_SESSION_CLOSED)
    return;
  s->state = CN_SPDY_SESSION_CLOSED;
  make_unavailable(s);
  s->notify_closed = true;
  cn_spdy_session_schedule_(s);
  cn_timer_stop(s->ping_timer);
  cn_spdy_session_netlog_flush_data(s);
  cn_stream_socket_destroy(s->socket);
  s->socket = NULL;
  s->read_pending = s->write_pending = false;
  cn_iobuf_unref(s->write_buf);
  s->write_buf = NULL;
  cn_iobuf_unref(s->read_buf);
  s->read_buf = NULL;
  cn_bytebuf_free(&s->ctl);
  cn_bytebuf_free(&s->out);
  cn_spdy_framer_destroy(s->framer);
  s->framer = NULL;
  cn_netlog_end(s->netlog, s->source, CN_NETLOG_SESSION_ALIVE,
                CN_NL_INT("close_error", s->error));
}

// --- Frame handlers (the framer's visitor) ---

static int stream_error(cn_spdy_session *s, cn_spdy_stream *st, uint32_t h2_code, int err) {
  cn_spdy_session_reset_stream_(s, st, h2_code, err);
  return CN_OK;
}

// The session's current error, returned to the framer to stop it.
static int stop(cn_spdy_session *s) { return s->error ? s->error : CN_ERR_HTTP2_PROTOCOL_ERROR; }

static int protocol_error(cn_spdy_session *s, const char *detail) {
  cn_spdy_session_connection_error_(s, CN_ERR_HTTP2_PROTOCOL_ERROR, detail);
  return stop(s);
}

static void on_remote_fin(cn_spdy_session *s, cn_spdy_stream *st) {
  st->remote_fin = true;
  cn_spdy_session_notify_stream_(s, st);
  if (st->fin_sent)
    cn_spdy_session_close_stream_(s, st, CN_OK);
}

static int64_t peer_stream_recv_window(const cn_spdy_session *s) {
  // Until the peer acknowledged our SETTINGS it may still use the
  // protocol's default for a stream it opens.
  int64_t w = s->local_initial_window;
  if (!s->local_settings_acked && w < cn_spdy_wire_default_window(s->proto))
    w = cn_spdy_wire_default_window(s->proto);
  return w;
}

static int on_new_peer_stream(cn_spdy_session *s, const cn_spdy_headers_frame *f) {
  uint32_t id = f->stream_id;
  s->last_peer_stream_id = id;
  if (f->associated_stream_id) {
    // SPDY server push (SYN_STREAM associated to one of ours): refused.
    if (s->is_server)
      return protocol_error(s, "associated SYN_STREAM from a client");
    queue_rst(s, id, CN_HTTP2_REFUSED_STREAM);
    return CN_OK;
  }
  if (!s->is_server || f->kind != CN_SPDY_HEADERS_REQUEST)
    return protocol_error(s, "HEADERS opening a stream the peer may not open");
  bool refuse = s->state != CN_SPDY_SESSION_OPEN || !s->delegate.on_stream ||
                s->owner_gone || s->num_peer_active >= s->opts.max_concurrent_streams;
  if (refuse) {
    queue_rst(s, id, CN_HTTP2_REFUSED_STREAM);
    return CN_OK;
  }
  if (!cn_spdy_headers_find(f->headers, f->num_headers, ":method", NULL)) {
    queue_rst(s, id, CN_HTTP2_PROTOCOL_ERROR);
    return CN_OK;
  }
  cn_request_priority prio = CN_PRIORITY_DEFAULT;
  if (f->has_priority) {
    uint8_t p = is_spdy(s) ? f->spdy_priority : cn_http2_weight_to_spdy_priority(f->weight);
    prio = cn_spdy_priority_to_request_priority(p);
  }
  cn_netlog_source none = {CN_NETLOG_SOURCE_NONE, 0};
  cn_spdy_stream *st = cn_spdy_stream_new_(s, prio, false, none);
  st->id = id;
  cn_spdy_stream_map_put(&s->map, id, st);
  st->in_map = true;
  st->active = true;
  cn_list_push_back(&s->streams, &st->link);
  s->num_peer_active++;
  update_loop_ref(s);
  st->send_window = (int32_t)s->peer_initial_window;
  st->recv_window = (int32_t)peer_stream_recv_window(s);
  cn_spdy_header_list_append(&st->in_headers, f->headers, f->num_headers);
  st->headers_received = true;
  st->logged_alive = true;
  cn_netlog_begin(s->netlog, st->source, CN_NETLOG_STREAM_ALIVE, CN_NL_INT("stream_id", id),
                  CN_NL_SOURCE("session", s->source),
                  CN_NL_STR("priority", cn_request_priority_name(prio)),
                  CN_NL_BOOL("local", false));
  st->handover_due = true;
  cn_spdy_session_notify_stream_(s, st);
  if (f->fin)
    on_remote_fin(s, st);
  return CN_OK;
}

static int on_headers(void *ctx, const cn_spdy_headers_frame *f) {
  cn_spdy_session *s = ctx;
  uint32_t id = f->stream_id;
  cn_spdy_session_netlog_headers(s, false, f->kind,
                                 f->kind == CN_SPDY_HEADERS_PUSH ? f->associated_stream_id : id,
                                 f->fin, f->headers, f->num_headers);
  if (f->kind == CN_SPDY_HEADERS_PUSH) {
    // HTTP/2 PUSH_PROMISE. Our first SETTINGS said ENABLE_PUSH 0; once the
    // peer acknowledged it (acks come in order, so any ack covers the
    // first), a PUSH_PROMISE is a connection error PROTOCOL_ERROR (RFC 9113
    // §8.4, §6.6): GOAWAY, and every stream fails. Before that the peer may
    // not know yet: the promised stream is refused and nothing else
    // happens.
    if (!s->is_server && s->settings_acked >= 1)
      return protocol_error(s, "PUSH_PROMISE after SETTINGS_ENABLE_PUSH=0 was acknowledged");
    uint32_t promised = f->associated_stream_id;
    if (id_is_local(s, promised) || promised <= s->last_peer_stream_id)
      return protocol_error(s, "PUSH_PROMISE with an invalid promised stream id");
    s->last_peer_stream_id = promised;
    queue_rst(s, promised, CN_HTTP2_REFUSED_STREAM);
    return CN_OK;
  }
  cn_spdy_stream *st = cn_spdy_stream_map_get(&s->map, id);
  if (!st) {
    if (!id_is_local(s, id) && id > s->last_peer_stream_id)
      return on_new_peer_stream(s, f);
    if (id_is_idle(s, id))
      return protocol_error(s, "HEADERS on an idle stream");
    return CN_OK;  // a stream we closed or reset: late frames are ignored
  }
  if (f->kind == CN_SPDY_HEADERS_REQUEST && is_spdy(s))
    return protocol_error(s, "SYN_STREAM for an open stream");
  if (st->remote_fin)
    return stream_error(s, st, CN_HTTP2_STREAM_CLOSED, CN_ERR_HTTP2_PROTOCOL_ERROR);
  if (!st->headers_received) {
    if (is_spdy(s) && f->kind != CN_SPDY_HEADERS_RESPONSE)
      return stream_error(s, st, CN_HTTP2_PROTOCOL_ERROR, CN_ERR_HTTP2_PROTOCOL_ERROR);
    int status = cn_spdy_headers_status(f->headers, f->num_headers);
    if (status < 100)
      return stream_error(s, st, CN_HTTP2_PROTOCOL_ERROR, CN_ERR_HTTP2_PROTOCOL_ERROR);
    if (status < 200) {
      // Interim (1xx) response: never the end of the stream.
      if (f->fin)
        return stream_error(s, st, CN_HTTP2_PROTOCOL_ERROR, CN_ERR_HTTP2_PROTOCOL_ERROR);
      // Skipped; the final one follows — except a CONNECT's 1xx, which is
      // its answer (a refused tunnel: only a 200 opens one).
      if (!st->is_connect)
        return CN_OK;
    }
    cn_spdy_header_list_append(&st->in_headers, f->headers, f->num_headers);
    st->headers_received = true;
    cn_spdy_session_notify_stream_(s, st);
  } else {
    if (is_spdy(s) && f->kind == CN_SPDY_HEADERS_RESPONSE)
      return stream_error(s, st, CN_HTTP2_PROTOCOL_ERROR, CN_ERR_HTTP2_PROTOCOL_ERROR);
    // Trailers. HTTP/2 requires them to end the stream; SPDY's HEADERS
    // frame may come without FIN and simply adds fields.
    if (!is_spdy(s) && !f->fin)
      return stream_error(s, st, CN_HTTP2_PROTOCOL_ERROR, CN_ERR_HTTP2_PROTOCOL_ERROR);
    cn_spdy_header_list_append(&cn_spdy_stream_trailers_(st)->in, f->headers, f->num_headers);
  }
  if (f->fin)
    on_remote_fin(s, st);
  return CN_OK;
}

static int on_data(void *ctx, uint32_t id, const uint8_t *data, size_t len, bool fin,
                   size_t flow_len) {
  cn_spdy_session *s = ctx;
  if ((int64_t)flow_len > s->recv_window) {
    cn_spdy_session_connection_error_(s, CN_ERR_HTTP2_FLOW_CONTROL_ERROR,
                                      "DATA beyond the session window");
    return stop(s);
  }
  s->recv_window -= (int64_t)flow_len;
  cn_spdy_stream *st = cn_spdy_stream_map_get(&s->map, id);
  if (!st) {
    if (id_is_idle(s, id))
      return protocol_error(s, "DATA on an idle stream");
    // A stream we closed or reset: the data is dropped, its window given
    // back to the session at once.
    cn_spdy_session_consumed_(s, NULL, flow_len);
    return CN_OK;
  }
  cn_spdy_session_netlog_note_data(s, st, false, len, fin);
  if (!st->headers_received || st->remote_fin || (int64_t)flow_len > st->recv_window) {
    cn_spdy_session_consumed_(s, NULL, flow_len);
    if (!st->headers_received)
      return stream_error(s, st, CN_HTTP2_PROTOCOL_ERROR, CN_ERR_HTTP2_PROTOCOL_ERROR);
    if (st->remote_fin)
      return stream_error(s, st, CN_HTTP2_STREAM_CLOSED, CN_ERR_HTTP2_PROTOCOL_ERROR);
    return stream_error(s, st, CN_HTTP2_FLOW_CONTROL_ERROR, CN_ERR_HTTP2_FLOW_CONTROL_ERROR);
  }
  st->recv_window -= (int32_t)flow_len;
  // Padding is consumed on arrival: nobody will read it.
  cn_spdy_session_consumed_(s, st, flow_len - len);
  if (len)
    cn_spdy_stream_on_data_(st, data, len);
  if (fin)
    on_remote_fin(s, st);
  return CN_OK;
}

static int on_rst_stream(void *ctx, uint32_t id, uint32_t code) {
  cn_spdy_session *s = ctx;
  int err = cn_spdy_wire_rst_error(s->proto, code);
  cn_netlog_event(s->netlog, s->source, CN_NETLOG_SPDY_SESSION_RECV_RST_STREAM,
                  CN_NL_INT("stream_id", id), CN_NL_INT("code", code), CN_NL_INT("error", err));
  cn_spdy_stream *st = cn_spdy_stream_map_get(&s->map, id);
  if (!st) {
    if (id_is_idle(s, id) && !is_spdy(s))
      return protocol_error(s, "RST_STREAM on an idle stream");
    return CN_OK;
  }
  // NO_ERROR after a complete response only stops our upload (RFC 9113
  // §8.1): the stream ended well; a pending write still fails.
  bool done = !is_spdy(s) && code == CN_HTTP2_NO_ERROR && st->remote_fin;
  cn_spdy_session_close_stream_(s, st, done ? CN_OK : err);
  cn_spdy_stream_fail_(st, err);
  return CN_OK;
}

// A new SETTINGS_INITIAL_WINDOW_SIZE from the peer moves every open
// stream's send window by the difference (possibly below zero).
static int apply_peer_initial_window(cn_spdy_session *s, uint32_t value) {
  if (value > CN_SPDY_MAX_WINDOW) {
    cn_spdy_session_connection_error_(s, CN_ERR_HTTP2_FLOW_CONTROL_ERROR,
                                      "initial window above 2^31-1");
    return stop(s);
  }
  int64_t delta = (int64_t)value - s->peer_initial_window;
  s->peer_initial_window = value;
  cn_list_node *n;
  for (n = s->streams.next; n != &s->streams; n = n->next) {
    cn_spdy_stream *st = CN_CONTAINER_OF(n, cn_spdy_stream, link);
    // In 64 bits: checked before it is stored (RFC 9113 6.9.2). It never
    // goes below -(2^31-1): the window is the initial one less what was
    // sent beyond the updates, and nothing is sent beyond a window.
    int64_t w = (int64_t)st->send_window + delta;
    if (w > CN_SPDY_MAX_WINDOW) {
      cn_spdy_session_connection_error_(s, CN_ERR_HTTP2_FLOW_CONTROL_ERROR,
                                        "a stream window above 2^31-1");
      return stop(s);
    }
    st->send_window = (int32_t)w;
  }
  for (n = s->streams.next; n != &s->streams; n = n->next) {
    cn_spdy_stream *st = CN_CONTAINER_OF(n, cn_spdy_stream, link);
    if (st->send_stalled && st->send_window > 0)
      cn_spdy_write_queue_stream_ready(s, st);
  }
  return CN_OK;
}

static int on_settings(void *ctx, const cn_spdy_setting *set, size_t num, bool ack) {
  cn_spdy_session *s = ctx;
  cn_spdy_session_netlog_settings(s, false, set, num, ack);
  if (ack) {
    if (s->settings_acked == s->settings_sent)
      return protocol_error(s, "SETTINGS ACK for nothing");
    s->settings_acked++;
    s->local_settings_acked = s->settings_acked == s->settings_sent;
    if (s->has_pending_window && s->settings_acked >= s->pending_window_ack) {
      // A decrease of our window takes effect now that the peer knows it.
      int64_t delta = s->pending_initial_window - s->local_initial_window;
      s->local_initial_window = s->pending_initial_window;
      s->has_pending_window = false;
      for (cn_list_node *n = s->streams.next; n != &s->streams; n = n->next)
        CN_CONTAINER_OF(n, cn_spdy_stream, link)->recv_window += (int32_t)delta;
    }
    return CN_OK;
  }
  for (size_t i = 0; i < num; i++) {
    uint32_t id = set[i].id, value = set[i].value;
    if (id == cn_spdy_wire_setting_id(s->proto, CN_SPDY_WIRE_SETTING_MAX_CONCURRENT_STREAMS)) {
      s->peer_max_concurrent = value;
    } else if (id == cn_spdy_wire_setting_id(s->proto, CN_SPDY_WIRE_SETTING_INITIAL_WINDOW_SIZE)) {
      int rv = apply_peer_initial_window(s, value);
      if (rv < 0)
        return rv;
    } else if (!is_spdy(s) && id == CN_HTTP2_SETTINGS_MAX_FRAME_SIZE) {
      // Our DATA frames stay at MAX_DATA_FRAME, never above the minimum
      // a peer may announce; HEADERS follow the peer's size.
      cn_spdy_framer_set_peer_max_frame_size(s->framer, value);
    } else if (!is_spdy(s) && id == CN_HTTP2_SETTINGS_HEADER_TABLE_SIZE) {
      cn_spdy_framer_set_peer_header_table_size(s->framer, value);
    }
  }
  s->peer_settings_received = true;
  if (!is_spdy(s)) {
    // The ACK goes out before any HEADERS framed under the new settings.
    cn_spdy_framer_write_settings_ack(s->framer, &s->ctl);
    cn_netlog_event(s->netlog, s->source, CN_NETLOG_SPDY_SESSION_SEND_SETTINGS,
                    CN_NL_STR("settings", ""), CN_NL_BOOL("ack", true));
  }
  cn_spdy_session_schedule_(s);
  grant_queued(s);
  return CN_OK;
}

static int on_ping(void *ctx, uint64_t opaque, bool ack) {
  cn_spdy_session *s = ctx;
  cn_netlog_event(s->netlog, s->source, CN_NETLOG_SPDY_SESSION_RECV_PING,
                  CN_NL_INT("id", (int64_t)opaque), CN_NL_BOOL("ack", ack));
  if (ack) {
    if (s->ping_in_flight && opaque == s->ping_opaque) {
      s->ping_in_flight = false;
      cn_timer_stop(s->ping_timer);
    }
    return CN_OK;
  }
  queue_ping(s, opaque, true);
  cn_spdy_session_schedule_(s);
  return CN_OK;
}

static int on_goaway(void *ctx, uint32_t last_id, uint32_t code, const uint8_t *debug,
                     size_t debug_len) {
  cn_spdy_session *s = ctx;
  char *text = cn_xstrndup((const char *)debug, debug ? debug_len : 0);
  cn_netlog_event(s->netlog, s->source, CN_NETLOG_SPDY_SESSION_RECV_GOAWAY,
                  CN_NL_INT("last_stream_id", last_id), CN_NL_INT("code", code),
                  CN_NL_STR("debug", text), CN_NL_INT("active_streams", s->num_local_active));
  free(text);
  s->goaway_received = true;
  s->goaway_last_id = last_id;
  if (!is_spdy(s) && code == CN_HTTP2_HTTP_1_1_REQUIRED) {
    cn_spdy_session_fail_(s, CN_ERR_HTTP_1_1_REQUIRED, false, 0);
    return stop(s);
  }
  make_unavailable(s);
  if (s->state == CN_SPDY_SESSION_OPEN)
    s->state = CN_SPDY_SESSION_GOING_AWAY;
  // Ours the peer never processed (above last_id, or not sent at all):
  // safe to retry elsewhere.
  cn_list_node *n, *tmp;
  CN_LIST_FOREACH_SAFE(n, tmp, &s->streams) {
    cn_spdy_stream *st = CN_CONTAINER_OF(n, cn_spdy_stream, link);
    if (st->local && (!st->headers_sent || st->id > last_id)) {
      cn_spdy_session_close_stream_(s, st, CN_ERR_HTTP2_GOING_AWAY);
      cn_spdy_stream_fail_(st, CN_ERR_HTTP2_GOING_AWAY);
    }
  }
  fail_queued(s, CN_ERR_HTTP2_GOING_AWAY);
  maybe_finish_going_away(s);
  return CN_OK;
}

static int on_window_update(void *ctx, uint32_t id, uint32_t delta) {
  cn_spdy_session *s = ctx;
  cn_netlog_event(s->netlog, s->source, CN_NETLOG_SPDY_SESSION_RECV_WINDOW_UPDATE,
                  CN_NL_INT("stream_id", id), CN_NL_INT("delta", delta));
  if (id == 0) {
    if (delta == 0)
      return protocol_error(s, "WINDOW_UPDATE of 0 on the session");
    s->send_window += delta;
    if (s->send_window > CN_SPDY_MAX_WINDOW) {
      cn_spdy_session_connection_error_(s, CN_ERR_HTTP2_FLOW_CONTROL_ERROR,
                                        "session window above 2^31-1");
      return stop(s);
    }
    cn_spdy_session_schedule_(s);
    return CN_OK;
  }
  cn_spdy_stream *st = cn_spdy_stream_map_get(&s->map, id);
  if (!st) {
    if (id_is_idle(s, id) && !is_spdy(s))
      return protocol_error(s, "WINDOW_UPDATE on an idle stream");
    return CN_OK;
  }
  if (delta == 0)
    return stream_error(s, st, CN_HTTP2_PROTOCOL_ERROR, CN_ERR_HTTP2_PROTOCOL_ERROR);
  // In 64 bits, checked before it is stored (RFC 9113 6.9.1).
  int64_t w = (int64_t)st->send_window + delta;
  if (w > CN_SPDY_MAX_WINDOW)
    return stream_error(s, st, CN_HTTP2_FLOW_CONTROL_ERROR, CN_ERR_HTTP2_FLOW_CONTROL_ERROR);
  st->send_window = (int32_t)w;
  if (st->send_stalled && st->send_window > 0)
    cn_spdy_write_queue_stream_ready(s, st);
  return CN_OK;
}

static const cn_spdy_frame_visitor kVisitorTemplate = {
    .on_headers = on_headers,
    .on_data = on_data,
    .on_rst_stream = on_rst_stream,
    .on_settings = on_settings,
    .on_ping = on_ping,
    .on_goaway = on_goaway,
    .on_window_update = on_window_update,
    .on_priority = NULL,  // cnet schedules by its own priorities
};

// --- Reading ---

static bool is_reading_state(const cn_spdy_session *s) {
  return s->state == CN_SPDY_SESSION_OPEN || s->state == CN_SPDY_SESSION_GOING_AWAY;
}

static void handle_read(cn_spdy_session *s, int rv) {
  if (!is_reading_state(s))
    return;  // failing: nothing more is processed
  if (rv <= 0) {
    cn_spdy_session_fail_(s, rv == 0 ? CN_ERR_CONNECTION_CLOSED : rv, false, 0);
    return;
  }
  s->last_recv_ms = cn_clock_now_ms(s->clock);
  liveness_confirmed(s);
  cn_spdy_frame_visitor v = kVisitorTemplate;
  v.ctx = s;
  s->reading = true;
  int err = cn_spdy_framer_process(s->framer, s->read_buf->data, (size_t)rv, &v);
  s->reading = false;
  if (err < 0 && is_reading_state(s)) {
    const char *detail = err == CN_ERR_HTTP2_FRAME_SIZE_ERROR    ? "frame size"
                         : err == CN_ERR_HTTP2_COMPRESSION_ERROR ? "header block"
                                                                 : "malformed frame";
    cn_spdy_session_connection_error_(s, err, detail);
  }
  if (cn_netlog_wants_params(s->netlog))
    cn_spdy_session_netlog_flush_data(s);
}

static void on_read_done(void *arg, int rv);

static void read_loop(cn_spdy_session *s) {
  for (int i = 0; is_reading_state(s) && s->socket && !s->read_pending; i++) {
    if (i == MAX_SYNC_READS) {
      cn_spdy_session_schedule_(s);  // the task reads on
      return;
    }
    size_t size = (s->num_local_active || s->num_peer_active) ? READ_SIZE_ACTIVE : READ_SIZE_IDLE;
    if (!s->read_buf || s->read_buf->size != size) {
      cn_iobuf_unref(s->read_buf);
      s->read_buf = cn_iobuf_new(size);
    }
    int rv = cn_stream_socket_read(s->socket, s->read_buf, size, on_read_done, s);
    if (rv == CN_ERR_IO_PENDING) {
      s->read_pending = true;
      return;
    }
    handle_read(s, rv);
  }
}

void cn_spdy_session_end_turn_(cn_spdy_session *s) {
  cn_spdy_session_drain_(s);
  cn_spdy_write_queue_flush(s);
  // Completions the write made due (a stream's write all framed).
  cn_spdy_session_drain_(s);
}

static void on_read_done(void *arg, int rv) {
  cn_spdy_session *s = arg;
  s->read_pending = false;
  cn_spdy_session_ref_(s);
  handle_read(s, rv);
  read_loop(s);
  cn_spdy_session_end_turn_(s);
  cn_spdy_session_unref_(s);
}

static void on_task(void *arg) {
  cn_spdy_session *s = arg;
  cn_spdy_session_ref_(s);
  read_loop(s);
  cn_spdy_session_end_turn_(s);
  cn_spdy_session_unref_(s);
}

static void on_ping_timeout(void *arg) {
  cn_spdy_session *s = arg;
  if (!s->ping_in_flight)
    return;
  cn_spdy_session_ref_(s);
  cn_spdy_session_netlog_error(s, CN_ERR_HTTP2_PING_FAILED, "no PING answer");
  cn_spdy_session_fail_(s, CN_ERR_HTTP2_PING_FAILED, false, 0);
  cn_spdy_session_end_turn_(s);
  cn_spdy_session_unref_(s);
}

// --- Public API ---

void cn_spdy_session_options_init(cn_spdy_session_options *o) {
  memset(o, 0, sizeof(*o));
  o->stream_recv_window = CN_SPDY_DEFAULT_STREAM_RECV_WINDOW;
  o->session_recv_window = CN_SPDY_DEFAULT_SESSION_RECV_WINDOW;
  o->max_concurrent_streams = CN_SPDY_DEFAULT_MAX_CONCURRENT_STREAMS;
  o->initial_peer_max_concurrent_streams = CN_SPDY_DEFAULT_MAX_CONCURRENT_STREAMS;
  o->ping_timeout_ms = CN_SPDY_DEFAULT_PING_TIMEOUT_MS;
  o->idle_ping_ms = CN_SPDY_DEFAULT_IDLE_PING_MS;
}

static void resolve_options(cn_spdy_session_options *o, const cn_spdy_session_options *in) {
  cn_spdy_session_options_init(o);
  if (!in)
    return;
  o->protocol = in->protocol;
  o->is_server = in->is_server;
  if (in->stream_recv_window)
    o->stream_recv_window = in->stream_recv_window;
  if (in->session_recv_window)
    o->session_recv_window = in->session_recv_window;
  if (in->max_concurrent_streams)
    o->max_concurrent_streams = in->max_concurrent_streams;
  if (in->initial_peer_max_concurrent_streams)
    o->initial_peer_max_concurrent_streams = in->initial_peer_max_concurrent_streams;
  if (in->ping_timeout_ms)
    o->ping_timeout_ms = in->ping_timeout_ms;
  o->idle_ping_ms = in->idle_ping_ms;
  o->clock = in->clock;
  o->limits = in->limits;
  o->peer = in->peer;
  o->first_stream_id_for_testing = in->first_stream_id_for_testing;
  if (o->stream_recv_window > CN_SPDY_MAX_WINDOW)
    o->stream_recv_window = CN_SPDY_MAX_WINDOW;
  if (o->session_recv_window > CN_SPDY_MAX_WINDOW)
    o->session_recv_window = CN_SPDY_MAX_WINDOW;
}

int cn_spdy_session_create(uv_loop_t *loop, cn_stream_socket *socket,
                           const cn_spdy_session_options *opts,
                           const cn_spdy_session_delegate *delegate, cn_netlog *netlog,
                           cn_spdy_session **out) {
  *out = NULL;
  cn_spdy_session_options o;
  resolve_options(&o, opts);
  cn_next_proto proto =
      o.protocol != CN_PROTO_UNKNOWN ? o.protocol : cn_stream_socket_negotiated_protocol(socket);
  if (proto != CN_PROTO_SPDY31 && proto != CN_PROTO_HTTP2) {
    cn_stream_socket_destroy(socket);
    return CN_ERR_INVALID_ARGUMENT;
  }
  cn_spdy_session *s = CN_NEW(cn_spdy_session);
  s->refs = 1;
  s->loop = loop;
  s->netlog = netlog;
  s->proto = proto;
  s->is_server = o.is_server;
  s->opts = o;
  if (o.limits)
    s->limits = *o.limits;
  else
    cn_spdy_framer_limits_init(&s->limits, proto);
  s->opts.limits = NULL;  // copied; the caller's may go
  s->opts.peer = NULL;
  if (delegate)
    s->delegate = *delegate;
  s->state = CN_SPDY_SESSION_OPEN;
  s->socket = socket;
  s->framer = cn_spdy_framer_new(proto, s->is_server, &s->limits);
  cn_bytebuf_init(&s->ctl);
  cn_bytebuf_init(&s->out);
  cn_list_init(&s->headers_queue);
  cn_list_init(&s->streams);
  cn_list_init(&s->notify);
  cn_list_init(&s->log_pending);
  for (int p = 0; p < CN_SPDY_NUM_PRIORITIES; p++) {
    cn_list_init(&s->ready[p]);
    cn_list_init(&s->create_queue[p]);
  }
  s->task = cn_timer_new(loop, on_task, s);
  cn_loop_clock_init(&s->loop_clock, loop);
  s->clock = o.clock ? o.clock : &s->loop_clock.base;
  s->ping_timer = cn_clock_timer_new(s->clock, on_ping_timeout, s);
  s->last_recv_ms = cn_clock_now_ms(s->clock);
  s->next_stream_id = o.first_stream_id_for_testing ? o.first_stream_id_for_testing
                                                    : (s->is_server ? 2u : 1u);
  s->next_ping_id = s->is_server ? 2 : 1;
  s->peer_max_concurrent = o.initial_peer_max_concurrent_streams;
  s->peer_initial_window = cn_spdy_wire_default_window(s->proto);
  s->send_window = cn_spdy_wire_default_window(s->proto);
  s->recv_window = cn_spdy_wire_default_window(s->proto);
  s->local_initial_window = o.stream_recv_window;
  // The session window starts at the protocol's default and only grows
  // (there is no setting for it).
  s->session_window_max = o.session_recv_window > cn_spdy_wire_default_window(s->proto)
                              ? o.session_recv_window
                              : cn_spdy_wire_default_window(s->proto);
  s->source = cn_netlog_new_source(netlog, CN_NETLOG_SOURCE_SESSION);
  cn_netlog_begin(netlog, s->source, CN_NETLOG_SESSION_ALIVE,
                  CN_NL_STR("protocol", cn_next_proto_alpn(proto)),
                  CN_NL_STR("role", s->is_server ? "server" : "client"),
                  CN_NL_STR("peer", o.peer ? o.peer : ""), CN_NL_SOURCE("socket", socket->source));

  // What every session says first.
  cn_spdy_framer_write_preface(s->framer, &s->ctl);
  cn_spdy_setting set[3];
  size_t num = 0;
  if (!is_spdy(s) && !s->is_server)
    set[num++] = (cn_spdy_setting){.id = CN_HTTP2_SETTINGS_ENABLE_PUSH, .value = 0};
  set[num++] = (cn_spdy_setting){
      .id = cn_spdy_wire_setting_id(s->proto, CN_SPDY_WIRE_SETTING_MAX_CONCURRENT_STREAMS),
      .value = o.max_concurrent_streams};
  set[num++] = (cn_spdy_setting){
      .id = cn_spdy_wire_setting_id(s->proto, CN_SPDY_WIRE_SETTING_INITIAL_WINDOW_SIZE),
      .value = o.stream_recv_window};
  queue_settings(s, set, num);
  if (s->session_window_max > s->recv_window) {
    queue_window_update(s, 0, (uint32_t)(s->session_window_max - s->recv_window));
    s->recv_window = s->session_window_max;
  }
  // SPDY has no SETTINGS ack: ours count at once.
  if (is_spdy(s))
    s->local_settings_acked = true;
  cn_spdy_session_schedule_(s);  // the task writes them and starts reading
  *out = s;
  return CN_OK;
}

void cn_spdy_session_destroy(cn_spdy_session *s) {
  if (!s)
    return;
  s->owner_gone = true;
  memset(&s->delegate, 0, sizeof(s->delegate));
  if (s->state != CN_SPDY_SESSION_CLOSED) {
    if (s->state != CN_SPDY_SESSION_CLOSING && s->socket && !s->write_pending &&
        !s->write_failed) {
      // Best effort: tell the peer, in one write that may or may not
      // complete before the socket goes.
      queue_goaway(s, CN_HTTP2_NO_ERROR);
      cn_spdy_write_queue_write_final(s);
    }
    cn_spdy_session_fail_(s, CN_ERR_ABORTED, false, 0);
    cn_spdy_session_close_socket_(s);
  }
  // Orphans that finished but were not freed by a drain yet: no drain may
  // come once the owner is gone.
  cn_list_node *n, *tmp;
  CN_LIST_FOREACH_SAFE(n, tmp, &s->notify) {
    cn_spdy_stream *st = CN_CONTAINER_OF(n, cn_spdy_stream, notify_link);
    if (st->orphaned && st->closed)
      cn_spdy_stream_free_orphan_(st);
  }
  cn_spdy_session_unref_(s);
}

void cn_spdy_session_set_delegate(cn_spdy_session *s, const cn_spdy_session_delegate *delegate) {
  if (delegate && !s->owner_gone)
    s->delegate = *delegate;
  else
    memset(&s->delegate, 0, sizeof(s->delegate));
}

void cn_spdy_session_go_away(cn_spdy_session *s, uint32_t h2_code) {
  if (s->state != CN_SPDY_SESSION_OPEN && s->state != CN_SPDY_SESSION_GOING_AWAY)
    return;
  queue_goaway(s, h2_code);
  make_unavailable(s);
  s->state = CN_SPDY_SESSION_GOING_AWAY;
  // Streams we granted but never sent cannot start any more.
  cn_list_node *n, *tmp;
  CN_LIST_FOREACH_SAFE(n, tmp, &s->streams) {
    cn_spdy_stream *st = CN_CONTAINER_OF(n, cn_spdy_stream, link);
    if (st->local && !st->headers_queued) {
      cn_spdy_session_close_stream_(s, st, CN_ERR_HTTP2_GOING_AWAY);
      cn_spdy_stream_fail_(st, CN_ERR_HTTP2_GOING_AWAY);
    }
  }
  fail_queued(s, CN_ERR_HTTP2_GOING_AWAY);
  maybe_finish_going_away(s);
  cn_spdy_session_schedule_(s);
}

void cn_spdy_session_check_liveness(cn_spdy_session *s) { send_ping(s); }

void cn_spdy_session_set_stream_recv_window(cn_spdy_session *s, uint32_t window) {
  if (!is_reading_state(s))
    return;
  if (window > CN_SPDY_MAX_WINDOW)
    window = CN_SPDY_MAX_WINDOW;
  cn_spdy_setting set = {
      .id = cn_spdy_wire_setting_id(s->proto, CN_SPDY_WIRE_SETTING_INITIAL_WINDOW_SIZE),
      .value = window};
  queue_settings(s, &set, 1);
  cn_spdy_session_schedule_(s);
  // The window in force only shrinks once the peer acknowledged it (before
  // that, it may send under the larger one).
  if (!is_spdy(s) && window < s->local_initial_window) {
    s->has_pending_window = true;
    s->pending_initial_window = window;  // at the ACK of this SETTINGS
    s->pending_window_ack = s->settings_sent;
    return;
  }
  int64_t delta = (int64_t)window - s->local_initial_window;
  s->local_initial_window = window;
  s->has_pending_window = false;
  // (Within int32: a window is at most 2^31-1 less what is unread.)
  for (cn_list_node *n = s->streams.next; n != &s->streams; n = n->next)
    CN_CONTAINER_OF(n, cn_spdy_stream, link)->recv_window += (int32_t)delta;
}

bool cn_spdy_session_is_available(const cn_spdy_session *s) {
  return can_open_streams(s) && !s->unavailable;
}

bool cn_spdy_session_is_closed(const cn_spdy_session *s) {
  return s->state == CN_SPDY_SESSION_CLOSED;
}

int cn_spdy_session_error(const cn_spdy_session *s) { return s->error; }
cn_next_proto cn_spdy_session_protocol(const cn_spdy_session *s) { return s->proto; }
bool cn_spdy_session_is_server(const cn_spdy_session *s) { return s->is_server; }
cn_netlog_source cn_spdy_session_source(const cn_spdy_session *s) { return s->source; }
const cn_stream_socket *cn_spdy_session_socket(const cn_spdy_session *s) { return s->socket; }

size_t cn_spdy_session_num_active_streams(const cn_spdy_session *s) {
  return s->num_local_active + s->num_peer_active;
}

size_t cn_spdy_session_num_queued_streams(const cn_spdy_session *s) { return s->num_queued; }

bool cn_spdy_session_is_stalled(const cn_spdy_session *s) {
  return s->num_queued > 0 && s->num_local_active >= s->peer_max_concurrent;
}

bool cn_spdy_session_peer_settings_received(const cn_spdy_session *s) {
  return s->peer_settings_received;
}

uint32_t cn_spdy_session_peer_max_concurrent_streams(const cn_spdy_session *s) {
  return s->peer_max_concurrent;
}

int64_t cn_spdy_session_send_window(const cn_spdy_session *s) { return s->send_window; }
int64_t cn_spdy_session_recv_window(const cn_spdy_session *s) { return s->recv_window; }
bool cn_spdy_session_ping_in_flight(const cn_spdy_session *s) { return s->ping_in_flight; }
