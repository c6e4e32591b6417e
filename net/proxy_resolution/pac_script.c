#include "net/proxy_resolution/pac_script.h"

#include <arpa/inet.h>
#include <duktape.h>
#include <netinet/in.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <uv.h>

#include "base/mem.h"
#include "net/proxy_resolution/pac_library.h"

// The heap's udata. Its first member is what the patched duk_config.h's
// DUK_USE_EXEC_TIMEOUT_CHECK calls (third_party/duktape/duktape_config.py).
typedef struct heap_ctx {
  int (*timed_out)(void *udata);
  uint64_t deadline_ns;  // uv_hrtime() after which the run is stopped
  bool hit_deadline;
  size_t used, limit;  // heap bytes
  bool hit_limit;
  cn_pac_script *script;
} heap_ctx;

struct cn_pac_script {
  heap_ctx hc;
  duk_context *ctx;  // NULL after a limit stopped the script: rebuilt on the next run
  char *text;
  size_t len;
  cn_pac_script_options o;
  // The current run's lookups.
  cn_pac_dns_table *dns;
  bool dns_final;
  bool abandoned;  // a lookup was missing: the run's outcome is void
};

// --- DNS table ---

void cn_pac_dns_table_init(cn_pac_dns_table *t) { memset(t, 0, sizeof(*t)); }

void cn_pac_dns_table_free(cn_pac_dns_table *t) {
  for (size_t i = 0; i < t->count; i++) {
    free(t->items[i].host);
    free(t->items[i].answer);
  }
  free(t->items);
  cn_pac_dns_table_init(t);
}

void cn_pac_dns_table_answer(cn_pac_dns_table *t, size_t i, const char *answer) {
  cn_pac_dns_entry *e = &t->items[i];
  free(e->answer);
  e->answer = answer ? cn_xstrdup(answer) : NULL;
  e->answered = true;
}

static cn_pac_dns_entry *table_find(cn_pac_dns_table *t, const char *host, bool ex) {
  for (size_t i = 0; i < t->count; i++) {
    if (t->items[i].ex == ex && strcmp(t->items[i].host, host) == 0)
      return &t->items[i];
  }
  return NULL;
}

static void table_add(cn_pac_dns_table *t, const char *host, bool ex) {
  t->items = cn_xrealloc(t->items, (t->count + 1) * sizeof(*t->items));
  cn_pac_dns_entry *e = &t->items[t->count++];
  memset(e, 0, sizeof(*e));
  e->host = cn_xstrdup(host);
  e->ex = ex;
}

// --- limits ---

static int check_deadline(void *udata) {
  heap_ctx *hc = udata;
  if (uv_hrtime() >= hc->deadline_ns)
    hc->hit_deadline = true;
  return hc->hit_deadline;
}

// Every block carries its size in front, so the cap counts exactly.
#define HEADER_SIZE (sizeof(max_align_t))

static void *heap_alloc(void *udata, duk_size_t size) {
  heap_ctx *hc = udata;
  if (size == 0)
    return NULL;
  if (size > hc->limit - hc->used) {
    hc->hit_limit = true;
    return NULL;
  }
  char *p = malloc(HEADER_SIZE + size);
  if (!p)
    return NULL;
  memcpy(p, &size, sizeof(size));
  hc->used += size;
  return p + HEADER_SIZE;
}

static void heap_free(void *udata, void *ptr) {
  heap_ctx *hc = udata;
  if (!ptr)
    return;
  char *p = (char *)ptr - HEADER_SIZE;
  size_t size;
  memcpy(&size, p, sizeof(size));
  hc->used -= size;
  free(p);
}

static void *heap_realloc(void *udata, void *ptr, duk_size_t size) {
  heap_ctx *hc = udata;
  if (!ptr)
    return heap_alloc(udata, size);
  if (size == 0) {
    heap_free(udata, ptr);
    return NULL;
  }
  char *p = (char *)ptr - HEADER_SIZE;
  size_t old;
  memcpy(&old, p, sizeof(old));
  if (size > old && size - old > hc->limit - hc->used) {
    hc->hit_limit = true;
    return NULL;
  }
  char *q = realloc(p, HEADER_SIZE + size);
  if (!q)
    return NULL;
  memcpy(q, &size, sizeof(size));
  hc->used = hc->used - old + size;
  return q + HEADER_SIZE;
}

