// fetch: a curl-like command-line client on cnet's public API (net/cnet.h).
//
// The URL list (repeated --repeat times) is fetched through one cnet
// context, up to --parallel transfers at once, so later requests reuse
// earlier connections exactly as cnet's pools allow; --stats shows the
// counts. Bodies that go to stdout are written in URL order even when
// transfers run in parallel (a transfer ahead of its turn keeps its output
// in memory); -o/-O files are written as the bytes come. A failed transfer
// does not stop the others; the exit code is curl's for the last failure
// (fetch_exit.h), 2 for bad usage.
//
// Besides cnet.h, fetch uses libuv (its own loop, the --retry timers, the
// progress timer; --max-time and --connect-timeout are the API's
// timeouts), the ladder diagram
// (ladder.h), and the NetLog lines any application gets from the context:
// fetch_netlog.c reads them for -v's "Trying" lines and request heads and
// for -w's timings.
#include <cnet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "base/mem.h"
#include "tools/fetch/fetch_body.h"
#include "tools/fetch/fetch_cookies.h"
#include "tools/fetch/fetch_exit.h"
#include "tools/fetch/fetch_netlog.h"
#include "tools/fetch/fetch_options.h"
#include "tools/fetch/fetch_output.h"
#include "tools/fetch/fetch_transfer.h"
#include "tools/fetch/fetch_writeout.h"
#include "tools/fetch/ladder.h"

#define FETCH_USER_AGENT "cnet-fetch/0.1"
// The progress bar is redrawn at most this often.
#define PROGRESS_INTERVAL_MS 100
// curl's --retry backoff: 1 s, doubling, at most 10 minutes.
#define RETRY_FIRST_DELAY_MS 1000
#define RETRY_MAX_DELAY_MS (10 * 60 * 1000)

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
  fetch_netlog *events;  // the NetLog read back for -v and -w
  cnet_header *headers;  // -H, -A, -e, -u and the body's headers, split
  char **header_copies;
  size_t num_headers;
  fetch_body body;
  // -b/-c: the cookie engine (fetch_cookies.h); on when either was given.
  bool cookies_on;
  fetch_cookie_jar jar;
  char *write_out;  // -w's format (read from @FILE)
  progress progress;
  // The run's transfers by index: each is allocated when it starts and
  // freed once it has ended and its stdout output is written (NULL before
  // and after), so a --repeat 20000 run holds about --parallel of them.
  transfer **transfers;
  // What the progress bar needs of the transfers already freed.
  uint64_t freed_received;
  uint64_t freed_length;       // their Content-Lengths, summed
  bool freed_length_unknown;   // one of them had none
  size_t total;
  size_t started;
  size_t active;   // started and not finished (running or waiting to retry)
  size_t written;  // transfers whose stdout output is completely written
  bool loop_running;  // inside run()'s uv_run
  int exit_code;   // the last (in URL order) failure's
  size_t exit_index;
};

static void start_more(fetch_app *app);
static bool has_user_header(const fetch_options *o, const char *name);
static unsigned auth_schemes(int auth);
static bool fetch_user_is_preemptive_basic(const fetch_options *o);
static int start_attempt(transfer *t);
static bool netlog_detail_wanted(const fetch_app *app);

// --- messages ---

// Whether error messages are shown: not with -s, unless -S.
static bool errors_shown(const fetch_options *o) { return !o->silent || o->show_error; }

