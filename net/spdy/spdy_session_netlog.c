// The session's NetLog helpers (see spdy_session_netlog.h).
#include "net/spdy/spdy_session_netlog.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytebuf.h"
#include "base/mem.h"
#include "net/spdy/spdy_session_internal.h"
#include "net/spdy/spdy_wire_codes.h"

static bool capturing(const cn_spdy_session *s) { return cn_netlog_is_capturing(s->netlog); }

static bool is_sensitive(const cn_spdy_header *h) {
  static const char *const kNames[] = {"authorization", "proxy-authorization", "cookie",
                                       "set-cookie"};
  for (size_t i = 0; i < sizeof(kNames) / sizeof(kNames[0]); i++) {
    if (h->name_len == strlen(kNames[i]) && memcmp(h->name, kNames[i], h->name_len) == 0)
      return true;
  }
  return false;
}

// With |values| false, "name: [N bytes]" for every header (the
// CN_NETLOG_CAPTURE_NO_HEADER_VALUES form).
static char *headers_for_log(const cn_spdy_header *h, size_t num, bool values) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  for (size_t i = 0; i < num; i++) {
    if (i)
      cn_bytebuf_append_str(&b, "\n");
    cn_bytebuf_append(&b, h[i].name, h[i].name_len);
    cn_bytebuf_append_str(&b, ": ");
    if (!values)
      cn_bytebuf_appendf(&b, "[%zu bytes]", h[i].value_len);
    else if (is_sensitive(&h[i]))
      cn_bytebuf_appendf(&b, "[%zu bytes were stripped]", h[i].value_len);
    else
      cn_bytebuf_append(&b, h[i].value, h[i].value_len);
  }
  char *text = cn_bytebuf_steal_str(&b);
  cn_bytebuf_free(&b);
  return text;
}

static char *find_dup(const cn_spdy_header *h, size_t num, const char *name) {
  size_t len;
  const char *v = cn_spdy_headers_find(h, num, name, &len);
  return v ? cn_xstrndup(v, len) : cn_xstrdup("");
}

typedef struct headers_event {
  const cn_spdy_session *s;
  cn_spdy_headers_kind kind;
  uint32_t id;
  bool fin;
  const cn_spdy_header *h;
  size_t num;
} headers_event;

// The pseudo-headers (method, path, authority, status) are what fetch -v
// and the ladder draw; without header values the path is left out too.
static void build_headers_params(const void *ctx, cn_netlog_capture_mode mode,
                                 cn_netlog_params *out) {
  const headers_event *ev = ctx;
  const cn_spdy_header *h = ev->h;
  size_t num = ev->num;
  cn_netlog_params_add(out,
                       CN_NL_STR("frame", cn_spdy_wire_headers_frame_name(ev->s->proto, ev->kind)));
  cn_netlog_params_add(out, CN_NL_INT("stream_id", ev->id));
  cn_netlog_params_add(out, CN_NL_BOOL("fin", ev->fin));
  if (mode < CN_NETLOG_CAPTURE_NO_HEADER_VALUES)
    return;
  bool values = mode >= CN_NETLOG_CAPTURE_EVERYTHING;
  cn_netlog_params_add_owned_str(out, "method", find_dup(h, num, ":method"));
  cn_netlog_params_add_owned_str(out, "path",
                                 values ? find_dup(h, num, ":path") : cn_xstrdup(""));
  cn_netlog_params_add_owned_str(
      out, "authority",
      find_dup(h, num, cn_spdy_headers_find(h, num, ":authority", NULL) ? ":authority" : ":host"));
  cn_netlog_params_add_owned_str(out, "status", find_dup(h, num, ":status"));
  cn_netlog_params_add_owned_str(out, "headers", headers_for_log(h, num, values));
}

void cn_spdy_session_netlog_headers(cn_spdy_session *s, bool sent, cn_spdy_headers_kind kind,
                                    uint32_t id, bool fin, const cn_spdy_header *h, size_t num) {
  if (!capturing(s))
    return;
  headers_event ev = {s, kind, id, fin, h, num};
  cn_netlog_add_entry_lazy(
      s->netlog, s->source,
      sent ? CN_NETLOG_SPDY_SESSION_SEND_HEADERS : CN_NETLOG_SPDY_SESSION_RECV_HEADERS,
      CN_NETLOG_PHASE_NONE, build_headers_params, &ev);
}

