// NetLog: the structured event log every layer writes to.
//
// An event has a type (netlog_event_list.h), a phase (BEGIN, END or a point
// event), a source (what kind of object logged it and that object's id), a
// monotonic timestamp and typed parameters. Observers see every event as it
// is logged; cnet ships two: a JSON-lines writer (netlog_json.h) and the
// counters that tests use to assert reuse exactly (netlog_counters.h).
//
// A NULL cn_netlog* is valid everywhere and logs nothing, so layers never
// need to check.
//
// Capture modes (as Chromium's): each observer says how much it wants. An
// event whose parameters must be formatted (header blocks, URLs, address
// lists) is logged with lazy parameters (cn_netlog_add_entry_lazy), built
// only for the modes that the observers attached use. CN_NETLOG_CAPTURE_TYPES
// observers (the counters, the context's load timing) get such events
// without parameters, so a log observed by them alone formats nothing, and
// one nobody observes costs a test and a return. Logging is synchronous and single-threaded (the loop's
// thread); observers must not add or remove observers from inside
// on_entry.
//
// Ownership: the embedder owns the cn_netlog and its observers and must keep
// them alive while any object that logs to it is alive. Parameters (and
// their strings) are valid only during the on_entry call.
#ifndef CNET_NET_BASE_NETLOG_H_
#define CNET_NET_BASE_NETLOG_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/list.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cn_netlog_event_type {
#define CN_NETLOG_EVENT(sym, counter) CN_NETLOG_##sym,
#include "net/base/netlog_event_list.h"
#undef CN_NETLOG_EVENT
  CN_NETLOG_EVENT_COUNT
} cn_netlog_event_type;

typedef enum cn_netlog_source_type {
#define CN_NETLOG_SOURCE(sym) CN_NETLOG_SOURCE_##sym,
#include "net/base/netlog_source_list.h"
#undef CN_NETLOG_SOURCE
  CN_NETLOG_SOURCE_COUNT
} cn_netlog_source_type;

typedef enum cn_netlog_phase {
  CN_NETLOG_PHASE_NONE = 0,
  CN_NETLOG_PHASE_BEGIN,
  CN_NETLOG_PHASE_END,
} cn_netlog_phase;

typedef struct cn_netlog_source {
  cn_netlog_source_type type;
  uint32_t id;  // 0 with type NONE: "no source"
} cn_netlog_source;

typedef enum cn_netlog_param_kind {
  CN_NETLOG_PARAM_INT,
  CN_NETLOG_PARAM_STR,
  CN_NETLOG_PARAM_BOOL,
  CN_NETLOG_PARAM_SOURCE,  // a reference to another source (value.i = id,
                           // value.source_type set)
} cn_netlog_param_kind;

typedef struct cn_netlog_param {
  const char *key;
  cn_netlog_param_kind kind;
  int64_t i;
  const char *s;
  cn_netlog_source_type source_type;
} cn_netlog_param;

#define CN_NL_INT(k, v) ((cn_netlog_param){.key = (k), .kind = CN_NETLOG_PARAM_INT, .i = (int64_t)(v)})
#define CN_NL_STR(k, v) ((cn_netlog_param){.key = (k), .kind = CN_NETLOG_PARAM_STR, .s = (v)})
#define CN_NL_BOOL(k, v) ((cn_netlog_param){.key = (k), .kind = CN_NETLOG_PARAM_BOOL, .i = (v) ? 1 : 0})
#define CN_NL_SOURCE(k, src) \
  ((cn_netlog_param){.key = (k), .kind = CN_NETLOG_PARAM_SOURCE, .i = (src).id, .source_type = (src).type})
// The conventional error parameter of END events.
#define CN_NL_ERROR(err) CN_NL_INT("net_error", (err))

typedef struct cn_netlog_entry {
  cn_netlog_event_type type;
  cn_netlog_phase phase;
  cn_netlog_source source;
  uint64_t time_us;  // monotonic (uv_hrtime) microseconds
  const cn_netlog_param *params;
  size_t num_params;
} cn_netlog_entry;

// How much of each event an observer wants; ordered, each includes the
// ones before it.
typedef enum cn_netlog_capture_mode {
  CN_NETLOG_CAPTURE_NONE = 0,  // no observer (cn_netlog_capture_mode_of() only)
  // Event types, phases, sources and times; parameters only of events
  // logged with them at hand (cn_netlog_add_entry), none of lazy ones.
  CN_NETLOG_CAPTURE_TYPES,
  // Event types, phases, sources, times and the parameters that cost
  // nothing to build (net_error, ids, counts); lazily built ones are left out.
  CN_NETLOG_CAPTURE_EVENTS,
  // Every parameter, but header blocks carry names only: never a header
  // value.
  CN_NETLOG_CAPTURE_NO_HEADER_VALUES,
  // Every parameter (credentials and cookies are still stripped).
  CN_NETLOG_CAPTURE_EVERYTHING,
} cn_netlog_capture_mode;

typedef struct cn_netlog cn_netlog;
typedef struct cn_netlog_observer cn_netlog_observer;
struct cn_netlog_observer {
  void (*on_entry)(cn_netlog_observer *obs, const cn_netlog_entry *entry);
  cn_list_node link;                    // private
  cn_netlog_capture_mode capture_mode;  // private: set when added
  cn_netlog *log;                       // private: set when added
};

