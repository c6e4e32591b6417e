#include "net/base/netlog.h"

#include <stdlib.h>
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
  log->max_mode = CN_NETLOG_CAPTURE_NONE;
}

void cn_netlog_destroy(cn_netlog *log) {
  while (!cn_list_empty(&log->observers))
    cn_list_remove(log->observers.next);
  log->max_mode = CN_NETLOG_CAPTURE_NONE;
}

static void update_max_mode(cn_netlog *log) {
  cn_netlog_capture_mode max = CN_NETLOG_CAPTURE_NONE;
  cn_list_node *it, *tmp;
  CN_LIST_FOREACH_SAFE(it, tmp, &log->observers) {
    cn_netlog_observer *obs = CN_CONTAINER_OF(it, cn_netlog_observer, link);
    if (obs->capture_mode > max)
      max = obs->capture_mode;
  }
  log->max_mode = max;
}

void cn_netlog_add_observer(cn_netlog *log, cn_netlog_observer *obs) {
  cn_netlog_add_observer_with_mode(log, obs, CN_NETLOG_CAPTURE_EVERYTHING);
}

void cn_netlog_add_observer_with_mode(cn_netlog *log, cn_netlog_observer *obs,
                                      cn_netlog_capture_mode mode) {
  obs->capture_mode = mode == CN_NETLOG_CAPTURE_NONE ? CN_NETLOG_CAPTURE_TYPES : mode;
  obs->log = log;
  cn_list_push_back(&log->observers, &obs->link);
  update_max_mode(log);
}

void cn_netlog_remove_observer(cn_netlog_observer *obs) {
  if (cn_list_linked(&obs->link)) {
    cn_list_remove(&obs->link);
    if (obs->log)
      update_max_mode(obs->log);
  }
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

void cn_netlog_params_add(cn_netlog_params *ps, cn_netlog_param p) {
  if (ps->num < CN_NETLOG_MAX_PARAMS)
    ps->p[ps->num++] = p;
}

void cn_netlog_params_add_owned_str(cn_netlog_params *ps, const char *key, char *s) {
  if (ps->num >= CN_NETLOG_MAX_PARAMS) {
    free(s);
    return;
  }
  if (s)
    ps->owned[ps->num_owned++] = s;
  cn_netlog_params_add(ps, CN_NL_STR(key, s));
}

static void params_release(cn_netlog_params *ps) {
  for (size_t i = 0; i < ps->num_owned; i++)
    free(ps->owned[i]);
  ps->num = ps->num_owned = 0;
}

void cn_netlog_add_entry_lazy(cn_netlog *log, cn_netlog_source source, cn_netlog_event_type type,
                              cn_netlog_phase phase, cn_netlog_params_fn build, const void *ctx) {
  if (!cn_netlog_is_capturing(log))
    return;
  // One set of parameters per mode in use, each built at most once.
  cn_netlog_params built[CN_NETLOG_CAPTURE_EVERYTHING + 1];
  bool have[CN_NETLOG_CAPTURE_EVERYTHING + 1] = {false};
  cn_netlog_entry e = {
      .type = type,
      .phase = phase,
      .source = source,
      .time_us = uv_hrtime() / 1000,
  };
  cn_list_node *it, *tmp;
  CN_LIST_FOREACH_SAFE(it, tmp, &log->observers) {
    cn_netlog_observer *obs = CN_CONTAINER_OF(it, cn_netlog_observer, link);
    cn_netlog_capture_mode m = obs->capture_mode;
    if (!have[m]) {
      built[m].num = built[m].num_owned = 0;
      if (m > CN_NETLOG_CAPTURE_TYPES)
        build(ctx, m, &built[m]);
      have[m] = true;
    }
    e.params = built[m].p;
    e.num_params = built[m].num;
    obs->on_entry(obs, &e);
  }
  for (size_t m = 0; m <= CN_NETLOG_CAPTURE_EVERYTHING; m++) {
    if (have[m])
      params_release(&built[m]);
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
