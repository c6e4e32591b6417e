// A request's proxy chain and the ladder's columns (see ladder_chain.h).
#include "tools/fetch/ladder_chain.h"

#include <string.h>

// One proxy of the chain text ("https://h:p", "socks5://h:p") as "h:p".
static void add_hop(ladder_chain *c, const char *entry, size_t len) {
  bool socks = len > 6 && strncmp(entry, "socks5", 6) == 0;
  const char *scheme_end = NULL;
  for (size_t i = 0; i + 2 < len; i++) {
    if (strncmp(entry + i, "://", 3) == 0) {
      scheme_end = entry + i + 3;
      break;
    }
  }
  if (scheme_end) {
    len -= (size_t)(scheme_end - entry);
    entry = scheme_end;
  }
  if (len == 0)
    return;
  if (c->hops == LADDER_MAX_HOPS) {
    // Beyond the last column: that column stands for the rest of the chain.
    return;
  }
  c->hops++;
  c->socks[c->hops] = socks;
  snprintf(c->hop[c->hops], sizeof(c->hop[0]), "%.*s", (int)len, entry);
}

void ladder_chain_parse(ladder_chain *c, const char *proxy_list) {
  memset(c, 0, sizeof(*c));
  size_t n = proxy_list[0] == '[' ? strcspn(proxy_list, "]") : strcspn(proxy_list, ", ;");
  if (proxy_list[0] == '[' && proxy_list[n] == ']')
    n++;
  snprintf(c->text, sizeof(c->text), "%.*s", (int)n, proxy_list);
  if (n == 0 || strcmp(c->text, "direct") == 0 || strncmp(c->text, "direct:", 7) == 0) {
    c->text[0] = '\0';
    return;
  }
  const char *p = c->text;
  const char *end = c->text + strlen(c->text);
  if (*p == '[') {
    p++;
    if (end > p && end[-1] == ']')
      end--;
  }
  while (p < end) {
    while (p < end && *p == ' ')
      p++;
    size_t len = 0;
    while (p + len < end && p[len] != ' ')
      len++;
    add_hop(c, p, len);
    p += len;
  }
}

int ladder_chain_hop(const ladder_chain *c, const char *host_port) {
  size_t n = strcspn(host_port, "|");
  for (int k = 1; k <= c->hops; k++) {
    if (strlen(c->hop[k]) == n && strncmp(c->hop[k], host_port, n) == 0)
      return k;
  }
  return 0;
}

int ladder_chain_origin(const ladder_chain *c) { return c->hops > 1 ? c->hops + 1 : 2; }

const char *ladder_chain_name(const ladder_chain *c, int col, const char *origin, char *buf,
                              size_t size) {
  if (col <= 0)
    snprintf(buf, size, "Client");
  else if (col >= ladder_chain_origin(c))
    snprintf(buf, size, "%s", origin);
  else if (c->hops <= 1)
    snprintf(buf, size, "Proxy");
  else
    snprintf(buf, size, "Proxy %d", col);
  return buf;
}

const char *ladder_step(int base, int last, int col, char *buf, size_t size) {
  int shift = col > 1 ? 10 * (col - 1) : 0;
  if (last)
    snprintf(buf, size, "%d-%d", base + shift, last + shift);
  else
    snprintf(buf, size, "%d", base + shift);
  return buf;
}

void ladder_chain_header(const ladder_chain *c, FILE *out) {
  if (c->hops <= 1) {
    fprintf(out, "%-7s%-17s%-19s%s\n", "step", "Client", "HTTPS Proxy", "Origin Server");
    return;
  }
  fprintf(out, "%-7s%-17s", "step", "Client");
  for (int k = 1; k <= c->hops; k++) {
    char name[24];
    snprintf(name, sizeof(name), "Proxy %d", k);
    fprintf(out, "%-19s", name);
  }
  fprintf(out, "Origin Server\n");
}

void ladder_chain_arrow(const ladder_chain *c, FILE *out, const char *step, int from, int to,
                        const char *text) {
  int cols = ladder_chain_origin(c) + 1;
  int lo = from < to ? from : to, hi = from < to ? to : from;
  char fill = hi - lo > 1 ? '=' : '-';
  char line[LADDER_MAX_HOPS * 20 + 64];
  size_t at = 0;
  line[at++] = '|';
  for (int gap = 0; gap + 1 < cols; gap++) {
    size_t width = gap == 0 ? 17 : 18;
    bool inside = gap >= lo && gap < hi;
    for (size_t i = 0; i < width; i++) {
      char ch = inside ? fill : ' ';
      if (inside && from < to && gap == hi - 1 && i == width - 1)
        ch = '>';
      if (inside && from > to && gap == lo && i == 0)
        ch = '<';
      line[at++] = ch;
    }
    // A bar inside the arrow is drawn over; the one-hop layout's arrow
    // leaves it out (the seed's client-origin arrow is one character
    // short), kept so that one-hop ladders read exactly as before.
    bool bar_inside = inside && gap + 1 < hi;
    if (!bar_inside)
      line[at++] = '|';
    else if (c->hops > 1)
      line[at++] = fill;
  }
  line[at] = '\0';
  char num[16];
  snprintf(num, sizeof(num), "%s)", step);
  fprintf(out, "%-6s %s %s\n", num, line, text);
}
