#include "net/spdy/spdy_session_request.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

// Ends the creator's mark, if this request holds it.
static void end_creating(cn_spdy_session_request *r) {
  if (r->creator && r->pool && r->key)
    cn_spdy_session_pool_creation_done(r->pool, r->key);
  r->creator = false;
}

static void set_key(cn_spdy_session_request *r, cn_spdy_session_pool *pool, const char *key) {
  if (r->key && strcmp(r->key, key) == 0 && r->pool == pool)
    return;
  end_creating(r);
  cn_spdy_session_waiter_cancel(&r->waiter);
  free(r->key);
  r->key = cn_xstrdup(key);
  r->pool = pool;
}

int cn_spdy_session_request_start(cn_spdy_session_request *r, cn_spdy_session_pool *pool,
                                  const char *key, bool offered, cn_completion_cb cb, void *arg,
                                  cn_spdy_session **session) {
  set_key(r, pool, key);
  cn_spdy_session_waiter_cancel(&r->waiter);
  *session = cn_spdy_session_pool_find(pool, key);
  if (*session) {
    end_creating(r);
    return CN_OK;
  }
  if (r->creator || r->waited || !cn_spdy_session_pool_should_coordinate(pool, key, offered))
    return CN_OK;
  if (cn_spdy_session_pool_start_creating(pool, key)) {
    r->creator = true;
    return CN_OK;
  }
  if (cn_spdy_session_pool_wait(pool, key, &r->waiter, cb, arg) != CN_ERR_IO_PENDING)
    return CN_OK;
  r->waited = true;
  return CN_ERR_IO_PENDING;
}

int cn_spdy_session_request_adopt(cn_spdy_session_request *r, cn_stream_socket *socket,
                                  cn_spdy_session **session, bool *reused) {
  // The pool clears the creating mark and wakes the waiters.
  r->creator = false;
  return cn_spdy_session_pool_add(r->pool, r->key, socket, session, reused);
}

void cn_spdy_session_request_connected_without_session(cn_spdy_session_request *r,
                                                       bool declined) {
  if (declined && r->pool && r->key)
    cn_spdy_session_pool_note_http11(r->pool, r->key);
  end_creating(r);
}

void cn_spdy_session_request_reset(cn_spdy_session_request *r) {
  cn_spdy_session_waiter_cancel(&r->waiter);
  end_creating(r);
  free(r->key);
  r->key = NULL;
  r->pool = NULL;
  r->waited = false;
}
