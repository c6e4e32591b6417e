#include "net/proxy_resolution/proxy_info.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "net/base/net_errors.h"
#include "net/proxy_resolution/proxy_fallback.h"

void cn_proxy_info_init(cn_proxy_info *info) {
  memset(info, 0, sizeof(*info));
  cn_proxy_list_init(&info->list);
}

static void clear_failures(cn_proxy_info *info) {
  for (size_t i = 0; i < info->num_failures; i++)
    free(info->failures[i].chain_key);
  free(info->failures);
  info->failures = NULL;
  info->num_failures = 0;
}

void cn_proxy_info_free(cn_proxy_info *info) {
  cn_proxy_list_free(&info->list);
  clear_failures(info);
  cn_proxy_info_init(info);
}

void cn_proxy_info_use_list(cn_proxy_info *info, const cn_proxy_list *list) {
  cn_proxy_list_free(&info->list);
  cn_proxy_list_copy(&info->list, list);
  info->index = 0;
  info->bypassed = false;
  clear_failures(info);
}

void cn_proxy_info_use_direct(cn_proxy_info *info) {
  cn_proxy_list_set_direct(&info->list);
  info->index = 0;
  info->bypassed = false;
  clear_failures(info);
}

const cn_proxy_chain *cn_proxy_info_chain(const cn_proxy_info *info) {
  return info->index < info->list.count ? &info->list.chains[info->index] : NULL;
}

bool cn_proxy_info_is_direct(const cn_proxy_info *info) {
  const cn_proxy_chain *chain = cn_proxy_info_chain(info);
  return chain && cn_proxy_chain_is_direct(chain);
}

int cn_proxy_info_fallback(cn_proxy_info *info, int net_error) {
  const cn_proxy_chain *failed = cn_proxy_info_chain(info);
  if (!failed || !cn_proxy_error_allows_fallback(net_error))
    return net_error;
  info->index++;
  const cn_proxy_chain *next = cn_proxy_info_chain(info);
  if (!next)
    return net_error;  // the request's END event carries the final error
  char *key = cn_proxy_chain_key(failed);
  if (cn_netlog_is_capturing(info->netlog)) {
    char *next_key = cn_proxy_chain_key(next);
    cn_netlog_event(info->netlog, info->source, CN_NETLOG_PROXY_FALLBACK,
                    CN_NL_STR("chain", key), CN_NL_ERROR(net_error), CN_NL_STR("next", next_key));
    free(next_key);
  }
  // DIRECT is never marked bad, so there is nothing to commit for it.
  if (strcmp(key, "direct") == 0) {
    free(key);
    return CN_OK;
  }
  info->failures =
      cn_xrealloc(info->failures, (info->num_failures + 1) * sizeof(*info->failures));
  info->failures[info->num_failures].chain_key = key;
  info->failures[info->num_failures].net_error = net_error;
  info->num_failures++;
  return CN_OK;
}
