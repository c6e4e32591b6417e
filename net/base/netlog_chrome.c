#include "net/base/netlog_chrome.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "base/mem.h"
#include "net/base/net_errors.h"
#include "net/base/netlog_json.h"

// --- the mapping onto Chromium's names ---

typedef struct event_export {
  const char *name;  // Chromium's name, or cnet's for a cnet-only type
  bool chromium;     // |name| is in Chromium's net_log_event_type_list.h
  // Chromium logs PINGs both ways as one type with a "type" parameter.
  const char *ping_type;
} event_export;

#define CHROME(sym, name) [CN_NETLOG_##sym] = {name, true, NULL}
#define CNET_ONLY(sym, name) [CN_NETLOG_##sym] = {name, false, NULL}

static const event_export kEvents[CN_NETLOG_EVENT_COUNT] = {
    CHROME(REQUEST_ALIVE, "REQUEST_ALIVE"),
    CHROME(HOST_RESOLVER_JOB, "HOST_RESOLVER_MANAGER_JOB"),
    CHROME(HOST_RESOLVER_CACHE_HIT, "HOST_RESOLVER_MANAGER_CACHE_HIT"),
    CNET_ONLY(HOST_RESOLVER_RULE_APPLIED, "HOST_RESOLVER_RULE_APPLIED"),
    CNET_ONLY(HOST_RESOLVER_HOSTS_FILE_HIT, "HOST_RESOLVER_HOSTS_FILE_HIT"),
    CNET_ONLY(NETWORK_CHANGED, "NETWORK_CHANGED"),
    CHROME(HOST_RESOLVER_REQUEST, "HOST_RESOLVER_MANAGER_REQUEST"),
    CHROME(HOST_RESOLVER_JOB_ATTACH, "HOST_RESOLVER_MANAGER_JOB_ATTACH"),
    CHROME(TCP_CONNECT, "TCP_CONNECT"),
    CHROME(TCP_CONNECT_ATTEMPT, "TCP_CONNECT_ATTEMPT"),
    CHROME(TCP_ACCEPT, "TCP_ACCEPT"),
    CNET_ONLY(TRANSPORT_CONNECT_ATTEMPT, "TRANSPORT_CONNECT_ATTEMPT"),
    CHROME(SOCKET_ALIVE, "SOCKET_ALIVE"),
    CHROME(SOCKET_BYTES_SENT, "SOCKET_BYTES_SENT"),
    CHROME(SOCKET_BYTES_RECEIVED, "SOCKET_BYTES_RECEIVED"),
    CHROME(SOCKET_CLOSED, "SOCKET_CLOSED"),
    CHROME(SSL_CONNECT, "SSL_CONNECT"),
    CNET_ONLY(SSL_CERT_VERIFY_FAILED, "SSL_CERT_VERIFY_FAILED"),
    CNET_ONLY(SSL_CERT_ERROR, "SSL_CERT_ERROR"),
    CHROME(HTTP_TUNNEL_CONNECT, "HTTP_PROXY_CONNECT_JOB_CONNECT"),
    CHROME(SOCKS5_CONNECT, "SOCKS5_CONNECT"),
    CHROME(SESSION_ALIVE, "HTTP2_SESSION"),
    CHROME(STREAM_ALIVE, "HTTP2_STREAM"),
    CHROME(HTTP_TRANSACTION_SEND_REQUEST, "HTTP_TRANSACTION_SEND_REQUEST"),
    CHROME(HTTP_TRANSACTION_SEND_REQUEST_HEADERS, "HTTP_TRANSACTION_SEND_REQUEST_HEADERS"),
    CHROME(HTTP_TRANSACTION_READ_HEADERS, "HTTP_TRANSACTION_READ_HEADERS"),
    CHROME(HTTP_TRANSACTION_READ_RESPONSE_HEADERS, "HTTP_TRANSACTION_READ_RESPONSE_HEADERS"),
    CHROME(HTTP_TRANSACTION_READ_BODY, "HTTP_TRANSACTION_READ_BODY"),
    CNET_ONLY(AUTH_CHALLENGE, "AUTH_CHALLENGE"),
    CNET_ONLY(AUTH_SCHEME_CHOSEN, "AUTH_SCHEME_CHOSEN"),
    CNET_ONLY(AUTH_CREDENTIALS_SENT, "AUTH_CREDENTIALS_SENT"),
    CHROME(PROXY_RESOLUTION, "PROXY_RESOLUTION_SERVICE"),
    CHROME(PROXY_FALLBACK, "PROXY_LIST_FALLBACK"),
    CHROME(PROXY_MARKED_BAD, "BAD_PROXY_LIST_REPORTED"),
    CHROME(PAC_FILE_FETCH, "PAC_FILE_DECIDER_FETCH_PAC_SCRIPT"),
    CHROME(PAC_JAVASCRIPT_ALERT, "PAC_JAVASCRIPT_ALERT"),
    CHROME(PAC_JAVASCRIPT_ERROR, "PAC_JAVASCRIPT_ERROR"),
    CNET_ONLY(PAC_DNS_RERUN, "PAC_DNS_RERUN"),
    CNET_ONLY(PAC_RESULT, "PAC_RESULT"),
    CHROME(CONNECT_JOB, "CONNECT_JOB"),
    CHROME(SOCKET_POOL_BOUND, "SOCKET_POOL_BOUND_TO_SOCKET"),
    CHROME(CONNECT_JOB_SET_SOCKET, "CONNECT_JOB_SET_SOCKET"),
    CHROME(CONNECT_JOB_TIMED_OUT, "CONNECT_JOB_TIMED_OUT"),
    CNET_ONLY(REQUEST_TIMED_OUT, "REQUEST_TIMED_OUT"),
    CNET_ONLY(PROXY_CONNECT_ERROR, "PROXY_CONNECT_ERROR"),
    CHROME(SPDY_SESSION_SEND_HEADERS, "HTTP2_SESSION_SEND_HEADERS"),
    CHROME(SPDY_SESSION_RECV_HEADERS, "HTTP2_SESSION_RECV_HEADERS"),
    CHROME(SPDY_SESSION_SEND_DATA, "HTTP2_SESSION_SEND_DATA"),
    CHROME(SPDY_SESSION_RECV_DATA, "HTTP2_SESSION_RECV_DATA"),
    CHROME(SPDY_SESSION_SEND_RST_STREAM, "HTTP2_SESSION_SEND_RST_STREAM"),
    CHROME(SPDY_SESSION_RECV_RST_STREAM, "HTTP2_SESSION_RECV_RST_STREAM"),
    CHROME(SPDY_SESSION_SEND_SETTINGS, "HTTP2_SESSION_SEND_SETTINGS"),
    CHROME(SPDY_SESSION_RECV_SETTINGS, "HTTP2_SESSION_RECV_SETTINGS"),
    [CN_NETLOG_SPDY_SESSION_SEND_PING] = {"HTTP2_SESSION_PING", true, "sent"},
    [CN_NETLOG_SPDY_SESSION_RECV_PING] = {"HTTP2_SESSION_PING", true, "received"},
    // Chromium logs only a received GOAWAY as a frame event (a sent one is
    // part of its HTTP2_SESSION_CLOSE).
    CNET_ONLY(SPDY_SESSION_SEND_GOAWAY, "HTTP2_SESSION_SEND_GOAWAY"),
    CHROME(SPDY_SESSION_RECV_GOAWAY, "HTTP2_SESSION_RECV_GOAWAY"),
    CHROME(SPDY_SESSION_SEND_WINDOW_UPDATE, "HTTP2_SESSION_SEND_WINDOW_UPDATE"),
    CHROME(SPDY_SESSION_RECV_WINDOW_UPDATE, "HTTP2_SESSION_RECV_WINDOW_UPDATE"),
    CHROME(SPDY_SESSION_STREAM_QUEUED, "HTTP2_SESSION_STALLED_MAX_STREAMS"),
    CHROME(SPDY_SESSION_ERROR, "HTTP2_SESSION_CLOSE"),
};