// A -v line of |t| on stderr; with --parallel the transfer's number
// (1-based, in URL order) leads it.
void fetch_verbose(const transfer *t, const char *fmt, ...) {
  const fetch_app *app = t->app;
  if (!app->o->verbose)
    return;
  if (app->o->parallel > 1)
    fprintf(stderr, "[%zu] ", t->index + 1);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
}

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
  uint64_t received = app->freed_received, total = app->freed_length;
  // A transfer not started yet has no known length either.
  bool total_known = app->total > 0 && app->started == app->total && !app->freed_length_unknown;
  for (size_t i = app->written; i < app->started; i++) {
    const transfer *t = app->transfers[i];
    if (!t)
      continue;
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

// Whether any body goes to stdout (-o - counts; -o FILE and -O do not;
// transfer_init's rule).
static bool stdout_gets_body(const fetch_app *app) {
  const fetch_options *o = app->o;
  for (size_t n = 0; n < o->num_urls; n++)
    if (n >= o->num_outputs ||
        (!o->outputs[n].remote_name && strcmp(o->outputs[n].file, "-") == 0))
      return true;
  return false;
}

// The bar shows when the body does not go to a terminal and stderr is one
// (curl's rule), unless -s, --no-progress or -v (whose lines it would cut).
static bool progress_wanted(const fetch_app *app) {
  const fetch_options *o = app->o;
  bool body_to_terminal = stdout_gets_body(app) && isatty(STDOUT_FILENO);
  return !o->silent && !o->no_progress && !o->verbose && !body_to_terminal &&
         isatty(STDERR_FILENO);
}

static void progress_start(fetch_app *app) {
  progress *p = &app->progress;
  p->enabled = progress_wanted(app);
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

// --- output: files as the bytes come, stdout in URL order ---

// Writes to stdout; false (and the transfer fails with 23) on an error.
static bool write_stdout(const void *data, size_t len) {
  return fetch_output_write(stdout, data, len);
}

// Output of |t| for stdout: written at once when it is next in order,
// else held.
static void emit_stdout(transfer *t, const void *data, size_t len) {
  if (t->app->written == t->index) {
    if (!write_stdout(data, len))
      t->write_failed = true;
  } else {
    cn_bytebuf_append(&t->held, data, len);
  }
}

// --create-dirs: the directories above |path|, as mkdir -p makes them.
static void make_parent_dirs(const char *path) {
  char *copy = strdup(path);
  for (char *p = copy + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    mkdir(copy, 0755);  // an existing one is fine; a real failure shows at fopen
    *p = '/';
  }
  free(copy);
}

// The body (or -i/-I head) of |t|: to its file, or to stdout in order.
static void emit_body(transfer *t, const void *data, size_t len) {
  if (!t->out_path) {
    emit_stdout(t, data, len);
    return;
  }
  if (!t->file && !t->write_failed) {
    if (t->o->create_dirs)
      make_parent_dirs(t->out_path);
    t->file = fopen(t->out_path, "wb");
    if (!t->file) {
      t->write_failed = true;
      t->write_errno = errno;
    }
  }
  if (t->file && !fetch_output_write(t->file, data, len)) {
    t->write_failed = true;
    t->write_errno = errno;
  }
}

static void on_transfer_timer_closed(uv_handle_t *handle) {
  transfer *t = handle->data;
  transfer_free(t);
  free(t);
}

// Forgets |t| (ended, or cancelled with the context): what the progress bar
// needs of it is kept in |app|; the memory goes once its timer is closed.
static void release_transfer(fetch_app *app, transfer *t) {
  app->transfers[t->index] = NULL;
  app->freed_received += t->received;
  if (t->length < 0)
    app->freed_length_unknown = true;
  else
    app->freed_length += (uint64_t)t->length;
  fetch_netlog_transfer_freed(app->events, t);
  if (t->timer_initialized) {
    t->timer.data = t;
    uv_close((uv_handle_t *)&t->timer, on_transfer_timer_closed);
    return;
  }
  transfer_free(t);
  free(t);
}

// Writes out, in order, the stdout output of transfers now at the front,
// and frees those that have ended.
static void flush_in_order(fetch_app *app) {
  while (app->written < app->started) {
    transfer *t = app->transfers[app->written];
    if (!write_stdout(cn_bytebuf_head(&t->held), cn_bytebuf_len(&t->held)))
      t->write_failed = true;
    cn_bytebuf_clear(&t->held);
    if (!t->finished)
      return;
    app->written++;
    release_transfer(app, t);
  }
}

// --- -v: each layer of the connection ---

static const char *new_or_reused(bool reused) { return reused ? "reused" : "new"; }

static void print_tls(const transfer *t, const char *who, const cnet_tls_info *tls) {
  if (!tls->version[0])
    return;
  fetch_verbose(t, "* %s TLS: %s %s, ALPN %s, %s\n", who, tls->version, tls->cipher,
                tls->alpn[0] ? tls->alpn : "(none)", tls->resumed ? "resumed" : "full handshake");
}

static void describe_layers(const transfer *t, cnet_request *r) {
  cnet_request_info info;
  cnet_request_layers l;
  cnet_request_get_info(r, &info);
  cnet_request_get_layers(r, &l);
  if (info.redirects)
    fetch_verbose(t, "* followed %d redirect(s) to %s\n", info.redirects, info.url);
  if (info.resends)
    fetch_verbose(t, "* resent %d time(s) on a new connection\n", info.resends);
  if (!l.has_proxy)
    fetch_verbose(t, "* direct\n");
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
      fetch_verbose(t, "* %s %s: TCP %s\n", who, h->proxy, new_or_reused(h->reused));
    else
      fetch_verbose(t, "* %s %s: through proxy %zu, %s\n", who, h->proxy, k,
                    new_or_reused(h->reused));
    // A SOCKS5 proxy speaks no HTTP: its tunnel is its handshake.
    bool socks = strncmp(h->proxy, "socks5", 6) == 0;
    const char *how = socks ? "SOCKS5" : "CONNECT";
    print_tls(t, who, &h->tls);
    if (h->session)
      fetch_verbose(t, "* %s session: %s, %s\n", who, h->protocol, new_or_reused(h->reused));
    else if (!socks)
      fetch_verbose(t, "* %s protocol: %s\n", who, h->protocol);
    if (h->tunnel && l.num_hops == 1)
      fetch_verbose(t, "* tunnel: %s through the proxy, %s\n", how,
                    new_or_reused(h->tunnel_reused));
    else if (h->tunnel)
      fetch_verbose(t, "* tunnel: %s through %s to %s, %s\n", how, who,
                    k + 1 < l.num_hops ? l.hops[k + 1].proxy : "the origin",
                    new_or_reused(h->tunnel_reused));
  }
  print_tls(t, "origin", &l.origin_tls);
  const char *reuse = new_or_reused(l.connection_reused);
  if (l.has_proxy && !l.tunnel)  // http:// sent to the proxy (absolute URL)
    fetch_verbose(t, "* request: sent to the proxy %s %s, %s\n",
                  l.session ? "as a stream of its" : "over", l.protocol, reuse);
  else if (l.session)
    fetch_verbose(t, "* origin session: %s, %s\n", l.protocol, reuse);
  else
    fetch_verbose(t, "* origin connection: %s, %s\n", l.protocol, reuse);
}

// The response head as "Status line\r\nName: value\r\n...\r\n".
static char *format_head(cnet_request *r, const cnet_header *headers, size_t num_headers,
                         size_t *len) {
  char *text = NULL;
  FILE *mem = open_memstream(&text, len);
  fprintf(mem, "%s\r\n", cnet_request_status_line(r));
  for (size_t i = 0; i < num_headers; i++)
    fprintf(mem, "%s: %s\r\n", headers[i].name, headers[i].value);
  fprintf(mem, "\r\n");
  fclose(mem);
  return text;
}

// format_head's length, without formatting.
static size_t head_size(cnet_request *r, const cnet_header *headers, size_t num_headers) {
  size_t len = strlen(cnet_request_status_line(r)) + 4;  // its CRLF and the last one
  for (size_t i = 0; i < num_headers; i++)
    len += strlen(headers[i].name) + strlen(headers[i].value) + 4;  // ": " and CRLF
  return len;
}

// --- finishing a transfer ---

// curl's rules for --retry: a timeout, a name not resolved (host or
// proxy), HTTP 408/429/500/502/503/504; connection refused only with
// --retry-connrefused. Returns the reason for the warning, or NULL.
static const char *retry_reason(const transfer *t, int exit_code) {
  const fetch_options *o = t->app->o;
  if (exit_code == FETCH_EXIT_OPERATION_TIMEDOUT)
    return "timeout";
  if (exit_code == 6 || exit_code == FETCH_EXIT_COULDNT_RESOLVE_PROXY)
    return "timeout";  // curl calls a failed lookup a timeout too
  if (exit_code == 7 && o->retry_connrefused)
    return "connection refused";
  switch (t->status) {
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return t->got_response ? "HTTP error" : NULL;
    default:
      return NULL;
  }
}

static void on_retry_timer(uv_timer_t *timer) {
  transfer *t = timer->data;
  transfer_reset_attempt(t);
  int rv = start_attempt(t);
  if (rv != 0)
    transfer_finish(t, rv, 0);
}

// Waits and tries |t| again if curl would; true when a retry is scheduled.
static bool maybe_retry(transfer *t, int exit_code) {
  const char *reason = retry_reason(t, exit_code);
  // A body already written cannot be taken back from stdout.
  if (!reason || t->retries_left <= 0 || (t->received > 0 && !t->suppress_body))
    return false;
  const fetch_options *o = t->app->o;
  uint64_t delay = t->retry_after_ms;
  if (!delay)
    delay = o->retry_delay > 0 ? (uint64_t)(o->retry_delay * 1000) : t->backoff_ms;
  t->backoff_ms = t->backoff_ms * 2 < RETRY_MAX_DELAY_MS ? t->backoff_ms * 2 : RETRY_MAX_DELAY_MS;
  t->retries_left--;
  if (!o->silent) {
    progress_break_line(t->app);
    fprintf(stderr, "Warning: Problem : %s. Will retry in %llu seconds. %d retries left.\n", reason,
            (unsigned long long)((delay + 999) / 1000), t->retries_left);
  }
  if (t->file) {  // a -o file starts again with the next attempt
    fclose(t->file);
    t->file = NULL;
  }
  if (!t->timer_initialized) {  // only a transfer that retries has a timer
    uv_timer_init(&t->app->loop, &t->timer);
    t->timer_initialized = true;
  }
  uv_timer_stop(&t->timer);
  t->timer.data = t;
  uv_timer_start(&t->timer, on_retry_timer, delay, 0);
  return true;
}

static void report_error(transfer *t, int exit_code, int error) {
  const fetch_options *o = t->app->o;
  if (!errors_shown(o))
    return;
  progress_break_line(t->app);
  if (error && t->error_from[0])  // the hop it came from: "from proxy https://p:443"
    fprintf(stderr, "fetch: (%d) %s from %s: %s, %s %s\n", exit_code, cnet_error_name(error),
            t->error_from, cnet_error_message(error),
            t->got_response ? "while reading the body of" : "while fetching", t->url);
  else if (error)
    fprintf(stderr, "fetch: (%d) %s (%s) %s %s\n", exit_code, cnet_error_name(error),
            cnet_error_message(error), t->got_response ? "while reading the body of" : "while fetching",
            t->url);
  if (error && t->cert_detail[0])
    fprintf(stderr, "fetch: %s\n", t->cert_detail);
  else if (exit_code == FETCH_EXIT_HTTP_RETURNED_ERROR)
    fprintf(stderr, "fetch: (22) The requested URL returned error: %d (%s)\n", t->status, t->url);
  else if (exit_code == FETCH_EXIT_WRITE_ERROR)
    fprintf(stderr, "fetch: (23) cannot write the body of %s to %s: %s\n", t->url,
            t->out_path ? t->out_path : "stdout",
            t->write_errno ? strerror(t->write_errno) : "output error");
}

static void fill_report(const transfer *t, fetch_report *r) {
  memset(r, 0, sizeof(*r));
  transfer_fill_report(t, r);
  r->exitcode = t->exit_code;
}

// Ends |t| with |error| (a cnet error, or 0) or the curl code |exit_code|
// (0: work it out): retries, the error message, -w, then the next
// transfer. Every transfer ends here exactly once per attempt.
void transfer_finish(transfer *t, int error, int exit_code) {
  fetch_app *app = t->app;
  t->req = NULL;
  t->end_ns = uv_hrtime();
  if (t->timer_initialized)
    uv_timer_stop(&t->timer);
  if (!exit_code && error) {
    // A proxy's failure while the tunnel to an https:// origin was set up
    // is curl's failed proxy handshake: 56 / 35 / 97 (fetch_exit.h). For
    // http:// the last proxy is the server the request went to: the table.
    bool tunnel_hop = t->error_hop >= 0 && (strncmp(t->url, "https:", 6) == 0);
    exit_code = tunnel_hop ? fetch_exit_code_for_proxy_error(cnet_error_name(error))
                           : fetch_exit_code_for_error(cnet_error_name(error));
    // A proxy whose name was not resolved: curl's 5, told apart by the
    // NetLog's PROXY_CONNECT_ERROR.
    if (exit_code == 7 && t->proxy_error == -105 /* ERR_NAME_NOT_RESOLVED */)
      exit_code = FETCH_EXIT_COULDNT_RESOLVE_PROXY;
    // A connection closed or reset in the middle of a TLS handshake is
    // curl's handshake failure (35), not a receive error.
    if (exit_code == 56 && !t->got_response && t->tls_error == error)
      exit_code = FETCH_EXIT_SSL_CONNECT_ERROR;
  }
  if (!exit_code && t->http_failed)
    exit_code = FETCH_EXIT_HTTP_RETURNED_ERROR;
  if (!exit_code && t->write_failed)
    exit_code = FETCH_EXIT_WRITE_ERROR;
  if (exit_code && maybe_retry(t, exit_code))
    return;
  if (!exit_code && t->retries_left > 0 && t->got_response && retry_reason(t, 0) &&
      maybe_retry(t, 0))
    return;  // an HTTP status curl retries (without -f)
  if (t->file) {
    if (fclose(t->file) != 0 && !exit_code) {
      t->write_errno = errno;
      exit_code = FETCH_EXIT_WRITE_ERROR;
    }
    t->file = NULL;
  } else if (t->out_path && !exit_code && !t->write_failed && !t->http_failed) {
    // An empty body still makes its file, as curl does.
    if (t->o->create_dirs)
      make_parent_dirs(t->out_path);
    FILE *f = fopen(t->out_path, "wb");
    if (f)
      fclose(f);
    else
      exit_code = FETCH_EXIT_WRITE_ERROR;
  }
  t->exit_code = exit_code;
  t->error = error;
  if (exit_code) {
    report_error(t, exit_code, error);
    if (t->index >= app->exit_index || !app->exit_code) {
      app->exit_code = exit_code;
      app->exit_index = t->index;
    }
  }
  if (app->write_out) {
    fetch_report r;
    fill_report(t, &r);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    fetch_write_out(app->write_out, &r, mem, stderr);
    fclose(mem);
    emit_stdout(t, text, len);
    free(text);
  }
  t->finished = true;
  app->active--;
  flush_in_order(app);  // may free |t|
  start_more(app);
}

// --- a transfer's callbacks ---

// Case-insensitive header name equality; the first letters are compared
// before strcasecmp (most names differ there: each response is searched for
// three names).
static bool header_is(const char *name, const char *want) {
  return (name[0] | 0x20) == (want[0] | 0x20) && strcasecmp(name, want) == 0;
}

static int64_t body_length(const cnet_header *headers, size_t n) {
  int64_t length = -1;
  for (size_t i = 0; i < n; i++) {
    if (header_is(headers[i].name, "Content-Encoding"))
      return -1;  // the length is of the encoded body; we count decoded bytes
    if (header_is(headers[i].name, "Content-Length")) {
      char *end;
      long long v = strtoll(headers[i].value, &end, 10);
      if (*headers[i].value && !*end && v >= 0)
        length = v;
    }
  }
  return length;
}

static const char *find_header(const cnet_header *headers, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (header_is(headers[i].name, name))
      return headers[i].value;
  return NULL;
}

// Every Set-Cookie of a response to |url| into the jar.
static void take_cookies(fetch_app *app, const char *url, const cnet_header *headers,
                         size_t num_headers) {
  char host[256], path[2048];
  bool https;
  if (!fetch_cookie_url_parts(url, host, sizeof(host), path, sizeof(path), &https))
    return;
  for (size_t i = 0; i < num_headers; i++)
    if (strcasecmp(headers[i].name, "Set-Cookie") == 0)
      fetch_cookie_jar_set(&app->jar, host, path, https, headers[i].value, (int64_t)time(NULL));
}

static void on_response(cnet_request *r, void *arg, int status, const cnet_header *headers,
                        size_t num_headers) {
  transfer *t = arg;
  fetch_app *app = t->app;
  const fetch_options *o = app->o;
  t->got_response = true;
  t->status = status;
  t->response_ns = uv_hrtime();
  // What served the response: for -w, the cookie engine and the NetLog's
  // remote address only (a run without them skips the copies).
  bool detail = netlog_detail_wanted(app);
  if (app->write_out || app->cookies_on || detail)
    transfer_note_response(t, r, find_header(headers, num_headers, "Content-Type"));
  if (app->cookies_on)
    take_cookies(app, t->effective_url ? t->effective_url : t->url, headers, num_headers);
  if (detail)
    fetch_netlog_note_response(app->events, t);
  // The head is formatted only where it is shown; -w's size_header is
  // its length either way.
  size_t head_len = 0;
  char *head = o->verbose || o->head || o->include
                   ? format_head(r, headers, num_headers, &head_len)
                   : NULL;
  t->size_header = head ? head_len : head_size(r, headers, num_headers);
  if (o->verbose) {
    describe_layers(t, r);
    // The head as curl -v shows it: "< " before each line.
    for (char *line = head, *end; *line; line = end + 1) {
      end = strchr(line, '\n');
      fetch_verbose(t, "< %.*s\n", (int)(end - line), line);
    }
  }
  const char *retry_after = find_header(headers, num_headers, "Retry-After");
  t->retry_after_ms = retry_after && o->retry_delay == 0 ? strtoull(retry_after, NULL, 10) * 1000
                                                         : 0;
  bool fails = status >= 400 && (o->fail || o->fail_with_body);
  t->http_failed = fails;
  // A status that will be retried writes nothing, like -f's failures.
  bool will_retry = t->retries_left > 0 && retry_reason(t, fails ? 22 : 0);
  t->suppress_body = will_retry || (fails && !o->fail_with_body);
  if (t->suppress_body) {
    free(head);
    cnet_request_cancel(r);  // no callback follows
    transfer_finish(t, 0, 0);
    return;
  }
  t->length = o->head ? 0 : body_length(headers, num_headers);
  if (o->head || o->include)
    emit_body(t, head, head_len);  // the head belongs to the output
  free(head);
}

static void on_data(cnet_request *r, void *arg, const uint8_t *data, size_t len) {
  transfer *t = arg;
  t->received += len;
  emit_body(t, data, len);
  if (t->write_failed) {
    cnet_request_cancel(r);
    transfer_finish(t, 0, FETCH_EXIT_WRITE_ERROR);
  }
}

static void on_complete(cnet_request *r, void *arg, int error) {
  transfer *t = arg;
  if (!error) {  // nothing to copy (the attempt's error_hop stays CNET_HOP_NONE)
    transfer_finish(t, 0, 0);
    return;
  }
  // cnet frees the request after this returns: what it knows of a
  // certificate failure is copied now.
  cnet_cert_error ce;
  if (cnet_request_get_cert_error(r, &ce)) {
    char hop[32] = "origin";
    if (ce.is_proxy)
      snprintf(hop, sizeof(hop), "proxy %d", ce.proxy_index + 1);
    snprintf(t->cert_detail, sizeof(t->cert_detail), "%s from %s %s: subject %s, issuer %s",
             cnet_error_name(ce.error), hop, ce.url, ce.subject[0] ? ce.subject : "(unknown)",
             ce.issuer[0] ? ce.issuer : "(unknown)");
  }
  // cnet frees the request after this returns: the error's hop now.
  cnet_error_source src;
  cnet_request_get_error_source(r, &src);
  t->error_hop = src.hop;
  snprintf(t->error_from, sizeof(t->error_from), "%s", src.description);
  transfer_finish(t, error, 0);
}

// --- the run ---

static const char *method_of(const fetch_app *app) {
  const fetch_options *o = app->o;
  return o->method ? o->method : o->head ? "HEAD" : app->body.present ? app->body.method : "GET";
}

// Starts one attempt of |t|. Returns 0 or a cnet error (nothing started).
// Before a redirect is followed: -v says so as curl does, and the cookie
// engine takes the 3xx's Set-Cookie and gives the next URL its cookies.
static cnet_redirect_action on_redirect(cnet_request *r, void *arg, int status,
                                        const char *url, const cnet_header *headers,
                                        size_t num_headers) {
  (void)status;
  transfer *t = arg;
  fetch_app *app = t->app;
  fetch_verbose(t, "* Issue another request to this URL: '%s'\n", url);
  if (app->cookies_on && !has_user_header(app->o, "Cookie")) {
    cnet_request_info info;
    cnet_request_get_info(r, &info);
    take_cookies(app, info.url, headers, num_headers);
    char host[256], path[2048];
    bool https;
    char *cookie = NULL;
    if (fetch_cookie_url_parts(url, host, sizeof(host), path, sizeof(path), &https))
      cookie = fetch_cookie_jar_header(&app->jar, host, path, https, (int64_t)time(NULL));
    cnet_request_set_redirect_header(r, "Cookie", cookie);  // NULL: none for that URL
    free(cookie);
  }
  return CNET_REDIRECT_FOLLOW;
}

static int start_attempt(transfer *t) {
  fetch_app *app = t->app;
  const fetch_options *o = app->o;
  cnet_request_options ro;
  cnet_request_options_init(&ro);
  ro.url = t->url;
  ro.method = method_of(app);
  t->method = ro.method;
  ro.headers = app->headers;
  ro.num_headers = app->num_headers;
  // The jar's cookies for this URL (unless -H gave a Cookie), after the
  // others; cnet copies the fields, so the array lives for the call only.
  char *cookie = NULL;
  cnet_header *with_cookie = NULL;
  if (app->cookies_on && !has_user_header(o, "Cookie")) {
    char host[256], path[2048];
    bool https;
    if (fetch_cookie_url_parts(t->url, host, sizeof(host), path, sizeof(path), &https))
      cookie = fetch_cookie_jar_header(&app->jar, host, path, https, (int64_t)time(NULL));
  }
  if (cookie) {
    with_cookie = malloc((app->num_headers + 1) * sizeof(*with_cookie));
    memcpy(with_cookie, app->headers, app->num_headers * sizeof(*with_cookie));
    with_cookie[app->num_headers] = (cnet_header){"Cookie", cookie};
    ro.headers = with_cookie;
    ro.num_headers = app->num_headers + 1;
  }
  if (app->body.present) {
    ro.body = app->body.data;
    ro.body_len = app->body.len;
  }
  ro.follow_redirects = o->location;
  ro.max_redirects = o->max_redirs > 0 ? o->max_redirs : -1;
  ro.on_redirect = on_redirect;
  ro.no_decoding = !o->compressed;  // as curl: no Accept-Encoding, no decoding
  // --digest / --anyauth: cnet answers the origin's challenge with -u.
  char *user = NULL;
  if (o->user && !fetch_user_is_preemptive_basic(o)) {
    const char *colon = strchr(o->user, ':');  // the parser made sure there is one
    user = strndup(o->user, (size_t)(colon - o->user));
    ro.user = user;
    ro.password = colon + 1;
    ro.auth_schemes = auth_schemes(o->auth);
  }
  // -m: the API's total timeout of this attempt (ERR_TIMED_OUT, exit 28).
  if (o->max_time > 0)
    ro.total_timeout_ms = fetch_seconds_to_ms(o->max_time);
  static const cnet_request_callbacks kCallbacks = {on_response, on_data, on_complete};
  t->start_ns = uv_hrtime();
  int rv = cnet_request_start(app->ctx, &ro, &kCallbacks, t, &t->req);
  free(user);
  free(with_cookie);
  free(cookie);
  if (rv != 0)
    return rv;
  fetch_netlog_transfer_started(app->events, t);
  return 0;
}

static void start_more(fetch_app *app) {
  const fetch_options *o = app->o;
  while (app->active < (size_t)o->parallel && app->started < app->total) {
    transfer *t = cn_xmalloc(sizeof(*t));
    transfer_init(t, app, o, app->started);
    app->transfers[app->started++] = t;
    app->active++;
    int rv = start_attempt(t);
    if (rv != 0)  // a bad URL or header: cnet said so at once
      transfer_finish(t, rv, 0);
  }
  // The run is over. (Not before uv_run: a stop flag left set would make
  // cleanup's uv_run return before the closing handles are done.)
  if (app->active == 0 && app->started == app->total && app->loop_running)
    uv_stop(&app->loop);
}

static void on_netlog_line(void *arg, const char *line, size_t len) {
  fetch_app *app = arg;
  if (app->netlog_file) {
    fwrite(line, 1, len, app->netlog_file);
    fputc('\n', app->netlog_file);
  }
  if (app->ladder)
    fetch_ladder_add_client_line(app->ladder, line, len);
  fetch_netlog_add_line(app->events, line, len);
}

static void add_header(fetch_app *app, const char *name, size_t name_len, const char *value) {
  size_t i = app->num_headers++;
  app->headers = realloc(app->headers, app->num_headers * sizeof(*app->headers));
  app->header_copies = realloc(app->header_copies, 2 * app->num_headers * sizeof(char *));
  app->header_copies[2 * i] = strndup(name, name_len);
  app->header_copies[2 * i + 1] = strdup(value);
  app->headers[i].name = app->header_copies[2 * i];
  app->headers[i].value = app->header_copies[2 * i + 1];
}

static bool has_user_header(const fetch_options *o, const char *name) {
  size_t len = strlen(name);
  for (size_t i = 0; i < o->num_headers; i++)
    if (strncasecmp(o->headers[i], name, len) == 0 && o->headers[i][len] == ':')
      return true;
  return false;
}

static const char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64(const char *in) {
  size_t n = strlen(in);
  char *out = malloc(4 * ((n + 2) / 3) + 1);
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned char)in[i] << 16;
    if (i + 1 < n)
      v |= (unsigned char)in[i + 1] << 8;
    if (i + 2 < n)
      v |= (unsigned char)in[i + 2];
    out[o++] = kBase64[(v >> 18) & 63];
    out[o++] = kBase64[(v >> 12) & 63];
    out[o++] = i + 1 < n ? kBase64[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? kBase64[v & 63] : '=';
  }
  out[o] = '\0';
  return out;
}