struct cn_netlog {
  uint32_t next_source_id;
  cn_list_node observers;
  cn_netlog_capture_mode max_mode;  // private: the highest observer's mode
};

void cn_netlog_init(cn_netlog *log);
// Detaches every observer (does not free them).
void cn_netlog_destroy(cn_netlog *log);
// Adds |obs| capturing EVERYTHING.
void cn_netlog_add_observer(cn_netlog *log, cn_netlog_observer *obs);
// Adds |obs| capturing in |mode| (NONE counts as TYPES).
void cn_netlog_add_observer_with_mode(cn_netlog *log, cn_netlog_observer *obs,
                                      cn_netlog_capture_mode mode);
void cn_netlog_remove_observer(cn_netlog_observer *obs);
// True when any observer is attached: events are delivered.
static inline bool cn_netlog_is_capturing(const cn_netlog *log) {
  return log && !cn_list_empty(&log->observers);
}
// The highest mode of the observers attached (NONE with none or a NULL log).
static inline cn_netlog_capture_mode cn_netlog_capture_mode_of(const cn_netlog *log) {
  return log ? log->max_mode : CN_NETLOG_CAPTURE_NONE;
}
// True when an observer wants parameters that take work to build: guard
// formatting with it when the event itself matters only for its parameters.
static inline bool cn_netlog_wants_params(const cn_netlog *log) {
  return cn_netlog_capture_mode_of(log) >= CN_NETLOG_CAPTURE_NO_HEADER_VALUES;
}

// A fresh source id (ids stay unique for the log's lifetime). With a NULL
// log returns a source of type |type| and id 0.
cn_netlog_source cn_netlog_new_source(cn_netlog *log, cn_netlog_source_type type);

void cn_netlog_add_entry(cn_netlog *log, cn_netlog_source source, cn_netlog_event_type type,
                         cn_netlog_phase phase, const cn_netlog_param *params,
                         size_t num_params);

// Lazy parameters: a builder fills a cn_netlog_params for one capture mode.
// It is called only when an observer captures in that mode, once per mode
// per event, during cn_netlog_add_entry_lazy, never for TYPES observers (so
// log an END's net_error eagerly: the counters read it). In
// CN_NETLOG_CAPTURE_EVENTS mode it adds only parameters that cost (almost)
// nothing: no header block, no list.
#define CN_NETLOG_MAX_PARAMS 16
typedef struct cn_netlog_params {
  cn_netlog_param p[CN_NETLOG_MAX_PARAMS];
  size_t num;
  char *owned[CN_NETLOG_MAX_PARAMS];  // freed after the entry is delivered
  size_t num_owned;
} cn_netlog_params;
// Appends |p| (dropped past CN_NETLOG_MAX_PARAMS).
void cn_netlog_params_add(cn_netlog_params *ps, cn_netlog_param p);
// Appends a string parameter whose value |s| (malloc'd, may be NULL) the
// params take: it is freed once the entry has been delivered.
void cn_netlog_params_add_owned_str(cn_netlog_params *ps, const char *key, char *s);
typedef void (*cn_netlog_params_fn)(const void *ctx, cn_netlog_capture_mode mode,
                                    cn_netlog_params *out);
// Logs an event whose parameters |build|(|ctx|, mode, ...) makes on demand.
void cn_netlog_add_entry_lazy(cn_netlog *log, cn_netlog_source source, cn_netlog_event_type type,
                              cn_netlog_phase phase, cn_netlog_params_fn build, const void *ctx);

// Convenience forms; the variadic parameters are cn_netlog_param values.
#define CN_NETLOG_PARAMS_(...) \
  ((const cn_netlog_param[]){__VA_ARGS__}), \
      (sizeof((const cn_netlog_param[]){__VA_ARGS__}) / sizeof(cn_netlog_param))
#define cn_netlog_event(log, src, type, ...) \
  cn_netlog_add_entry((log), (src), (type), CN_NETLOG_PHASE_NONE, CN_NETLOG_PARAMS_(__VA_ARGS__))
#define cn_netlog_begin(log, src, type, ...) \
  cn_netlog_add_entry((log), (src), (type), CN_NETLOG_PHASE_BEGIN, CN_NETLOG_PARAMS_(__VA_ARGS__))
#define cn_netlog_end(log, src, type, ...) \
  cn_netlog_add_entry((log), (src), (type), CN_NETLOG_PHASE_END, CN_NETLOG_PARAMS_(__VA_ARGS__))
// Forms without parameters.
#define cn_netlog_event0(log, src, type) \
  cn_netlog_add_entry((log), (src), (type), CN_NETLOG_PHASE_NONE, NULL, 0)
#define cn_netlog_begin0(log, src, type) \
  cn_netlog_add_entry((log), (src), (type), CN_NETLOG_PHASE_BEGIN, NULL, 0)
// END with just the result: net_error is included only when negative.
void cn_netlog_end_with_error(cn_netlog *log, cn_netlog_source src, cn_netlog_event_type type,
                              int result);

const char *cn_netlog_event_name(cn_netlog_event_type type);
const char *cn_netlog_source_type_name(cn_netlog_source_type type);
const char *cn_netlog_phase_name(cn_netlog_phase phase);
// The entry's parameter |key|, or NULL.
const cn_netlog_param *cn_netlog_entry_param(const cn_netlog_entry *e, const char *key);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_BASE_NETLOG_H_
