#include "net/cnet_pac.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytebuf.h"
#include "base/mem.h"
#include "net/proxy_resolution/pac_resolver.h"

struct cnet_pac {
  cnet_context *ctx;
  char *url;  // http(s) only
  cn_proxy_resolver *resolver;  // owned by the service
  cn_netlog *netlog;
  cnet_request *fetch;
  int status;
  bool too_big;
  cn_bytebuf body;
};

static void on_fetch_response(cnet_request *r, void *arg, int status, const cnet_header *h,
                              size_t n) {
  ((cnet_pac *)arg)->status = status;
}

static void on_fetch_data(cnet_request *r, void *arg, const uint8_t *data, size_t len) {
  cnet_pac *p = arg;
  if (p->too_big || cn_bytebuf_len(&p->body) + len > CNET_PAC_MAX_BYTES) {
    p->too_big = true;
    return;
  }
  cn_bytebuf_append(&p->body, data, len);
}

static void on_fetch_complete(cnet_request *r, void *arg, int error) {
  cnet_pac *p = arg;
  p->fetch = NULL;
  char reason[400];
  int rv = error;
  if (rv != 0) {
    snprintf(reason, sizeof(reason), "cannot fetch the PAC script %s: %s", p->url,
             cnet_error_name(rv));
  } else if (p->status != 200) {
    rv = CN_ERR_PAC_STATUS_NOT_OK;
    snprintf(reason, sizeof(reason), "the PAC script %s answered %d, not 200", p->url,
             p->status);
  } else if (p->too_big) {
    rv = CN_ERR_FILE_TOO_BIG;
    snprintf(reason, sizeof(reason), "the PAC script %s is larger than %d bytes", p->url,
             CNET_PAC_MAX_BYTES);
  } else {
    reason[0] = '\0';
  }
  cn_netlog_source src = cn_pac_resolver_netlog_source(p->resolver);
  if (rv == CN_OK)
    cn_netlog_end(p->netlog, src, CN_NETLOG_PAC_FILE_FETCH, CN_NL_INT("bytes", cn_bytebuf_len(&p->body)));
  else
    cn_netlog_end(p->netlog, src, CN_NETLOG_PAC_FILE_FETCH, CN_NL_ERROR(rv),
                  CN_NL_STR("message", reason));
  // Answers the waiting requests; their callbacks may destroy the context
  // (and |p|): touch nothing after this.
  cn_pac_resolver_set_script(p->resolver, rv, (const char *)cn_bytebuf_head(&p->body),
                             cn_bytebuf_len(&p->body), reason);
}

static void start_fetch(void *arg) {
  cnet_pac *p = arg;
  static const cnet_request_callbacks kCallbacks = {
      .on_response = on_fetch_response,
      .on_data = on_fetch_data,
      .on_complete = on_fetch_complete,
  };
  cnet_request_options o;
  cnet_request_options_init(&o);
  o.url = p->url;
  o.proxy = "direct://";
  o.follow_redirects = true;
  cn_netlog_begin(p->netlog, cn_pac_resolver_netlog_source(p->resolver),
                  CN_NETLOG_PAC_FILE_FETCH, CN_NL_STR("url", p->url));
  int rv = cnet_request_start(p->ctx, &o, &kCallbacks, p, &p->fetch);
  if (rv != 0) {
    // (The URL parsed at context creation, so this should not happen.) A
    // script set from inside on_need_script answers the resolve that asked
    // synchronously, so nothing waits for a fetch that never started.
    p->fetch = NULL;
    char reason[400];
    snprintf(reason, sizeof(reason), "cannot fetch the PAC script %s: %s", p->url,
             cnet_error_name(rv));
    cn_netlog_end(p->netlog, cn_pac_resolver_netlog_source(p->resolver),
                  CN_NETLOG_PAC_FILE_FETCH, CN_NL_ERROR(rv), CN_NL_STR("message", reason));
    cn_pac_resolver_set_script(p->resolver, rv, NULL, 0, reason);
  }
}

static int read_file(const char *path, cn_bytebuf *out, char *err, size_t err_size) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, err_size, "cannot read the PAC script %s: %s", path, strerror(errno));
    return CN_ERR_FILE_NOT_FOUND;
  }
  uint8_t buf[8192];
  size_t n;
  int rv = CN_OK;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
    if (cn_bytebuf_len(out) + n > CNET_PAC_MAX_BYTES) {
      snprintf(err, err_size, "the PAC script %s is larger than %d bytes", path,
               CNET_PAC_MAX_BYTES);
      rv = CN_ERR_FILE_TOO_BIG;
      break;
    }
    cn_bytebuf_append(out, buf, n);
  }
  if (rv == CN_OK && ferror(f)) {
    snprintf(err, err_size, "cannot read the PAC script %s: %s", path, strerror(errno));
    rv = CN_ERR_FAILED;
  }
  fclose(f);
  return rv;
}

int cnet_pac_new(cnet_context *c, const char *pac_url, bool mandatory, cn_host_resolver *hr,
                 cn_netlog *netlog, cn_proxy_service **svc, cnet_pac **out, char *err,
                 size_t err_size) {
  *svc = NULL;
  *out = NULL;
  bool is_url = strncmp(pac_url, "http://", 7) == 0 || strncmp(pac_url, "https://", 8) == 0;
  const char *path = strncmp(pac_url, "file://", 7) == 0 ? pac_url + 7 : pac_url;
  cnet_pac *p = CN_NEW(cnet_pac);
  p->ctx = c;
  p->netlog = netlog;
  cn_bytebuf_init(&p->body);
  if (!is_url) {
    int rv = read_file(path, &p->body, err, err_size);
    if (rv != CN_OK) {
      cnet_pac_free(p);
      return rv;
    }
  } else {
    cn_url parsed;
    if (cn_url_parse(pac_url, &parsed) != CN_OK) {
      snprintf(err, err_size, "pac_url '%s' is not a valid URL", pac_url);
      cnet_pac_free(p);
      return CN_ERR_INVALID_URL;
    }
    cn_url_free(&parsed);
    p->url = cn_xstrdup(pac_url);
  }
  cn_pac_resolver_options ro = {0};
  ro.host_resolver = hr;
  ro.netlog = netlog;
  ro.mandatory = mandatory;
  ro.on_need_script = start_fetch;
  ro.need_script_arg = p;
  p->resolver = cn_pac_resolver_new(&ro);
  if (!is_url) {
    cn_pac_resolver_set_script(p->resolver, CN_OK, (const char *)cn_bytebuf_head(&p->body),
                               cn_bytebuf_len(&p->body), NULL);
    cn_bytebuf_free(&p->body);
    cn_bytebuf_init(&p->body);
  }
  cn_proxy_service_options so = {0};
  so.netlog = netlog;
  *svc = cn_proxy_service_new(p->resolver, &so);
  *out = p;
  return CN_OK;
}

void cnet_pac_free(cnet_pac *p) {
  if (!p)
    return;
  if (p->fetch)
    cnet_request_cancel(p->fetch);
  cn_bytebuf_free(&p->body);
  free(p->url);
  free(p);
}
