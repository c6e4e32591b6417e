// A NetLog observer that writes Chromium's NetLog JSON format, the one
// Chromium's FileNetLogObserver writes and its netlog viewer opens:
//
//   {"constants": {"logFormatVersion":1, "logEventTypes":{NAME:N,...},
//                  "logSourceType":{NAME:N,...}, "logEventPhase":{...},
//                  "netError":{"ERR_...":-N,...}, "timeTickOffset":"MS",
//                  "clientInfo":{"name":...,"version":...}, ...},
//    "events": [
//   {"time":"MS","type":N,"source":{"id":N,"type":N,"start_time":"MS"},
//    "phase":N,"params":{...}},
//   ...
//   ]}
//
// cnet's event and source types are exported under Chromium's names where
// they correspond (REQUEST -> URL_REQUEST, SESSION_ALIVE -> HTTP2_SESSION,
// PROXY_RESOLUTION -> PROXY_RESOLUTION_SERVICE, ...); types Chromium has no
// counterpart for keep cnet's name. docs/netlog.md has the whole mapping.
// Integers are exported per file (the constants say which name each number
// stands for), as Chromium's own files do.
//
// Streaming: the constants are written at attach, each event as it is
// logged (one line each), and "]}" at detach. A file cut short (a crash)
// lacks only the closing "]}", which Chromium's viewer tolerates.
//
// Ownership: the writer does not own |out|; the caller closes it after
// detaching the writer.
#ifndef CNET_NET_BASE_NETLOG_CHROME_H_
#define CNET_NET_BASE_NETLOG_CHROME_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/bytebuf.h"
#include "net/base/netlog.h"

#ifdef __cplusplus
extern "C" {
#endif

// What the writer remembers of one source id: its exported type (a connect
// job's type depends on its kind, named in its first event) and when it was
// first seen (Chromium's "start_time").
typedef struct cn_netlog_chrome_source_info {
  uint64_t start_us;  // 0: not seen yet
  uint8_t type;       // an index into the exported source types
} cn_netlog_chrome_source_info;

typedef struct cn_netlog_chrome_writer {
  FILE *out;
  bool first_event;                       // private
  cn_bytebuf line;                        // private: reused per event
  cn_netlog_chrome_source_info *sources;  // private: indexed by source id
  size_t sources_cap;                     // private
  cn_netlog_observer observer;            // private
} cn_netlog_chrome_writer;

// Writes the constants and the start of the events array to |out| and
// attaches to |log|. |client_name| and |client_version| go into the
// constants' clientInfo (NULL: "cnet" and cnet's version string is not
// known here, so "").
void cn_netlog_chrome_writer_attach(cn_netlog_chrome_writer *w, cn_netlog *log, FILE *out,
                                    const char *client_name, const char *client_version);
// Detaches, closes the events array and the object ("]}") and flushes;
// frees the writer's memory. Accepts a writer never attached (out NULL).
void cn_netlog_chrome_writer_detach(cn_netlog_chrome_writer *w);

// The Chromium name a cnet event type is exported as (its own name for a
// cnet-only type). Exposed for tests and docs.
const char *cn_netlog_chrome_event_name(cn_netlog_event_type type);
// True when |type| has a counterpart in Chromium's event list.
bool cn_netlog_chrome_event_is_chromium(cn_netlog_event_type type);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_BASE_NETLOG_CHROME_H_
