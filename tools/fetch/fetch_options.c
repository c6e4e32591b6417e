#include "tools/fetch/fetch_options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

static const char kUsage[] =
    "usage: fetch [options] URL...\n"
    "\n"
    "Fetches each URL in turn with cnet and writes the body to stdout.\n"
    "\n"
    "  -o, --output FILE        write the body to FILE\n"
    "  -I, --head               send HEAD and print the response headers\n"
    "  -X, --request METHOD     use METHOD\n"
    "  -H, --header 'N: V'      add a request header (repeatable)\n"
    "  -d, --data DATA          send DATA as the body (POST unless -X)\n"
    "      --cacert FILE        trust the CA certificates in FILE (PEM)\n"
    "      --resolve H:P:ADDR   resolve host H port P to ADDR (repeatable; P may be *)\n"
    "      --protocols LIST     ALPN offered to origins, e.g. h2,http/1.1\n"
    "      --proxy-protocols LIST  ALPN offered to HTTPS proxies, e.g. h2,spdy/3.1,http/1.1\n"
    "  -x, --proxy URL          use this proxy (https://host:port, http://host:port,\n"
    "                           credentials as https://user:pass@host:port)\n"
    "      --proxy-user U:P     credentials for the proxy\n"
    "      --proxy-cacert FILE  trust these CAs for an HTTPS proxy (default: --cacert)\n"
    "      --no-proxy-env       ignore http_proxy/https_proxy/all_proxy/no_proxy\n"
    "      --repeat N           fetch the URL list N times, sharing connections\n"
    "      --parallel N         run up to N transfers at once (bodies still in order)\n"
    "  -L, --location           follow redirects\n"
    "      --max-redirs N       at most N redirects per URL (default 20)\n"
    "      --max-time SECONDS   give up after this long\n"
    "  -v, --verbose            describe each layer of the connection on stderr\n"
    "  -s, --silent             no progress bar (errors are still reported)\n"
    "      --no-progress        no progress bar\n"
    "      --trace ladder       draw the run as a ladder diagram on stderr\n"
    "      --trace-proxy-netlog FILE  add the proxy's NetLog (JSON lines) to the ladder\n"
    "      --netlog FILE        write every NetLog event to FILE as JSON lines\n"
    "      --stats              print NetLog counters as one JSON line on stderr\n"
    "  -h, --help               this text\n"
    "      --version            the version\n"
    "\n"
    "Exit status: 0 success, 1 a network or HTTP-level error (named on stderr),\n"
    "2 bad usage.\n";

const char *fetch_options_usage(void) { return kUsage; }

static void push(char ***arr, size_t *n, char *value) {
  *arr = cn_xrealloc(*arr, (*n + 1) * sizeof(**arr));
  (*arr)[(*n)++] = value;
}

// Options that take a value: long name, short letter (0 for none).
typedef enum {
  OPT_OUTPUT,
  OPT_REQUEST,
  OPT_HEADER,
  OPT_DATA,
  OPT_CACERT,
  OPT_RESOLVE,
  OPT_PROTOCOLS,
  OPT_PROXY_PROTOCOLS,
  OPT_MAX_TIME,
  OPT_NETLOG,
  OPT_PROXY,
  OPT_PROXY_USER,
  OPT_PROXY_CACERT,
  OPT_REPEAT,
  OPT_PARALLEL,
  OPT_MAX_REDIRS,
  OPT_TRACE,
  OPT_TRACE_PROXY_NETLOG,
} value_opt;

typedef struct {
  const char *long_name;
  char short_name;
  value_opt id;
} value_opt_info;

static const value_opt_info kValueOpts[] = {
    {"output", 'o', OPT_OUTPUT},   {"request", 'X', OPT_REQUEST},
    {"header", 'H', OPT_HEADER},   {"data", 'd', OPT_DATA},
    {"cacert", 0, OPT_CACERT},     {"resolve", 0, OPT_RESOLVE},
    {"protocols", 0, OPT_PROTOCOLS}, {"max-time", 0, OPT_MAX_TIME},
    {"netlog", 0, OPT_NETLOG},     {"proxy", 'x', OPT_PROXY},
    {"proxy-user", 0, OPT_PROXY_USER}, {"proxy-cacert", 0, OPT_PROXY_CACERT},
    {"repeat", 0, OPT_REPEAT},     {"parallel", 0, OPT_PARALLEL},
    {"max-redirs", 0, OPT_MAX_REDIRS}, {"proxy-protocols", 0, OPT_PROXY_PROTOCOLS},
    {"trace", 0, OPT_TRACE},       {"trace-proxy-netlog", 0, OPT_TRACE_PROXY_NETLOG},
};

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

