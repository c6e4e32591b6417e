// The ladder diagram of `fetch --trace ladder`: what really happened between
// Client, HTTPS Proxy and Origin (one column per proxy of a chain), drawn from NetLog events in the form of
// the diagrams in docs/flows.md (numbered steps, frames and requests sent,
// TLS handshakes with version, ALPN and resumption, and "*** … jump to step
// N ***" lines where a connection, session or tunnel was reused).
//
// The ladder only reads NetLog JSON lines (docs/netlog.md), the same lines
// the public API's NetLog observer delivers, so it works on a live run and
// on a file written earlier by `fetch --netlog`. Steps only the proxy sees
// (its connection to the origin) come from the proxy's own NetLog when one
// is given (the test server's `--netlog FILE`), and are marked as not
// observed otherwise. Both logs use the same monotonic clock (uv_hrtime), so
// their events interleave by time.
#ifndef CNET_TOOLS_FETCH_LADDER_H_
#define CNET_TOOLS_FETCH_LADDER_H_

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fetch_ladder fetch_ladder;

// Creates an empty ladder. Owned by the caller; free with fetch_ladder_free.
fetch_ladder *fetch_ladder_new(void);
void fetch_ladder_free(fetch_ladder *l);  // accepts NULL

// Adds one NetLog event line of the client (no trailing newline needed).
// The line is copied. Lines that are not valid NetLog JSON are counted and
// reported in the diagram's footer, never fatal.
void fetch_ladder_add_client_line(fetch_ladder *l, const char *json_line, size_t len);

// Reads a proxy's NetLog (JSON lines). Call once per proxy of a chain (at
// most 8): each proxy's steps are drawn from whichever log has them.
// Returns 0, or -1 with a one-line reason in |err| (unreadable file, too
// many logs).
int fetch_ladder_add_proxy_netlog(fetch_ladder *l, const char *path, char *err, size_t err_size);

// Reads a client NetLog file (JSON lines, e.g. from `fetch --netlog`) line by
// line into the ladder, as fetch_ladder_add_client_line would. Returns 0, or
// -1 with a one-line reason in |err| (unreadable file).
int fetch_ladder_add_client_netlog(fetch_ladder *l, const char *path, char *err, size_t err_size);

// Writes the diagram of everything added so far.
void fetch_ladder_write(const fetch_ladder *l, FILE *out);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_FETCH_LADDER_H_
