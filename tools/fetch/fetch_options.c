#include "tools/fetch/fetch_options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

// Kept in step with docs/fetch.1 and docs/fetch.md: tests/fetch_man_test.sh
// fails when a flag listed here is missing from the man page.
static const char kUsage[] =
    "usage: fetch [options] URL...\n"
    "\n"
    "Fetches each URL in turn with cnet and writes the body to stdout. A URL\n"
    "without a scheme means http://.\n"
    "\n"
    "Output:\n"
    "  -o, --output FILE        write the next URL's body to FILE (- is stdout)\n"
    "  -O, --remote-name        write the next URL's body to a file named as its path\n"
    "      --output-dir DIR     put -o/-O files in DIR\n"
    "      --create-dirs        make the directories -o/-O files need\n"
    "  -i, --include            write the response head before the body\n"
    "  -I, --head               send HEAD and write the response head\n"
    "  -f, --fail               an HTTP status >= 400 fails (exit 22), no body written\n"
    "      --fail-with-body     the same, but the body is written\n"
    "  -w, --write-out FORMAT   after each transfer, write FORMAT with %{variables}\n"
    "                           (@FILE reads FORMAT from FILE)\n"
    "Request:\n"
    "  -X, --request METHOD     use METHOD\n"
    "  -H, --header 'N: V'      add a request header (repeatable)\n"
    "  -A, --user-agent NAME    send User-Agent: NAME\n"
    "  -e, --referer URL        send Referer: URL\n"
    "  -b, --cookie DATA|FILE   send cookies: NAME=VALUE pairs as given, or read a\n"
    "                           cookie file (Netscape format); enables the cookie engine\n"
    "  -c, --cookie-jar FILE    write every cookie to FILE at the end (- is stdout)\n"
    "  -u, --user USER:PASS     credentials for the origin (never sent to another\n"
    "                           host after a redirect); Basic, sent with the request\n"
    "      --basic              -u is Basic (the default)\n"
    "      --digest             -u is Digest (RFC 7616), sent once challenged\n"
    "      --anyauth            -u answers the strongest scheme the server offers\n"
    "  -d, --data DATA          POST DATA (@FILE: its bytes without CR/LF; several\n"
    "                           -d are joined with &; form-urlencoded)\n"
    "      --data-ascii DATA    the same as -d\n"
    "      --data-binary DATA   POST DATA (@FILE: its bytes exactly)\n"
    "      --data-raw DATA      POST DATA, @ has no meaning\n"
    "      --json DATA          POST DATA as JSON (Content-Type and Accept)\n"
    "  -F, --form NAME=VALUE    a multipart/form-data part (NAME=@FILE: a file,\n"
    "                           NAME=<FILE: its bytes as the value; repeatable)\n"
    "  -T, --upload-file FILE   PUT FILE (- is stdin)\n"
    "      --compressed         ask for gzip/deflate and decode it\n"
    "Connection:\n"
    "      --http1.1            offer only HTTP/1.1 to origins\n"
    "      --http2              offer h2 and HTTP/1.1 to origins (the default)\n"
    "      --protocols LIST     ALPN offered to origins, e.g. h2,spdy/3.1,http/1.1\n"
    "      --proxy-protocols LIST  ALPN offered to HTTPS proxies, e.g. h2,spdy/3.1,http/1.1\n"
    "      --cacert FILE        trust the CA certificates in FILE (PEM)\n"
    "  -k, --insecure           do not verify origins' certificates (warns each time)\n"
    "      --resolve H:P:ADDR[,ADDR]...  resolve host H port P to these addresses\n"
    "                           (repeatable; P may be *)\n"
    "      --connect-to H:P:H2:P2  connect to H2 (an address) instead of H:P\n"
    "      --dns-servers LIST   ask these DNS servers (IP[:PORT],...) instead of the system's\n"
    "  -x, --proxy URL          use this proxy (https://host:port, http://host:port,\n"
    "                           credentials as https://user:pass@host:port)\n"
    "      --proxy-user U:P     credentials for the proxy\n"
    "      --proxy-basic        answer the proxy with Basic only\n"
    "      --proxy-digest       answer the proxy with Digest only\n"
    "      --proxy-anyauth      answer the proxy with its strongest scheme (the default)\n"
    "      --proxy-cacert FILE  trust these CAs for an HTTPS proxy (default: --cacert)\n"
    "      --proxy-insecure     do not verify HTTPS proxies' certificates (warns)\n"
    "      --proxy-optimistic   send the origin's TLS hello right behind the CONNECT,\n"
    "                           not after the proxy's 200 (a round trip less)\n"
    "      --noproxy LIST       hosts that never use a proxy (curl's syntax, * for all)\n"
    "      --no-proxy-env       ignore http_proxy/https_proxy/all_proxy/no_proxy\n"
    "      --proxy-pac URL|FILE  a PAC script picks the proxy (http(s) URL fetched direct)\n"
    "      --connect-timeout SECONDS  give up connecting (TCP, TLS, tunnels) after this long\n"
    "      --happy-eyeballs-timeout-ms MS  start the next address's connect after MS\n"
    "                           (default 250)\n"
    "  -m, --max-time SECONDS   give up on a transfer after this long (exit 28)\n"
    "      --retry N            retry transient failures N times\n"
    "      --retry-delay SECONDS  wait this long between retries (default 1, doubling)\n"
    "      --retry-connrefused  connection refused is transient too\n"
    "  -L, --location           follow redirects\n"
    "      --max-redirs N       at most N redirects per URL (default 20)\n"
    "      --repeat N           fetch the URL list N times, sharing connections\n"
    "      --parallel N         run up to N transfers at once (bodies still in order)\n"
    "Messages:\n"
    "  -v, --verbose            request and response heads and each layer of the\n"
    "                           connection on stderr\n"
    "  -s, --silent             no progress bar and no error messages\n"
    "  -S, --show-error         error messages even with -s\n"
    "      --no-progress        no progress bar\n"
    "      --trace ladder       draw the run as a ladder diagram on stderr\n"
    "      --trace-proxy-netlog FILE  add the proxy's NetLog (JSON lines) to the ladder\n"
    "      --netlog FILE        write every NetLog event to FILE (- is stdout)\n"
    "      --netlog-format F    --netlog's format: cnet (JSON lines, the default) or\n"
    "                           chrome (Chromium's NetLog JSON, for its netlog viewer)\n"
    "      --stats              print NetLog counters as one JSON line on stderr\n"
    "  -h, --help               this text\n"
    "  -V, --version            versions of cnet and its libraries, protocols, features\n"
    "\n"
    "Exit status as curl's (docs/fetch.md has the table): 0 success, 2 bad usage,\n"
    "3 bad URL, 5/6 proxy/host not resolved, 7 connection refused, 22 HTTP error\n"
    "with -f, 28 timeout, 35 TLS handshake, 60 certificate, ...; with several\n"
    "URLs, the last failure's.\n";

