#include "net/http/http_server_properties.h"

void cn_http_server_properties_init(cn_http_server_properties *p) {
  cn_hashmap_init(&p->http11_required);
}

void cn_http_server_properties_free(cn_http_server_properties *p) {
  cn_hashmap_free(&p->http11_required);
}

void cn_http_server_properties_note_http11_required(cn_http_server_properties *p,
                                                     const cn_host_port *server) {
  char key[CN_HOST_PORT_STR_SIZE];
  cn_hashmap_put(&p->http11_required, cn_host_port_to_string(server, key, sizeof(key)),
                 (void *)1);
}

bool cn_http_server_properties_requires_http11(const cn_http_server_properties *p,
                                                const cn_host_port *server) {
  // Asked for every request: no key is made while no server requires
  // HTTP/1.1 (nearly always).
  if (cn_hashmap_count(&p->http11_required) == 0)
    return false;
  char key[CN_HOST_PORT_STR_SIZE];
  return cn_hashmap_get(&p->http11_required, cn_host_port_to_string(server, key, sizeof(key))) !=
         NULL;
}

const cn_ssl_config *cn_http_server_properties_ssl_config(const cn_http_server_properties *p,
                                                         const cn_host_port *server,
                                                         const cn_ssl_config *cfg,
                                                         cn_ssl_config *scratch) {
  if (!cn_http_server_properties_requires_http11(p, server))
    return cfg;
  *scratch = *cfg;
  scratch->protos[0] = CN_PROTO_HTTP11;
  scratch->num_protos = 1;
  return scratch;
}

bool cn_ssl_config_offers_multiplexed(const cn_ssl_config *cfg) {
  for (size_t i = 0; i < cfg->num_protos; i++) {
    if (cfg->protos[i] == CN_PROTO_HTTP2 || cfg->protos[i] == CN_PROTO_SPDY31)
      return true;
  }
  return false;
}
