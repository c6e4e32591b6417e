// Command-line options of the fetch tool (curl-like), parsed into a struct
// so that the parser can be unit-tested apart from the network code.
#ifndef CNET_TOOLS_FETCH_FETCH_OPTIONS_H_
#define CNET_TOOLS_FETCH_FETCH_OPTIONS_H_

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fetch_options {
  char **urls;  // in order; at least one after a successful parse
  size_t num_urls;
  const char *method;  // -X; NULL: GET (HEAD with -I, POST with -d)
  char **headers;      // -H "Name: value", in order
  size_t num_headers;
  const char *data;  // -d: request body
  const char *output;  // -o FILE; NULL: stdout
  const char *cacert;  // --cacert FILE; NULL: the system store
  char **resolve;      // --resolve host:port:addr, in order
  size_t num_resolve;
  const char *netlog;  // --netlog FILE: NetLog as JSON lines
  const char *protocols;  // --protocols: ALPN offer to origins, e.g. "h2,http/1.1"
  const char *proxy_protocols;  // --proxy-protocols: ALPN offer to HTTPS proxies
  const char *proxy;         // -x/--proxy URL; NULL: the *_proxy environment
  const char *proxy_user;    // --proxy-user USER:PASSWORD
  const char *proxy_cacert;  // --proxy-cacert FILE; NULL: as --cacert
  bool no_proxy_env;         // --no-proxy-env: ignore *_proxy variables
  int repeat;                // --repeat N: fetch the URL list N times (default 1)
  int parallel;              // --parallel N: up to N transfers at once (default 1)
  bool location;             // -L: follow redirects
  int max_redirs;            // --max-redirs N (default 20)
  bool max_redirs_set;
  bool head;     // -I
  bool verbose;  // -v
  bool silent;       // -s/--silent: no progress bar (errors are still shown)
  bool no_progress;  // --no-progress: no progress bar
  // --trace ladder: draw the ladder diagram of the run on stderr (the only
  // kind so far; fetch_trace_ladder).
  bool trace_ladder;
  const char *trace_proxy_netlog;  // --trace-proxy-netlog FILE: the proxy's NetLog
  bool stats;    // --stats
  bool help;     // -h/--help
  bool version;  // --version
  double max_time;  // --max-time SECONDS; 0: no limit
} fetch_options;

// Parses argv (argv[0] is the program name). On error returns false and
// writes a one-line message naming the bad argument into |err|. The options
// point into argv for strings; free the arrays with fetch_options_free.
bool fetch_options_parse(int argc, char **argv, fetch_options *opts, char *err, size_t err_size);
void fetch_options_free(fetch_options *opts);
// The --help text.
const char *fetch_options_usage(void);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_FETCH_FETCH_OPTIONS_H_
