// libFuzzer target: the hosts file parser (net/dns/hosts_file.c), which
// reads /etc/hosts or the application's hosts_file: text anyone with write
// access to that file controls. Input: the file's bytes. Checks: every
// name parsed is canonical (as cn_host_canonicalize makes it) and not an IP
// literal; its list is non-empty, IPv4/IPv6 only, port 0, without
// duplicates; parsing the same bytes again gives the same entries.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/base/host_port.h"
#include "net/base/net_errors.h"
#include "net/dns/hosts_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "hosts_file_fuzzer: %s\n", what);
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cn_hosts_file h, again;
  cn_hosts_file_init(&h, NULL);
  cn_hosts_file_init(&again, NULL);
  cn_hosts_file_parse(&h, (const char *)data, size);
  cn_hosts_file_parse(&again, (const char *)data, size);
  check(cn_hashmap_count(&h.entries) == cn_hashmap_count(&again.entries), "parsing is not stable");
  size_t it = 0;
  const char *name;
  void *v;
  while (cn_hashmap_next(&h.entries, &it, &name, &v)) {
    const cn_address_list *list = v;
    char canonical[CN_HOST_BUF_SIZE];
    check(cn_host_canonicalize(name, strlen(name), canonical, NULL) == CN_OK &&
              strcmp(canonical, name) == 0,
          "a name is not canonical");
    cn_ip_endpoint ep;
    check(!cn_ip_endpoint_from_literal(name, 0, &ep), "an IP literal parsed as a name");
    check(list->count > 0, "a name without addresses");
    for (size_t i = 0; i < list->count; i++) {
      int family = cn_ip_endpoint_family(&list->items[i]);
      check(family == AF_INET || family == AF_INET6, "an address of another family");
      check(cn_ip_endpoint_port(&list->items[i]) == 0, "an address with a port");
      for (size_t j = 0; j < i; j++)
        check(!cn_ip_endpoint_equal(&list->items[i], &list->items[j]), "a duplicate address");
    }
    const cn_address_list *other = cn_hashmap_get(&again.entries, name);
    check(other && other->count == list->count, "a second parse differs");
  }
  cn_hosts_file_free(&again);
  cn_hosts_file_free(&h);
  return 0;
}
