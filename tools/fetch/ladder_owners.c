// Which request each client event was for (see ladder_owners.h).
#include "tools/fetch/ladder_owners.h"

#include <stdlib.h>
#include <string.h>

static int64_t owner_of_job(ladder_owners *o, int64_t job, int depth);

// The owner of the job that made |socket| (or the request that bound it).
static int64_t owner_of_bound(ladder_owners *o, const ev *bound, int depth) {
  if (strcmp(bound->src_type, "REQUEST") == 0)
    return bound->src_id;
  if (strcmp(bound->src_type, "CONNECT_JOB") == 0)
    return owner_of_job(o, bound->src_id, depth + 1);
  return LADDER_NO_OWNER;
}

// The "new" SOCKET_POOL_BOUND of |socket|, or NULL.
static const ev *bound_of_socket(const ev_log *log, int64_t socket) {
  for (size_t i = 0; i < log->n; i++) {
    const ev *e = &log->v[i];
    if (ev_is(e, "SOCKET_POOL_BOUND", PHASE_NONE) && ev_ref(e, "socket") == socket &&
        strcmp(ev_str(e, "reuse"), "new") == 0)
      return e;
  }
  return NULL;
}

// A tunnel job names no socket: the k-th of its group to finish well made
// the socket of the k-th "new" bound of that group.
static const ev *bound_of_tunnel_job(const ev_log *log, int64_t job, const char *group) {
  size_t rank = 0;
  bool found = false;
  for (size_t i = 0; i < log->n && !found; i++) {
    const ev *e = &log->v[i];
    if (!ev_is(e, "CONNECT_JOB", PHASE_END) ||
        (ev_has(e, "net_error") && ev_int(e, "net_error") < 0))
      continue;
    const ev *b = ev_log_find(log, "CONNECT_JOB", e->src_id, "CONNECT_JOB", PHASE_BEGIN);
    if (!b || strcmp(ev_str(b, "group_id"), group) != 0)
      continue;
    if (e->src_id == job)
      found = true;
    else
      rank++;
  }
  if (!found)
    return NULL;
  for (size_t i = 0; i < log->n; i++) {
    const ev *e = &log->v[i];
    if (ev_is(e, "SOCKET_POOL_BOUND", PHASE_NONE) && strcmp(ev_str(e, "reuse"), "new") == 0 &&
        strcmp(ev_str(e, "group_id"), group) == 0 && rank-- == 0)
      return e;
  }
  return NULL;
}

static int64_t owner_of_job(ladder_owners *o, int64_t job, int depth) {
  size_t slot = o->njobs;
  for (size_t i = 0; i < o->njobs; i++) {
    if (o->job_ids[i] == job) {
      if (o->job_owner[i] != LADDER_NO_OWNER - 1)
        return o->job_owner[i];
      slot = i;
    }
  }
  if (slot == o->njobs || depth > 8)
    return LADDER_NO_OWNER;  // not a job of this log, or a cycle in a forged one
  o->job_owner[slot] = LADDER_NO_OWNER;  // provisional: breaks cycles
  const ev_log *log = o->log;
  int64_t owner = LADDER_NO_OWNER;
  for (size_t i = 0; i < log->n && owner == LADDER_NO_OWNER; i++) {
    const ev *e = &log->v[i];
    if (ev_is(e, "CONNECT_JOB_SET_SOCKET", PHASE_NONE) && e->src_id == job &&
        strcmp(e->src_type, "CONNECT_JOB") == 0) {
      const ev *b = bound_of_socket(log, ev_ref(e, "socket"));
      if (b)
        owner = owner_of_bound(o, b, depth);
    }
  }
  const ev *begin = ev_log_find(log, "CONNECT_JOB", job, "CONNECT_JOB", PHASE_BEGIN);
  if (owner == LADDER_NO_OWNER && begin &&
      strcmp(ev_str(begin, "kind"), "http_proxy_tunnel") == 0) {
    const ev *b = bound_of_tunnel_job(log, job, ev_str(begin, "group_id"));
    if (b)
      owner = owner_of_bound(o, b, depth);
  }
  o->job_owner[slot] = owner;
  return owner;
}

// The owner named by a {"type","id"} reference to a REQUEST or a job.
static int64_t owner_of_ref(ladder_owners *o, const ev *e, const char *key) {
  const char *type = ev_ref_type(e, key);
  if (strcmp(type, "REQUEST") == 0)
    return ev_ref(e, key);
  if (strcmp(type, "CONNECT_JOB") == 0)
    return owner_of_job(o, ev_ref(e, key), 0);
  return LADDER_NO_OWNER;
}

