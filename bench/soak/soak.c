// soak — a bounded soak of cnet through its public API (cnet.h only, as an
// application embeds it). It runs |count| GETs of one URL with at most
// |concurrency| in flight on one context, and reports the process's memory
// and open file descriptors at 10 %, 50 % and 100 % of the run, then a
// verdict on the heap: "flat", or "grows by X bytes/request after warm-up".
//
//   soak --label NAME --count N [--concurrency C] [--max-seconds S]
//        [--proxy URL] [--proxy-ca FILE] [--ca FILE] [--resolve H:P:ADDR]
//        [--proxy-protocols LIST] [--protocols LIST] [--body-bytes N]
//        [--flat-bytes X] [--keep-context] [--netlog] [--unique-urls] URL
//
// --keep-context exits without destroying the context: under a heap
// profiler (heaptrack, valgrind --leak-check) what the context still holds
// after N requests then shows as "leaked", by allocation site — run it with
// two counts and compare to find what grows per request.
//
// Each checkpoint is taken with nothing in flight: the run stops starting
// requests, lets those in flight finish, measures, and goes on. What is
// measured is then what the context keeps between requests (idle
// connections and sessions, caches, logs) and not a random mix of
// half-done requests.
//
// Measures (all of this process):
//   rss_kb  VmRSS from /proc/self/status (what the issue was filed on; it
//           moves in pages and keeps freed memory, so it is coarse)
//   heap    bytes malloc has handed out and not had back (mallinfo2's
//           uordblks + hblkhd): the creep detector, exact to the byte
//   fds     entries of /proc/self/fd (less the one reading it)
//
// The verdict compares the heap at 10 % (after warm-up: sessions made,
// tables at size) and at 100 %: the growth divided by the requests between
// them. Below --flat-bytes (0.1 by default) bytes per request it is "flat".
//
// Output, one line each, for bench/soak/run.sh to read:
//   checkpoint LABEL PCT requests=N rss_kb=K heap=B fds=F elapsed_ms=T
//   result LABEL requests=N failed=F heap_growth_per_request=X fds_10=A fds_100=B
//   verdict LABEL flat | verdict LABEL grows by X bytes/request after warm-up
// Exit status: 0 when every request got a 200 with the whole body and the
// run ended within --max-seconds; 1 otherwise (the reason on stderr). The
// verdict does not set the exit status: run.sh judges it.
#include <cnet.h>
#include <dirent.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

typedef struct soak_sample {
  int pct;
  uint64_t requests;
  long rss_kb;
  size_t heap;
  int fds;
  uint64_t elapsed_ms;
} soak_sample;

typedef struct soak {
  uv_loop_t loop;
  uv_timer_t cap_timer;
  cnet_context *ctx;
  const char *label;
  const char *url;
  uint64_t count;
  uint64_t concurrency;
  uint64_t body_bytes;  // expected body length; 0: not checked
  // Every request's URL differs: "{n}" in the URL is replaced by the
  // request's number (a host name per request, say), or "?N" is appended.
  bool unique_urls;
  uint64_t started;
  uint64_t completed;
  uint64_t failed;
  uint64_t in_flight;
  int first_error;
  int timed_out;
  uint64_t start_ms;
  // Checkpoints at 10, 50 and 100 % of |count|; |next_checkpoint| indexes
  // the one the run is heading for.
  soak_sample samples[3];
  int next_checkpoint;
} soak;

static const int kCheckpointPct[3] = {10, 50, 100};

// One request's state, freed in on_complete.
typedef struct soak_request {
  soak *s;
  int status;
  uint64_t bytes;
} soak_request;

static long read_rss_kb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f)
    return -1;
  char line[256];
  long kb = -1;
  while (fgets(line, sizeof(line), f)) {
    if (strncmp(line, "VmRSS:", 6) == 0) {
      kb = strtol(line + 6, NULL, 10);
      break;
    }
  }
  fclose(f);
  return kb;
}

static size_t read_heap_in_use(void) {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

static int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d)
    return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] != '.')
      n++;
  }
  closedir(d);
  return n - 1;  // the directory stream's own fd
}

static uint64_t checkpoint_target(const soak *s, int i) {
  return s->count * (uint64_t)kCheckpointPct[i] / 100;
}

static void take_sample(soak *s) {
  soak_sample *x = &s->samples[s->next_checkpoint];
  x->pct = kCheckpointPct[s->next_checkpoint];
  x->requests = s->completed;
  x->rss_kb = read_rss_kb();
  x->heap = read_heap_in_use();
  x->fds = count_fds();
  x->elapsed_ms = uv_now(&s->loop) - s->start_ms;
  printf("checkpoint %s %d%% requests=%llu rss_kb=%ld heap=%zu fds=%d elapsed_ms=%llu\n",
         s->label, x->pct, (unsigned long long)x->requests, x->rss_kb, x->heap, x->fds,
         (unsigned long long)x->elapsed_ms);
  fflush(stdout);
  s->next_checkpoint++;
}

