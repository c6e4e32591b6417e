// libFuzzer target: a PAC script's answer ("PROXY a:1; HTTPS b:2; DIRECT"),
// which comes from a script cnet did not write. Checks what pac_result.h
// promises: OK exactly when the list has a chain; every chain is DIRECT or
// one proxy without credentials; the list's text parses back to an equal
// list; no more entries skipped than there are.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/base/net_errors.h"
#include "net/proxy_resolution/pac_result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "pac_result_fuzzer: %s\n", what);
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t entries = 1;
  for (size_t i = 0; i < size; i++)
    entries += data[i] == ';';
  cn_proxy_list list;
  size_t skipped = 0;
  // The raw bytes, NULs included, as a script's string could hold them.
  int rv = cn_pac_result_parse((const char *)data, size, &list, &skipped);
  check(rv == CN_OK || rv == CN_ERR_PAC_SCRIPT_FAILED, "error code");
  check((rv == CN_OK) == (list.count > 0), "OK exactly when there is a chain");
  check(skipped + list.count <= entries, "more entries than there are");
  for (size_t i = 0; i < list.count; i++) {
    check(list.chains[i].count <= 1, "a PAC chain has one proxy at most");
    for (size_t k = 0; k < list.chains[i].count; k++)
      check(!cn_proxy_server_has_credentials(&list.chains[i].servers[k]), "credentials");
  }
  if (rv == CN_OK) {
    char *s = cn_proxy_list_to_string(&list);
    cn_proxy_list again;
    check(cn_proxy_list_parse(s, strlen(s), &again) == CN_OK, "list text does not parse back");
    check(cn_proxy_list_equal(&list, &again), "list round trip differs");
    cn_proxy_list_free(&again);
    free(s);
  }
  cn_proxy_list_free(&list);
  return 0;
}
