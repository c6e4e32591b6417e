// Command-line options of the fetch tool (curl-like), parsed into a struct
// so that the parser can be unit-tested apart from the network code.
#ifndef CNET_TOOLS_FETCH_FETCH_OPTIONS_H_
#define CNET_TOOLS_FETCH_FETCH_OPTIONS_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// One piece of request body, in command-line order (curl joins the pieces:
// see fetch_body.h).
typedef enum fetch_data_kind {
  FETCH_DATA_ASCII,   // -d/--data, --data-ascii: @FILE read with CR/LF removed
  FETCH_DATA_BINARY,  // --data-binary: @FILE read as is
  FETCH_DATA_RAW,     // --data-raw: no @ meaning
  FETCH_DATA_JSON,    // --json: as --data-binary, plus the JSON headers
} fetch_data_kind;

typedef struct fetch_data {
  fetch_data_kind kind;
  const char *value;
} fetch_data;

// Where the body of one URL goes: -o FILE ("-": stdout) or -O (the URL's
// last path segment). The n-th -o/-O belongs to the n-th URL, as in curl.
typedef struct fetch_output {
  const char *file;  // -o FILE; NULL with -O
  bool remote_name;  // -O
} fetch_output;

// fetch_options.auth and .proxy_auth.
enum { FETCH_AUTH_DEFAULT = 0, FETCH_AUTH_BASIC, FETCH_AUTH_DIGEST, FETCH_AUTH_ANY };

typedef struct fetch_options {
  char **urls;  // in order; at least one after a successful parse
  size_t num_urls;
  const char *method;  // -X; NULL: GET (HEAD with -I, POST with -d/-F, PUT with -T)
  char **headers;      // -H "Name: value", in order
  size_t num_headers;
  fetch_data *data;  // -d, --data-binary, --data-raw, --json, in order
  size_t num_data;
  char **forms;  // -F name=value, name=@file, name=<file, in order
  size_t num_forms;
  const char *upload_file;  // -T FILE ("-": stdin): PUT its bytes
  fetch_output *outputs;    // -o/-O, in order
  size_t num_outputs;
  const char *output_dir;  // --output-dir DIR: where -o/-O files go
  bool create_dirs;        // --create-dirs: make the directories of -o/-O files
  const char *cacert;      // --cacert FILE; NULL: the system store
  char **resolve;          // --resolve host:port:addr, in order
  size_t num_resolve;
  char **connect_to;  // --connect-to HOST1:PORT1:HOST2:PORT2, in order
  size_t num_connect_to;
  char **cookies;  // -b/--cookie DATA or FILE, in order (fetch_cookies.h)
  size_t num_cookies;
  const char *cookie_jar;  // -c/--cookie-jar FILE; "-" is stdout
  const char *netlog;  // --netlog FILE ("-": stdout): NetLog as JSON lines
  bool netlog_chrome;  // --netlog-format chrome: --netlog in Chromium's format
  const char *dns_servers;  // --dns-servers LIST: "IP[:PORT],..." instead of resolv.conf's
  // --protocols (or --http1.1 / --http2): ALPN offer to origins; NULL:
  // "h2,http/1.1" as curl offers.
  const char *protocols;
  const char *proxy_protocols;  // --proxy-protocols: ALPN offer to HTTPS proxies
  const char *proxy;            // -x/--proxy URL; NULL: the *_proxy environment
  const char *proxy_user;       // --proxy-user USER:PASSWORD
  const char *proxy_cacert;     // --proxy-cacert FILE; NULL: as --cacert
  const char *noproxy;          // --noproxy LIST: hosts that go direct (curl's syntax)
  bool no_proxy_env;            // --no-proxy-env: ignore *_proxy variables
  const char *proxy_pac;        // --proxy-pac URL|FILE: a PAC script decides the proxy
  const char *user_agent;       // -A/--user-agent
  const char *referer;          // -e/--referer
  const char *user;             // -u/--user USER:PASSWORD (the origin only)
  // --basic / --digest / --anyauth: how -u answers the origin;
  // --proxy-basic / --proxy-digest / --proxy-anyauth: how a proxy is
  // answered. FETCH_AUTH_DEFAULT: Basic sent up front for -u (curl's
  // default), any scheme for a proxy.
  int auth;
  int proxy_auth;
  const char *write_out;        // -w/--write-out FORMAT (@FILE read from FILE)
  int repeat;                   // --repeat N: fetch the URL list N times (default 1)
  int parallel;                 // --parallel N: up to N transfers at once (default 1)
  int retry;                    // --retry N: retries of transient failures (default 0)
  double retry_delay;           // --retry-delay SECONDS; 0: curl's backoff (1 s, doubling)
  bool retry_connrefused;       // --retry-connrefused: connection refused is transient too
  bool location;                // -L: follow redirects
  int max_redirs;               // --max-redirs N (default 20)
  bool max_redirs_set;
  bool head;                  // -I
  bool include;               // -i: the response head before the body
  bool fail;                  // -f/--fail: an HTTP status >= 400 fails (exit 22), no body
  bool fail_with_body;        // --fail-with-body: the same, with the body
  bool compressed;            // --compressed: ask for and decode gzip/deflate
  bool insecure;              // -k/--insecure: no certificate check for origins
  bool proxy_insecure;        // --proxy-insecure: none for HTTPS proxies
  bool proxy_optimistic;      // --proxy-optimistic: TLS hello right behind CONNECT
  bool verbose;               // -v
  bool silent;                // -s/--silent: no progress bar, no error messages
  bool show_error;            // -S/--show-error: error messages even with -s
  bool no_progress;           // --no-progress: no progress bar
  // --trace ladder: draw the ladder diagram of the run on stderr (the only
  // kind so far; fetch_trace_ladder).
  bool trace_ladder;
  const char *trace_proxy_netlog;  // --trace-proxy-netlog FILE: the proxy's NetLog
  bool stats;                      // --stats
  bool help;                       // -h/--help
  bool version;                    // -V/--version
  double max_time;                 // -m/--max-time SECONDS per transfer; 0: no limit
  double connect_timeout;          // --connect-timeout SECONDS; 0: cnet's default
  int happy_eyeballs_timeout_ms;   // --happy-eyeballs-timeout-ms MS; 0: cnet's 250
} fetch_options;

// Parses argv (argv[0] is the program name). On error returns false and
// writes a one-line message naming the bad argument into |err|. The options
// point into argv for strings; free the arrays with fetch_options_free.
// Short flags may be bundled as in curl ("-fsSL", "-sSo FILE").
bool fetch_options_parse(int argc, char **argv, fetch_options *opts, char *err, size_t err_size);
void fetch_options_free(fetch_options *opts);
// The --help text.
const char *fetch_options_usage(void);

// SECONDS of -m / --connect-timeout (fractional) as the API's
// milliseconds, rounded up and at least 1: a tiny limit must never become 0,
// which the API reads as "no limit".
uint64_t fetch_seconds_to_ms(double seconds);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_FETCH_FETCH_OPTIONS_H_