static void on_response(cnet_request *r, void *arg, int status, const cnet_header *h, size_t n) {
  ((soak_request *)arg)->status = status;
  // What an application's log line would read (fetch -v does): the soak
  // covers these too.
  cnet_request_info info;
  cnet_request_get_info(r, &info);
  cnet_request_layers layers;
  cnet_request_get_layers(r, &layers);
  if (!info.url || !layers.protocol || !cnet_request_status_line(r))
    ((soak_request *)arg)->status = -1;
}

static void on_data(cnet_request *r, void *arg, const uint8_t *data, size_t len) {
  ((soak_request *)arg)->bytes += len;
}

static void on_complete(cnet_request *r, void *arg, int error);

// Starts requests up to the concurrency bound, but never past the next
// checkpoint: the checkpoint is measured with nothing in flight.
static void fill(soak *s) {
  if (s->timed_out || s->next_checkpoint >= 3)
    return;
  uint64_t limit = checkpoint_target(s, s->next_checkpoint);
  while (s->in_flight < s->concurrency && s->started < limit) {
    soak_request *q = calloc(1, sizeof(*q));
    q->s = s;
    cnet_request_options o;
    cnet_request_options_init(&o);
    char url[2048];
    o.url = s->url;
    if (s->unique_urls) {
      const char *mark = strstr(s->url, "{n}");
      if (mark)
        snprintf(url, sizeof(url), "%.*s%llu%s", (int)(mark - s->url), s->url,
                 (unsigned long long)s->started, mark + 3);
      else
        snprintf(url, sizeof(url), "%s?%llu", s->url, (unsigned long long)s->started);
      o.url = url;
    }
    cnet_request_callbacks cb = {on_response, on_data, on_complete};
    cnet_request *req;
    int rv = cnet_request_start(s->ctx, &o, &cb, q, &req);
    s->started++;
    if (rv != 0) {
      fprintf(stderr, "soak %s: cnet_request_start: %s\n", s->label, cnet_error_name(rv));
      free(q);
      s->failed++;
      s->completed++;
      if (!s->first_error)
        s->first_error = rv;
      continue;
    }
    s->in_flight++;
  }
  if (s->in_flight == 0 && s->completed == limit) {
    // Everything up to the checkpoint is done and nothing is in flight.
    take_sample(s);
    if (s->next_checkpoint >= 3) {
      uv_timer_stop(&s->cap_timer);
      uv_stop(&s->loop);
      return;
    }
    fill(s);
  }
}

static void on_complete(cnet_request *r, void *arg, int error) {
  soak_request *q = arg;
  soak *s = q->s;
  if (!error && q->status != 200)
    error = -1;  // reported below as a status
  if (!error && s->body_bytes && q->bytes != s->body_bytes)
    error = -2;
  if (error) {
    if (s->failed < 5) {
      if (error == -1)
        fprintf(stderr, "soak %s: request %llu: status %d\n", s->label,
                (unsigned long long)s->completed, q->status);
      else if (error == -2)
        fprintf(stderr, "soak %s: request %llu: body of %llu bytes, want %llu\n", s->label,
                (unsigned long long)s->completed, (unsigned long long)q->bytes,
                (unsigned long long)s->body_bytes);
      else
        fprintf(stderr, "soak %s: request %llu: %s (%s)\n", s->label,
                (unsigned long long)s->completed, cnet_error_name(error),
                cnet_error_message(error));
    }
    s->failed++;
    if (!s->first_error)
      s->first_error = error;
  }
  free(q);
  s->in_flight--;
  s->completed++;
  fill(s);
}

static void on_cap(uv_timer_t *t) {
  soak *s = t->data;
  s->timed_out = 1;
  fprintf(stderr,
          "soak %s: FAILED: the wall-clock cap was reached after %llu of %llu requests "
          "(%llu in flight)\n",
          s->label, (unsigned long long)s->completed, (unsigned long long)s->count,
          (unsigned long long)s->in_flight);
  uv_stop(&s->loop);
}

// --netlog: a NetLog callback that only counts the bytes, so the cost of
// building every event's JSON is part of what the soak measures.
static void on_netlog(void *arg, const char *json_line, size_t len) {
  *(uint64_t *)arg += len;
}

static void usage(const char *argv0) {
  fprintf(stderr,
          "usage: %s --label NAME --count N [--concurrency C] [--max-seconds S]\n"
          "          [--proxy URL] [--proxy-ca FILE] [--ca FILE] [--resolve H:P:ADDR]\n"
          "          [--proxy-protocols LIST] [--protocols LIST] [--body-bytes N]\n"
          "          [--flat-bytes X] [--keep-context] [--netlog] [--unique-urls] URL\n",
          argv0);
}

