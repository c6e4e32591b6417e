// An example app shell embedding cnet: it runs its own libuv loop, loads a
// page, finds the sub-resources the page references (src="…" and
// href="…"), loads them all concurrently, and prints what it got — through a
// proxy if one is given. It uses only <cnet.h>, the public API.
//
//   example_shell [--proxy URL] [--ca FILE] [--proxy-ca FILE]
//                 [--resolve HOST:PORT:ADDR] URL
//
// Build against an installed cnet with:
//   cc shell.c $(pkg-config --cflags --libs cnet) -o shell
#include <cnet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define MAX_RESOURCES 64

typedef struct load {
  char *url;
  size_t bytes;
  int status;
  int error;
  int done;
  char *body;  // kept for the page only, to find its sub-resources
  size_t body_len;
  int keep_body;
} load;

typedef struct shell shell;

// What a request's callbacks get: the shell and the load they fill.
typedef struct load_ref {
  shell *s;
  load *l;
} load_ref;

struct shell {
  uv_loop_t loop;
  cnet_context *ctx;
  load page;
  load subs[MAX_RESOURCES];
  load_ref refs[MAX_RESOURCES + 1];  // [0] the page, then the sub-resources
  int num_subs;
  int pending;
  int failed;
};

static void on_response(cnet_request *r, void *arg, int status, const cnet_header *h, size_t n) {
  load *l = ((load_ref *)arg)->l;
  l->status = status;
}

static void on_data(cnet_request *r, void *arg, const uint8_t *data, size_t len) {
  load *l = ((load_ref *)arg)->l;
  l->bytes += len;
  if (l->keep_body) {
    l->body = realloc(l->body, l->body_len + len + 1);
    memcpy(l->body + l->body_len, data, len);
    l->body_len += len;
    l->body[l->body_len] = '\0';
  }
}

// Absolute URL for |ref| found in a page at |page_url|: absolute URLs as
// they are, "/path" against the page's origin.
static char *resolve(const char *page_url, const char *ref, size_t ref_len) {
  if (ref_len > 8 && (strncmp(ref, "http://", 7) == 0 || strncmp(ref, "https://", 8) == 0)) {
    char *out = malloc(ref_len + 1);
    memcpy(out, ref, ref_len);
    out[ref_len] = '\0';
    return out;
  }
  if (ref_len == 0 || ref[0] != '/')
    return NULL;  // the example handles origin-relative paths only
  const char *p = strstr(page_url, "://");
  const char *slash = p ? strchr(p + 3, '/') : NULL;
  size_t origin_len = slash ? (size_t)(slash - page_url) : strlen(page_url);
  char *out = malloc(origin_len + ref_len + 1);
  memcpy(out, page_url, origin_len);
  memcpy(out + origin_len, ref, ref_len);
  out[origin_len + ref_len] = '\0';
  return out;
}

static void on_any_complete(cnet_request *r, void *arg, int error);

static void start(shell *s, load *l, load_ref *arg) {
  cnet_request_options o;
  memset(&o, 0, sizeof(o));
  o.url = l->url;
  o.follow_redirects = 1;
  cnet_request_callbacks cb = {on_response, on_data, on_any_complete};
  cnet_request *req;
  int rv = cnet_request_start(s->ctx, &o, &cb, arg, &req);
  if (rv != 0) {
    fprintf(stderr, "shell: %s: %s\n", l->url, cnet_error_name(rv));
    l->error = rv;
    l->done = 1;
    s->failed++;
    return;
  }
  s->pending++;
}

