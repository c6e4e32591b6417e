#include "net/http/http_request_info.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"
#include "net/base/net_errors.h"

bool cn_http_method_is_head(const char *method) { return method && strcmp(method, "HEAD") == 0; }

bool cn_http_method_is_connect(const char *method) {
  return method && strcmp(method, "CONNECT") == 0;
}

// Methods that define a meaning for content: RFC 9110 §8.6 asks a user agent
// to send Content-Length for them even when the body is empty (and some
// servers answer 411 otherwise).
static bool method_expects_body(const char *method) {
  return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
         strcmp(method, "PATCH") == 0;
}

static void append_field(cn_bytebuf *b, const char *name, size_t name_len, const char *value,
                         size_t value_len) {
  cn_bytebuf_append(b, name, name_len);
  cn_bytebuf_append(b, ": ", 2);
  cn_bytebuf_append(b, value, value_len);
  cn_bytebuf_append(b, "\r\n", 2);
}

static void append_field_str(cn_bytebuf *b, const char *name, const char *value) {
  append_field(b, name, strlen(name), value, strlen(value));
}

int cn_http_request_write_head(const cn_http_request_info *info, cn_bytebuf *out) {
  if (!info || !info->method || !info->url || !info->url->host)
    return CN_ERR_INVALID_ARGUMENT;
  if (!cn_http_is_token(info->method, strlen(info->method)))
    return CN_ERR_INVALID_ARGUMENT;
  const cn_http_headers *extra = info->extra_headers;
  if (extra && (cn_http_headers_has(extra, "Content-Length") ||
                cn_http_headers_has(extra, "Transfer-Encoding")))
    return CN_ERR_INVALID_ARGUMENT;
  int64_t body_size = 0;
  if (info->upload) {
    body_size = cn_http_upload_size(info->upload);
    if (body_size < -1)
      return CN_ERR_INVALID_ARGUMENT;
  }

  const cn_url *url = info->url;
  bool connect = cn_http_method_is_connect(info->method);
  char *host_header;
  char *target;
  if (connect) {
    // Authority-form always carries the port (RFC 9112 §3.2.3).
    char *host = cn_url_host_bracketed(url);
    target = cn_xasprintf("%s:%u", host, (unsigned)url->port);
    free(host);
    host_header = cn_xstrdup(target);
  } else {
    target = info->use_absolute_form ? cn_url_absolute_form(url) : cn_url_request_target(url);
    host_header = cn_url_authority(url);
  }

  cn_bytebuf_appendf(out, "%s %s HTTP/1.1\r\n", info->method, target);
  const char *host_override = extra ? cn_http_headers_get(extra, "Host") : NULL;
  append_field_str(out, "Host", host_override ? host_override : host_header);
  if (info->user_agent && !(extra && cn_http_headers_has(extra, "User-Agent")))
    append_field_str(out, "User-Agent", info->user_agent);
  if (info->accept_encoding && !(extra && cn_http_headers_has(extra, "Accept-Encoding")))
    append_field_str(out, "Accept-Encoding", CN_HTTP_ACCEPT_ENCODING);
  if (extra) {
    for (size_t i = 0; i < cn_http_headers_count(extra); i++) {
      const cn_http_header *f = cn_http_headers_at(extra, i);
      if (strcasecmp(f->name, "Host") == 0)
        continue;  // sent first, above
      append_field(out, f->name, f->name_len, f->value, f->value_len);
    }
  }
  if (info->upload && body_size < 0) {
    append_field_str(out, "Transfer-Encoding", "chunked");
  } else if (info->upload || method_expects_body(info->method)) {
    char len[24];
    snprintf(len, sizeof(len), "%" PRId64, body_size);
    append_field_str(out, "Content-Length", len);
  }
  cn_bytebuf_append(out, "\r\n", 2);
  free(target);
  free(host_header);
  return CN_OK;
}