int main(int argc, char **argv) {
  soak *s = calloc(1, sizeof(*s));
  s->label = "soak";
  s->concurrency = 50;
  double max_seconds = 300, flat_bytes = 0.1;
  int keep_context = 0;
  uint64_t netlog_bytes = 0;
  cnet_context_options o;
  cnet_context_options_init(&o);
  const char *rule = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (a[0] != '-' && !s->url) {
      s->url = a;
      continue;
    }
    if (!strcmp(a, "--keep-context")) {
      keep_context = 1;
      continue;
    }
    if (!strcmp(a, "--unique-urls")) {
      s->unique_urls = true;
      continue;
    }
    if (!strcmp(a, "--netlog")) {
      o.netlog = on_netlog;
      o.netlog_arg = &netlog_bytes;
      continue;
    }
    if (!v) {
      usage(argv[0]);
      return 2;
    }
    i++;
    if (!strcmp(a, "--label"))
      s->label = v;
    else if (!strcmp(a, "--count"))
      s->count = strtoull(v, NULL, 10);
    else if (!strcmp(a, "--concurrency"))
      s->concurrency = strtoull(v, NULL, 10);
    else if (!strcmp(a, "--max-seconds"))
      max_seconds = strtod(v, NULL);
    else if (!strcmp(a, "--flat-bytes"))
      flat_bytes = strtod(v, NULL);
    else if (!strcmp(a, "--body-bytes"))
      s->body_bytes = strtoull(v, NULL, 10);
    else if (!strcmp(a, "--proxy"))
      o.proxy = v;
    else if (!strcmp(a, "--proxy-ca"))
      o.proxy_ca_file = v;
    else if (!strcmp(a, "--ca"))
      o.ca_file = v;
    else if (!strcmp(a, "--resolve"))
      rule = v;
    else if (!strcmp(a, "--proxy-protocols"))
      o.proxy_protocols = v;
    else if (!strcmp(a, "--protocols"))
      o.origin_protocols = v;
    else {
      usage(argv[0]);
      return 2;
    }
  }
  if (!s->url || s->count < 10 || s->concurrency == 0 || max_seconds <= 0) {
    usage(argv[0]);
    return 2;
  }
  if (rule) {
    o.resolve_rules = &rule;
    o.num_resolve_rules = 1;
  }
  uv_loop_init(&s->loop);
  o.loop = &s->loop;
  o.user_agent = "cnet-soak/0.1";
  char err[256];
  int rv = cnet_context_new(&o, &s->ctx, err, sizeof(err));
  if (rv != 0) {
    fprintf(stderr, "soak %s: cnet_context_new: %s: %s\n", s->label, cnet_error_name(rv), err);
    return 1;
  }
  // The first line also gives stdout its buffer now, not inside the first
  // checkpoint's measurement (it would count as 4 KiB of growth).
  printf("start %s count=%llu concurrency=%llu url=%s\n", s->label,
         (unsigned long long)s->count, (unsigned long long)s->concurrency, s->url);
  fflush(stdout);
  uv_timer_init(&s->loop, &s->cap_timer);
  s->cap_timer.data = s;
  uv_timer_start(&s->cap_timer, on_cap, (uint64_t)(max_seconds * 1000), 0);
  uv_update_time(&s->loop);
  s->start_ms = uv_now(&s->loop);
  fill(s);
  uv_run(&s->loop, UV_RUN_DEFAULT);

  int ok = !s->timed_out && s->failed == 0 && s->next_checkpoint == 3;
  if (s->next_checkpoint == 3) {
    const soak_sample *a = &s->samples[0], *b = &s->samples[2];
    double per_request =
        ((double)b->heap - (double)a->heap) / (double)(b->requests - a->requests);
    printf("result %s requests=%llu failed=%llu heap_growth_per_request=%.3f fds_10=%d "
           "fds_100=%d rss_kb_10=%ld rss_kb_100=%ld\n",
           s->label, (unsigned long long)s->completed, (unsigned long long)s->failed,
           per_request, a->fds, b->fds, a->rss_kb, b->rss_kb);
    if (per_request < flat_bytes)
      printf("verdict %s flat\n", s->label);
    else
      printf("verdict %s grows by %.2f bytes/request after warm-up\n", s->label, per_request);
  }
  if (s->failed)
    fprintf(stderr, "soak %s: FAILED: %llu of %llu requests failed (first: %s)\n", s->label,
            (unsigned long long)s->failed, (unsigned long long)s->completed,
            s->first_error == -1   ? "a status other than 200"
            : s->first_error == -2 ? "a body of the wrong length"
                                   : cnet_error_name(s->first_error));
  fflush(stdout);
  if (keep_context)
    exit(ok ? 0 : 1);

  cnet_context_destroy(s->ctx);
  uv_close((uv_handle_t *)&s->cap_timer, NULL);
  uv_run(&s->loop, UV_RUN_DEFAULT);  // let closing handles finish
  uv_loop_close(&s->loop);
  free(s);
  return ok ? 0 : 1;
}