const char *fetch_options_usage(void) { return kUsage; }

static void push(char ***arr, size_t *n, char *value) {
  *arr = cn_xrealloc(*arr, (*n + 1) * sizeof(**arr));
  (*arr)[(*n)++] = value;
}

typedef enum {
  // Flags (no value).
  OPT_HEAD,
  OPT_INCLUDE,
  OPT_VERBOSE,
  OPT_STATS,
  OPT_HELP,
  OPT_VERSION,
  OPT_NO_PROXY_ENV,
  OPT_LOCATION,
  OPT_SILENT,
  OPT_SHOW_ERROR,
  OPT_NO_PROGRESS,
  OPT_FAIL,
  OPT_FAIL_WITH_BODY,
  OPT_REMOTE_NAME,
  OPT_COMPRESSED,
  OPT_HTTP11,
  OPT_HTTP2,
  OPT_INSECURE,
  OPT_PROXY_INSECURE,
  OPT_PROXY_OPTIMISTIC,
  OPT_RETRY_CONNREFUSED,
  OPT_CREATE_DIRS,
  OPT_BASIC,
  OPT_DIGEST,
  OPT_ANYAUTH,
  OPT_PROXY_BASIC,
  OPT_PROXY_DIGEST,
  OPT_PROXY_ANYAUTH,
  // Options with a value.
  OPT_FIRST_WITH_VALUE,
  OPT_OUTPUT = OPT_FIRST_WITH_VALUE,
  OPT_OUTPUT_DIR,
  OPT_REQUEST,
  OPT_HEADER,
  OPT_DATA,
  OPT_DATA_BINARY,
  OPT_DATA_RAW,
  OPT_JSON,
  OPT_FORM,
  OPT_UPLOAD_FILE,
  OPT_USER_AGENT,
  OPT_REFERER,
  OPT_COOKIE,
  OPT_COOKIE_JAR,
  OPT_USER,
  OPT_WRITE_OUT,
  OPT_CACERT,
  OPT_RESOLVE,
  OPT_CONNECT_TO,
  OPT_DNS_SERVERS,
  OPT_PROTOCOLS,
  OPT_PROXY_PROTOCOLS,
  OPT_MAX_TIME,
  OPT_CONNECT_TIMEOUT,
  OPT_HAPPY_EYEBALLS_TIMEOUT,
  OPT_NETLOG,
  OPT_NETLOG_FORMAT,
  OPT_PROXY,
  OPT_PROXY_USER,
  OPT_PROXY_CACERT,
  OPT_NOPROXY,
  OPT_PROXY_PAC,
  OPT_REPEAT,
  OPT_PARALLEL,
  OPT_RETRY,
  OPT_RETRY_DELAY,
  OPT_MAX_REDIRS,
  OPT_TRACE,
  OPT_TRACE_PROXY_NETLOG,
} opt_id;

