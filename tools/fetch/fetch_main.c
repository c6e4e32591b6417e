// fetch: a curl-like command-line client on cnet's public API (net/cnet.h).
//
// The URL list (repeated --repeat times) is fetched through one cnet
// context, up to --parallel transfers at once, so later requests reuse
// earlier connections exactly as cnet's pools allow; --stats shows the
// counts. Bodies are written in URL order even when transfers run in
// parallel (a transfer ahead of its turn keeps its body in memory). Errors
// name the cnet error and the URL and exit 1; bad usage exits 2.
//
// Besides cnet.h, fetch uses libuv (its own loop, the --max-time and
// progress timers) and the ladder diagram (ladder.h), which reads the same
// NetLog lines any application gets from the context.
#include <cnet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <uv.h>

#include "tools/fetch/fetch_options.h"
#include "tools/fetch/ladder.h"

#define FETCH_VERSION "fetch (cnet) 0.1"
#define FETCH_USER_AGENT "cnet-fetch/0.1"
// The progress bar is redrawn at most this often.
#define PROGRESS_INTERVAL_MS 100

typedef struct fetch_app fetch_app;

// Bytes kept in memory: a body waiting for earlier transfers to finish.
typedef struct held_bytes {
  char *data;
  size_t len;
  size_t cap;
} held_bytes;

static void held_append(held_bytes *h, const void *data, size_t len) {
  if (h->len + len > h->cap) {
    size_t cap = h->cap ? h->cap : 4096;
    while (cap < h->len + len)
      cap *= 2;
    char *grown = realloc(h->data, cap);
    if (!grown) {
      fprintf(stderr, "fetch: out of memory\n");
      abort();
    }
    h->data = grown;
    h->cap = cap;
  }
  memcpy(h->data + h->len, data, len);
  h->len += len;
}

static void held_free(held_bytes *h) {
  free(h->data);
  memset(h, 0, sizeof(*h));
}

// One URL's transfer (cnet follows its redirects with -L).
typedef struct transfer {
  fetch_app *app;
  size_t index;      // position in the run: bodies are written in this order
  const char *url;   // as given (cnet owns the request itself)
  bool got_response;
  bool done;
  int64_t length;   // Content-Length of the body as delivered; -1 unknown
  uint64_t received;
  held_bytes held;  // output waiting for earlier transfers to finish
} transfer;

// The one-line progress bar on stderr (curl's meter, simplified).
typedef struct progress {
  bool enabled;
  bool drawn;  // a bar is on the line now (end it before other output)
  uv_timer_t timer;
  uint64_t start_ms;
} progress;

struct fetch_app {
  uv_loop_t loop;
  const fetch_options *o;
  cnet_context *ctx;
  FILE *netlog_file;
  fetch_ladder *ladder;
  FILE *out;
  cnet_header *headers;  // -H, split into name and value
  char **header_copies;
  size_t num_headers;
  uv_timer_t deadline;
  bool deadline_started;
  progress progress;
  transfer *transfers;  // every transfer of the run, in order
  size_t total;
  size_t started;
  size_t running;
  size_t written;  // transfers whose output is completely written out
  bool stopping;
  int exit_code;
};

static void start_more(fetch_app *app);

// --- the progress bar ---

static void format_size(double bytes, char *buf, size_t size) {
  static const char *const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  size_t u = 0;
  while (bytes >= 1024 && u + 1 < sizeof(kUnits) / sizeof(kUnits[0])) {
    bytes /= 1024;
    u++;
  }
  snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", bytes, kUnits[u]);
}

// Draws the bar for the whole run: bytes received over every transfer, a
// percentage and a bar when every transfer's length is known.
static void progress_draw(fetch_app *app) {
  uint64_t received = 0, total = 0;
  bool total_known = app->total > 0;
  for (size_t i = 0; i < app->total; i++) {
    const transfer *t = &app->transfers[i];
    received += t->received;
    if (t->length < 0)
      total_known = false;
    else
      total += (uint64_t)t->length;
  }
  double secs = (double)(uv_now(&app->loop) - app->progress.start_ms) / 1000.0;
  char got[32], rate[32], all[32];
  format_size((double)received, got, sizeof(got));
  format_size(secs > 0 ? (double)received / secs : 0, rate, sizeof(rate));
  if (total_known && total > 0) {
    double frac = (double)received / (double)total;
    if (frac > 1)
      frac = 1;
    char bar[31];
    size_t filled = (size_t)(frac * 30);
    memset(bar, '#', filled);
    memset(bar + filled, ' ', 30 - filled);
    bar[30] = '\0';
    format_size((double)total, all, sizeof(all));
    fprintf(stderr, "\r%5.1f%% [%s] %s / %s  %s/s   ", frac * 100, bar, got, all, rate);
  } else {
    fprintf(stderr, "\r%s  %s/s   ", got, rate);
  }
  fflush(stderr);
  app->progress.drawn = true;
}