// The schemes cnet may answer with (cnet.h's CNET_AUTH_*; 0: any).
static unsigned auth_schemes(int auth) {
  return auth == FETCH_AUTH_BASIC    ? CNET_AUTH_BASIC
         : auth == FETCH_AUTH_DIGEST ? CNET_AUTH_DIGEST
                                     : 0;
}

// -u without --digest/--anyauth is curl's Basic, sent with the first
// request (no challenge awaited); otherwise cnet answers the challenge.
static bool fetch_user_is_preemptive_basic(const fetch_options *o) {
  return o->auth == FETCH_AUTH_DEFAULT || o->auth == FETCH_AUTH_BASIC;
}

// The request headers: what the body needs (Content-Type, and Accept for
// --json), -A, -e, -u (Basic; cnet drops it on a redirect to another
// origin), then every -H, which wins over the ones fetch adds.
static void make_headers(fetch_app *app) {
  const fetch_options *o = app->o;
  if (app->body.present && app->body.content_type[0] && !has_user_header(o, "Content-Type"))
    add_header(app, "Content-Type", 12, app->body.content_type);
  if (!has_user_header(o, "Accept"))  // curl's default, or --json's
    add_header(app, "Accept", 6, app->body.json ? "application/json" : "*/*");
  if (o->referer && !has_user_header(o, "Referer"))
    add_header(app, "Referer", 7, o->referer);
  if (o->user && fetch_user_is_preemptive_basic(o) && !has_user_header(o, "Authorization")) {
    char *b64 = base64(o->user);
    size_t n = strlen(b64) + 8;
    char *value = malloc(n);
    snprintf(value, n, "Basic %s", b64);
    add_header(app, "Authorization", 13, value);
    free(value);
    free(b64);
  }
  for (size_t i = 0; i < o->num_headers; i++) {
    const char *line = o->headers[i];
    const char *colon = strchr(line, ':');  // the parser made sure there is one
    const char *value = colon + 1;
    while (*value == ' ' || *value == '\t')
      value++;
    add_header(app, line, (size_t)(colon - line), value);
  }
}