typedef struct {
  const char *long_name;
  char short_name;  // 0 for none
  opt_id id;
} opt_info;

static const opt_info kOpts[] = {
    {"head", 'I', OPT_HEAD},
    {"include", 'i', OPT_INCLUDE},
    {"verbose", 'v', OPT_VERBOSE},
    {"stats", 0, OPT_STATS},
    {"help", 'h', OPT_HELP},
    {"version", 'V', OPT_VERSION},
    {"no-proxy-env", 0, OPT_NO_PROXY_ENV},
    {"location", 'L', OPT_LOCATION},
    {"silent", 's', OPT_SILENT},
    {"show-error", 'S', OPT_SHOW_ERROR},
    {"no-progress", 0, OPT_NO_PROGRESS},
    {"fail", 'f', OPT_FAIL},
    {"fail-with-body", 0, OPT_FAIL_WITH_BODY},
    {"remote-name", 'O', OPT_REMOTE_NAME},
    {"compressed", 0, OPT_COMPRESSED},
    {"http1.1", 0, OPT_HTTP11},
    {"http2", 0, OPT_HTTP2},
    {"insecure", 'k', OPT_INSECURE},
    {"proxy-insecure", 0, OPT_PROXY_INSECURE},
    {"proxy-optimistic", 0, OPT_PROXY_OPTIMISTIC},
    {"retry-connrefused", 0, OPT_RETRY_CONNREFUSED},
    {"create-dirs", 0, OPT_CREATE_DIRS},
    {"basic", 0, OPT_BASIC},
    {"digest", 0, OPT_DIGEST},
    {"anyauth", 0, OPT_ANYAUTH},
    {"proxy-basic", 0, OPT_PROXY_BASIC},
    {"proxy-digest", 0, OPT_PROXY_DIGEST},
    {"proxy-anyauth", 0, OPT_PROXY_ANYAUTH},
    {"output", 'o', OPT_OUTPUT},
    {"output-dir", 0, OPT_OUTPUT_DIR},
    {"request", 'X', OPT_REQUEST},
    {"header", 'H', OPT_HEADER},
    {"data", 'd', OPT_DATA},
    {"data-ascii", 0, OPT_DATA},
    {"data-binary", 0, OPT_DATA_BINARY},
    {"data-raw", 0, OPT_DATA_RAW},
    {"json", 0, OPT_JSON},
    {"form", 'F', OPT_FORM},
    {"upload-file", 'T', OPT_UPLOAD_FILE},
    {"user-agent", 'A', OPT_USER_AGENT},
    {"referer", 'e', OPT_REFERER},
    {"cookie", 'b', OPT_COOKIE},
    {"cookie-jar", 'c', OPT_COOKIE_JAR},
    {"user", 'u', OPT_USER},
    {"write-out", 'w', OPT_WRITE_OUT},
    {"cacert", 0, OPT_CACERT},
    {"resolve", 0, OPT_RESOLVE},
    {"connect-to", 0, OPT_CONNECT_TO},
    {"dns-servers", 0, OPT_DNS_SERVERS},
    {"protocols", 0, OPT_PROTOCOLS},
    {"proxy-protocols", 0, OPT_PROXY_PROTOCOLS},
    {"max-time", 'm', OPT_MAX_TIME},
    {"connect-timeout", 0, OPT_CONNECT_TIMEOUT},
    {"happy-eyeballs-timeout-ms", 0, OPT_HAPPY_EYEBALLS_TIMEOUT},
    {"netlog", 0, OPT_NETLOG},
    {"netlog-format", 0, OPT_NETLOG_FORMAT},
    {"proxy", 'x', OPT_PROXY},
    {"proxy-user", 0, OPT_PROXY_USER},
    {"proxy-cacert", 0, OPT_PROXY_CACERT},
    {"noproxy", 0, OPT_NOPROXY},
    {"proxy-pac", 0, OPT_PROXY_PAC},
    {"repeat", 0, OPT_REPEAT},
    {"parallel", 0, OPT_PARALLEL},
    {"retry", 0, OPT_RETRY},
    {"retry-delay", 0, OPT_RETRY_DELAY},
    {"max-redirs", 0, OPT_MAX_REDIRS},
    {"trace", 0, OPT_TRACE},
    {"trace-proxy-netlog", 0, OPT_TRACE_PROXY_NETLOG},
};