#undef CHROME
#undef CNET_ONLY

// Exported source types. The first ones follow cnet's source list; a
// CONNECT_JOB source is exported as the connect job type of its kind.
enum {
  SRC_NONE,
  SRC_URL_REQUEST,
  SRC_HOST_RESOLVER_IMPL_JOB,
  SRC_CONNECT_JOB,  // cnet-only: a connect job of an unknown kind
  SRC_SOCKET,
  SRC_HTTP2_SESSION,
  SRC_HTTP2_STREAM,  // cnet-only: Chromium logs streams on other sources
  SRC_SERVER,        // cnet-only: the test server's requests
  SRC_TRANSPORT_CONNECT_JOB,
  SRC_SSL_CONNECT_JOB,
  SRC_HTTP_PROXY_CONNECT_JOB,
  SRC_SOCKS_CONNECT_JOB,
  SRC_PAC_FILE_DECIDER,
  SRC_COUNT
};

static const char *const kSourceNames[SRC_COUNT] = {
    [SRC_NONE] = "NONE",
    [SRC_URL_REQUEST] = "URL_REQUEST",
    [SRC_HOST_RESOLVER_IMPL_JOB] = "HOST_RESOLVER_IMPL_JOB",
    [SRC_CONNECT_JOB] = "CONNECT_JOB",
    [SRC_SOCKET] = "SOCKET",
    [SRC_HTTP2_SESSION] = "HTTP2_SESSION",
    [SRC_HTTP2_STREAM] = "HTTP2_STREAM",
    [SRC_SERVER] = "SERVER",
    [SRC_TRANSPORT_CONNECT_JOB] = "TRANSPORT_CONNECT_JOB",
    [SRC_SSL_CONNECT_JOB] = "SSL_CONNECT_JOB",
    [SRC_HTTP_PROXY_CONNECT_JOB] = "HTTP_PROXY_CONNECT_JOB",
    [SRC_SOCKS_CONNECT_JOB] = "SOCKS_CONNECT_JOB",
    [SRC_PAC_FILE_DECIDER] = "PAC_FILE_DECIDER",
};

