#include "tools/testserver/exchange.h"

#include <string.h>

// The checks here turn handler bugs (respond twice, write after finish)
// into no-ops instead of corrupting the connection: a test server that
// crashes hides the client bug the test was looking for.

void cn_ts_exchange_init(cn_ts_exchange *ex, const cn_ts_exchange_ops *ops) {
  memset(ex, 0, sizeof(*ex));
  ex->ops = ops;
  cn_ts_request_init(&ex->request);
}

void cn_ts_exchange_release(cn_ts_exchange *ex) {
  void (*release)(void *) = ex->user_release;
  void *user = ex->user;
  ex->user_release = NULL;
  ex->user = NULL;
  ex->writable_cb = NULL;
  ex->stream_cb = NULL;
  if (release)
    release(user);
  cn_ts_request_free(&ex->request);
}

void cn_ts_exchange_respond(cn_ts_exchange *ex, const cn_ts_response *response) {
  if (ex->responded || ex->ended)
    return;
  ex->responded = true;
  ex->ops->respond(ex, response);
}

void cn_ts_exchange_write_buf(cn_ts_exchange *ex, cn_iobuf *buf, size_t offset, size_t len) {
  if (!ex->responded || ex->ended || len == 0 || offset > buf->size || len > buf->size - offset)
    return;
  ex->ops->write(ex, buf, offset, len);
}

void cn_ts_exchange_write(cn_ts_exchange *ex, const void *data, size_t len) {
  if (!ex->responded || ex->ended || len == 0)
    return;
  cn_iobuf *buf = cn_iobuf_from_copy(data, len);
  ex->ops->write(ex, buf, 0, len);
  cn_iobuf_unref(buf);
}

void cn_ts_exchange_finish(cn_ts_exchange *ex) {
  if (ex->ended)
    return;
  if (!ex->responded) {
    // finish() without a response is a handler bug; answering 500 tells the
    // test more than a hung connection would.
    cn_ts_response r;
    cn_ts_response_init(&r, 500);
    cn_ts_exchange_respond(ex, &r);
    cn_ts_response_free(&r);
  }
  ex->ended = true;
  ex->writable_cb = NULL;
  ex->ops->finish(ex);
}

void cn_ts_exchange_abort(cn_ts_exchange *ex) {
  if (ex->ended)
    return;
  ex->ended = true;
  ex->writable_cb = NULL;
  ex->ops->abort(ex);
}

void cn_ts_exchange_take_stream(cn_ts_exchange *ex, cn_ts_stream_cb cb, void *arg) {
  if (ex->ended)
    return;
  if (!ex->responded || !cb || !ex->request.method ||
      strcmp(ex->request.method, "CONNECT") != 0) {
    cn_ts_exchange_abort(ex);
    return;
  }
  ex->ended = true;
  ex->writable_cb = NULL;
  ex->stream_cb = cb;
  ex->stream_arg = arg;
  ex->ops->take_stream(ex);
}

void cn_ts_exchange_want_writable(cn_ts_exchange *ex, cn_ts_writable_cb cb, void *arg) {
  if (ex->ended || !cb)
    return;
  ex->writable_cb = cb;
  ex->writable_arg = arg;
  ex->ops->want_writable(ex);
}

void cn_ts_exchange_set_user(cn_ts_exchange *ex, void *user, void (*release)(void *user)) {
  ex->user = user;
  ex->user_release = release;
}

cn_ts_writable_cb cn_ts_exchange_take_writable(cn_ts_exchange *ex, void **arg) {
  cn_ts_writable_cb cb = ex->writable_cb;
  *arg = ex->writable_arg;
  ex->writable_cb = NULL;
  ex->writable_arg = NULL;
  return cb;
}
