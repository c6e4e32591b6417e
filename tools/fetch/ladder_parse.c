// NetLog JSON lines to events, and the lookups on them (see ladder_parse.h).
#include "tools/fetch/ladder_parse.h"

#include <stdlib.h>
#include <string.h>

static void log_bad(ev_log *log, const char *reason) {
  if (log->bad++ == 0) {
    log->first_bad_line = log->lines;
    snprintf(log->first_bad_reason, sizeof(log->first_bad_reason), "%s", reason);
  }
}

void ev_log_add_line(ev_log *log, const char *line, size_t len) {
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    len--;
  log->lines++;
  if (len == 0) {
    log_bad(log, "empty line");
    return;
  }
  json_error_t jerr;
  json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!root) {
    log_bad(log, "not JSON");
    return;
  }
  const char *reason = NULL;
  json_t *t = json_object_get(root, "time_us");
  json_t *src = json_object_get(root, "source");
  json_t *src_type = src ? json_object_get(src, "type") : NULL;
  json_t *src_id = src ? json_object_get(src, "id") : NULL;
  json_t *type = json_object_get(root, "type");
  json_t *phase = json_object_get(root, "phase");
  json_t *params = json_object_get(root, "params");
  ev e = {0};
  if (!json_is_object(root))
    reason = "not a JSON object";
  else if (!json_is_integer(t) || json_integer_value(t) < 0)
    reason = "no \"time_us\" number";
  else if (!json_is_string(src_type) || !json_is_integer(src_id))
    reason = "no \"source\" {type, id}";
  else if (!json_is_string(type))
    reason = "no \"type\" string";
  else if (!json_is_string(phase))
    reason = "no \"phase\" string";
  else if (params && !json_is_object(params))
    reason = "\"params\" is not an object";
  if (!reason) {
    const char *ph = json_string_value(phase);
    if (strcmp(ph, "BEGIN") == 0)
      e.phase = PHASE_BEGIN;
    else if (strcmp(ph, "END") == 0)
      e.phase = PHASE_END;
    else if (strcmp(ph, "NONE") == 0)
      e.phase = PHASE_NONE;
    else
      reason = "\"phase\" is not BEGIN, END or NONE";
  }
  if (reason) {
    json_decref(root);
    log_bad(log, reason);
    return;
  }
  if (!params) {
    params = json_object();
    json_object_set_new(root, "params", params);
  }
  e.t = (uint64_t)json_integer_value(t);
  e.src_type = json_string_value(src_type);
  e.src_id = json_integer_value(src_id);
  e.type = json_string_value(type);
  e.params = params;
  e.root = root;
  if (log->n == log->cap) {
    size_t cap = log->cap ? log->cap * 2 : 256;
    ev *v = realloc(log->v, cap * sizeof(ev));
    if (!v) {
      json_decref(root);
      log_bad(log, "out of memory");
      return;
    }
    log->v = v;
    log->cap = cap;
  }
  log->v[log->n++] = e;
}

void ev_log_free(ev_log *log) {
  for (size_t i = 0; i < log->n; i++)
    json_decref(log->v[i].root);
  free(log->v);
  memset(log, 0, sizeof(*log));
}

// Reads JSON lines from |f| into |log|, any line length.
static void log_read_file(ev_log *log, FILE *f) {
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  if (!buf)
    return;
  int c;
  while ((c = fgetc(f)) != EOF) {
    if (c == '\n') {
      if (len > 0)
        ev_log_add_line(log, buf, len);
      len = 0;
      continue;
    }
    if (len + 1 == cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb)
        break;
      buf = nb;
      cap *= 2;
    }
    buf[len++] = (char)c;
  }
  if (len > 0)
    ev_log_add_line(log, buf, len);
  free(buf);
}

// Reads the NetLog file at |path| into |log|; |who| names it in |err|.
int ev_log_read_file(ev_log *log, const char *who, const char *path, char *err, size_t err_size) {
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, err_size, "cannot read the %s's NetLog %s", who, path);
    return -1;
  }
  log_read_file(log, f);
  fclose(f);
  return 0;
}

const char *ev_str(const ev *e, const char *key) {
  const char *s = json_string_value(json_object_get(e->params, key));
  return s ? s : "";
}

bool ev_has(const ev *e, const char *key) { return json_object_get(e->params, key) != NULL; }

int64_t ev_int(const ev *e, const char *key) {
  return json_integer_value(json_object_get(e->params, key));
}

bool ev_bool(const ev *e, const char *key) {
  return json_is_true(json_object_get(e->params, key));
}

// The id of a {"type","id"} reference parameter, or -1.
int64_t ev_ref(const ev *e, const char *key) {
  json_t *ref = json_object_get(e->params, key);
  json_t *id = ref ? json_object_get(ref, "id") : NULL;
  return json_is_integer(id) ? json_integer_value(id) : -1;
}

const char *ev_ref_type(const ev *e, const char *key) {
  json_t *ref = json_object_get(e->params, key);
  const char *s = ref ? json_string_value(json_object_get(ref, "type")) : NULL;
  return s ? s : "";
}

bool ev_is(const ev *e, const char *type, ev_phase phase) {
  return e->phase == phase && strcmp(e->type, type) == 0;
}

bool ev_from(const ev *e, const char *src_type, int64_t id) {
  return e->src_id == id && strcmp(e->src_type, src_type) == 0;
}

// The first event |type|/|phase| of source |src_type|/|id|, or NULL.
const ev *ev_log_find(const ev_log *log, const char *src_type, int64_t id, const char *type,
                      ev_phase phase) {
  for (size_t i = 0; i < log->n; i++) {
    if (ev_from(&log->v[i], src_type, id) && ev_is(&log->v[i], type, phase))
      return &log->v[i];
  }
  return NULL;
}

// The group id of the connect job that connected |socket_id|
// (CONNECT_JOB_SET_SOCKET), or "".
const char *ev_log_socket_group(const ev_log *log, int64_t socket_id) {
  for (size_t i = 0; i < log->n; i++) {
    const ev *e = &log->v[i];
    if (ev_is(e, "CONNECT_JOB_SET_SOCKET", PHASE_NONE) && ev_ref(e, "socket") == socket_id) {
      const ev *b = ev_log_find(log, "CONNECT_JOB", e->src_id, "CONNECT_JOB", PHASE_BEGIN);
      return b ? ev_str(b, "group_id") : "";
    }
  }
  return "";
}

// A stream's STREAM_ALIVE BEGIN by (session, stream id), or NULL.
const ev *ev_log_find_stream(const ev_log *log, int64_t session, int64_t stream_id) {
  const ev *found = NULL;
  for (size_t i = 0; i < log->n; i++) {
    const ev *e = &log->v[i];
    if (ev_is(e, "STREAM_ALIVE", PHASE_BEGIN) && ev_ref(e, "session") == session &&
        ev_int(e, "stream_id") == stream_id)
      found = e;  // ids are not reused within a session; keep the last anyway
  }
  return found;
}