// Reads -w @FILE ("@-": stdin) or takes the format as given.
static bool load_write_out(fetch_app *app) {
  const char *w = app->o->write_out;
  if (!w)
    return true;
  if (w[0] != '@') {
    app->write_out = strdup(w);
    return true;
  }
  FILE *f = strcmp(w + 1, "-") == 0 ? stdin : fopen(w + 1, "r");
  if (!f) {
    fprintf(stderr, "fetch: -w: cannot read the file '%s'\n", w + 1);
    return false;
  }
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
    fwrite(buf, 1, n, mem);
  fclose(mem);
  if (f != stdin)
    fclose(f);
  app->write_out = text;
  return true;
}

// Whether fetch reads the NetLog for more than its exit status and -k's
// warnings: -v's lines, or a -w variable only the NetLog tells.
static bool netlog_detail_wanted(const fetch_app *app) {
  return app->o->verbose || (app->write_out && fetch_write_out_needs_netlog(app->write_out));
}

// The context's options from the command line. |bypass| and |resolve| are
// filled here and must outlive the call to cnet_context_new.
static int context_options(fetch_app *app, cnet_context_options *co, char **bypass,
                           fetch_resolve_list *resolve) {
  const fetch_options *o = app->o;
  cnet_context_options_init(co);
  co->loop = &app->loop;
  co->proxy = o->proxy;
  co->proxy_from_env = !o->proxy && !o->proxy_pac && !o->no_proxy_env;
  co->pac_url = o->proxy_pac;
  co->proxy_user = o->proxy_user;
  co->proxy_auth_schemes = auth_schemes(o->proxy_auth);
  co->ca_file = o->cacert;
  co->proxy_ca_file = o->proxy_cacert;
  co->origin_tls_verify_disabled = o->insecure;
  co->proxy_tls_verify_disabled = o->proxy_insecure;
  co->proxy_optimistic_tunnel = o->proxy_optimistic;
  char err[256];
  if (!fetch_resolve_list_build(o, resolve, err, sizeof(err))) {
    fprintf(stderr, "fetch: %s\n", err);
    return FETCH_EXIT_USAGE;
  }
  co->resolve_rules = (const char *const *)resolve->rules;
  co->num_resolve_rules = resolve->count;
  co->connect_to_rules = (const char *const *)resolve->connect_rules;
  co->num_connect_to_rules = resolve->num_connect_rules;
  co->dns_servers = o->dns_servers;
  co->origin_protocols = o->protocols ? o->protocols : "h2,http/1.1";  // curl's offer
  co->proxy_protocols = o->proxy_protocols;
  co->user_agent = o->user_agent ? o->user_agent : FETCH_USER_AGENT;
  // --connect-timeout is curl's: the whole connect, TLS and tunnels
  // included (the API's connection timeout), and no layer may take longer
  // either (so a limit above the 30 s layer defaults is honoured too).
  if (o->connect_timeout > 0)
    co->connection_timeout_ms = co->connect_timeout_ms = fetch_seconds_to_ms(o->connect_timeout);
  co->connection_attempt_delay_ms = (uint64_t)o->happy_eyeballs_timeout_ms;  // 0: 250 ms
  if (o->noproxy) {
    *bypass = fetch_noproxy_to_bypass(o->noproxy);
    co->proxy_bypass = *bypass;
  }
  co->netlog = on_netlog_line;
  co->netlog_arg = app;
  // Without -v, a -w of the connect steps, --netlog or --trace, fetch reads
  // back only what its exit status needs: the failures (a proxy's name not
  // resolved, a handshake cut off), and nothing is formatted for a request
  // that works (docs/performance.md "Hot path"). -k's warnings also need
  // the handshakes that succeed: their cheap parameters then.
  if (!netlog_detail_wanted(app) && !o->netlog && !o->trace_ladder)
    co->netlog_capture = o->insecure || o->proxy_insecure ? CNET_NETLOG_CAPTURE_EVENTS
                                                          : CNET_NETLOG_CAPTURE_ERRORS;
  // Chromium's format is cnet's own writer (the context writes the file);
  // fetch still reads the JSON lines for -v and -w.
  if (o->netlog_chrome)
    co->netlog_chrome_path = strcmp(o->netlog, "-") == 0 ? "/dev/stdout" : o->netlog;
  return 0;
}