static void on_progress_tick(uv_timer_t *timer) {
  fetch_app *app = timer->data;
  progress_draw(app);
}

// Ends the bar's line so that other output (an error) starts on its own.
static void progress_break_line(fetch_app *app) {
  if (app->progress.drawn) {
    fputc('\n', stderr);
    app->progress.drawn = false;
  }
}

// The bar shows when the body does not go to a terminal and stderr is one
// (curl's rule), unless -s, --no-progress or -v (whose lines it would cut).
static bool progress_wanted(const fetch_options *o) {
  bool body_to_terminal = !o->output && isatty(STDOUT_FILENO);
  return !o->silent && !o->no_progress && !o->verbose && !body_to_terminal &&
         isatty(STDERR_FILENO);
}

static void progress_start(fetch_app *app) {
  progress *p = &app->progress;
  p->enabled = progress_wanted(app->o);
  if (!p->enabled)
    return;
  p->start_ms = uv_now(&app->loop);
  uv_timer_init(&app->loop, &p->timer);
  p->timer.data = app;
  uv_timer_start(&p->timer, on_progress_tick, PROGRESS_INTERVAL_MS, PROGRESS_INTERVAL_MS);
}

// The final state of the bar, on a line of its own.
static void progress_finish(fetch_app *app) {
  progress *p = &app->progress;
  if (!p->enabled)
    return;
  uv_timer_stop(&p->timer);
  uv_close((uv_handle_t *)&p->timer, NULL);
  if (app->exit_code == 0)
    progress_draw(app);
  progress_break_line(app);
}

// --- output in URL order ---

static void stop(fetch_app *app, int exit_code) {
  if (!app->exit_code)
    app->exit_code = exit_code;
  app->stopping = true;
  uv_stop(&app->loop);
}

static void fail(transfer *t, int err, const char *what) {
  progress_break_line(t->app);
  fprintf(stderr, "fetch: %s (%s) %s %s\n", cnet_error_name(err), cnet_error_message(err), what,
          t->url);
  stop(t->app, 1);
}

static bool write_out(fetch_app *app, const void *data, size_t len) {
  if (len && fwrite(data, 1, len, app->out) != len) {
    progress_break_line(app);
    fprintf(stderr, "fetch: cannot write the body: output error\n");
    stop(app, 1);
    return false;
  }
  return true;
}

// Output of |t|: written at once when it is next in order, else held.
static void emit(transfer *t, const void *data, size_t len) {
  if (t->app->written == t->index)
    write_out(t->app, data, len);
  else
    held_append(&t->held, data, len);
}

// Writes out, in order, the output of transfers now at the front.
static void flush_in_order(fetch_app *app) {
  while (app->written < app->total) {
    transfer *t = &app->transfers[app->written];
    if (!write_out(app, t->held.data, t->held.len))
      return;
    held_free(&t->held);
    if (!t->done)
      return;
    app->written++;
  }
}

// --- -v: each layer of the connection ---

static const char *new_or_reused(bool reused) { return reused ? "reused" : "new"; }

static void print_tls(const char *who, const cnet_tls_info *tls) {
  if (!tls->version[0])
    return;
  fprintf(stderr, "* %s TLS: %s %s, ALPN %s, %s\n", who, tls->version, tls->cipher,
          tls->alpn[0] ? tls->alpn : "(none)", tls->resumed ? "resumed" : "full handshake");
}

