// IP endpoints (address + port) and ordered address lists, as the resolver
// produces them and TCP connects to them.
//
// Ownership: cn_address_list owns its array; free with cn_address_list_free.
#ifndef CNET_NET_BASE_IP_ENDPOINT_H_
#define CNET_NET_BASE_IP_ENDPOINT_H_

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cn_ip_endpoint {
  struct sockaddr_storage addr;  // AF_INET or AF_INET6, port set
} cn_ip_endpoint;

// Parses a literal IPv4 ("127.0.0.1") or IPv6 ("::1", brackets allowed)
// address; false if |text| is not an IP literal.
bool cn_ip_endpoint_from_literal(const char *text, uint16_t port, cn_ip_endpoint *out);
uint16_t cn_ip_endpoint_port(const cn_ip_endpoint *ep);
void cn_ip_endpoint_set_port(cn_ip_endpoint *ep, uint16_t port);
int cn_ip_endpoint_family(const cn_ip_endpoint *ep);
// "127.0.0.1:443" or "[::1]:443" into |buf| (at least 64 bytes).
const char *cn_ip_endpoint_to_string(const cn_ip_endpoint *ep, char *buf, size_t size);
bool cn_ip_endpoint_equal(const cn_ip_endpoint *a, const cn_ip_endpoint *b);

typedef struct cn_address_list {
  cn_ip_endpoint *items;
  size_t count;
} cn_address_list;

void cn_address_list_init(cn_address_list *l);
void cn_address_list_free(cn_address_list *l);
void cn_address_list_append(cn_address_list *l, const cn_ip_endpoint *ep);
void cn_address_list_copy(cn_address_list *dst, const cn_address_list *src);
// "[127.0.0.1:80, [::1]:80]" as a heap string the caller frees.
char *cn_address_list_to_string(const cn_address_list *l);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_BASE_IP_ENDPOINT_H_