// Only reached for an error outside a protected call, which this file never
// makes: a bug, not a script's doing.
static void heap_fatal(void *udata, const char *msg) {
  fprintf(stderr, "cnet: fatal duktape error in the PAC evaluator: %s\n", msg ? msg : "");
  abort();
}

static cn_pac_script *script_of(duk_context *ctx) {
  duk_memory_functions funcs;
  duk_get_memory_functions(ctx, &funcs);
  return ((heap_ctx *)funcs.udata)->script;
}

// --- C helpers ---

// dnsResolve / dnsResolveEx: from the table, never from the network.
static duk_ret_t dns_lookup(duk_context *ctx, bool ex) {
  cn_pac_script *s = script_of(ctx);
  const char *host = duk_require_string(ctx, 0);
  unsigned char buf[sizeof(struct in6_addr)];
  if (inet_pton(AF_INET, host, buf) == 1 || (ex && inet_pton(AF_INET6, host, buf) == 1)) {
    duk_push_string(ctx, host);  // an IP literal answers itself
    return 1;
  }
  cn_pac_dns_entry *e = table_find(s->dns, host, ex);
  if ((e && e->answered) || s->dns_final) {
    const char *answer = e ? e->answer : NULL;
    if (answer)
      duk_push_string(ctx, answer);
    else if (ex)
      duk_push_string(ctx, "");  // Microsoft's "not resolvable"
    else
      duk_push_null(ctx);
    return 1;
  }
  if (!e)
    table_add(s->dns, host, ex);
  s->abandoned = true;
  return duk_error(ctx, DUK_ERR_ERROR, "cnet: DNS answer for %s not known yet", host);
}

static duk_ret_t js_dns_resolve(duk_context *ctx) { return dns_lookup(ctx, false); }
static duk_ret_t js_dns_resolve_ex(duk_context *ctx) { return dns_lookup(ctx, true); }

bool cn_pac_my_ip_address(int family, char *buf, size_t size) {
  // A documentation-free public address of each family; connect() on a UDP
  // socket only picks the route, nothing is sent.
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof(ss));
  socklen_t len;
  if (family == AF_INET) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(53);
    inet_pton(AF_INET, "8.8.8.8", &sin->sin_addr);
    len = sizeof(*sin);
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(53);
    inet_pton(AF_INET6, "2001:4860:4860::8888", &sin6->sin6_addr);
    len = sizeof(*sin6);
  }
  int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  bool ok = connect(fd, (struct sockaddr *)&ss, len) == 0;
  struct sockaddr_storage local;
  socklen_t local_len = sizeof(local);
  ok = ok && getsockname(fd, (struct sockaddr *)&local, &local_len) == 0;
  close(fd);
  if (!ok)
    return false;
  const void *addr = family == AF_INET ? (const void *)&((struct sockaddr_in *)&local)->sin_addr
                                       : (const void *)&((struct sockaddr_in6 *)&local)->sin6_addr;
  return inet_ntop(family, addr, buf, (socklen_t)size) != NULL;
}

static duk_ret_t js_my_ip_address(duk_context *ctx) {
  char buf[INET6_ADDRSTRLEN];
  duk_push_string(ctx, cn_pac_my_ip_address(AF_INET, buf, sizeof(buf)) ? buf : "127.0.0.1");
  return 1;
}

static duk_ret_t js_my_ip_address_ex(duk_context *ctx) {
  char v4[INET6_ADDRSTRLEN], v6[INET6_ADDRSTRLEN];
  bool has4 = cn_pac_my_ip_address(AF_INET, v4, sizeof(v4));
  bool has6 = cn_pac_my_ip_address(AF_INET6, v6, sizeof(v6));
  duk_push_sprintf(ctx, "%s%s%s", has6 ? v6 : "", has4 && has6 ? ";" : "", has4 ? v4 : "");
  return 1;
}

typedef struct ip_literal {
  int family;
  unsigned char bytes[16];
} ip_literal;

