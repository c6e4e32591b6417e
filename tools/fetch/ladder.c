// The ladder's public face (ladder.h): the client's and the proxy's parsed
// NetLogs (ladder_parse.c), drawn on request (ladder_draw.c).
#include "tools/fetch/ladder.h"

#include <stdbool.h>
#include <stdlib.h>

#include "tools/fetch/ladder_draw.h"
#include "tools/fetch/ladder_parse.h"

struct fetch_ladder {
  ev_log client;
  ev_log proxy;
  bool have_proxy;
};

fetch_ladder *fetch_ladder_new(void) { return calloc(1, sizeof(fetch_ladder)); }

void fetch_ladder_free(fetch_ladder *l) {
  if (!l)
    return;
  ev_log_free(&l->client);
  ev_log_free(&l->proxy);
  free(l);
}

void fetch_ladder_add_client_line(fetch_ladder *l, const char *json_line, size_t len) {
  ev_log_add_line(&l->client, json_line, len);
}

int fetch_ladder_add_proxy_netlog(fetch_ladder *l, const char *path, char *err, size_t err_size) {
  if (ev_log_read_file(&l->proxy, "proxy", path, err, err_size) != 0)
    return -1;
  l->have_proxy = true;
  return 0;
}

int fetch_ladder_add_client_netlog(fetch_ladder *l, const char *path, char *err,
                                   size_t err_size) {
  return ev_log_read_file(&l->client, "client", path, err, err_size);
}

void fetch_ladder_write(const fetch_ladder *l, FILE *out) {
  ladder_logs logs = {.client = &l->client, .proxy = &l->proxy, .have_proxy = l->have_proxy};
  ladder_draw(&logs, out);
}
