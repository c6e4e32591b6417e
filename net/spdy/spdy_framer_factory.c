// cn_spdy_framer_new: picks the protocol's framer. Kept apart from
// spdy_framer.c so each framer and its tests link without the other.
#include "net/spdy/spdy_framer.h"

#include "net/spdy/spdy_framer_internal.h"

cn_spdy_framer *cn_spdy_framer_new(cn_next_proto proto, bool is_server,
                                   const cn_spdy_framer_limits *limits) {
  cn_spdy_framer_limits defaults;
  if (!limits) {
    cn_spdy_framer_limits_init(&defaults, proto);
    limits = &defaults;
  }
  switch (proto) {
    case CN_PROTO_SPDY31:
      return cn_spdy3_framer_new(is_server, limits);
    case CN_PROTO_HTTP2:
      return cn_http2_framer_new(is_server, limits);
    default:
      return NULL;
  }
}