static void describe_layers(cnet_request *r) {
  cnet_request_info info;
  cnet_request_layers l;
  cnet_request_get_info(r, &info);
  cnet_request_get_layers(r, &l);
  if (info.redirects)
    fprintf(stderr, "* followed %d redirect(s) to %s\n", info.redirects, info.url);
  if (info.resends)
    fprintf(stderr, "* resent %d time(s) on a new connection\n", info.resends);
  if (!l.has_proxy)
    fprintf(stderr, "* direct\n");
  // One set of lines per hop: how it was reached (TCP for the first, a
  // tunnel through the one before for the others), its TLS and protocol,
  // and the tunnel through it.
  for (size_t k = 0; k < l.num_hops; k++) {
    const cnet_proxy_hop *h = &l.hops[k];
    char who[32];
    if (l.num_hops == 1)
      snprintf(who, sizeof(who), "proxy");
    else
      snprintf(who, sizeof(who), "proxy %zu", k + 1);
    if (k == 0)
      fprintf(stderr, "* %s %s: TCP %s\n", who, h->proxy, new_or_reused(h->reused));
    else
      fprintf(stderr, "* %s %s: through proxy %zu, %s\n", who, h->proxy, k,
              new_or_reused(h->reused));
    // A SOCKS5 proxy speaks no HTTP: its tunnel is its handshake.
    bool socks = strncmp(h->proxy, "socks5", 6) == 0;
    const char *how = socks ? "SOCKS5" : "CONNECT";
    print_tls(who, &h->tls);
    if (h->session)
      fprintf(stderr, "* %s session: %s, %s\n", who, h->protocol, new_or_reused(h->reused));
    else if (!socks)
      fprintf(stderr, "* %s protocol: %s\n", who, h->protocol);
    if (h->tunnel && l.num_hops == 1)
      fprintf(stderr, "* tunnel: %s through the proxy, %s\n", how,
              new_or_reused(h->tunnel_reused));
    else if (h->tunnel)
      fprintf(stderr, "* tunnel: %s through %s to %s, %s\n", how, who,
              k + 1 < l.num_hops ? l.hops[k + 1].proxy : "the origin",
              new_or_reused(h->tunnel_reused));
  }
  print_tls("origin", &l.origin_tls);
  const char *reuse = new_or_reused(l.connection_reused);
  if (l.has_proxy && !l.tunnel)  // http:// sent to the proxy (absolute URL)
    fprintf(stderr, "* request: sent to the proxy %s %s, %s\n",
            l.session ? "as a stream of its" : "over", l.protocol, reuse);
  else if (l.session)
    fprintf(stderr, "* origin session: %s, %s\n", l.protocol, reuse);
  else
    fprintf(stderr, "* origin connection: %s, %s\n", l.protocol, reuse);
}

// The response head as "Status line\r\nName: value\r\n...\r\n", each line
// after |prefix|.
static void print_head(FILE *f, const char *prefix, cnet_request *r, const cnet_header *headers,
                       size_t num_headers) {
  fprintf(f, "%s%s\r\n", prefix, cnet_request_status_line(r));
  for (size_t i = 0; i < num_headers; i++)
    fprintf(f, "%s%s: %s\r\n", prefix, headers[i].name, headers[i].value);
  fprintf(f, "%s\r\n", prefix);
}

// --- a transfer's callbacks ---

static int64_t body_length(const cnet_header *headers, size_t n) {
  int64_t length = -1;
  for (size_t i = 0; i < n; i++) {
    if (strcasecmp(headers[i].name, "Content-Encoding") == 0)
      return -1;  // the length is of the encoded body; we count decoded bytes
    if (strcasecmp(headers[i].name, "Content-Length") == 0) {
      char *end;
      long long v = strtoll(headers[i].value, &end, 10);
      if (*headers[i].value && !*end && v >= 0)
        length = v;
    }
  }
  return length;
}

static void on_response(cnet_request *r, void *arg, int status, const cnet_header *headers,
                        size_t num_headers) {
  transfer *t = arg;
  fetch_app *app = t->app;
  (void)status;
  if (app->stopping)
    return;  // after an error: the run ends when the loop stops
  t->got_response = true;
  t->length = app->o->head ? 0 : body_length(headers, num_headers);
  if (app->o->verbose) {
    describe_layers(r);
    print_head(stderr, "< ", r, headers, num_headers);
  }
  if (app->o->head) {
    // The head belongs to the output, in URL order like bodies.
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    print_head(mem, "", r, headers, num_headers);
    fclose(mem);
    emit(t, text, len);
    free(text);
  }
}

static void on_data(cnet_request *r, void *arg, const uint8_t *data, size_t len) {
  transfer *t = arg;
  (void)r;
  if (t->app->stopping)
    return;
  t->received += len;
  emit(t, data, len);
}

static void on_complete(cnet_request *r, void *arg, int error) {
  transfer *t = arg;
  fetch_app *app = t->app;
  (void)r;
  app->running--;  // cnet frees the request after this returns
  if (app->stopping)
    return;
  if (error) {
    fail(t, error, t->got_response ? "while reading the body of" : "while fetching");
    return;
  }
  t->done = true;
  flush_in_order(app);
  start_more(app);
}

