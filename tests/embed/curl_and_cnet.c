// HTTPS with libcurl (OpenSSL) and with cnet (BoringSSL, inside libcnet) in
// one process: the embedding test of tests/embed_test.sh builds it linked
// both ways round (-lcurl before and after -lcnet) and against libcnet.a.
// With a BoringSSL whose symbols were visible, one library's SSL_* calls
// ran into the other's (a crash in cnet_context_new, or libcurl reporting
// "OpenSSL/not available").
//
//   curl_and_cnet CA_FILE URL     (an https:// URL of cnet's test server)
//
// Fetches URL with libcurl, then with cnet, then with libcurl again; prints
// each body's length and exits 0 when all three fetched the same non-empty
// body and libcurl's TLS library is OpenSSL.
// <uv.h> needs POSIX's pthread types, which strict -std=c11 hides.
#define _POSIX_C_SOURCE 200809L
#include <cnet.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

typedef struct body {
  char *data;
  size_t len;
} body;

static void append(body *b, const void *data, size_t len) {
  b->data = realloc(b->data, b->len + len + 1);
  if (!b->data)
    abort();
  memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
}

static size_t on_curl_data(char *p, size_t size, size_t n, void *arg) {
  append(arg, p, size * n);
  return size * n;
}

static int curl_fetch(const char *ca, const char *url, body *out) {
  CURL *h = curl_easy_init();
  if (!h)
    return -1;
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_CAINFO, ca);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_curl_data);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK)
    fprintf(stderr, "curl: %s\n", curl_easy_strerror(rc));
  curl_easy_cleanup(h);
  return rc == CURLE_OK ? 0 : -1;
}

typedef struct cnet_result {
  body b;
  int status;
  int error;
  int done;
} cnet_result;

static void on_response(cnet_request *r, void *arg, int status, const cnet_header *h, size_t n) {
  ((cnet_result *)arg)->status = status;
}

static void on_data(cnet_request *r, void *arg, const uint8_t *data, size_t len) {
  append(&((cnet_result *)arg)->b, data, len);
}

static void on_complete(cnet_request *r, void *arg, int error) {
  ((cnet_result *)arg)->error = error;
  ((cnet_result *)arg)->done = 1;
}

static int cnet_fetch(const char *ca, const char *url, body *out) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  cnet_context_options o;
  cnet_context_options_init(&o);
  o.loop = &loop;
  o.ca_file = ca;
  cnet_context *ctx;
  char err[256];
  if (cnet_context_new(&o, &ctx, err, sizeof(err)) != 0) {
    fprintf(stderr, "cnet_context_new: %s\n", err);
    return -1;
  }
  cnet_request_options ro;
  cnet_request_options_init(&ro);
  ro.url = url;
  static const cnet_request_callbacks cb = {on_response, on_data, on_complete};
  cnet_result res = {{NULL, 0}, 0, 0, 0};
  cnet_request *req;
  int rv = cnet_request_start(ctx, &ro, &cb, &res, &req);
  // Until the request is done (an idle pooled connection keeps the loop
  // alive after it), then destroy the context and let its handles close.
  while (rv == 0 && !res.done && uv_run(&loop, UV_RUN_ONCE))
    ;
  cnet_context_destroy(ctx);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  if (rv != 0 || !res.done || res.error != 0 || res.status != 200) {
    fprintf(stderr, "cnet: start %d, done %d, error %s, status %d\n", rv, res.done,
            cnet_error_name(res.error), res.status);
    free(res.b.data);
    return -1;
  }
  *out = res.b;
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: curl_and_cnet CA_FILE URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const char *ssl = curl_version_info(CURLVERSION_NOW)->ssl_version;
  printf("libcurl TLS: %s\ncnet: %s\n", ssl ? ssl : "(none)", cnet_version());
  body a = {NULL, 0}, b = {NULL, 0}, c = {NULL, 0};
  int ok = ssl && strncmp(ssl, "OpenSSL/", 8) == 0;
  if (!ok)
    fprintf(stderr, "libcurl's TLS is not OpenSSL: %s\n", ssl ? ssl : "(none)");
  ok = curl_fetch(argv[1], argv[2], &a) == 0 && ok;
  ok = cnet_fetch(argv[1], argv[2], &b) == 0 && ok;
  ok = curl_fetch(argv[1], argv[2], &c) == 0 && ok;
  printf("curl %zu bytes, cnet %zu bytes, curl again %zu bytes\n", a.len, b.len, c.len);
  ok = ok && a.len > 0 && a.len == b.len && b.len == c.len && memcmp(a.data, b.data, a.len) == 0 &&
       memcmp(b.data, c.data, b.len) == 0;
  free(a.data);
  free(b.data);
  free(c.data);
  curl_global_cleanup();
  printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
