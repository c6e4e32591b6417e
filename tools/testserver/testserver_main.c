// The `testserver` program: the test server library on its own loop until
// SIGINT or SIGTERM. See testserver_flags.c for the flags.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "net/base/net_errors.h"
#include "net/base/netlog.h"
#include "net/base/netlog_json.h"
#include "tools/testserver/test_server.h"
#include "tools/testserver/testserver_flags.h"

typedef struct program {
  cn_test_server *server;
  // --netlog FILE: the server's NetLog as JSON lines. Line-buffered, so a
  // reader (the ladder of `fetch --trace-proxy-netlog`) sees every event as
  // soon as it happened, even while the server keeps running.
  cn_netlog netlog;
  cn_netlog_json_writer json;
  FILE *netlog_file;
  uv_signal_t sigint;
  uv_signal_t sigterm;
} program;

static void on_signal(uv_signal_t *handle, int signum) {
  program *p = handle->data;
  // Destroying the server closes every connection; closing the signal
  // handles then leaves the loop with nothing to run, so uv_run returns.
  cn_test_server_destroy(p->server);
  p->server = NULL;
  uv_close((uv_handle_t *)&p->sigint, NULL);
  uv_close((uv_handle_t *)&p->sigterm, NULL);
}

// Writes |text| to |path| through a temporary file and a rename, so a
// script polling for the file never reads it half-written.
static bool write_file_atomically(const char *path, const char *text) {
  size_t n = strlen(path) + 16;
  char *tmp = malloc(n);
  if (!tmp)
    return false;
  snprintf(tmp, n, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  bool ok = f && fputs(text, f) >= 0;
  if (f && fclose(f) != 0)
    ok = false;
  ok = ok && rename(tmp, path) == 0;
  if (!ok)
    remove(tmp);
  free(tmp);
  return ok;
}

// After the server and its loop are gone: nothing logs any more.
static void close_netlog(program *p) {
  if (p->netlog_file) {
    cn_netlog_json_writer_detach(&p->json);
    fclose(p->netlog_file);
    p->netlog_file = NULL;
  }
  cn_netlog_destroy(&p->netlog);
}

int main(int argc, char **argv) {
  // A client that hangs up mid-response must be an error code, not a
  // SIGPIPE that kills the server.
  signal(SIGPIPE, SIG_IGN);

  cn_ts_flags flags;
  char err[256];
  if (!cn_ts_flags_parse(argc, argv, &flags, err, sizeof(err))) {
    fprintf(stderr, "testserver: %s\n%s", err, cn_ts_flags_usage());
    return 2;
  }
  if (flags.help) {
    fputs(cn_ts_flags_usage(), stdout);
    return 0;
  }

  program p;
  memset(&p, 0, sizeof(p));
  cn_netlog_init(&p.netlog);
  if (flags.netlog) {
    p.netlog_file = fopen(flags.netlog, "w");
    if (!p.netlog_file) {
      fprintf(stderr, "testserver: cannot write the NetLog to %s\n", flags.netlog);
      return 1;
    }
    setvbuf(p.netlog_file, NULL, _IOLBF, 0);
    cn_netlog_json_writer_attach(&p.json, &p.netlog, p.netlog_file);
    flags.server.netlog = &p.netlog;
  }

  uv_loop_t loop;
  uv_loop_init(&loop);
  int rv = cn_test_server_new(&loop, &flags.server, &p.server);
  if (rv != CN_OK) {
    fprintf(stderr, "testserver: cannot start on %s port %u: %s (%s)\n",
            flags.server.bind_address ? flags.server.bind_address : "127.0.0.1",
            flags.server.port, cn_error_name(rv), cn_error_message(rv));
    uv_loop_close(&loop);
    close_netlog(&p);
    return 1;
  }
  int status = 0;
  if (flags.ca_out) {
    rv = cn_test_write_pem_file(flags.ca_out, cn_test_server_ca_pem(p.server));
    if (rv != CN_OK) {
      fprintf(stderr, "testserver: cannot write %s: %s\n", flags.ca_out, cn_error_name(rv));
      status = 1;
    }
  }
  if (status == 0 && flags.port_file) {
    char text[16];
    snprintf(text, sizeof(text), "%u\n", cn_test_server_port(p.server));
    if (!write_file_atomically(flags.port_file, text)) {
      fprintf(stderr, "testserver: cannot write %s\n", flags.port_file);
      status = 1;
    }
  }
  if (status != 0) {
    cn_test_server_destroy(p.server);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    close_netlog(&p);
    return status;
  }

  uv_signal_init(&loop, &p.sigint);
  uv_signal_init(&loop, &p.sigterm);
  p.sigint.data = &p;
  p.sigterm.data = &p;
  uv_signal_start(&p.sigint, on_signal, SIGINT);
  uv_signal_start(&p.sigterm, on_signal, SIGTERM);

  char url[128];
  printf("listening on %s\n", cn_test_server_base_url(p.server, url, sizeof(url)));
  fflush(stdout);

  uv_run(&loop, UV_RUN_DEFAULT);
  int close_rv = uv_loop_close(&loop);
  close_netlog(&p);
  return close_rv == 0 ? 0 : 1;
}