// --- the run ---

static const char *method_of(const fetch_options *o) {
  return o->method ? o->method : o->head ? "HEAD" : o->data ? "POST" : "GET";
}

static int start_transfer(transfer *t) {
  fetch_app *app = t->app;
  const fetch_options *o = app->o;
  cnet_request_options ro;
  memset(&ro, 0, sizeof(ro));
  ro.url = t->url;
  ro.method = method_of(o);
  ro.headers = app->headers;
  ro.num_headers = app->num_headers;
  if (o->data && strcmp(ro.method, "GET") != 0 && strcmp(ro.method, "HEAD") != 0) {
    ro.body = o->data;
    ro.body_len = strlen(o->data);
  }
  ro.follow_redirects = o->location;
  ro.max_redirects = o->max_redirs > 0 ? o->max_redirs : -1;
  static const cnet_request_callbacks kCallbacks = {on_response, on_data, on_complete};
  if (o->verbose)
    fprintf(stderr, "> %s %s\n", ro.method, t->url);
  cnet_request *req;
  return cnet_request_start(app->ctx, &ro, &kCallbacks, t, &req);
}

static void start_more(fetch_app *app) {
  const fetch_options *o = app->o;
  while (!app->stopping && app->running < (size_t)o->parallel && app->started < app->total) {
    transfer *t = &app->transfers[app->started++];
    int rv = start_transfer(t);
    if (rv != 0) {
      bool usage = rv == CNET_ERR_INVALID_HEADER;
      fail(t, rv, usage ? "building the request for" : "fetching");
      if (usage)
        app->exit_code = 2;
      return;
    }
    app->running++;
  }
  if (app->running == 0 && app->started == app->total)
    uv_stop(&app->loop);
}

static void on_deadline(uv_timer_t *timer) {
  fetch_app *app = timer->data;
  progress_break_line(app);
  fprintf(stderr, "fetch: %s (%s) after --max-time\n", cnet_error_name(CNET_ERR_TIMED_OUT),
          cnet_error_message(CNET_ERR_TIMED_OUT));
  stop(app, 1);
}

static void on_netlog_line(void *arg, const char *line, size_t len) {
  fetch_app *app = arg;
  if (app->netlog_file) {
    fwrite(line, 1, len, app->netlog_file);
    fputc('\n', app->netlog_file);
  }
  if (app->ladder)
    fetch_ladder_add_client_line(app->ladder, line, len);
}

// Splits each -H "Name: value" into the request's header array.
static void make_headers(fetch_app *app) {
  const fetch_options *o = app->o;
  app->num_headers = o->num_headers;
  app->headers = calloc(o->num_headers + 1, sizeof(*app->headers));
  app->header_copies = calloc(o->num_headers + 1, sizeof(*app->header_copies));
  for (size_t i = 0; i < o->num_headers; i++) {
    const char *line = o->headers[i];
    const char *colon = strchr(line, ':');  // the parser made sure there is one
    const char *value = colon + 1;
    while (*value == ' ' || *value == '\t')
      value++;
    app->header_copies[i] = strndup(line, (size_t)(colon - line));
    app->headers[i].name = app->header_copies[i];
    app->headers[i].value = value;
  }
}

static int setup(fetch_app *app) {
  const fetch_options *o = app->o;
  if (o->netlog) {
    app->netlog_file = fopen(o->netlog, "w");
    if (!app->netlog_file) {
      fprintf(stderr, "fetch: cannot write the NetLog to %s\n", o->netlog);
      return 2;
    }
  }
  if (o->trace_ladder)
    app->ladder = fetch_ladder_new();
  app->out = stdout;
  if (o->output) {
    app->out = fopen(o->output, "wb");
    if (!app->out) {
      fprintf(stderr, "fetch: cannot write to %s\n", o->output);
      return 2;
    }
  }
  cnet_context_options co;
  cnet_context_options_init(&co);
  co.loop = &app->loop;
  co.proxy = o->proxy;
  co.proxy_from_env = !o->proxy && !o->no_proxy_env;
  co.proxy_user = o->proxy_user;
  co.ca_file = o->cacert;
  co.proxy_ca_file = o->proxy_cacert;
  co.resolve_rules = (const char *const *)o->resolve;
  co.num_resolve_rules = o->num_resolve;
  co.origin_protocols = o->protocols;
  co.proxy_protocols = o->proxy_protocols;
  co.user_agent = FETCH_USER_AGENT;
  if (app->netlog_file || app->ladder) {
    co.netlog = on_netlog_line;
    co.netlog_arg = app;
  }
  char err[256];
  int rv = cnet_context_new(&co, &app->ctx, err, sizeof(err));
  if (rv != 0) {  // a bad option value: the reason names it
    if (strstr(err, cnet_error_name(rv)))
      fprintf(stderr, "fetch: %s\n", err);
    else
      fprintf(stderr, "fetch: %s (%s)\n", err, cnet_error_name(rv));
    return 2;
  }
  make_headers(app);
  return 0;
}

