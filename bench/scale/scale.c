// scale — issue #13's scale figures, measured through the public API only
// (cnet.h, as an application embeds it):
//
//   1. N concurrent streams over one h2 session: N GETs of /hang-body/0
//      (the test server answers each with a response head and then sends
//      nothing) started at once, each paused in on_response; when all N
//      heads are in, all N streams are open at the same time on one
//      session. The heap then, less the heap before (the session already
//      made), over N is the memory per open stream — each stream's request,
//      response head and bookkeeping; no body buffer (a paused request makes
//      none until it resumes). Then the N are cancelled.
//   2. N GETs of /bytes/100 started at once on that session: every one a
//      200 with its 100 bytes ("without failure").
//   3. M idle pooled connections: plain HTTP/1.1 (no TLS state to count)
//      to M host names (c0.test ... connected to the one server by a
//      connect-to rule, so each is its own pool group), each used once and
//      left idle in the pool; the heap growth over M is the memory per idle
//      pooled connection (socket, pool entry, its group, and whatever per
//      host the context keeps).
//
//   scale --streams N --connections M --h2-url https://origin.test:P/
//         --plain-port P --ca FILE --resolve H:P:ADDR [--max-seconds S]
//         [--exit-when-open 1]
//
// --exit-when-open 1 exits right after phase 1's measurement, destroying
// nothing: under a heap profiler (heaptrack) what the N open streams hold
// then shows as "leaked", by allocation site.
//
// Heap in use is mallinfo2's uordblks + hblkhd (run it with
// GLIBC_TUNABLES=glibc.malloc.tcache_count=0: glibc's per-thread cache
// counts freed chunks as in use; bench/scale/run.sh does).
// Output, one line each:
//   streams_open N=… heap_before=… heap_open=… per_stream_bytes=…
//   streams_done N=… ok=… failed=…
//   idle_connections M=… heap_before=… heap_idle=… per_connection_bytes=…
// Exit status 0 when every phase completed without a failure within the
// cap; 1 otherwise (the reason on stderr).
#include <cnet.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

typedef struct scale scale;

typedef struct scale_request {
  scale *s;
  cnet_request *req;
  int status;
  uint64_t bytes;
  bool done;
} scale_request;

struct scale {
  uv_loop_t loop;
  uv_timer_t cap_timer;
  cnet_context *ctx;
  scale_request *reqs;
  size_t count;      // requests of the current phase
  size_t heads;      // response heads received
  size_t completed;  // on_complete calls
  size_t failed;
  uint64_t want_bytes;  // 0: bodies not checked
  bool stop_at_heads;   // phase 1: stop the loop when every head is in
  bool timed_out;
  int first_error;
};