#define NUM_OPTS (sizeof(kOpts) / sizeof(kOpts[0]))

static const opt_info *find_long(const char *name, size_t len) {
  for (size_t k = 0; k < NUM_OPTS; k++)
    if (strlen(kOpts[k].long_name) == len && !strncmp(name, kOpts[k].long_name, len))
      return &kOpts[k];
  return NULL;
}

static const opt_info *find_short(char c) {
  for (size_t k = 0; k < NUM_OPTS; k++)
    if (kOpts[k].short_name == c)
      return &kOpts[k];
  return NULL;
}

// A whole number in [lo, hi] for |name|, or an error message.
static bool parse_count(const char *v, long lo, long hi, const char *name, int *out, char *err,
                        size_t err_size) {
  char *end;
  long n = strtol(v, &end, 10);
  if (*v == '\0' || *end != '\0' || n < lo || n > hi) {
    snprintf(err, err_size, "%s '%s': expected a count from %ld to %ld", name, v, lo, hi);
    return false;
  }
  *out = (int)n;
  return true;
}

// Seconds, > 0 (or >= 0 with |zero_ok|), as curl takes them ("2.5").
static bool parse_seconds(const char *v, bool zero_ok, const char *name, double *out, char *err,
                          size_t err_size) {
  char *end;
  double t = strtod(v, &end);
  if (*v == '\0' || *end != '\0' || t < 0 || (t == 0 && !zero_ok) || t > 1e9) {
    snprintf(err, err_size, "%s '%s': expected a %s number of seconds", name, v,
             zero_ok ? "non-negative" : "positive");
    return false;
  }
  *out = t;
  return true;
}

uint64_t fetch_seconds_to_ms(double seconds) {
  double exact = seconds * 1000.0;
  uint64_t ms = (uint64_t)exact;
  if ((double)ms < exact)
    ms++;  // round up: 0.0005 s is 1 ms, never 0
  return ms ? ms : 1;
}

// A comma list of protocol names cnet knows ("h2,spdy/3.1,http/1.1"):
// checked here so that a typo is reported with the option's name and the
// name that was wrong, not later by the library.
static bool check_protocols(const char *v, const char *name, char *err, size_t err_size) {
  static const char *const kKnown[] = {"h2", "spdy/3.1", "http/1.1"};
  const char *p = v;
  for (;;) {
    size_t len = strcspn(p, ",");
    bool known = false;
    for (size_t i = 0; i < sizeof(kKnown) / sizeof(kKnown[0]); i++)
      known = known || (strlen(kKnown[i]) == len && strncmp(p, kKnown[i], len) == 0);
    if (!known) {
      snprintf(err, err_size, "%s '%s': unknown protocol '%.*s' (expected a list of h2, spdy/3.1, "
               "http/1.1)", name, v, (int)len, p);
      return false;
    }
    if (!p[len])
      return true;
    p += len + 1;
  }
}

static void push_data(fetch_options *o, fetch_data_kind kind, const char *v) {
  o->data = cn_xrealloc(o->data, (o->num_data + 1) * sizeof(*o->data));
  o->data[o->num_data].kind = kind;
  o->data[o->num_data].value = v;
  o->num_data++;
}

