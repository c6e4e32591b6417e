// A proxy list: the ordered proxy chains to try for one request, with
// fallback from each to the next (e.g. "https://p1:443,https://p2:443,
// direct://": the first proxy, else the second, else without a proxy).
//
// Text form (cn_proxy_list_parse, cn_proxy_list_to_string): chains separated
// by commas, each as cn_proxy_chain_parse() accepts; blanks around entries
// are ignored. to_string writes chain keys ("https://p1:443,direct"), which
// parse back to the same list, minus credentials.
//
// Ownership: a cn_proxy_list owns its chains; release with
// cn_proxy_list_free(), duplicate with cn_proxy_list_copy().
#ifndef CNET_NET_PROXY_RESOLUTION_PROXY_LIST_H_
#define CNET_NET_PROXY_RESOLUTION_PROXY_LIST_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/proxy_resolution/proxy_chain.h"
#include "net/proxy_resolution/proxy_retry_info.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_proxy_list {
  cn_proxy_chain *chains;  // in the order to try them
  size_t count;
} cn_proxy_list;

// An empty list. (An empty list is not DIRECT: it means "nothing to try";
// the config and the service always produce at least one chain.)
void cn_proxy_list_init(cn_proxy_list *list);
void cn_proxy_list_free(cn_proxy_list *list);
// Deep copy into |dst| (overwritten, not freed).
void cn_proxy_list_copy(cn_proxy_list *dst, const cn_proxy_list *src);

// Appends a copy of |chain|.
void cn_proxy_list_add_chain(cn_proxy_list *list, const cn_proxy_chain *chain);
// Appends the one-server chain of a copy of |server| (DIRECT for DIRECT).
void cn_proxy_list_add_server(cn_proxy_list *list, const cn_proxy_server *server);
// Replaces the contents with the single DIRECT chain.
void cn_proxy_list_set_direct(cn_proxy_list *list);

// Parses the comma-separated |text| (see above) into |out| (overwritten).
// An empty entry ("a,,b", a trailing comma) is an error. Returns CN_OK or
// the cn_proxy_chain_parse() error of the first bad entry; on error |out| is
// empty and needs no free.
int cn_proxy_list_parse(const char *text, size_t len, cn_proxy_list *out);

// The list as "https://p1:443,direct" (chain keys joined by commas; "" for
// an empty list) in a heap string the caller frees.
char *cn_proxy_list_to_string(const cn_proxy_list *list);

// True when the list is exactly one DIRECT chain.
bool cn_proxy_list_is_direct(const cn_proxy_list *list);
// Same chains in the same order.
bool cn_proxy_list_equal(const cn_proxy_list *a, const cn_proxy_list *b);

// Moves the chains that |retry| says are bad at |now_ms| to the end of the
// list, keeping the relative order within the good and within the bad ones.
// Bad chains stay in the list: they are tried last, not skipped. Returns the
// number of bad chains (now the last ones).
size_t cn_proxy_list_deprioritize_bad(cn_proxy_list *list, const cn_proxy_retry_map *retry,
                                      uint64_t now_ms);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_PROXY_RESOLUTION_PROXY_LIST_H_