static int setup(fetch_app *app) {
  const fetch_options *o = app->o;
  if (o->netlog && !o->netlog_chrome) {
    app->netlog_file = strcmp(o->netlog, "-") == 0 ? stdout : fopen(o->netlog, "w");
    if (!app->netlog_file) {
      fprintf(stderr, "fetch: cannot write the NetLog to %s\n", o->netlog);
      return FETCH_EXIT_WRITE_ERROR;
    }
  }
  if (o->trace_ladder)
    app->ladder = fetch_ladder_new();
  app->events = fetch_netlog_new(o->insecure || o->proxy_insecure);
  // -k and --proxy-insecure are never silent: every run says what they do.
  if (o->insecure)
    fprintf(stderr, "fetch: warning: -k/--insecure: origins' certificates are not verified\n");
  if (o->proxy_insecure)
    fprintf(stderr, "fetch: warning: --proxy-insecure: HTTPS proxies' certificates are not "
            "verified\n");
  char err[256];
  if (!fetch_body_build(o, NULL, &app->body, err, sizeof(err))) {
    fprintf(stderr, "fetch: %s\n", err);
    return FETCH_EXIT_READ_ERROR;
  }
  if (!load_write_out(app))
    return FETCH_EXIT_READ_ERROR;
  if (!netlog_detail_wanted(app))
    fetch_netlog_set_lean(app->events);
  cnet_context_options co;
  char *bypass = NULL;
  fetch_resolve_list resolve = {0};
  int rv = context_options(app, &co, &bypass, &resolve);
  if (rv == 0) {
    rv = cnet_context_new(&co, &app->ctx, err, sizeof(err));
    if (rv != 0) {  // a bad option value: the reason names it
      if (strstr(err, cnet_error_name(rv)))
        fprintf(stderr, "fetch: %s\n", err);
      else
        fprintf(stderr, "fetch: %s (%s)\n", err, cnet_error_name(rv));
      // curl: 77 for a CA file it cannot use
      rv = strstr(err, "CA certificates") ? FETCH_EXIT_SSL_CACERT_BADFILE : FETCH_EXIT_USAGE;
    }
  }
  free(bypass);
  fetch_resolve_list_free(&resolve);
  if (rv)
    return rv;
  make_headers(app);
  app->cookies_on = o->num_cookies > 0 || o->cookie_jar;
  fetch_cookie_jar_init(&app->jar);
  for (size_t i = 0; i < o->num_cookies; i++)
    fetch_cookie_jar_load(&app->jar, o->cookies[i], (int64_t)time(NULL));
  return 0;
}