static const uint8_t kSourceMap[CN_NETLOG_SOURCE_COUNT] = {
    [CN_NETLOG_SOURCE_NONE] = SRC_NONE,
    [CN_NETLOG_SOURCE_REQUEST] = SRC_URL_REQUEST,
    [CN_NETLOG_SOURCE_HOST_RESOLVER_JOB] = SRC_HOST_RESOLVER_IMPL_JOB,
    [CN_NETLOG_SOURCE_CONNECT_JOB] = SRC_CONNECT_JOB,
    [CN_NETLOG_SOURCE_SOCKET] = SRC_SOCKET,
    [CN_NETLOG_SOURCE_SESSION] = SRC_HTTP2_SESSION,
    [CN_NETLOG_SOURCE_STREAM] = SRC_HTTP2_STREAM,
    [CN_NETLOG_SOURCE_SERVER] = SRC_SERVER,
    [CN_NETLOG_SOURCE_PAC_RESOLVER] = SRC_PAC_FILE_DECIDER,
};
_Static_assert(CN_NETLOG_SOURCE_COUNT == 9, "a new cnet source type needs its exported name");

// The connect job's kind (its CONNECT_JOB BEGIN "kind") -> exported type.
static uint8_t connect_job_type(const char *kind) {
  if (!kind)
    return SRC_CONNECT_JOB;
  if (strcmp(kind, "transport") == 0)
    return SRC_TRANSPORT_CONNECT_JOB;
  if (strcmp(kind, "ssl") == 0)
    return SRC_SSL_CONNECT_JOB;
  if (strcmp(kind, "http_proxy_tunnel") == 0)
    return SRC_HTTP_PROXY_CONNECT_JOB;
  if (strcmp(kind, "socks5") == 0)
    return SRC_SOCKS_CONNECT_JOB;
  return SRC_CONNECT_JOB;
}

const char *cn_netlog_chrome_event_name(cn_netlog_event_type type) {
  return (unsigned)type < CN_NETLOG_EVENT_COUNT && kEvents[type].name ? kEvents[type].name
                                                                        : "UNKNOWN";
}

bool cn_netlog_chrome_event_is_chromium(cn_netlog_event_type type) {
  return (unsigned)type < CN_NETLOG_EVENT_COUNT && kEvents[type].chromium;
}

// The number |type| is exported as: the first cnet type with the same
// exported name (sent and received PINGs share one).
static int event_number(cn_netlog_event_type type) {
  const char *name = cn_netlog_chrome_event_name(type);
  for (int t = 0; t < (int)type; t++) {
    if (strcmp(cn_netlog_chrome_event_name((cn_netlog_event_type)t), name) == 0)
      return t;
  }
  return (int)type;
}

static int phase_number(cn_netlog_phase phase) {
  // Chromium's NetLogEventPhase: NONE 0, BEGIN 1, END 2 (as cnet's).
  return phase == CN_NETLOG_PHASE_BEGIN ? 1 : phase == CN_NETLOG_PHASE_END ? 2 : 0;
}

// --- writing ---

// Chromium writes an integer that does not fit in 32 bits as a string
// (NetLogNumberValue), because JavaScript's numbers lose precision.
static void append_number(cn_bytebuf *out, int64_t v) {
  if (v >= INT32_MIN && v <= INT32_MAX)
    cn_bytebuf_appendf(out, "%" PRId64, v);
  else
    cn_bytebuf_appendf(out, "\"%" PRId64 "\"", v);
}

