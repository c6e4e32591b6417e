#include "net/proxy_resolution/pac_resolver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/list.h"
#include "base/mem.h"
#include "net/proxy_resolution/pac_result.h"

typedef enum script_state {
  SCRIPT_NONE,      // not asked for yet
  SCRIPT_WAITING,   // on_need_script ran; waiting for set_script
  SCRIPT_READY,     // |script| loaded
  SCRIPT_FAILED,    // fetch or load failed: |failure|, |failure_reason|
} script_state;

typedef struct pac_resolver pac_resolver;

// One outstanding host lookup of a request.
typedef struct lookup {
  cn_proxy_resolver_request *owner;
  size_t entry;  // index in owner->dns
  cn_host_resolve_request *req;
  cn_address_list addrs;
} lookup;

struct cn_proxy_resolver_request {
  cn_list_node link;  // on pac_resolver.requests
  pac_resolver *r;
  char *url;   // as the script sees it
  char *host;
  cn_proxy_list *out;
  bool *bypassed;
  cn_completion_cb cb;
  void *arg;
  cn_pac_dns_table dns;
  int runs;
  lookup *lookups;  // the current batch
  size_t num_lookups, lookups_pending;
};

struct pac_resolver {
  cn_proxy_resolver base;  // first
  cn_pac_resolver_options o;
  cn_netlog_source source;
  script_state state;
  cn_pac_script *script;
  int failure;
  char *failure_reason;
  cn_list_node requests;  // pending cn_proxy_resolver_request.link
  bool *destroyed;        // set while answering requests from set_script
};

// --- the URL the script sees ---

char *cn_pac_script_url(const cn_url *url) {
  char *host = cn_url_host_bracketed(url);
  char port[8] = "";
  if (!cn_url_has_default_port(url))
    snprintf(port, sizeof(port), ":%u", (unsigned)url->port);
  char *text;
  if (cn_url_is_secure(url)) {
    text = cn_xasprintf("%s://%s%s/", url->scheme, host, port);
  } else {
    text = cn_xasprintf("%s://%s%s%s%s%s", url->scheme, host, port, url->path,
                        url->query ? "?" : "", url->query ? url->query : "");
  }
  free(host);
  return text;
}

// --- answers ---

static void request_free(cn_proxy_resolver_request *req) {
  for (size_t i = 0; i < req->num_lookups; i++) {
    if (req->lookups[i].req)
      cn_host_resolve_request_cancel(req->lookups[i].req);
    cn_address_list_free(&req->lookups[i].addrs);
  }
  free(req->lookups);
  if (cn_list_linked(&req->link))
    cn_list_remove(&req->link);
  cn_pac_dns_table_free(&req->dns);
  free(req->url);
  free(req->host);
  free(req);
}

// The outcome of a failed script, with Chromium's fallback rule.
static int fail(pac_resolver *r, cn_proxy_resolver_request *req, int rv, const char *reason) {
  cn_netlog_event(r->o.netlog, r->source, CN_NETLOG_PAC_JAVASCRIPT_ERROR,
                  CN_NL_STR("message", reason ? reason : cn_error_message(rv)), CN_NL_ERROR(rv),
                  CN_NL_STR("fallback", r->o.mandatory ? "none" : "direct"));
  if (r->o.mandatory)
    return CN_ERR_MANDATORY_PROXY_CONFIGURATION_FAILED;
  cn_proxy_list_set_direct(req->out);
  return CN_OK;
}

// The script's answer |result| into the request's list.
static int conclude(pac_resolver *r, cn_proxy_resolver_request *req, const char *result) {
  size_t skipped = 0;
  cn_proxy_list list;
  int rv = cn_pac_result_parse(result, strlen(result), &list, &skipped);
  cn_netlog_event(r->o.netlog, r->source, CN_NETLOG_PAC_RESULT, CN_NL_STR("result", result),
                  CN_NL_INT("skipped", skipped));
  if (rv != CN_OK) {
    char reason[300];
    snprintf(reason, sizeof(reason), "FindProxyForURL returned no usable proxy: \"%.200s\"",
             result);
    return fail(r, req, rv, reason);
  }
  cn_proxy_list_free(req->out);
  *req->out = list;
  return CN_OK;
}

static void on_lookup(void *arg, int rv);