static bool apply_value(fetch_options *o, value_opt id, char *v, const char *name, char *err,
                        size_t err_size) {
  switch (id) {
    case OPT_OUTPUT:
      o->output = v;
      return true;
    case OPT_REQUEST:
      if (!*v) {
        snprintf(err, err_size, "%s: the method is empty", name);
        return false;
      }
      o->method = v;
      return true;
    case OPT_HEADER:
      if (!strchr(v, ':')) {
        snprintf(err, err_size, "%s '%s': expected 'Name: value'", name, v);
        return false;
      }
      push(&o->headers, &o->num_headers, v);
      return true;
    case OPT_DATA:
      o->data = v;
      return true;
    case OPT_CACERT:
      o->cacert = v;
      return true;
    case OPT_RESOLVE:
      push(&o->resolve, &o->num_resolve, v);
      return true;
    case OPT_PROTOCOLS:
      o->protocols = v;
      return check_protocols(v, name, err, err_size);
    case OPT_PROXY_PROTOCOLS:
      o->proxy_protocols = v;
      return check_protocols(v, name, err, err_size);
    case OPT_MAX_TIME: {
      char *end;
      double t = strtod(v, &end);
      if (*v == '\0' || *end != '\0' || t <= 0) {
        snprintf(err, err_size, "%s '%s': expected a positive number of seconds", name, v);
        return false;
      }
      o->max_time = t;
      return true;
    }
    case OPT_NETLOG:
      o->netlog = v;
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
    case OPT_REPEAT:
      return parse_count(v, 1, 1000000, name, &o->repeat, err, err_size);
    case OPT_PARALLEL:
      return parse_count(v, 1, 1000, name, &o->parallel, err, err_size);
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
  }
  return false;
}

static bool apply_flag(fetch_options *o, const char *name) {
  if (!strcmp(name, "-I") || !strcmp(name, "--head"))
    o->head = true;
  else if (!strcmp(name, "-v") || !strcmp(name, "--verbose"))
    o->verbose = true;
  else if (!strcmp(name, "--stats"))
    o->stats = true;
  else if (!strcmp(name, "-h") || !strcmp(name, "--help"))
    o->help = true;
  else if (!strcmp(name, "--version"))
    o->version = true;
  else if (!strcmp(name, "--no-proxy-env"))
    o->no_proxy_env = true;
  else if (!strcmp(name, "-L") || !strcmp(name, "--location"))
    o->location = true;
  else if (!strcmp(name, "-s") || !strcmp(name, "--silent"))
    o->silent = true;
  else if (!strcmp(name, "--no-progress"))
    o->no_progress = true;
  else
    return false;
  return true;
}

bool fetch_options_parse(int argc, char **argv, fetch_options *o, char *err, size_t err_size) {
  memset(o, 0, sizeof(*o));
  bool only_urls = false;
  for (int i = 1; i < argc; i++) {
    char *arg = argv[i];
    if (only_urls || arg[0] != '-' || arg[1] == '\0') {
      push(&o->urls, &o->num_urls, arg);
      continue;
    }
    if (!strcmp(arg, "--")) {
      only_urls = true;
      continue;
    }
    if (apply_flag(o, arg))
      continue;
    // A value option: --name VALUE, --name=VALUE, -X VALUE or -XVALUE.
    const value_opt_info *info = NULL;
    char *inline_value = NULL;
    for (size_t k = 0; k < sizeof(kValueOpts) / sizeof(kValueOpts[0]); k++) {
      const value_opt_info *c = &kValueOpts[k];
      if (arg[1] == '-') {
        size_t n = strlen(c->long_name);
        if (!strncmp(arg + 2, c->long_name, n) && (arg[2 + n] == '\0' || arg[2 + n] == '=')) {
          info = c;
          inline_value = arg[2 + n] == '=' ? arg + 3 + n : NULL;
          break;
        }
      } else if (c->short_name && arg[1] == c->short_name) {
        info = c;
        inline_value = arg[2] ? arg + 2 : NULL;
        break;
      }
    }
    if (!info) {
      snprintf(err, err_size, "unknown option '%s' (see --help)", arg);
      fetch_options_free(o);
      return false;
    }
    char *value = inline_value;
    if (!value) {
      if (i + 1 >= argc) {
        snprintf(err, err_size, "option '%s' needs a value", arg);
        fetch_options_free(o);
        return false;
      }
      value = argv[++i];
    }
    if (!apply_value(o, info->id, value, arg, err, err_size)) {
      fetch_options_free(o);
      return false;
    }
  }
  if (o->repeat == 0)
    o->repeat = 1;
  if (o->parallel == 0)
    o->parallel = 1;
  if (!o->max_redirs_set)
    o->max_redirs = 20;
  if (o->trace_proxy_netlog && !o->trace_ladder) {
    snprintf(err, err_size, "--trace-proxy-netlog '%s' needs --trace ladder",
             o->trace_proxy_netlog);
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
  free(o->resolve);
  memset(o, 0, sizeof(*o));
}