// Times are TimeTicks in milliseconds, as strings.
static void append_ms(cn_bytebuf *out, uint64_t us) {
  cn_bytebuf_appendf(out, "\"%" PRIu64 "\"", us / 1000);
}

static cn_netlog_chrome_source_info *source_info(cn_netlog_chrome_writer *w, uint32_t id) {
  if (id >= w->sources_cap) {
    size_t cap = w->sources_cap ? w->sources_cap : 64;
    while (cap <= id)
      cap *= 2;
    w->sources = cn_xrealloc(w->sources, cap * sizeof(*w->sources));
    memset(w->sources + w->sources_cap, 0, (cap - w->sources_cap) * sizeof(*w->sources));
    w->sources_cap = cap;
  }
  return &w->sources[id];
}

// The exported type of a source that may not have logged yet (a reference
// in a parameter): its remembered type, or the plain mapping.
static uint8_t source_type(cn_netlog_chrome_writer *w, cn_netlog_source_type type, uint32_t id) {
  if (id && id < w->sources_cap && w->sources[id].start_us)
    return w->sources[id].type;
  return (unsigned)type < CN_NETLOG_SOURCE_COUNT ? kSourceMap[type] : SRC_NONE;
}

static void append_source_ref(cn_netlog_chrome_writer *w, const cn_netlog_param *p) {
  cn_bytebuf_appendf(&w->line, "{\"id\":%" PRId64 ",\"type\":%u}", p->i,
                     source_type(w, p->source_type, (uint32_t)p->i));
}

static void append_params(cn_netlog_chrome_writer *w, const cn_netlog_entry *e) {
  cn_bytebuf *out = &w->line;
  const cn_netlog_param *first_source = NULL;
  bool has_dependency = false;
  cn_bytebuf_append_str(out, "{");
  bool any = false;
  for (size_t i = 0; i < e->num_params; i++) {
    const cn_netlog_param *p = &e->params[i];
    if (any)
      cn_bytebuf_append(out, ",", 1);
    any = true;
    cn_json_append_string(out, p->key);
    cn_bytebuf_append(out, ":", 1);
    if (p->kind == CN_NETLOG_PARAM_INT) {
      append_number(out, p->i);
    } else if (p->kind == CN_NETLOG_PARAM_SOURCE) {
      append_source_ref(w, p);
      if (!first_source)
        first_source = p;
      if (strcmp(p->key, "source_dependency") == 0)
        has_dependency = true;
    } else {
      cn_netlog_param_value_to_json(p, out);  // strings and booleans as cnet writes them
    }
  }
  // Chromium's viewer links sources through "source_dependency": cnet's
  // references have names of their own ("socket", "session"), so the first
  // one is repeated under that name.
  if (first_source && !has_dependency) {
    cn_bytebuf_append_str(out, any ? ",\"source_dependency\":" : "\"source_dependency\":");
    append_source_ref(w, first_source);
    any = true;
  }
  const char *ping = kEvents[e->type].ping_type;
  if (ping) {
    cn_bytebuf_append_str(out, any ? ",\"type\":" : "\"type\":");
    cn_json_append_string(out, ping);
  }
  cn_bytebuf_append_str(out, "}");
}

static void on_entry(cn_netlog_observer *obs, const cn_netlog_entry *e) {
  cn_netlog_chrome_writer *w = CN_CONTAINER_OF(obs, cn_netlog_chrome_writer, observer);
  uint8_t type = SRC_NONE;
  uint64_t start_us = e->time_us;
  if (e->source.id) {
    cn_netlog_chrome_source_info *si = source_info(w, e->source.id);
    if (!si->start_us) {
      si->start_us = e->time_us ? e->time_us : 1;
      si->type = (unsigned)e->source.type < CN_NETLOG_SOURCE_COUNT ? kSourceMap[e->source.type]
                                                                    : SRC_NONE;
      if (e->source.type == CN_NETLOG_SOURCE_CONNECT_JOB && e->type == CN_NETLOG_CONNECT_JOB) {
        const cn_netlog_param *kind = cn_netlog_entry_param(e, "kind");
        si->type = connect_job_type(kind ? kind->s : NULL);
      }
    }
    type = si->type;
    start_us = si->start_us;
  }
  cn_bytebuf *out = &w->line;
  cn_bytebuf_clear(out);
  cn_bytebuf_append_str(out, w->first_event ? "\n" : ",\n");
  w->first_event = false;
  cn_bytebuf_append_str(out, "{\"time\":");
  append_ms(out, e->time_us);
  cn_bytebuf_appendf(out, ",\"type\":%d,\"source\":{\"id\":%u,\"type\":%u,\"start_time\":",
                     event_number(e->type), e->source.id, type);
  append_ms(out, start_us);
  cn_bytebuf_appendf(out, "},\"phase\":%d,\"params\":", phase_number(e->phase));
  append_params(w, e);
  cn_bytebuf_append_str(out, "}");
  fwrite(cn_bytebuf_head(out), 1, cn_bytebuf_len(out), w->out);
}