static void push_output(fetch_options *o, const char *file, bool remote_name) {
  o->outputs = cn_xrealloc(o->outputs, (o->num_outputs + 1) * sizeof(*o->outputs));
  o->outputs[o->num_outputs].file = file;
  o->outputs[o->num_outputs].remote_name = remote_name;
  o->num_outputs++;
}

static bool apply_flag(fetch_options *o, opt_id id) {
  switch (id) {
    case OPT_HEAD: o->head = true; break;
    case OPT_INCLUDE: o->include = true; break;
    case OPT_VERBOSE: o->verbose = true; break;
    case OPT_STATS: o->stats = true; break;
    case OPT_HELP: o->help = true; break;
    case OPT_VERSION: o->version = true; break;
    case OPT_NO_PROXY_ENV: o->no_proxy_env = true; break;
    case OPT_LOCATION: o->location = true; break;
    case OPT_SILENT: o->silent = true; break;
    case OPT_SHOW_ERROR: o->show_error = true; break;
    case OPT_NO_PROGRESS: o->no_progress = true; break;
    case OPT_FAIL: o->fail = true; break;
    case OPT_FAIL_WITH_BODY: o->fail_with_body = true; break;
    case OPT_REMOTE_NAME: push_output(o, NULL, true); break;
    case OPT_COMPRESSED: o->compressed = true; break;
    case OPT_HTTP11: o->protocols = "http/1.1"; break;
    case OPT_HTTP2: o->protocols = "h2,http/1.1"; break;
    case OPT_INSECURE: o->insecure = true; break;
    case OPT_PROXY_INSECURE: o->proxy_insecure = true; break;
    case OPT_PROXY_OPTIMISTIC: o->proxy_optimistic = true; break;
    case OPT_RETRY_CONNREFUSED: o->retry_connrefused = true; break;
    case OPT_CREATE_DIRS: o->create_dirs = true; break;
    // The last of each group wins, as in curl.
    case OPT_BASIC: o->auth = FETCH_AUTH_BASIC; break;
    case OPT_DIGEST: o->auth = FETCH_AUTH_DIGEST; break;
    case OPT_ANYAUTH: o->auth = FETCH_AUTH_ANY; break;
    case OPT_PROXY_BASIC: o->proxy_auth = FETCH_AUTH_BASIC; break;
    case OPT_PROXY_DIGEST: o->proxy_auth = FETCH_AUTH_DIGEST; break;
    case OPT_PROXY_ANYAUTH: o->proxy_auth = FETCH_AUTH_ANY; break;
    default: return false;
  }
  return true;
}

static bool needs_colon(const char *v, const char *what, const char *name, char *err,
                        size_t err_size) {
  if (strchr(v, ':'))
    return true;
  snprintf(err, err_size, "%s '%s': expected %s", name, v, what);
  return false;
}

