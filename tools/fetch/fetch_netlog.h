// fetch reads back the NetLog lines its context gives it (the public API's
// netlog callback, docs/netlog.md) for what cnet_request_get_info does not
// say: -v's "Trying ADDR" lines, the proxy chosen and the fallbacks, the
// request heads as sent (HTTP/1.1 and SPDY/HTTP2), and -w's timings,
// remote_ip and num_connects.
//
// Attribution: a REQUEST source belongs to the transfer that started it (the
// k-th REQUEST_ALIVE to begin is the k-th request started; a request that
// begins right after one of a transfer ended is that transfer's redirect).
// Events of connect jobs, sockets and sessions are not linked to a request
// in the NetLog without following the layers (as the ladder does); they go
// to the oldest transfer still waiting for its response — exact when
// transfers run one at a time (no --parallel), the ladder's rule otherwise.
#ifndef CNET_TOOLS_FETCH_FETCH_NETLOG_H_
#define CNET_TOOLS_FETCH_FETCH_NETLOG_H_

#include <stdbool.h>
#include <stddef.h>

#include "tools/fetch/fetch_transfer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fetch_netlog fetch_netlog;

// |certs_unverified|: -k or --proxy-insecure is on, so a certificate that
// fails verification is accepted; each one is then warned about on stderr.
fetch_netlog *fetch_netlog_new(bool certs_unverified);
void fetch_netlog_free(fetch_netlog *n);  // accepts NULL
// Without -v and -w: read only the events the exit status and the
// certificate warnings need, and skip the others unparsed. Call it before
// the first transfer starts.
void fetch_netlog_set_lean(fetch_netlog *n);

// |t| has just started an attempt (cnet_request_start returned): its
// request's events will follow.
void fetch_netlog_transfer_started(fetch_netlog *n, transfer *t);
// |t| is about to be freed (its attempts are over): forget every reference
// to it, so that later events of its connections go to another transfer.
void fetch_netlog_transfer_freed(fetch_netlog *n, transfer *t);
// One NetLog JSON line (the context's netlog callback).
void fetch_netlog_add_line(fetch_netlog *n, const char *line, size_t len);
// At |t|'s response: a reused connection has no connect of its own, so its
// remote_ip is the one last seen for the same proxy or origin.
void fetch_netlog_note_response(fetch_netlog *n, transfer *t);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_FETCH_FETCH_NETLOG_H_