static void on_any_complete(cnet_request *r, void *arg, int error) {
  load_ref *ref = arg;
  shell *s = ref->s;
  load *l = ref->l;
  l->error = error;
  l->done = 1;
  s->pending--;
  if (error)
    s->failed++;
  if (l == &s->page && !error && l->body) {
    // Find the sub-resources and load them all at once.
    for (const char *p = l->body; *p && s->num_subs < MAX_RESOURCES; p++) {
      const char *attr = NULL;
      if (strncmp(p, "src=\"", 5) == 0)
        attr = p + 5;
      else if (strncmp(p, "href=\"", 6) == 0)
        attr = p + 6;
      if (!attr)
        continue;
      const char *end = strchr(attr, '"');
      if (!end)
        break;
      char *url = resolve(l->url, attr, (size_t)(end - attr));
      if (url) {
        load *sub = &s->subs[s->num_subs];
        load_ref *sub_ref = &s->refs[1 + s->num_subs];
        sub->url = url;
        sub_ref->s = s;
        sub_ref->l = sub;
        s->num_subs++;
        start(s, sub, sub_ref);
      }
      p = end;
    }
  }
  if (s->pending == 0)
    uv_stop(&s->loop);
}

int main(int argc, char **argv) {
  const char *proxy = NULL, *ca = NULL, *proxy_ca = NULL, *url = NULL;
  const char *rules[8];
  size_t num_rules = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--proxy") && i + 1 < argc)
      proxy = argv[++i];
    else if (!strcmp(argv[i], "--ca") && i + 1 < argc)
      ca = argv[++i];
    else if (!strcmp(argv[i], "--proxy-ca") && i + 1 < argc)
      proxy_ca = argv[++i];
    else if (!strcmp(argv[i], "--resolve") && i + 1 < argc && num_rules < 8)
      rules[num_rules++] = argv[++i];
    else if (argv[i][0] != '-' && !url)
      url = argv[i];
    else {
      fprintf(stderr, "usage: %s [--proxy URL] [--ca FILE] [--proxy-ca FILE] "
                      "[--resolve H:P:ADDR] URL\n", argv[0]);
      return 2;
    }
  }
  if (!url) {
    fprintf(stderr, "shell: no URL\n");
    return 2;
  }
  shell *s = calloc(1, sizeof(*s));
  uv_loop_init(&s->loop);
  cnet_context_options o;
  cnet_context_options_init(&o);
  o.loop = &s->loop;
  o.proxy = proxy;
  o.ca_file = ca;
  o.proxy_ca_file = proxy_ca;
  o.resolve_rules = rules;
  o.num_resolve_rules = num_rules;
  o.user_agent = "cnet-example-shell/0.1";
  char err[256];
  int rv = cnet_context_new(&o, &s->ctx, err, sizeof(err));
  if (rv != 0) {
    fprintf(stderr, "shell: %s: %s\n", cnet_error_name(rv), err);
    return 1;
  }
  s->page.url = strdup(url);
  s->page.keep_body = 1;
  s->refs[0].s = s;
  s->refs[0].l = &s->page;
  start(s, &s->page, &s->refs[0]);
  if (s->pending)
    uv_run(&s->loop, UV_RUN_DEFAULT);

  printf("page %s: status %d, %zu bytes%s%s\n", s->page.url, s->page.status, s->page.bytes,
         s->page.error ? ", " : "", s->page.error ? cnet_error_name(s->page.error) : "");
  for (int i = 0; i < s->num_subs; i++) {
    load *l = &s->subs[i];
    printf("  %s: status %d, %zu bytes%s%s\n", l->url, l->status, l->bytes,
           l->error ? ", " : "", l->error ? cnet_error_name(l->error) : "");
  }
  cnet_stats st;
  cnet_context_get_stats(s->ctx, &st);
  printf("%d resources; tcp_connects %llu, tls_handshakes %llu, tunnels %llu, requests %llu\n",
         s->num_subs, (unsigned long long)st.tcp_connects, (unsigned long long)st.tls_handshakes,
         (unsigned long long)st.tunnels, (unsigned long long)st.requests);
  int failed = s->failed;
  cnet_context_destroy(s->ctx);
  uv_run(&s->loop, UV_RUN_DEFAULT);  // let closing handles finish
  uv_loop_close(&s->loop);
  for (int i = 0; i < s->num_subs; i++)
    free(s->subs[i].url);
  free(s->page.url);
  free(s->page.body);
  free(s);
  return failed ? 1 : 0;
}
