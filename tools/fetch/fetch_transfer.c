#include "tools/fetch/fetch_transfer.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

void transfer_init(transfer *t, fetch_app *app, const fetch_options *o, size_t index) {
  memset(t, 0, sizeof(*t));
  t->app = app;
  t->o = o;
  t->index = index;
  size_t n = index % o->num_urls;
  char *url = fetch_url_with_scheme(o->urls[n]);
  if (o->upload_file && strcmp(o->upload_file, "-") != 0 && url[strlen(url) - 1] == '/') {
    char *with_name = cn_xasprintf("%s%s", url, base_name(o->upload_file));
    free(url);
    url = with_name;
  }
  t->url = url;
  if (n < o->num_outputs) {
    const fetch_output *out = &o->outputs[n];
    char *name = out->remote_name ? fetch_remote_name(url) : NULL;
    if (out->remote_name && !name)
      name = cn_xstrdup("curl_response");  // curl 8's name for a URL without one
    const char *file = out->remote_name ? name : out->file;
    if (strcmp(file, "-") != 0)
      t->out_path = o->output_dir ? cn_xasprintf("%s/%s", o->output_dir, file) : cn_xstrdup(file);
    free(name);
  }
  t->retries_left = o->retry;
  t->backoff_ms = 1000;
  t->length = -1;
  t->error_hop = CNET_HOP_NONE;
  cn_bytebuf_init(&t->held);
}

void transfer_reset_attempt(transfer *t) {
  t->got_response = false;
  t->http_failed = false;
  t->suppress_body = false;
  t->write_failed = false;
  t->write_errno = 0;
  t->status = 0;
  t->length = -1;
  t->received = 0;
  t->size_header = 0;
  t->start_ns = t->response_ns = t->end_ns = 0;
  t->start_us = t->namelookup_us = t->connect_us = t->appconnect_us = t->pretransfer_us = 0;
  t->remote_ip[0] = '\0';
  t->remote_port = 0;
  t->num_connects = 0;
  t->proxy_error = 0;
  t->cert_detail[0] = '\0';
  t->tls_error = 0;
  t->error_hop = CNET_HOP_NONE;
  t->error_from[0] = '\0';
}

void transfer_note_response(transfer *t, cnet_request *r, const char *content_type) {
  cnet_request_info info;
  cnet_request_layers l;
  cnet_request_get_info(r, &info);
  cnet_request_get_layers(r, &l);
  const char *line = cnet_request_status_line(r);  // "HTTP/1.1 200 OK", "HTTP/2 200"
  size_t vlen = strncmp(line, "HTTP/", 5) == 0 ? strcspn(line + 5, " ") : 0;
  snprintf(t->http_version, sizeof(t->http_version), "%.*s", (int)vlen, line + 5);
  free(t->content_type);
  t->content_type = cn_xstrdup(content_type ? content_type : "");
  free(t->effective_url);
  t->effective_url = cn_xstrdup(info.url);
  free(t->proxy_chain);
  t->proxy_chain = cn_xstrdup(info.proxy_chain);
  t->tunnel_reused = l.tunnel && l.tunnel_reused;
  t->session_reused = (l.session && l.connection_reused) || (l.proxy_session && l.proxy_reused);
  t->redirects = info.redirects;
}

static double seconds_ns(uint64_t from, uint64_t to) {
  return to > from ? (double)(to - from) / 1e9 : 0;
}

static double seconds_us(uint64_t from, uint64_t to) {
  return to > from ? (double)(to - from) / 1e6 : 0;
}

void transfer_fill_report(const transfer *t, fetch_report *r) {
  r->http_code = t->got_response ? t->status : 0;
  r->http_version = t->got_response && t->http_version[0] ? t->http_version : "0";
  r->url_effective = t->effective_url ? t->effective_url : t->url;
  r->method = t->method ? t->method : "";
  r->scheme = strncmp(r->url_effective, "https:", 6) == 0 ? "HTTPS" : "HTTP";  // as curl
  r->content_type = t->content_type ? t->content_type : "";
  r->remote_ip = t->remote_ip;
  r->remote_port = t->remote_port;
  r->proxy_chain = t->proxy_chain ? t->proxy_chain : "";
  r->tunnel_reused = t->tunnel_reused;
  r->session_reused = t->session_reused;
  r->num_connects = t->num_connects;
  r->num_redirects = t->redirects;
  r->size_download = t->received;
  r->size_header = t->size_header;
  r->size_upload = 0;
  r->time_namelookup = seconds_us(t->start_us, t->namelookup_us);
  r->time_connect = seconds_us(t->start_us, t->connect_us);
  r->time_appconnect = seconds_us(t->start_us, t->appconnect_us);
  r->time_pretransfer = seconds_us(t->start_us, t->pretransfer_us);
  r->time_starttransfer = seconds_ns(t->start_ns, t->response_ns);
  r->time_total = seconds_ns(t->start_ns, t->end_ns);
  // curl's order holds even where a figure is missing (a reused
  // connection): each time is at least the one before.
  if (r->time_connect < r->time_namelookup)
    r->time_connect = r->time_namelookup;
  if (r->time_appconnect && r->time_appconnect < r->time_connect)
    r->time_appconnect = r->time_connect;
  double before = r->time_appconnect > r->time_connect ? r->time_appconnect : r->time_connect;
  if (r->time_pretransfer < before)
    r->time_pretransfer = before;
  if (r->time_starttransfer && r->time_starttransfer < r->time_pretransfer)
    r->time_starttransfer = r->time_pretransfer;
  r->errormsg = t->error ? cnet_error_message(t->error) : "";
}

void transfer_free(transfer *t) {
  if (t->file)
    fclose(t->file);
  cn_bytebuf_free(&t->held);
  free(t->url);
  free(t->out_path);
  free(t->content_type);
  free(t->effective_url);
  free(t->proxy_chain);
  memset(t, 0, sizeof(*t));
}

