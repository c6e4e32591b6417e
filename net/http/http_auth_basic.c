// The Basic scheme (RFC 7617): "Basic base64(user:password)". Nothing to
// remember but the realm; a second Basic challenge after credentials were
// sent means they were refused.
#include <stdlib.h>

#include "net/base/base64.h"
#include "net/http/http_auth.h"

static bool basic_init(cn_http_auth_handler *h, const cn_http_auth_challenge *c) {
  (void)h;
  (void)c;
  return true;
}

static char *basic_generate(cn_http_auth_handler *h, const char *user, const char *password,
                            const char *method, const char *uri) {
  (void)h;
  (void)method;
  (void)uri;
  return cn_http_basic_credentials(user, password);
}

static cn_http_auth_verdict basic_handle_another(cn_http_auth_handler *h,
                                                 const cn_http_auth_challenge *c) {
  (void)h;
  (void)c;
  return CN_HTTP_AUTH_REJECT;
}

const cn_http_auth_handler_ops cn_http_auth_basic_ops = {
    .scheme = "Basic",
    .bit = CN_HTTP_AUTH_BASIC,
    .score = 1,
    .init = basic_init,
    .generate = basic_generate,
    .handle_another = basic_handle_another,
    .clone_state = NULL,
    .free_state = NULL,
};