static bool apply_value(fetch_options *o, opt_id id, char *v, const char *name, char *err,
                        size_t err_size) {
  switch (id) {
    case OPT_OUTPUT:
      if (!*v) {
        snprintf(err, err_size, "%s: the file name is empty", name);
        return false;
      }
      push_output(o, v, false);
      return true;
    case OPT_OUTPUT_DIR:
      o->output_dir = v;
      return true;
    case OPT_REQUEST:
      if (!*v) {
        snprintf(err, err_size, "%s: the method is empty", name);
        return false;
      }
      o->method = v;
      return true;
    case OPT_HEADER:
      if (!needs_colon(v, "'Name: value'", name, err, err_size))
        return false;
      push(&o->headers, &o->num_headers, v);
      return true;
    case OPT_DATA:
      push_data(o, FETCH_DATA_ASCII, v);
      return true;
    case OPT_DATA_BINARY:
      push_data(o, FETCH_DATA_BINARY, v);
      return true;
    case OPT_DATA_RAW:
      push_data(o, FETCH_DATA_RAW, v);
      return true;
    case OPT_JSON:
      push_data(o, FETCH_DATA_JSON, v);
      return true;
    case OPT_FORM:
      if (!strchr(v, '=') || v[0] == '=') {
        snprintf(err, err_size, "%s '%s': expected NAME=VALUE, NAME=@FILE or NAME=<FILE", name, v);
        return false;
      }
      push(&o->forms, &o->num_forms, v);
      return true;
    case OPT_UPLOAD_FILE:
      o->upload_file = v;
      return true;
    case OPT_USER_AGENT:
      o->user_agent = v;
      return true;
    case OPT_REFERER:
      o->referer = v;
      return true;
    case OPT_USER:
      if (!needs_colon(v, "USER:PASSWORD", name, err, err_size))
        return false;
      o->user = v;
      return true;
    case OPT_WRITE_OUT:
      o->write_out = v;
      return true;
    case OPT_CACERT:
      o->cacert = v;
      return true;
    case OPT_RESOLVE:
      push(&o->resolve, &o->num_resolve, v);
      return true;
    case OPT_COOKIE:
      push(&o->cookies, &o->num_cookies, v);
      return true;
    case OPT_COOKIE_JAR:
      o->cookie_jar = v;
      return true;
    case OPT_CONNECT_TO:
      if (!needs_colon(v, "HOST1:PORT1:HOST2:PORT2", name, err, err_size))
        return false;
      push(&o->connect_to, &o->num_connect_to, v);
      return true;
    case OPT_DNS_SERVERS:
      o->dns_servers = v;
      return true;
    case OPT_PROTOCOLS:
      o->protocols = v;
      return check_protocols(v, name, err, err_size);
    case OPT_PROXY_PROTOCOLS:
      o->proxy_protocols = v;
      return check_protocols(v, name, err, err_size);
    case OPT_MAX_TIME:
      return parse_seconds(v, false, name, &o->max_time, err, err_size);
    case OPT_CONNECT_TIMEOUT:
      return parse_seconds(v, false, name, &o->connect_timeout, err, err_size);
    case OPT_HAPPY_EYEBALLS_TIMEOUT:  // curl's: 0 is not allowed (the API reads it as the default)
      return parse_count(v, 1, 600000, name, &o->happy_eyeballs_timeout_ms, err, err_size);
    case OPT_NETLOG:
      o->netlog = v;
      return true;
    case OPT_NETLOG_FORMAT:
      if (strcmp(v, "cnet") != 0 && strcmp(v, "chrome") != 0) {
        snprintf(err, err_size, "%s '%s': expected cnet or chrome", name, v);
        return false;
      }
      o->netlog_chrome = strcmp(v, "chrome") == 0;
      return true;
    case OPT_PROXY:
      o->proxy = v;
      return true;
    case OPT_PROXY_USER:
      if (!strchr(v, ':')) {
        snprintf(err, err_size, "%s: expected USER:PASSWORD", name);
        return false;
      }
      o->proxy_user = v;
      return true;
    case OPT_PROXY_CACERT:
      o->proxy_cacert = v;
      return true;
    case OPT_NOPROXY:
      o->noproxy = v;
      return true;
    case OPT_PROXY_PAC:
      o->proxy_pac = v;
      return true;
    case OPT_REPEAT:
      return parse_count(v, 1, 1000000, name, &o->repeat, err, err_size);
    case OPT_PARALLEL:
      return parse_count(v, 1, 1000, name, &o->parallel, err, err_size);
    case OPT_RETRY:
      return parse_count(v, 0, 1000, name, &o->retry, err, err_size);
    case OPT_RETRY_DELAY:
      return parse_seconds(v, true, name, &o->retry_delay, err, err_size);
    case OPT_MAX_REDIRS:
      o->max_redirs_set = true;
      return parse_count(v, 0, 1000, name, &o->max_redirs, err, err_size);
    case OPT_TRACE:
      if (strcmp(v, "ladder") != 0) {
        snprintf(err, err_size, "%s '%s': the only trace is 'ladder'", name, v);
        return false;
      }
      o->trace_ladder = true;
      return true;
    case OPT_TRACE_PROXY_NETLOG:
      o->trace_proxy_netlog = v;
      return true;
    default:
      return false;
  }
}