// The first IPv4 address (dnsResolve), or every address ';'-separated
// (dnsResolveEx); NULL when there is none.
static char *answer_text(const cn_address_list *addrs, bool ex) {
  size_t cap = addrs->count * (INET6_ADDRSTRLEN + 1) + 1;
  char *out = cn_xmalloc(cap);
  size_t used = 0;
  for (size_t i = 0; i < addrs->count; i++) {
    const struct sockaddr_storage *ss = &addrs->items[i].addr;
    const void *a = ss->ss_family == AF_INET
                        ? (const void *)&((const struct sockaddr_in *)ss)->sin_addr
                        : (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
    if (!ex && ss->ss_family != AF_INET)
      continue;
    if (used)
      out[used++] = ';';
    inet_ntop(ss->ss_family, a, out + used, INET6_ADDRSTRLEN);
    used += strlen(out + used);
    if (!ex)
      break;
  }
  out[used] = '\0';
  if (used == 0) {
    free(out);
    return NULL;
  }
  return out;
}

static void answer(cn_proxy_resolver_request *req, lookup *l, int rv) {
  char *text = rv == CN_OK ? answer_text(&l->addrs, req->dns.items[l->entry].ex) : NULL;
  cn_pac_dns_table_answer(&req->dns, l->entry, text);
  free(text);
}

// Starts a lookup for every unanswered entry of the table. Returns the
// number still pending (0: all answered at once).
static size_t start_lookups(pac_resolver *r, cn_proxy_resolver_request *req) {
  for (size_t i = 0; i < req->num_lookups; i++)
    cn_address_list_free(&req->lookups[i].addrs);
  free(req->lookups);
  req->lookups = cn_xcalloc(req->dns.count, sizeof(*req->lookups));
  req->num_lookups = 0;
  req->lookups_pending = 0;
  char names[256] = "";
  for (size_t i = 0; i < req->dns.count; i++) {
    if (req->dns.items[i].answered)
      continue;
    size_t used = strlen(names);
    snprintf(names + used, sizeof(names) - used, "%s%s", used ? "," : "", req->dns.items[i].host);
    lookup *l = &req->lookups[req->num_lookups++];
    l->owner = req;
    l->entry = i;
    cn_address_list_init(&l->addrs);
    int rv = cn_host_resolver_resolve(r->o.host_resolver, req->dns.items[i].host, 80,
                                      r->o.netlog, r->source, &l->req, &l->addrs, on_lookup, l);
    if (rv == CN_ERR_IO_PENDING) {
      req->lookups_pending++;
    } else {
      l->req = NULL;
      answer(req, l, rv);
    }
  }
  cn_netlog_event(r->o.netlog, r->source, CN_NETLOG_PAC_DNS_RERUN, CN_NL_INT("run", req->runs),
                  CN_NL_STR("lookups", names));
  return req->lookups_pending;
}

// Runs the script until it answers or waits for DNS. Returns the result, or
// CN_ERR_IO_PENDING while lookups are out.
static int run(pac_resolver *r, cn_proxy_resolver_request *req) {
  if (r->state == SCRIPT_FAILED)
    return fail(r, req, r->failure, r->failure_reason);
  for (;;) {
    char *result = NULL;
    char err[300] = "";
    bool final = req->runs >= r->o.max_dns_reruns;
    req->runs++;
    int rv = cn_pac_script_run(r->script, req->url, req->host, &req->dns, final, &result, err,
                               sizeof(err));
    if (rv == CN_OK) {
      rv = conclude(r, req, result);
      free(result);
      return rv;
    }
    if (rv != CN_PAC_NEEDS_DNS)
      return fail(r, req, rv, err);
    if (start_lookups(r, req) > 0)
      return CN_ERR_IO_PENDING;
  }
}

static void finish_async(cn_proxy_resolver_request *req, int rv) {
  cn_completion_cb cb = req->cb;
  void *arg = req->arg;
  request_free(req);
  cb(arg, rv);
}

static void on_lookup(void *arg, int rv) {
  lookup *l = arg;
  cn_proxy_resolver_request *req = l->owner;
  l->req = NULL;
  answer(req, l, rv);
  if (--req->lookups_pending > 0)
    return;
  rv = run(req->r, req);
  if (rv != CN_ERR_IO_PENDING)
    finish_async(req, rv);
}

// --- the resolver ---

static void on_alert(void *arg, const char *message) {
  pac_resolver *r = arg;
  cn_netlog_event(r->o.netlog, r->source, CN_NETLOG_PAC_JAVASCRIPT_ALERT,
                  CN_NL_STR("message", message));
}

static int pac_resolve(cn_proxy_resolver *self, const cn_url *url, cn_proxy_list *out,
                       bool *bypassed, cn_completion_cb cb, void *arg,
                       cn_proxy_resolver_request **out_req) {
  pac_resolver *r = (pac_resolver *)self;
  *out_req = NULL;
  cn_proxy_resolver_request *req = CN_NEW(cn_proxy_resolver_request);
  cn_list_init(&req->link);
  req->r = r;
  req->url = cn_pac_script_url(url);
  req->host = cn_xstrdup(url->host);
  req->out = out;
  req->bypassed = bypassed;
  *bypassed = false;
  req->cb = cb;
  req->arg = arg;
  cn_pac_dns_table_init(&req->dns);
  if (r->state == SCRIPT_NONE && r->o.on_need_script) {
    r->state = SCRIPT_WAITING;
    r->o.on_need_script(r->o.need_script_arg);  // may set the script at once
  }
  int rv = CN_ERR_IO_PENDING;  // until set_script answers
  if (r->state == SCRIPT_READY || r->state == SCRIPT_FAILED)
    rv = run(r, req);
  if (rv != CN_ERR_IO_PENDING) {
    request_free(req);
    return rv;
  }
  cn_list_push_back(&r->requests, &req->link);
  *out_req = req;
  return rv;
}

static void pac_cancel(cn_proxy_resolver *self, cn_proxy_resolver_request *req) {
  request_free(req);
}

static void pac_destroy(cn_proxy_resolver *self) {
  pac_resolver *r = (pac_resolver *)self;
  cn_list_node *it, *tmp;
  CN_LIST_FOREACH_SAFE(it, tmp, &r->requests) {
    request_free(CN_CONTAINER_OF(it, cn_proxy_resolver_request, link));
  }
  if (r->destroyed)
    *r->destroyed = true;
  cn_pac_script_free(r->script);
  free(r->failure_reason);
  free(r);
}

static const cn_proxy_resolver_ops kPacOps = {
    .resolve = pac_resolve,
    .cancel = pac_cancel,
    .destroy = pac_destroy,
};

cn_proxy_resolver *cn_pac_resolver_new(const cn_pac_resolver_options *o) {
  pac_resolver *r = CN_NEW(pac_resolver);
  r->base.ops = &kPacOps;
  r->o = *o;
  if (r->o.max_dns_reruns <= 0)
    r->o.max_dns_reruns = CN_PAC_DEFAULT_MAX_DNS_RERUNS;
  r->o.script.alert = on_alert;
  r->o.script.alert_arg = r;
  r->source = cn_netlog_new_source(r->o.netlog, CN_NETLOG_SOURCE_PAC_RESOLVER);
  cn_list_init(&r->requests);
  return &r->base;
}

cn_netlog_source cn_pac_resolver_netlog_source(const cn_proxy_resolver *self) {
  return ((const pac_resolver *)self)->source;
}

void cn_pac_resolver_set_script(cn_proxy_resolver *self, int rv, const char *text, size_t len,
                                const char *reason) {
  pac_resolver *r = (pac_resolver *)self;
  if (r->state == SCRIPT_READY || r->state == SCRIPT_FAILED)
    return;
  char err[300] = "";
  if (rv == CN_OK)
    rv = cn_pac_script_new(text, len, &r->o.script, &r->script, err, sizeof(err));
  else
    snprintf(err, sizeof(err), "%s", reason ? reason : cn_error_message(rv));
  if (rv == CN_OK) {
    r->state = SCRIPT_READY;
  } else {
    r->state = SCRIPT_FAILED;
    r->failure = rv;
    r->failure_reason = cn_xstrdup(err);
  }
  // Answer the waiting requests. A callback may cancel others (which
  // unlinks them from |todo|) or destroy the resolver (whose service
  // cancels every request first).
  cn_list_node todo;
  cn_list_init(&todo);
  while (!cn_list_empty(&r->requests)) {
    cn_list_node *n = r->requests.next;
    cn_list_remove(n);
    cn_list_push_back(&todo, n);
  }
  bool destroyed = false;
  r->destroyed = &destroyed;
  while (!destroyed && !cn_list_empty(&todo)) {
    cn_proxy_resolver_request *req = CN_CONTAINER_OF(todo.next, cn_proxy_resolver_request, link);
    cn_list_remove(&req->link);
    cn_list_init(&req->link);
    int result = run(r, req);
    if (result == CN_ERR_IO_PENDING)
      cn_list_push_back(&r->requests, &req->link);  // waits for its lookups
    else
      finish_async(req, result);
  }
  if (!destroyed)
    r->destroyed = NULL;
}