static size_t heap_in_use(void) {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

static void on_response(cnet_request *r, void *arg, int status, const cnet_header *h, size_t n) {
  scale_request *q = arg;
  q->status = status;
  scale *s = q->s;
  s->heads++;
  if (s->stop_at_heads)
    cnet_request_pause(r);  // the stream stays open; no body buffer is made
  if (s->stop_at_heads && s->heads == s->count)
    uv_stop(&s->loop);
}

static void on_data(cnet_request *r, void *arg, const uint8_t *data, size_t len) {
  ((scale_request *)arg)->bytes += len;
}

static void on_complete(cnet_request *r, void *arg, int error) {
  scale_request *q = arg;
  scale *s = q->s;
  q->done = true;
  q->req = NULL;
  if (!error && q->status != 200)
    error = -1;
  if (!error && s->want_bytes && q->bytes != s->want_bytes)
    error = -2;
  if (error) {
    if (s->failed < 5)
      fprintf(stderr, "scale: request %zu: %s\n", (size_t)(q - s->reqs),
              error == -1   ? "a status other than 200"
              : error == -2 ? "a body of the wrong length"
                            : cnet_error_name(error));
    if (!s->first_error)
      s->first_error = error;
    s->failed++;
  }
  s->completed++;
  if (!s->stop_at_heads && s->completed == s->count)
    uv_stop(&s->loop);
}

static void on_cap(uv_timer_t *t) {
  scale *s = t->data;
  s->timed_out = true;
  fprintf(stderr, "scale: FAILED: the wall-clock cap was reached (%zu of %zu heads, %zu complete)\n",
          s->heads, s->count, s->completed);
  uv_stop(&s->loop);
}

// Starts |count| requests, the URL of request i from |url_fmt| (a "{i}"
// in it becomes i; or none), and runs the loop until the phase's end.
// |heap_before| (may be NULL): the heap in use once this program's own
// per-request array is allocated, before the first request starts.
static bool run_phase(scale *s, size_t count, const char *url_fmt, bool stop_at_heads,
                      uint64_t want_bytes, size_t *heap_before) {
  s->reqs = calloc(count, sizeof(*s->reqs));
  if (heap_before)
    *heap_before = heap_in_use();
  s->count = count;
  s->heads = s->completed = s->failed = 0;
  s->stop_at_heads = stop_at_heads;
  s->want_bytes = want_bytes;
  cnet_request_callbacks cb = {on_response, on_data, on_complete};
  for (size_t i = 0; i < count; i++) {
    char url[512];
    const char *mark = strstr(url_fmt, "{i}");
    if (mark)
      snprintf(url, sizeof(url), "%.*s%zu%s", (int)(mark - url_fmt), url_fmt, i, mark + 3);
    else
      snprintf(url, sizeof(url), "%s", url_fmt);
    cnet_request_options o;
    cnet_request_options_init(&o);
    o.url = url;
    s->reqs[i].s = s;
    int rv = cnet_request_start(s->ctx, &o, &cb, &s->reqs[i], &s->reqs[i].req);
    if (rv != 0) {
      fprintf(stderr, "scale: cnet_request_start %s: %s\n", url, cnet_error_name(rv));
      return false;
    }
  }
  uv_run(&s->loop, UV_RUN_DEFAULT);
  return !s->timed_out && s->failed == 0 && (stop_at_heads ? s->heads : s->completed) == count;
}

static void end_phase(scale *s) {
  for (size_t i = 0; i < s->count; i++) {
    if (s->reqs[i].req && !s->reqs[i].done)
      cnet_request_cancel(s->reqs[i].req);
  }
  free(s->reqs);
  s->reqs = NULL;
}

int main(int argc, char **argv) {
  size_t streams = 10000, connections = 200;
  double max_seconds = 120;
  bool exit_when_open = false;
  const char *h2_url = NULL, *ca = NULL, *plain_port = NULL;
  const char *rules[2];
  size_t num_rules = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *a = argv[i], *v = argv[i + 1];
    if (!strcmp(a, "--streams"))
      streams = strtoull(v, NULL, 10);
    else if (!strcmp(a, "--connections"))
      connections = strtoull(v, NULL, 10);
    else if (!strcmp(a, "--h2-url"))
      h2_url = v;
    else if (!strcmp(a, "--plain-port"))
      plain_port = v;
    else if (!strcmp(a, "--ca"))
      ca = v;
    else if (!strcmp(a, "--resolve") && num_rules < 2)
      rules[num_rules++] = v;
    else if (!strcmp(a, "--max-seconds"))
      max_seconds = strtod(v, NULL);
    else if (!strcmp(a, "--exit-when-open"))
      exit_when_open = atoi(v) != 0;
    else
      h2_url = NULL, i = argc;  // usage below
  }
  if (!h2_url || !plain_port || !ca || streams == 0 || connections == 0 || argc % 2 == 0) {
    fprintf(stderr,
            "usage: scale --streams N --connections M --h2-url URL --plain-port P --ca FILE\n"
            "             [--resolve H:P:ADDR] [--max-seconds S] [--exit-when-open 1]\n");
    return 2;
  }
  scale *s = calloc(1, sizeof(*s));
  uv_loop_init(&s->loop);
  char connect_to[64];
  snprintf(connect_to, sizeof(connect_to), "::127.0.0.1:%s", plain_port);
  const char *connect_rules[1] = {connect_to};
  cnet_context_options o;
  cnet_context_options_init(&o);
  o.loop = &s->loop;
  o.ca_file = ca;
  o.origin_protocols = "h2,http/1.1";
  o.resolve_rules = rules;
  o.num_resolve_rules = num_rules;
  // Every plain http:// connection goes to the one server: the host names
  // make the pool groups, not the addresses.
  o.connect_to_rules = connect_rules;
  o.num_connect_to_rules = 1;
  o.max_sockets = connections + 16;
  o.user_agent = "cnet-scale/0.1";
  char err[256];
  int rv = cnet_context_new(&o, &s->ctx, err, sizeof(err));
  if (rv != 0) {
    fprintf(stderr, "scale: cnet_context_new: %s: %s\n", cnet_error_name(rv), err);
    return 1;
  }
  printf("start streams=%zu connections=%zu\n", streams, connections);  // stdout's buffer now
  fflush(stdout);
  uv_timer_init(&s->loop, &s->cap_timer);
  s->cap_timer.data = s;
  uv_timer_start(&s->cap_timer, on_cap, (uint64_t)(max_seconds * 1000), 0);

  bool ok = true;
  char fmt[512];
  // Warm-up: the h2 session exists, its tables have their first size.
  snprintf(fmt, sizeof(fmt), "%sbytes/100", h2_url);
  ok = run_phase(s, 1, fmt, false, 100, NULL);
  end_phase(s);

  // 1. N open streams at once.
  if (ok) {
    size_t before = 0;
    snprintf(fmt, sizeof(fmt), "%shang-body/0?{i}", h2_url);
    ok = run_phase(s, streams, fmt, true, 0, &before);
    size_t open = heap_in_use();
    printf("streams_open N=%zu heads=%zu heap_before=%zu heap_open=%zu per_stream_bytes=%.0f\n",
           streams, s->heads, before, open, ((double)open - (double)before) / (double)streams);
    if (!ok)
      fprintf(stderr, "scale: only %zu of %zu streams were open at once\n", s->heads, streams);
    fflush(stdout);
    if (exit_when_open)
      exit(ok ? 0 : 1);
    end_phase(s);
  }
  // 2. N at once, each to its end.
  if (ok) {
    snprintf(fmt, sizeof(fmt), "%sbytes/100?{i}", h2_url);
    ok = run_phase(s, streams, fmt, false, 100, NULL);
    printf("streams_done N=%zu ok=%zu failed=%zu\n", streams, s->completed - s->failed,
           s->failed);
    end_phase(s);
  }
  // 3. M idle pooled HTTP/1.1 connections.
  if (ok) {
    snprintf(fmt, sizeof(fmt), "http://warm.test:%s/bytes/100", plain_port);
    ok = run_phase(s, 1, fmt, false, 100, NULL);
    end_phase(s);
  }
  if (ok) {
    size_t before = heap_in_use();
    snprintf(fmt, sizeof(fmt), "http://c{i}.test:%s/bytes/100", plain_port);
    ok = run_phase(s, connections, fmt, false, 100, NULL);
    end_phase(s);
    size_t idle = heap_in_use();
    printf("idle_connections M=%zu heap_before=%zu heap_idle=%zu per_connection_bytes=%.0f\n",
           connections, before, idle, ((double)idle - (double)before) / (double)connections);
  }
  if (!ok && s->first_error)
    fprintf(stderr, "scale: FAILED: first error %s\n",
            s->first_error == -1   ? "a status other than 200"
            : s->first_error == -2 ? "a body of the wrong length"
                                   : cnet_error_name(s->first_error));
  fflush(stdout);
  cnet_context_destroy(s->ctx);
  uv_close((uv_handle_t *)&s->cap_timer, NULL);
  uv_run(&s->loop, UV_RUN_DEFAULT);
  uv_loop_close(&s->loop);
  free(s);
  return ok ? 0 : 1;
}
