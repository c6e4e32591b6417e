// `ladder CLIENT.jsonl [PROXY.jsonl...]`: draws the ladder diagram (ladder.h)
// of a client NetLog written earlier by `fetch --netlog`, with the proxies'
// steps from their NetLogs (`testserver --netlog`, one per hop of a chain)
// when given.
// Exit status: 0 drawn, 1 a file could not be read, 2 bad usage.
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tools/fetch/ladder.h"

static const char kUsage[] =
    "usage: ladder CLIENT.jsonl [PROXY.jsonl...]\n"
    "Draws the client's requests as the ladder diagrams of docs/flows.md from a\n"
    "NetLog written by `fetch --netlog FILE`; the proxy's own steps (its\n"
    "connections and requests to origins) come from PROXY.jsonl, written by\n"
    "`testserver --netlog FILE` (one per proxy of a chain, in any order), and\n"
    "are marked not observed without it.\n";

int main(int argc, char **argv) {
  if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
    fputs(kUsage, stdout);
    return 0;
  }
  bool usage = argc < 2;
  for (int i = 1; i < argc; i++)
    usage = usage || argv[i][0] == '-';
  if (usage) {
    fputs(kUsage, stderr);
    return 2;
  }
  fetch_ladder *l = fetch_ladder_new();
  if (!l) {
    fputs("ladder: out of memory\n", stderr);
    return 1;
  }
  char err[512];
  int status = 0;
  bool read = fetch_ladder_add_client_netlog(l, argv[1], err, sizeof(err)) == 0;
  for (int i = 2; i < argc && read; i++)
    read = fetch_ladder_add_proxy_netlog(l, argv[i], err, sizeof(err)) == 0;
  if (!read) {
    fprintf(stderr, "ladder: %s\n", err);
    status = 1;
  } else {
    fetch_ladder_write(l, stdout);
  }
  fetch_ladder_free(l);
  return status;
}
