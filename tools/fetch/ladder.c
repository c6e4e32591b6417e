// The ladder's public face (ladder.h): the client's and the proxies' parsed
// NetLogs (ladder_parse.c), drawn on request (ladder_draw.c).
#include "tools/fetch/ladder.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "tools/fetch/ladder_draw.h"
#include "tools/fetch/ladder_parse.h"

struct fetch_ladder {
  ev_log client;
  ev_log proxies[LADDER_MAX_PROXY_LOGS];
  size_t nproxies;
};

fetch_ladder *fetch_ladder_new(void) { return calloc(1, sizeof(fetch_ladder)); }

void fetch_ladder_free(fetch_ladder *l) {
  if (!l)
    return;
  ev_log_free(&l->client);
  for (size_t k = 0; k < l->nproxies; k++)
    ev_log_free(&l->proxies[k]);
  free(l);
}

void fetch_ladder_add_client_line(fetch_ladder *l, const char *json_line, size_t len) {
  ev_log_add_line(&l->client, json_line, len);
}

int fetch_ladder_add_proxy_netlog(fetch_ladder *l, const char *path, char *err, size_t err_size) {
  if (l->nproxies == LADDER_MAX_PROXY_LOGS) {
    snprintf(err, err_size, "more than %d proxy NetLogs: %s", LADDER_MAX_PROXY_LOGS, path);
    return -1;
  }
  if (ev_log_read_file(&l->proxies[l->nproxies], "proxy", path, err, err_size) != 0) {
    ev_log_free(&l->proxies[l->nproxies]);
    return -1;
  }
  l->nproxies++;
  return 0;
}

int fetch_ladder_add_client_netlog(fetch_ladder *l, const char *path, char *err,
                                   size_t err_size) {
  return ev_log_read_file(&l->client, "client", path, err, err_size);
}

void fetch_ladder_write(const fetch_ladder *l, FILE *out) {
  ladder_logs logs = {.client = &l->client, .proxies = l->proxies, .nproxies = l->nproxies,
                      .have_proxy = l->nproxies > 0};
  ladder_draw(&logs, out);
}