static int run(fetch_app *app) {
  const fetch_options *o = app->o;
  app->total = o->num_urls * (size_t)o->repeat;
  app->transfers = cn_xcalloc(app->total ? app->total : 1, sizeof(*app->transfers));
  int rv = setup(app);
  if (rv)
    return rv;
  progress_start(app);
  start_more(app);
  if (app->active > 0) {
    app->loop_running = true;
    uv_run(&app->loop, UV_RUN_DEFAULT);
    app->loop_running = false;
  }
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
        app->exit_code = FETCH_EXIT_USAGE;
    }
  }
  fetch_ladder_write(app->ladder, stderr);
}

static void cleanup(fetch_app *app) {
  // Destroying the context cancels what still runs and closes every
  // connection, which ends the sessions that --stats counts.
  cnet_stats stats;
  cnet_context_destroy_with_stats(app->ctx, &stats);
  app->ctx = NULL;
  for (size_t i = 0; i < app->started; i++)  // those not written out yet
    if (app->transfers[i])
      release_transfer(app, app->transfers[i]);
  // Let libuv finish closing handles before closing the loop.
  uv_run(&app->loop, UV_RUN_DEFAULT);
  uv_loop_close(&app->loop);
  if (app->o->stats)
    print_stats(&stats);
  if (app->ladder) {
    write_ladder(app);
    fetch_ladder_free(app->ladder);
  }
  fetch_netlog_free(app->events);
  free(app->transfers);
  for (size_t i = 0; i < 2 * app->num_headers; i++)
    free(app->header_copies[i]);
  free(app->header_copies);
  free(app->headers);
  fetch_body_free(&app->body);
  if (app->o->cookie_jar) {  // -c: written at the end, as curl does
    char err[512];
    if (!fetch_cookie_jar_save(&app->jar, app->o->cookie_jar, (int64_t)time(NULL), err,
                               sizeof(err))) {
      fprintf(stderr, "fetch: %s\n", err);
      if (!app->exit_code)
        app->exit_code = FETCH_EXIT_WRITE_ERROR;
    }
  }
  fetch_cookie_jar_free(&app->jar);
  free(app->write_out);
  if (app->netlog_file && app->netlog_file != stdout)
    fclose(app->netlog_file);
  fflush(stdout);
}

// --version: cnet's, its libraries', the protocols and the features.
static void print_version(void) {
  cnet_library_versions v;
  cnet_get_library_versions(&v);
  printf("fetch/0.1 %s\n", cnet_version());  // cnet and what it was built with
  printf("Run time: BoringSSL/%s libuv/%s nghttp2/%s zlib/%s\n", v.boringssl, v.libuv, v.nghttp2,
         v.zlib);
  printf("Protocols: http https\n");
  printf("ALPN: h2 spdy/3.1 http/1.1 (NPN for spdy/3.1 and h2 on TLS 1.2)\n");
  printf("Features: HTTP2 SPDY3.1 HTTPS-proxy proxy-chains SOCKS5 libz SSL IPv6 NetLog ladder\n");
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  fetch_options o;
  char err[256];
  if (!fetch_options_parse(argc, argv, &o, err, sizeof(err))) {
    fprintf(stderr, "fetch: %s\n", err);
    return FETCH_EXIT_USAGE;
  }
  if (o.help || o.version) {
    if (o.help)
      fputs(fetch_options_usage(), stdout);
    else
      print_version();
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