static bool parse_ip(const char *text, size_t len, ip_literal *out) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (len >= sizeof(buf))
    return false;
  memcpy(buf, text, len);
  buf[len] = '\0';
  memset(out, 0, sizeof(*out));
  if (inet_pton(AF_INET, buf, out->bytes) == 1) {
    out->family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, buf, out->bytes) == 1) {
    out->family = AF_INET6;
    return true;
  }
  return false;
}

static size_t ip_size(const ip_literal *ip) { return ip->family == AF_INET ? 4 : 16; }

bool cn_pac_is_in_net_ex(const char *ip, const char *prefix) {
  ip_literal addr, net;
  const char *slash = strchr(prefix, '/');
  if (!slash || !parse_ip(ip, strlen(ip), &addr) ||
      !parse_ip(prefix, (size_t)(slash - prefix), &net) || addr.family != net.family)
    return false;
  char *end;
  long bits = strtol(slash + 1, &end, 10);
  if (slash[1] == '\0' || *end != '\0' || bits < 0 || (size_t)bits > ip_size(&addr) * 8)
    return false;
  for (long i = 0; i < bits; i++) {
    unsigned char mask = (unsigned char)(0x80u >> (i % 8));
    if ((addr.bytes[i / 8] & mask) != (net.bytes[i / 8] & mask))
      return false;
  }
  return true;
}

static int compare_ip(const void *a, const void *b) {
  const ip_literal *x = a, *y = b;
  if (x->family != y->family)
    return x->family == AF_INET6 ? -1 : 1;  // IPv6 first
  return memcmp(x->bytes, y->bytes, ip_size(x));
}

char *cn_pac_sort_ip_address_list(const char *list) {
  size_t n = 0, cap = 0;
  ip_literal *ips = NULL;
  const char *p = list;
  bool ok = true;
  while (ok) {
    const char *semi = strchr(p, ';');
    size_t len = semi ? (size_t)(semi - p) : strlen(p);
    const char *e = p;
    while (len && (*e == ' ' || *e == '\t')) {
      e++;
      len--;
    }
    while (len && (e[len - 1] == ' ' || e[len - 1] == '\t'))
      len--;
    if (n == cap) {
      cap = cap ? cap * 2 : 4;
      ips = cn_xrealloc(ips, cap * sizeof(*ips));
    }
    ok = parse_ip(e, len, &ips[n]);
    n++;
    if (!semi)
      break;
    p = semi + 1;
  }
  if (!ok) {
    free(ips);
    return NULL;
  }
  qsort(ips, n, sizeof(*ips), compare_ip);
  char *out = cn_xmalloc(n * (INET6_ADDRSTRLEN + 1) + 1);
  size_t used = 0;
  for (size_t i = 0; i < n; i++) {
    if (i)
      out[used++] = ';';
    inet_ntop(ips[i].family, ips[i].bytes, out + used, INET6_ADDRSTRLEN);
    used += strlen(out + used);
  }
  out[used] = '\0';
  free(ips);
  return out;
}

static duk_ret_t js_is_in_net_ex(duk_context *ctx) {
  const char *ip = duk_require_string(ctx, 0);
  const char *prefix = duk_require_string(ctx, 1);
  duk_push_boolean(ctx, cn_pac_is_in_net_ex(ip, prefix));
  return 1;
}

static duk_ret_t js_sort_ip_address_list(duk_context *ctx) {
  char *sorted = cn_pac_sort_ip_address_list(duk_require_string(ctx, 0));
  if (sorted)
    duk_push_string(ctx, sorted);
  else
    duk_push_false(ctx);
  free(sorted);
  return 1;
}

static duk_ret_t js_alert(duk_context *ctx) {
  cn_pac_script *s = script_of(ctx);
  const char *msg = duk_safe_to_string(ctx, 0);
  if (s->o.alert)
    s->o.alert(s->o.alert_arg, msg);
  return 0;
}

static duk_ret_t js_now(duk_context *ctx) {
  cn_pac_script *s = script_of(ctx);
  if (s->o.now_ms) {
    duk_push_number(ctx, s->o.now_ms(s->o.clock_arg));
  } else {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    duk_push_number(ctx, (double)tv.tv_sec * 1000.0 + (double)(tv.tv_usec / 1000));
  }
  return 1;
}