static const struct {
  int value;
  const char *name;
} kErrors[] = {
#define CN_NET_ERROR(sym, value, msg) {(value), "ERR_" #sym},
#include "net/base/net_error_list.h"
#undef CN_NET_ERROR
};

static void write_constants(cn_netlog_chrome_writer *w, const char *client_name,
                            const char *client_version) {
  cn_bytebuf *out = &w->line;
  cn_bytebuf_clear(out);
  cn_bytebuf_append_str(out, "{\"constants\":{\"logFormatVersion\":1,\"logEventTypes\":{");
  bool any = false;
  for (int t = 0; t < CN_NETLOG_EVENT_COUNT; t++) {
    if (event_number((cn_netlog_event_type)t) != t)
      continue;  // exported under an earlier type's name and number
    if (any)
      cn_bytebuf_append(out, ",", 1);
    any = true;
    cn_json_append_string(out, cn_netlog_chrome_event_name((cn_netlog_event_type)t));
    cn_bytebuf_appendf(out, ":%d", t);
  }
  cn_bytebuf_append_str(out, "},\n\"logSourceType\":{");
  for (int s = 0; s < SRC_COUNT; s++)
    cn_bytebuf_appendf(out, "%s\"%s\":%d", s ? "," : "", kSourceNames[s], s);
  cn_bytebuf_append_str(out,
                        "},\n\"logEventPhase\":{\"PHASE_BEGIN\":1,\"PHASE_END\":2,"
                        "\"PHASE_NONE\":0},\n\"netError\":{");
  for (size_t i = 0; i < sizeof(kErrors) / sizeof(kErrors[0]); i++)
    cn_bytebuf_appendf(out, "%s\"%s\":%d", i ? "," : "", kErrors[i].name, kErrors[i].value);
  cn_bytebuf_append_str(out,
                        "},\n\"addressFamily\":{\"ADDRESS_FAMILY_UNSPECIFIED\":0,"
                        "\"ADDRESS_FAMILY_IPV4\":1,\"ADDRESS_FAMILY_IPV6\":2},"
                        "\n\"loadFlag\":{},\"loadState\":{},\"certStatusFlag\":{},"
                        "\"quicError\":{},\"quicRstStreamError\":{},");
  // TimeTicks (here uv_hrtime) plus this offset is Unix time in ms.
  uv_timeval64_t now;
  int64_t offset_ms = 0;
  if (uv_gettimeofday(&now) == 0)
    offset_ms = now.tv_sec * 1000 + now.tv_usec / 1000 - (int64_t)(uv_hrtime() / 1000000);
  cn_bytebuf_appendf(out, "\n\"timeTickOffset\":\"%" PRId64 "\",\n\"clientInfo\":{\"name\":",
                     offset_ms);
  cn_json_append_string(out, client_name ? client_name : "cnet");
  cn_bytebuf_append_str(out, ",\"version\":");
  cn_json_append_string(out, client_version ? client_version : "");
  cn_bytebuf_append_str(out, "},\"activeFieldTrialGroups\":[]},\n\"events\":[");
  fwrite(cn_bytebuf_head(out), 1, cn_bytebuf_len(out), w->out);
}

void cn_netlog_chrome_writer_attach(cn_netlog_chrome_writer *w, cn_netlog *log, FILE *out,
                                    const char *client_name, const char *client_version) {
  memset(w, 0, sizeof(*w));
  w->out = out;
  w->first_event = true;
  cn_bytebuf_init(&w->line);
  write_constants(w, client_name, client_version);
  cn_list_init(&w->observer.link);
  w->observer.on_entry = on_entry;
  cn_netlog_add_observer(log, &w->observer);
}

void cn_netlog_chrome_writer_detach(cn_netlog_chrome_writer *w) {
  if (!w->out)
    return;
  cn_netlog_remove_observer(&w->observer);
  fputs("\n]}\n", w->out);
  fflush(w->out);
  cn_bytebuf_free(&w->line);
  free(w->sources);
  w->sources = NULL;
  w->sources_cap = 0;
  w->out = NULL;
}
