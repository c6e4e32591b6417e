#include "net/base/netlog_counters.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

// For each event type, the offset of the counter it feeds, or SIZE_MAX.
#define NONE_OFFSET SIZE_MAX
#define CN_COUNTER_OFFSET_NONE NONE_OFFSET
static size_t counter_offset(cn_netlog_event_type type) {
  switch (type) {
#define CN_NETLOG_EVENT(sym, counter) \
  case CN_NETLOG_##sym:               \
    return CN_COUNTER_OFFSET_##counter;
#define CN_COUNTER_OFFSET_(name) offsetof(cn_netlog_counters, name)
#define CN_COUNTER_OFFSET_tcp_connects CN_COUNTER_OFFSET_(tcp_connects)
#define CN_COUNTER_OFFSET_tls_handshakes CN_COUNTER_OFFSET_(tls_handshakes)
#define CN_COUNTER_OFFSET_tunnels CN_COUNTER_OFFSET_(tunnels)
#define CN_COUNTER_OFFSET_sessions CN_COUNTER_OFFSET_(sessions)
#define CN_COUNTER_OFFSET_streams CN_COUNTER_OFFSET_(streams)
#define CN_COUNTER_OFFSET_requests CN_COUNTER_OFFSET_(requests)
#include "net/base/netlog_event_list.h"
#undef CN_NETLOG_EVENT
    default:
      return NONE_OFFSET;
  }
}

static void on_entry(cn_netlog_observer *obs, const cn_netlog_entry *e) {
  cn_netlog_counters *c = CN_CONTAINER_OF(obs, cn_netlog_counters, observer);
  size_t off = counter_offset(e->type);
  if (off == NONE_OFFSET || e->phase == CN_NETLOG_PHASE_BEGIN)
    return;
  if (e->phase == CN_NETLOG_PHASE_END) {
    const cn_netlog_param *err = cn_netlog_entry_param(e, "net_error");
    if (err && err->kind == CN_NETLOG_PARAM_INT && err->i < 0)
      return;
  }
  (*(uint64_t *)((char *)c + off))++;
}

void cn_netlog_counters_attach(cn_netlog_counters *c, cn_netlog *log) {
  memset(c, 0, sizeof(*c));
  cn_list_init(&c->observer.link);
  c->observer.on_entry = on_entry;
  cn_netlog_add_observer_with_mode(log, &c->observer, CN_NETLOG_CAPTURE_TYPES);
}

void cn_netlog_counters_detach(cn_netlog_counters *c) {
  cn_netlog_remove_observer(&c->observer);
}

void cn_netlog_counters_to_json(const cn_netlog_counters *c, cn_bytebuf *out) {
  const char *sep = "{";
#define CN_COUNTER_JSON_(name)                                          \
  cn_bytebuf_appendf(out, "%s\"" #name "\":%" PRIu64, sep, c->name); \
  sep = ",";
  CN_NETLOG_COUNTER_FIELDS(CN_COUNTER_JSON_)
#undef CN_COUNTER_JSON_
  cn_bytebuf_append_str(out, "}");
}
