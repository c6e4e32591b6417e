// -w/--write-out: curl's format ("%{http_code} %{time_total}\n") over what
// fetch knows of one finished transfer.
#ifndef CNET_TOOLS_FETCH_FETCH_WRITEOUT_H_
#define CNET_TOOLS_FETCH_FETCH_WRITEOUT_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

// One transfer, as -w shows it. Times are seconds from the transfer's
// start; each stays 0 for a step the transfer did not take (a reused
// connection has no lookup, connect or TLS handshake of its own).
typedef struct fetch_report {
  int http_code;             // 0: no response
  const char *http_version;  // "1.1", "2", "1.0"; "0" with no response
  const char *url_effective;
  const char *method;
  const char *scheme;        // "HTTP" / "HTTPS", as curl writes it
  const char *content_type;  // "" when none
  const char *remote_ip;     // "" when unknown
  int remote_port;
  const char *proxy_chain;  // cnet's own: "direct" or the proxy
  bool tunnel_reused;       // cnet's own: a CONNECT tunnel existed before
  bool session_reused;      // cnet's own: a SPDY/HTTP2 session existed before
  int num_connects;
  int num_redirects;
  uint64_t size_download;  // body bytes as written
  uint64_t size_header;
  uint64_t size_upload;
  double time_namelookup;
  double time_connect;
  double time_appconnect;
  double time_pretransfer;
  double time_starttransfer;
  double time_total;
  int exitcode;
  const char *errormsg;  // "" on success
} fetch_report;

// Writes |format| for |r| to |out| (switched by %{stderr} / %{stdout} to
// |err| / |out|). Backslash escapes \n \r \t and "%%" as curl does. An
// unknown %{name} is reported on |err| ("fetch: unknown --write-out
// variable: 'name'") and writes nothing, as curl does.
void fetch_write_out(const char *format, const fetch_report *r, FILE *out, FILE *err);

// The names fetch_write_out knows, NULL-terminated (for docs and tests).
const char *const *fetch_write_out_variables(void);

// Whether |format| uses a variable fetch learns from the NetLog (the
// connect steps' times, remote_ip, remote_port, num_connects): without one
// fetch asks cnet for no more than its exit status needs.
bool fetch_write_out_needs_netlog(const char *format);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_FETCH_FETCH_WRITEOUT_H_
