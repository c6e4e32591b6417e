#include "net/base/netlog.h"

#include <string.h>
#include <uv.h>

#include "net/base/net_errors.h"

static const char *const kEventNames[] = {
#define CN_NETLOG_EVENT(sym, counter) #sym,
#include "net/base/netlog_event_list.h"
#undef CN_NETLOG_EVENT
};

static const char *const kSourceNames[] = {
#define CN_NETLOG_SOURCE(sym) #sym,
#include "net/base/netlog_source_list.h"
#undef CN_NETLOG_SOURCE
};

void cn_netlog_init(cn_netlog *log) {
  log->next_source_id = 1;
  cn_list_init(&log->observers);
}

void cn_netlog_destroy(cn_netlog *log) {
  while (!cn_list_empty(&log->observers))
    cn_list_remove(log->observers.next);
}

void cn_netlog_add_observer(cn_netlog *log, cn_netlog_observer *obs) {
  cn_list_push_back(&log->observers, &obs->link);
}

void cn_netlog_remove_observer(cn_netlog_observer *obs) {
  if (cn_list_linked(&obs->link))
    cn_list_remove(&obs->link);
}

cn_netlog_source cn_netlog_new_source(cn_netlog *log, cn_netlog_source_type type) {
  cn_netlog_source src = {type, 0};
  if (log)
    src.id = log->next_source_id++;
  return src;
}

void cn_netlog_add_entry(cn_netlog *log, cn_netlog_source source, cn_netlog_event_type type,
                         cn_netlog_phase phase, const cn_netlog_param *params,
                         size_t num_params) {
  if (!cn_netlog_is_capturing(log))
    return;
  cn_netlog_entry e = {
      .type = type,
      .phase = phase,
      .source = source,
      .time_us = uv_hrtime() / 1000,
      .params = params,
      .num_params = num_params,
  };
  cn_list_node *it, *tmp;
  CN_LIST_FOREACH_SAFE(it, tmp, &log->observers) {
    cn_netlog_observer *obs = CN_CONTAINER_OF(it, cn_netlog_observer, link);
    obs->on_entry(obs, &e);
  }
}

void cn_netlog_end_with_error(cn_netlog *log, cn_netlog_source src, cn_netlog_event_type type,
                              int result) {
  if (result < 0) {
    cn_netlog_param p = CN_NL_ERROR(result);
    cn_netlog_add_entry(log, src, type, CN_NETLOG_PHASE_END, &p, 1);
  } else {
    cn_netlog_add_entry(log, src, type, CN_NETLOG_PHASE_END, NULL, 0);
  }
}

const char *cn_netlog_event_name(cn_netlog_event_type type) {
  return (unsigned)type < CN_NETLOG_EVENT_COUNT ? kEventNames[type] : "UNKNOWN";
}

const char *cn_netlog_source_type_name(cn_netlog_source_type type) {
  return (unsigned)type < CN_NETLOG_SOURCE_COUNT ? kSourceNames[type] : "UNKNOWN";
}

const char *cn_netlog_phase_name(cn_netlog_phase phase) {
  switch (phase) {
    case CN_NETLOG_PHASE_BEGIN:
      return "BEGIN";
    case CN_NETLOG_PHASE_END:
      return "END";
    default:
      return "NONE";
  }
}

const cn_netlog_param *cn_netlog_entry_param(const cn_netlog_entry *e, const char *key) {
  for (size_t i = 0; i < e->num_params; i++) {
    if (strcmp(e->params[i].key, key) == 0)
      return &e->params[i];
  }
  return NULL;
}
