// One URL's transfer in a fetch run: where its body goes, what it learnt
// about its connection (from the response and from the NetLog), and the
// state of its attempts (--retry, --max-time). fetch_main.c runs the
// transfers; this file holds what can be tested without a network.
#ifndef CNET_TOOLS_FETCH_FETCH_TRANSFER_H_
#define CNET_TOOLS_FETCH_FETCH_TRANSFER_H_

#include <cnet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <uv.h>

#include "base/bytebuf.h"
#include "tools/fetch/fetch_options.h"
#include "tools/fetch/fetch_urls.h"
#include "tools/fetch/fetch_writeout.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fetch_app fetch_app;

typedef struct transfer {
  fetch_app *app;
  const fetch_options *o;
  size_t index;    // position in the run (0-based): stdout output in this order
  char *url;       // as fetched: http:// added when the scheme was missing
  char *out_path;  // -o/-O file (with --output-dir); NULL: stdout
  FILE *file;      // open while the body is written
  cnet_request *req;  // the running attempt (cnet owns it)
  const char *method;  // the request's method (static or the options')
  uv_timer_t timer;   // the wait before a retry (--max-time is the API's total timeout)
  bool timer_initialized;
  // Attempts.
  int retries_left;
  uint64_t backoff_ms;      // the next retry's wait (curl's doubling)
  uint64_t retry_after_ms;  // the server's Retry-After, for the next wait
  // The current attempt.
  bool got_response;
  bool http_failed;    // -f/--fail-with-body and a status >= 400
  bool suppress_body;  // nothing of this response is written
  bool write_failed;
  int write_errno;
  int status;
  int64_t length;  // Content-Length of the body as delivered; -1 unknown
  uint64_t received;
  uint64_t size_header;
  cn_bytebuf held;  // stdout output waiting for earlier transfers
  uint64_t start_ns, response_ns, end_ns;  // uv_hrtime()
  // From the response (cnet_request_get_info / _layers).
  char http_version[8];  // "1.1", "2", "1.0"
  char *content_type;
  char *effective_url;
  char *proxy_chain;
  bool tunnel_reused;
  bool session_reused;
  int redirects;
  // From the NetLog (fetch_netlog.c), in NetLog microseconds.
  uint64_t start_us;  // the attempt's start on the NetLog's clock
  unsigned netlog_listed;  // times in fetch_netlog's in-flight list
  uint64_t namelookup_us, connect_us, appconnect_us, pretransfer_us;
  char remote_ip[64];
  int remote_port;
  int num_connects;
  int proxy_error;  // the cause behind ERR_PROXY_CONNECTION_FAILED, or 0
  int tls_error;    // a TLS handshake of the transfer failed with this, or 0
  // The end.
  bool finished;
  int exit_code;
  int error;
  // A certificate failure of the attempt (cnet_request_get_cert_error) as
  // the line fetch prints: "ERR_CERT_... from origin URL: subject ...,
  // issuer ..."; "" when none.
  char cert_detail[768];
  // Where the attempt's error came from (cnet_request_get_error_source):
  // the hop, and "origin" / "proxy https://p:443" ("" for none).
  int error_hop;
  char error_from[300];
} transfer;

// Sets up transfer |index| of |app|'s run: its URL (the index-th of the
// list, repeated), and its output: the URL's -o/-O (-o - is stdout), under
// --output-dir. -T FILE to a URL ending in '/' gets FILE's name appended,
// as curl does.
void transfer_init(transfer *t, fetch_app *app, const fetch_options *o, size_t index);
// Forgets the last attempt before a retry.
void transfer_reset_attempt(transfer *t);
// Notes what served the response (from on_response).
void transfer_note_response(transfer *t, cnet_request *r, const char *content_type);
// -w's values for |t| (the strings point into |t|).
void transfer_fill_report(const transfer *t, fetch_report *r);
void transfer_free(transfer *t);

// fetch_main.c: ends the attempt of |t| with the cnet |error| (or 0), or
// the curl code |exit_code| (0: worked out from the error and the
// response), and goes on with the run.
void transfer_finish(transfer *t, int error, int exit_code);
// fetch_main.c: a -v line for |t| on stderr ("[N] " first with --parallel).
void fetch_verbose(const transfer *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_FETCH_FETCH_TRANSFER_H_
