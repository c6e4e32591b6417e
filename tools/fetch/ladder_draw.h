// Private to tools/fetch/ladder.c: the ladder's columns and steps — NetLog
// events of the client (and optionally of the proxy) redrawn as the seed's
// diagrams (docs/flows.md).
//
// How events become steps. Each client event is attributed to the request
// it was done for (ladder_owners.h: the NetLog's links between requests,
// connect jobs, sockets, sessions and streams), and a request's
// events map to the seed's numbered steps:
//   TCP_CONNECT to the proxy                       1-3
//   SSL_CONNECT on an "ssl-proxy/" socket           4-8
//   the request or CONNECT sent to the proxy        9
//   the proxy's TCP to the origin (proxy's log)     10-12
//   the proxy's request to the origin, its answer  13, 14 (F1/F4)
//   the proxy's answer to CONNECT                   13 (tunnel flows)
//   SSL_CONNECT on an "ssl/" socket (tunnel)        14-18
//   the request to the origin, its answer           19, 20
//   the proxy's answer to a forwarded request       15 (F1/F4)
// Through a chain of proxies each hop gets its own column and ten more
// steps (ladder_chain.h): the CONNECT to proxy k is step 9 + 10 (k - 1), the
// TLS handshake with proxy k + 1 inside that tunnel 14-18 + 10 (k - 1), and
// the origin's steps follow the last proxy's. Which hop an event is for
// comes from the NetLog: an "ssl-proxy/HOST:PORT|..." group, a session's
// peer, a CONNECT's target (the proxy before it; the origin's is the last).
// A proxy's own steps come from whichever proxy NetLog has the request.
// A request whose first step is 9 or 19 because the pool handed it a live
// socket, session or tunnel (SOCKET_POOL_BOUND reuse, a stream on a session
// that existed before the request) gets the seed's "jump to step N" line;
// a request that merely failed early gets none.
//
// Ownership: the logs are borrowed for the call; nothing is kept.
#ifndef CNET_TOOLS_FETCH_LADDER_DRAW_H_
#define CNET_TOOLS_FETCH_LADDER_DRAW_H_

#include <stdbool.h>
#include <stdio.h>

#include "tools/fetch/ladder_parse.h"

#ifdef __cplusplus
extern "C" {
#endif

// The most proxy NetLogs a diagram reads (one per hop of a chain).
#define LADDER_MAX_PROXY_LOGS 8

// What a diagram is drawn from.
typedef struct ladder_logs {
  const ev_log *client;
  const ev_log *proxies;  // [nproxies]: the proxies' NetLogs, in any order
  size_t nproxies;        // at most LADDER_MAX_PROXY_LOGS
  bool have_proxy;        // a proxy NetLog was given (the proxy's steps are observed)
} ladder_logs;

// Writes the diagram of every request in the client's log to |out|, then a
// footer on lines that were skipped and on a missing proxy NetLog.
void ladder_draw(const ladder_logs *logs, FILE *out);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_FETCH_LADDER_DRAW_H_