static int64_t owner_of_event(ladder_owners *o, size_t i) {
  const ev_log *log = o->log;
  const ev *e = &log->v[i];
  if (strcmp(e->src_type, "REQUEST") == 0)
    return e->src_id;
  if (strcmp(e->src_type, "CONNECT_JOB") == 0)
    return owner_of_job(o, e->src_id, 0);
  if (strcmp(e->src_type, "STREAM") == 0) {
    const ev *b = ev_log_find(log, "STREAM", e->src_id, "STREAM_ALIVE", PHASE_BEGIN);
    return b ? owner_of_ref(o, b, "owner") : LADDER_NO_OWNER;
  }
  if (strcmp(e->src_type, "SOCKET") == 0) {
    for (size_t j = 0; j < o->nsockets; j++) {
      if (o->socket_ids[j] == e->src_id)
        return owner_of_job(o, o->socket_jobs[j], 0);
    }
    return LADDER_NO_OWNER;
  }
  if (strcmp(e->src_type, "SESSION") == 0) {
    // Only HEADERS are drawn; DATA and WINDOW_UPDATE (many) need no owner.
    if (strcmp(e->type, "SPDY_SESSION_SEND_HEADERS") == 0 ||
        strcmp(e->type, "SPDY_SESSION_RECV_HEADERS") == 0) {
      const ev *s = ev_log_find_stream(log, e->src_id, ev_int(e, "stream_id"));
      return s ? owner_of_ref(o, s, "owner") : LADDER_NO_OWNER;
    }
    if (ev_is(e, "SESSION_ALIVE", PHASE_BEGIN)) {
      for (size_t j = i; j-- > 0;) {
        if (ev_is(&log->v[j], "SOCKET_POOL_BOUND", PHASE_NONE))
          return owner_of_bound(o, &log->v[j], 0);
      }
    }
  }
  return LADDER_NO_OWNER;
}

void ladder_owners_free(ladder_owners *o) {
  free(o->event_owner);
  free(o->job_ids);
  free(o->job_owner);
  free(o->socket_ids);
  free(o->socket_jobs);
  memset(o, 0, sizeof(*o));
}

// Fills |o| for |log|. Out of memory, nobody owns anything and the ladder
// falls back to time windows alone.
void ladder_owners_init(ladder_owners *o, const ev_log *log) {
  memset(o, 0, sizeof(*o));
  o->log = log;
  if (log->n == 0)
    return;
  o->event_owner = malloc(log->n * sizeof(int64_t));
  o->job_ids = malloc(log->n * sizeof(int64_t));
  o->job_owner = malloc(log->n * sizeof(int64_t));
  o->socket_ids = malloc(log->n * sizeof(int64_t));
  o->socket_jobs = malloc(log->n * sizeof(int64_t));
  int64_t *alive = malloc(log->n * sizeof(int64_t));  // requests begun, not ended
  if (!o->event_owner || !o->job_ids || !o->job_owner || !o->socket_ids || !o->socket_jobs ||
      !alive) {
    free(alive);
    ladder_owners_free(o);
    return;
  }
  for (size_t i = 0; i < log->n; i++) {
    const ev *e = &log->v[i];
    if (ev_is(e, "CONNECT_JOB", PHASE_BEGIN) && strcmp(e->src_type, "CONNECT_JOB") == 0) {
      o->job_ids[o->njobs] = e->src_id;
      o->job_owner[o->njobs++] = LADDER_NO_OWNER - 1;  // not computed yet
    } else if (ev_is(e, "CONNECT_JOB_SET_SOCKET", PHASE_NONE) && ev_ref(e, "socket") >= 0) {
      o->socket_ids[o->nsockets] = ev_ref(e, "socket");
      o->socket_jobs[o->nsockets++] = e->src_id;
    }
  }
  // One pass in time order; what nothing links goes to the oldest request
  // alive at that point.
  size_t nalive = 0;
  for (size_t i = 0; i < log->n; i++) {
    const ev *e = &log->v[i];
    bool request = strcmp(e->src_type, "REQUEST") == 0 && strcmp(e->type, "REQUEST_ALIVE") == 0;
    if (request && e->phase == PHASE_BEGIN)
      alive[nalive++] = e->src_id;
    int64_t owner = owner_of_event(o, i);
    if (owner == LADDER_NO_OWNER && nalive > 0)
      owner = alive[0];
    o->event_owner[i] = owner;
    if (request && e->phase == PHASE_END) {
      for (size_t j = 0; j < nalive; j++) {
        if (alive[j] == e->src_id) {
          memmove(&alive[j], &alive[j + 1], (nalive - j - 1) * sizeof(int64_t));
          nalive--;
          break;
        }
      }
    }
  }
  free(alive);
}
