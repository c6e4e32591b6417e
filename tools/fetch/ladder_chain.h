// Private to tools/fetch/ladder*.c: a request's proxy chain and the
// ladder's columns, one per hop.
//
// Columns: 0 is the client, 1..hops the proxies of the chain in order, and
// hops + 1 the origin. A request without a proxy is drawn in the one-hop
// layout (its origin is column 2). The gap between the client and the first
// proxy is 17 characters wide, every other gap 18: the seed's layout, so
// that a one-hop ladder is drawn exactly as before chains existed.
//
// Step numbers: the seed numbers one hop (docs/flows.md). Each further hop
// inserts ten steps, so what is sent to column c (a CONNECT to proxy c, the
// request to the origin) is step 9 + 10 * (c - 1), its TLS handshake
// 4 + 10 * (c - 1) and 5-8 + 10 * (c - 1), proxy c's connection onward
// 10-12 + 10 * (c - 1), and so on.
//
// Ownership: a ladder_chain is a plain value (no pointers).
#ifndef CNET_TOOLS_FETCH_LADDER_CHAIN_H_
#define CNET_TOOLS_FETCH_LADDER_CHAIN_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

// Hops drawn as columns; the hops of a longer chain beyond these share the
// last proxy column.
#define LADDER_MAX_HOPS 8

typedef struct ladder_chain {
  char text[256];  // the chain as the NetLog names it: "https://p:1" or "[https://a:1 https://b:2]"
  int hops;        // 0: direct
  char hop[LADDER_MAX_HOPS + 1][128];  // [1..hops]: "host:port" of each proxy
  bool socks[LADDER_MAX_HOPS + 1];     // [1..hops]: a SOCKS5 proxy (socks5://, socks5h://)
} ladder_chain;

// Fills |c| from a PROXY_RESOLUTION proxy_list ("[https://a:1 https://b:2],direct"):
// its first chain; "direct" or "" is no proxy.
void ladder_chain_parse(ladder_chain *c, const char *proxy_list);

// The column of proxy |host_port| ("127.0.0.1:443"; text after a '|' is
// ignored), or 0 when it is no hop of the chain.
int ladder_chain_hop(const ladder_chain *c, const char *host_port);

// The origin's column.
int ladder_chain_origin(const ladder_chain *c);

// A column's name in notes: "Proxy" (one hop), "Proxy 2" (a chain), |origin|
// for the origin's column, "Client" for column 0. Written into |buf|.
const char *ladder_chain_name(const ladder_chain *c, int col, const char *origin, char *buf,
                              size_t size);

// The step number |base| of the one-hop seed (e.g. 9, or 10 for "10-12"
// with |last| 12; |last| 0 for a single step) moved to column |col|, into
// |buf|: "19", "20-22".
const char *ladder_step(int base, int last, int col, char *buf, size_t size);

// Writes the header line (column names).
void ladder_chain_header(const ladder_chain *c, FILE *out);

// Writes one step: "STEP)", an arrow from column |from| to column |to| ('='
// when it passes through a proxy's tunnel, '-' between neighbours), the
// text.
void ladder_chain_arrow(const ladder_chain *c, FILE *out, const char *step, int from, int to,
                        const char *text);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_FETCH_LADDER_CHAIN_H_
