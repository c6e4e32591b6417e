#include "net/dns/hosts_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/mem.h"
#include "net/base/host_port.h"
#include "net/base/net_errors.h"

// Bigger files are not hosts files anyone means; reading stops there.
#define MAX_HOSTS_FILE_BYTES (4 * 1024 * 1024)

static void clear_entries(cn_hosts_file *h) {
  size_t it = 0;
  void *v;
  while (cn_hashmap_next(&h->entries, &it, NULL, &v)) {
    cn_address_list_free(v);
    free(v);
  }
  cn_hashmap_free(&h->entries);
  cn_hashmap_init(&h->entries);
}

void cn_hosts_file_init(cn_hosts_file *h, const char *path) {
  memset(h, 0, sizeof(*h));
  h->path = path && *path ? cn_xstrdup(path) : NULL;
  cn_hashmap_init(&h->entries);
}

void cn_hosts_file_free(cn_hosts_file *h) {
  clear_entries(h);
  cn_hashmap_free(&h->entries);
  free(h->path);
  h->path = NULL;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Adds |ep| to |name|'s list unless it is there already.
static void add_entry(cn_hosts_file *h, const char *name, size_t name_len,
                      const cn_ip_endpoint *ep) {
  char canon[CN_HOST_BUF_SIZE];
  bool is_ipv6 = false;
  if (cn_host_canonicalize(name, name_len, canon, &is_ipv6) != CN_OK || is_ipv6)
    return;
  cn_ip_endpoint literal;
  if (cn_ip_endpoint_from_literal(canon, 0, &literal))
    return;  // an address is not a name
  cn_address_list *list = cn_hashmap_get(&h->entries, canon);
  if (!list) {
    list = CN_NEW(cn_address_list);
    cn_address_list_init(list);
    cn_hashmap_put(&h->entries, canon, list);
  }
  for (size_t i = 0; i < list->count; i++) {
    if (cn_ip_endpoint_equal(&list->items[i], ep))
      return;
  }
  cn_address_list_append(list, ep);
}

// One line without its newline: the address, then names.
static void parse_line(cn_hosts_file *h, const char *p, const char *end) {
  const char *hash = memchr(p, '#', (size_t)(end - p));
  if (hash)
    end = hash;
  cn_ip_endpoint ep;
  bool have_addr = false;
  while (p < end) {
    while (p < end && is_space(*p))
      p++;
    const char *tok = p;
    while (p < end && !is_space(*p))
      p++;
    size_t len = (size_t)(p - tok);
    if (len == 0)
      break;
    if (!have_addr) {
      char addr[64];
      // A zone index ("fe80::1%eth0") is not supported: the line is skipped.
      if (len >= sizeof(addr))
        return;
      memcpy(addr, tok, len);
      addr[len] = '\0';
      if (strchr(addr, '[') || !cn_ip_endpoint_from_literal(addr, 0, &ep))
        return;
      have_addr = true;
      continue;
    }
    add_entry(h, tok, len, &ep);
  }
}

void cn_hosts_file_parse(cn_hosts_file *h, const char *text, size_t len) {
  clear_entries(h);
  const char *p = text;
  const char *end = text + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *line_end = nl ? nl : end;
    parse_line(h, p, line_end);
    p = nl ? nl + 1 : end;
  }
  h->loaded = true;
}

static void load(cn_hosts_file *h, const struct stat *st) {
  h->mtime_ns = st ? (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec : -1;
  h->size = st ? (int64_t)st->st_size : -1;
  char *text = NULL;
  size_t len = 0;
  FILE *f = st ? fopen(h->path, "rb") : NULL;
  if (f) {
    size_t cap = st->st_size < MAX_HOSTS_FILE_BYTES ? (size_t)st->st_size : MAX_HOSTS_FILE_BYTES;
    text = cn_xmalloc(cap + 1);
    len = fread(text, 1, cap, f);
    fclose(f);
  }
  cn_hosts_file_parse(h, text ? text : "", len);
  free(text);
}

bool cn_hosts_file_lookup(cn_hosts_file *h, const char *host, cn_address_list *out) {
  if (!h->path)
    return false;
  struct stat st;
  bool exists = stat(h->path, &st) == 0;
  int64_t mtime_ns = exists ? (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec : -1;
  int64_t size = exists ? (int64_t)st.st_size : -1;
  if (!h->loaded || mtime_ns != h->mtime_ns || size != h->size)
    load(h, exists ? &st : NULL);
  const cn_address_list *list = cn_hashmap_get(&h->entries, host);
  if (!list)
    return false;
  cn_address_list_free(out);
  cn_address_list_copy(out, list);
  return true;
}

void cn_hosts_file_invalidate(cn_hosts_file *h) { h->loaded = false; }