static int run(fetch_app *app) {
  int rv = setup(app);
  if (rv)
    return rv;
  const fetch_options *o = app->o;
  app->total = o->num_urls * (size_t)o->repeat;
  app->transfers = calloc(app->total, sizeof(transfer));
  for (size_t i = 0; i < app->total; i++) {
    transfer *t = &app->transfers[i];
    t->app = app;
    t->index = i;
    t->url = o->urls[i % o->num_urls];
    t->length = -1;
  }
  if (o->max_time > 0) {
    uv_timer_init(&app->loop, &app->deadline);
    app->deadline.data = app;
    uv_timer_start(&app->deadline, on_deadline, (uint64_t)(o->max_time * 1000), 0);
    app->deadline_started = true;
  }
  progress_start(app);
  start_more(app);
  if (!app->stopping && app->running > 0)
    uv_run(&app->loop, UV_RUN_DEFAULT);
  progress_finish(app);
  return app->exit_code;
}

static void print_stats(const cnet_stats *s) {
  fprintf(stderr,
          "{\"tcp_connects\":%llu,\"tls_handshakes\":%llu,\"tunnels\":%llu,\"sessions\":%llu,"
          "\"streams\":%llu,\"requests\":%llu}\n",
          (unsigned long long)s->tcp_connects, (unsigned long long)s->tls_handshakes,
          (unsigned long long)s->tunnels, (unsigned long long)s->sessions,
          (unsigned long long)s->streams, (unsigned long long)s->requests);
}

// The ladder of the run (and of the proxy's NetLog, when given) on stderr.
static void write_ladder(fetch_app *app) {
  const fetch_options *o = app->o;
  if (o->trace_proxy_netlog) {
    char err[256];
    if (fetch_ladder_add_proxy_netlog(app->ladder, o->trace_proxy_netlog, err, sizeof(err)) != 0) {
      fprintf(stderr, "fetch: --trace-proxy-netlog: %s\n", err);
      if (!app->exit_code)
        app->exit_code = 2;
    }
  }
  fetch_ladder_write(app->ladder, stderr);
}

static void cleanup(fetch_app *app) {
  // Destroying the context cancels what still runs (after an error or
  // --max-time) and closes every connection, which ends the sessions that
  // --stats counts.
  cnet_stats stats;
  cnet_context_destroy_with_stats(app->ctx, &stats);
  app->ctx = NULL;
  if (app->deadline_started)
    uv_close((uv_handle_t *)&app->deadline, NULL);
  // Let libuv finish closing handles before closing the loop.
  uv_run(&app->loop, UV_RUN_DEFAULT);
  uv_loop_close(&app->loop);
  if (app->o->stats)
    print_stats(&stats);
  if (app->ladder) {
    write_ladder(app);
    fetch_ladder_free(app->ladder);
  }
  for (size_t i = 0; i < app->total; i++)
    held_free(&app->transfers[i].held);
  free(app->transfers);
  for (size_t i = 0; i < app->num_headers; i++)
    free(app->header_copies[i]);
  free(app->header_copies);
  free(app->headers);
  if (app->netlog_file)
    fclose(app->netlog_file);
  if (app->out && app->out != stdout)
    fclose(app->out);
  else
    fflush(stdout);
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  fetch_options o;
  char err[256];
  if (!fetch_options_parse(argc, argv, &o, err, sizeof(err))) {
    fprintf(stderr, "fetch: %s\n", err);
    return 2;
  }
  if (o.help || o.version) {
    fputs(o.help ? fetch_options_usage() : FETCH_VERSION "\n", stdout);
    fetch_options_free(&o);
    return 0;
  }
  fetch_app app;
  memset(&app, 0, sizeof(app));
  app.o = &o;
  uv_loop_init(&app.loop);
  int rv = run(&app);
  cleanup(&app);
  if (app.exit_code && !rv)
    rv = app.exit_code;
  fetch_options_free(&o);
  return rv;
}