static duk_ret_t js_client_version(duk_context *ctx) {
  duk_push_string(ctx, "1.0");  // Microsoft's IPv6 PAC extensions, version 1.0
  return 1;
}

// --- heap ---

// Describes the error on top of the stack as "WHAT: message (line N)".
static void describe_error(duk_context *ctx, const char *what, char *err, size_t err_size) {
  int line = 0;
  if (duk_is_error(ctx, -1)) {
    duk_get_prop_string(ctx, -1, "lineNumber");
    line = duk_is_number(ctx, -1) ? duk_get_int(ctx, -1) : 0;
    duk_pop(ctx);
  }
  const char *msg = duk_safe_to_string(ctx, -1);
  if (line > 0)
    snprintf(err, err_size, "%s: %s (line %d)", what, msg, line);
  else
    snprintf(err, err_size, "%s: %s", what, msg);
}

// After a failed protected call: the error for what stopped it.
static int failure(cn_pac_script *s, const char *what, char *err, size_t err_size) {
  if (s->hc.hit_deadline) {
    snprintf(err, err_size, "%s: stopped after the PAC time limit of %llu ms", what,
             (unsigned long long)s->o.time_limit_ms);
    return CN_ERR_PAC_SCRIPT_TERMINATED;
  }
  if (s->hc.hit_limit) {
    snprintf(err, err_size, "%s: stopped at the PAC memory limit of %zu bytes", what,
             s->o.memory_limit);
    return CN_ERR_PAC_SCRIPT_TERMINATED;
  }
  describe_error(s->ctx, what, err, err_size);
  return CN_ERR_PAC_SCRIPT_FAILED;
}

static void start_clock(cn_pac_script *s) {
  s->hc.hit_deadline = false;
  s->hc.hit_limit = false;
  s->hc.deadline_ns = uv_hrtime() + s->o.time_limit_ms * 1000000u;
}

static void drop_heap(cn_pac_script *s) {
  if (s->ctx)
    duk_destroy_heap(s->ctx);
  s->ctx = NULL;
}

// Compiles and runs |src| in the heap. Returns CN_OK or the failure.
static int eval(cn_pac_script *s, const char *name, const char *src, size_t len, char *err,
                size_t err_size) {
  duk_context *ctx = s->ctx;
  start_clock(s);
  duk_push_string(ctx, name);
  int rc = duk_pcompile_lstring_filename(ctx, 0, src, len);
  if (rc == 0)
    rc = duk_pcall(ctx, 0);
  int rv = rc == 0 ? CN_OK : failure(s, name, err, err_size);
  duk_pop(ctx);
  return rv;
}

static const struct {
  const char *name;
  duk_c_function fn;
  duk_idx_t nargs;
} kHelpers[] = {
    {"dnsResolve", js_dns_resolve, 1},
    {"dnsResolveEx", js_dns_resolve_ex, 1},
    {"myIpAddress", js_my_ip_address, 0},
    {"myIpAddressEx", js_my_ip_address_ex, 0},
    {"isInNetEx", js_is_in_net_ex, 2},
    {"sortIpAddressList", js_sort_ip_address_list, 1},
    {"alert", js_alert, 1},
    {"getClientVersion", js_client_version, 0},
    {"__cnNow", js_now, 0},
};

// Builds a fresh heap: helpers, the JavaScript library, the script.
static int load(cn_pac_script *s, char *err, size_t err_size) {
  s->hc.used = 0;
  s->ctx = duk_create_heap(heap_alloc, heap_realloc, heap_free, &s->hc, heap_fatal);
  if (!s->ctx) {
    snprintf(err, err_size, "cannot create a JavaScript heap within %zu bytes",
             s->o.memory_limit);
    return CN_ERR_PAC_SCRIPT_TERMINATED;
  }
  duk_context *ctx = s->ctx;
  // No I/O and no engine internals reachable from the script.
  duk_push_global_object(ctx);
  duk_del_prop_string(ctx, -1, "Duktape");
  for (size_t i = 0; i < sizeof(kHelpers) / sizeof(kHelpers[0]); i++) {
    duk_push_c_function(ctx, kHelpers[i].fn, kHelpers[i].nargs);
    duk_put_prop_string(ctx, -2, kHelpers[i].name);
  }
  duk_pop(ctx);
  int rv = eval(s, "pac_library.js", kCnPacLibrary, strlen(kCnPacLibrary), err, err_size);
  if (rv == CN_OK)
    rv = eval(s, "PAC script", s->text, s->len, err, err_size);
  if (rv == CN_OK) {
    duk_get_global_string(ctx, "FindProxyForURL");
    bool has = duk_is_function(ctx, -1);
    duk_pop(ctx);
    duk_get_global_string(ctx, "FindProxyForURLEx");
    has = has || duk_is_function(ctx, -1);
    duk_pop(ctx);
    if (!has) {
      snprintf(err, err_size, "PAC script: defines no FindProxyForURL function");
      rv = CN_ERR_PAC_SCRIPT_FAILED;
    }
  }
  if (rv != CN_OK)
    drop_heap(s);
  return rv;
}

