#include "net/base/netlog_json.h"

#include <inttypes.h>
#include <string.h>

void cn_json_append_string(cn_bytebuf *out, const char *s) {
  cn_bytebuf_append(out, "\"", 1);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    unsigned char c = *p;
    switch (c) {
      case '"':
        cn_bytebuf_append(out, "\\\"", 2);
        continue;
      case '\\':
        cn_bytebuf_append(out, "\\\\", 2);
        continue;
      case '\n':
        cn_bytebuf_append(out, "\\n", 2);
        continue;
      case '\r':
        cn_bytebuf_append(out, "\\r", 2);
        continue;
      case '\t':
        cn_bytebuf_append(out, "\\t", 2);
        continue;
      default:
        break;
    }
    // Control characters and all non-ASCII bytes are escaped: log strings
    // may hold bytes from the network, which need not be UTF-8.
    if (c < 0x20 || c >= 0x7f)
      cn_bytebuf_appendf(out, "\\u%04x", c);
    else
      cn_bytebuf_append(out, p, 1);
  }
  cn_bytebuf_append(out, "\"", 1);
}

void cn_netlog_param_value_to_json(const cn_netlog_param *p, cn_bytebuf *out) {
  switch (p->kind) {
    case CN_NETLOG_PARAM_INT:
      cn_bytebuf_appendf(out, "%" PRId64, p->i);
      break;
    case CN_NETLOG_PARAM_STR:
      if (p->s)
        cn_json_append_string(out, p->s);
      else
        cn_bytebuf_append_str(out, "null");
      break;
    case CN_NETLOG_PARAM_BOOL:
      cn_bytebuf_append_str(out, p->i ? "true" : "false");
      break;
    case CN_NETLOG_PARAM_SOURCE:
      cn_bytebuf_appendf(out, "{\"type\":\"%s\",\"id\":%" PRId64 "}",
                         cn_netlog_source_type_name(p->source_type), p->i);
      break;
  }
}

void cn_netlog_entry_to_json(const cn_netlog_entry *e, cn_bytebuf *out) {
  cn_bytebuf_appendf(out, "{\"time_us\":%" PRIu64 ",\"source\":{\"type\":\"%s\",\"id\":%u}",
                     e->time_us, cn_netlog_source_type_name(e->source.type), e->source.id);
  cn_bytebuf_appendf(out, ",\"type\":\"%s\",\"phase\":\"%s\",\"params\":{",
                     cn_netlog_event_name(e->type), cn_netlog_phase_name(e->phase));
  for (size_t i = 0; i < e->num_params; i++) {
    const cn_netlog_param *p = &e->params[i];
    if (i)
      cn_bytebuf_append(out, ",", 1);
    cn_json_append_string(out, p->key);
    cn_bytebuf_append(out, ":", 1);
    cn_netlog_param_value_to_json(p, out);
  }
  cn_bytebuf_append_str(out, "}}");
}

static void on_entry(cn_netlog_observer *obs, const cn_netlog_entry *e) {
  cn_netlog_json_writer *w = CN_CONTAINER_OF(obs, cn_netlog_json_writer, observer);
  cn_bytebuf_clear(&w->line);
  cn_netlog_entry_to_json(e, &w->line);
  cn_bytebuf_append(&w->line, "\n", 1);
  fwrite(cn_bytebuf_head(&w->line), 1, cn_bytebuf_len(&w->line), w->out);
}

void cn_netlog_json_writer_attach(cn_netlog_json_writer *w, cn_netlog *log, FILE *out) {
  memset(w, 0, sizeof(*w));
  w->out = out;
  cn_bytebuf_init(&w->line);
  cn_list_init(&w->observer.link);
  w->observer.on_entry = on_entry;
  cn_netlog_add_observer(log, &w->observer);
}

void cn_netlog_json_writer_detach(cn_netlog_json_writer *w) {
  cn_netlog_remove_observer(&w->observer);
  if (w->out)
    fflush(w->out);
  cn_bytebuf_free(&w->line);
}
