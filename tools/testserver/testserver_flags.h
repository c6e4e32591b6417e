// Command-line flags of the `testserver` program, parsed into server
// options (a separate file so the parsing is unit-tested without running
// the program).
//
// Ownership: the parsed options point into |argv| (names, paths); argv
// must outlive them.
#ifndef CNET_TOOLS_TESTSERVER_TESTSERVER_FLAGS_H_
#define CNET_TOOLS_TESTSERVER_TESTSERVER_FLAGS_H_

#include <stdbool.h>
#include <stddef.h>

#include "net/base/host_port.h"
#include "tools/testserver/test_server.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CN_TS_MAX_NAMES 32
#define CN_TS_MAX_MAPS 32

typedef struct cn_ts_flags {
  cn_test_server_options server;  // .names points at |names|
  const char *names[CN_TS_MAX_NAMES];
  // --map HOST=ADDR: server.proxy_options.map points at |maps|; each host is
  // copied into |map_hosts| (the address points into argv).
  cn_test_server_host_mapping maps[CN_TS_MAX_MAPS];
  char map_hosts[CN_TS_MAX_MAPS][CN_HOST_BUF_SIZE];
  const char *ca_out;     // --ca-out FILE, or NULL
  const char *port_file;  // --port-file FILE, or NULL
  const char *netlog;     // --netlog FILE (NetLog JSON lines), or NULL
  bool help;
} cn_ts_flags;

// Parses argv[1..argc-1]. Flags take their value as the next argument or
// after '=' ("--port 8443", "--port=8443"). Returns true, or false with a
// message naming the bad flag in |err| (proxy switches without --proxy are
// errors too).
bool cn_ts_flags_parse(int argc, char **argv, cn_ts_flags *out, char *err, size_t err_size);

// The usage text (ends with a newline).
const char *cn_ts_flags_usage(void);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_TESTSERVER_TESTSERVER_FLAGS_H_