static char *settings_for_log(const cn_spdy_setting *set, size_t num) {
  cn_bytebuf b;
  cn_bytebuf_init(&b);
  for (size_t i = 0; i < num; i++)
    cn_bytebuf_appendf(&b, "%s%" PRIu32 "=%" PRIu32, i ? " " : "", set[i].id, set[i].value);
  char *text = cn_bytebuf_steal_str(&b);
  cn_bytebuf_free(&b);
  return text;
}

void cn_spdy_session_netlog_settings(cn_spdy_session *s, bool sent, const cn_spdy_setting *set,
                                     size_t num, bool ack) {
  if (!cn_netlog_wants_params(s->netlog))  // the event is its parameters
    return;
  char *text = settings_for_log(set, num);
  cn_netlog_event(
      s->netlog, s->source,
      sent ? CN_NETLOG_SPDY_SESSION_SEND_SETTINGS : CN_NETLOG_SPDY_SESSION_RECV_SETTINGS,
      CN_NL_STR("settings", text), CN_NL_BOOL("ack", ack));
  free(text);
}

void cn_spdy_session_netlog_data_counts(cn_spdy_session *s, cn_spdy_stream *st) {
  cn_spdy_stream_log *l = st->log;
  if (!l)
    return;  // nothing counted
  if (l->sent_frames) {
    cn_netlog_event(s->netlog, s->source, CN_NETLOG_SPDY_SESSION_SEND_DATA,
                    CN_NL_INT("stream_id", st->id), CN_NL_INT("bytes", l->sent_bytes),
                    CN_NL_INT("frames", l->sent_frames), CN_NL_BOOL("fin", l->sent_fin));
  }
  if (l->recv_frames) {
    cn_netlog_event(s->netlog, s->source, CN_NETLOG_SPDY_SESSION_RECV_DATA,
                    CN_NL_INT("stream_id", st->id), CN_NL_INT("bytes", l->recv_bytes),
                    CN_NL_INT("frames", l->recv_frames), CN_NL_BOOL("fin", l->recv_fin));
  }
  l->sent_bytes = l->recv_bytes = 0;
  l->sent_frames = l->recv_frames = 0;
  l->sent_fin = l->recv_fin = false;
  if (cn_list_linked(&l->link))
    cn_list_remove(&l->link);
}

void cn_spdy_session_netlog_note_data(cn_spdy_session *s, cn_spdy_stream *st, bool sent,
                                      size_t bytes, bool fin) {
  if (!cn_netlog_wants_params(s->netlog))  // the event is its counts
    return;
  cn_spdy_stream_log *l = st->log;
  if (!l) {
    // Kept until the stream is freed (cn_spdy_stream_free_).
    l = st->log = CN_NEW(cn_spdy_stream_log);
    cn_list_init(&l->link);
    l->stream = st;
  }
  if (sent) {
    l->sent_bytes += bytes;
    l->sent_frames++;
    l->sent_fin |= fin;
  } else {
    l->recv_bytes += bytes;
    l->recv_frames++;
    l->recv_fin |= fin;
  }
  if (!cn_list_linked(&l->link))
    cn_list_push_back(&s->log_pending, &l->link);
}

void cn_spdy_session_netlog_flush_data(cn_spdy_session *s) {
  cn_list_node *n;
  while ((n = cn_list_front(&s->log_pending)))
    cn_spdy_session_netlog_data_counts(s, CN_CONTAINER_OF(n, cn_spdy_stream_log, link)->stream);
}

void cn_spdy_session_netlog_error(cn_spdy_session *s, int err, const char *detail) {
  cn_netlog_event(s->netlog, s->source, CN_NETLOG_SPDY_SESSION_ERROR, CN_NL_ERROR(err),
                  CN_NL_STR("detail", detail));
}