// Applies |info| with its value: |inline_value| when the argument carried
// it, else the next argument (|*i| moves past it).
static bool apply_option(fetch_options *o, const opt_info *info, const char *shown,
                         char *inline_value, int argc, char **argv, int *i, char *err,
                         size_t err_size) {
  if (info->id < OPT_FIRST_WITH_VALUE) {
    if (inline_value) {
      snprintf(err, err_size, "option '%s' takes no value", shown);
      return false;
    }
    return apply_flag(o, info->id);
  }
  char *value = inline_value;
  if (!value) {
    if (*i + 1 >= argc) {
      snprintf(err, err_size, "option '%s' needs a value", shown);
      return false;
    }
    value = argv[++*i];
  }
  return apply_value(o, info->id, value, shown, err, err_size);
}

// "-fsSL", "-sSo FILE", "-oFILE", "-XPOST": flags in a bundle, up to the
// first that takes a value (the rest of the bundle, or the next argument).
static bool apply_short_bundle(fetch_options *o, char *arg, int argc, char **argv, int *i,
                               char *err, size_t err_size) {
  for (char *p = arg + 1; *p; p++) {
    const opt_info *info = find_short(*p);
    char shown[3] = {'-', *p, '\0'};
    if (!info) {
      if (p == arg + 1)
        snprintf(err, err_size, "unknown option '%s' (see --help)", arg);
      else
        snprintf(err, err_size, "unknown option '%s' in '%s' (see --help)", shown, arg);
      return false;
    }
    if (info->id < OPT_FIRST_WITH_VALUE) {
      apply_flag(o, info->id);
      continue;
    }
    return apply_option(o, info, shown, p[1] ? p + 1 : NULL, argc, argv, i, err, err_size);
  }
  return true;
}

bool fetch_options_parse(int argc, char **argv, fetch_options *o, char *err, size_t err_size) {
  memset(o, 0, sizeof(*o));
  bool only_urls = false;
  bool ok = true;
  for (int i = 1; ok && i < argc; i++) {
    char *arg = argv[i];
    if (only_urls || arg[0] != '-' || arg[1] == '\0') {
      push(&o->urls, &o->num_urls, arg);
    } else if (!strcmp(arg, "--")) {
      only_urls = true;
    } else if (arg[1] == '-') {  // --name, --name VALUE, --name=VALUE
      char *eq = strchr(arg + 2, '=');
      size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
      const opt_info *info = find_long(arg + 2, len);
      if (!info) {
        snprintf(err, err_size, "unknown option '%s' (see --help)", arg);
        ok = false;
      } else {
        char shown[64];
        snprintf(shown, sizeof(shown), "--%s", info->long_name);
        ok = apply_option(o, info, eq ? shown : arg, eq ? eq + 1 : NULL, argc, argv, &i, err,
                          err_size);
      }
    } else {
      ok = apply_short_bundle(o, arg, argc, argv, &i, err, err_size);
    }
  }
  if (!ok) {
    fetch_options_free(o);
    return false;
  }
  if (o->repeat == 0)
    o->repeat = 1;
  if (o->parallel == 0)
    o->parallel = 1;
  if (!o->max_redirs_set)
    o->max_redirs = 20;
  if (o->netlog_chrome && !o->netlog) {
    snprintf(err, err_size, "--netlog-format chrome needs --netlog FILE");
    fetch_options_free(o);
    return false;
  }
  if (o->trace_proxy_netlog && !o->trace_ladder) {
    snprintf(err, err_size, "--trace-proxy-netlog '%s' needs --trace ladder",
             o->trace_proxy_netlog);
    fetch_options_free(o);
    return false;
  }
  const char *conflict = NULL;
  if ((o->num_data > 0) + (o->num_forms > 0) + (o->upload_file != NULL) > 1)
    conflict = "-d/--data*/--json, -F and -T cannot be combined: one body per request";
  else if (o->head && (o->num_data || o->num_forms || o->upload_file))
    conflict = "-I sends HEAD, which has no body: drop -d/-F/-T";
  if (conflict) {
    snprintf(err, err_size, "%s", conflict);
    fetch_options_free(o);
    return false;
  }
  if (!o->help && !o->version && o->num_urls == 0) {
    snprintf(err, err_size, "no URL given (see --help)");
    fetch_options_free(o);
    return false;
  }
  return true;
}

void fetch_options_free(fetch_options *o) {
  free(o->urls);
  free(o->headers);
  free(o->data);
  free(o->forms);
  free(o->outputs);
  free(o->resolve);
  free(o->connect_to);
  free(o->cookies);
  memset(o, 0, sizeof(*o));
}