int cn_pac_script_new(const char *text, size_t len, const cn_pac_script_options *o,
                      cn_pac_script **out, char *err, size_t err_size) {
  *out = NULL;
  cn_pac_script *s = CN_NEW(cn_pac_script);
  if (o)
    s->o = *o;
  if (!s->o.time_limit_ms)
    s->o.time_limit_ms = CN_PAC_DEFAULT_TIME_LIMIT_MS;
  if (!s->o.memory_limit)
    s->o.memory_limit = CN_PAC_DEFAULT_MEMORY_LIMIT;
  s->hc.timed_out = check_deadline;
  s->hc.limit = s->o.memory_limit;
  s->hc.script = s;
  s->text = cn_xmalloc(len + 1);
  memcpy(s->text, text, len);
  s->text[len] = '\0';
  s->len = len;
  // The top level may call DNS helpers too: it gets unresolvable answers
  // (its lookups cannot wait; Chromium's top level runs without DNS too).
  cn_pac_dns_table none;
  cn_pac_dns_table_init(&none);
  s->dns = &none;
  s->dns_final = true;
  int rv = load(s, err, err_size);
  s->dns = NULL;
  cn_pac_dns_table_free(&none);
  if (rv != CN_OK) {
    cn_pac_script_free(s);
    return rv;
  }
  *out = s;
  return CN_OK;
}

void cn_pac_script_free(cn_pac_script *s) {
  if (!s)
    return;
  drop_heap(s);
  free(s->text);
  free(s);
}

int cn_pac_script_run(cn_pac_script *s, const char *url, const char *host,
                      cn_pac_dns_table *dns, bool dns_final, char **result, char *err,
                      size_t err_size) {
  *result = NULL;
  s->dns = dns;
  s->dns_final = dns_final;
  s->abandoned = false;
  int rv = CN_OK;
  if (!s->ctx)
    rv = load(s, err, err_size);  // a limit stopped the previous heap
  if (rv != CN_OK) {
    s->dns = NULL;
    return rv;
  }
  duk_context *ctx = s->ctx;
  duk_get_global_string(ctx, "FindProxyForURLEx");
  const char *fn = "FindProxyForURLEx";
  if (!duk_is_function(ctx, -1)) {
    duk_pop(ctx);
    duk_get_global_string(ctx, "FindProxyForURL");
    fn = "FindProxyForURL";
  }
  duk_push_string(ctx, url);
  duk_push_string(ctx, host);
  start_clock(s);
  if (duk_pcall(ctx, 2) != 0) {
    rv = s->abandoned ? CN_PAC_NEEDS_DNS : failure(s, fn, err, err_size);
  } else if (s->abandoned) {
    rv = CN_PAC_NEEDS_DNS;  // the script caught the abandoning error
  } else if (!duk_is_string(ctx, -1)) {
    snprintf(err, err_size, "%s returned %s, not a string", fn, duk_safe_to_string(ctx, -1));
    rv = CN_ERR_PAC_SCRIPT_FAILED;
  } else {
    *result = cn_xstrdup(duk_get_string(ctx, -1));
  }
  duk_pop(ctx);
  if (rv == CN_ERR_PAC_SCRIPT_TERMINATED)
    drop_heap(s);
  s->dns = NULL;
  return rv;
}
