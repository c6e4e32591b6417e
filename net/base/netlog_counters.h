// Counters derived from NetLog events: how many TCP connects, TLS handshakes,
// tunnels, sessions, streams and requests a run made. Tests assert reuse with
// them exactly ("two GETs through one proxy: 1 TCP connect"), and
// `fetch --stats` prints them.
//
// Which event feeds which counter is the second column of
// netlog_event_list.h. Ownership: embed cn_netlog_counters anywhere; attach it
// with cn_netlog_counters_attach() and detach before freeing it.
#ifndef CNET_NET_BASE_NETLOG_COUNTERS_H_
#define CNET_NET_BASE_NETLOG_COUNTERS_H_

#include <stdint.h>

#include "base/bytebuf.h"
#include "net/base/netlog.h"

#ifdef __cplusplus
extern "C" {
#endif

// The fields, in the order they are printed.
#define CN_NETLOG_COUNTER_FIELDS(X) \
  X(tcp_connects)                   \
  X(tls_handshakes)                 \
  X(tunnels)                        \
  X(sessions)                       \
  X(streams)                        \
  X(requests)

typedef struct cn_netlog_counters {
#define CN_COUNTER_FIELD_(name) uint64_t name;
  CN_NETLOG_COUNTER_FIELDS(CN_COUNTER_FIELD_)
#undef CN_COUNTER_FIELD_
  cn_netlog_observer observer;  // private
} cn_netlog_counters;

// Zeroes the counters and starts observing |log|.
void cn_netlog_counters_attach(cn_netlog_counters *c, cn_netlog *log);
void cn_netlog_counters_detach(cn_netlog_counters *c);
// Appends {"tcp_connects":1,...} (no newline).
void cn_netlog_counters_to_json(const cn_netlog_counters *c, cn_bytebuf *out);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_BASE_NETLOG_COUNTERS_H_
