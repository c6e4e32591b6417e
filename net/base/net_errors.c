#include "net/base/net_errors.h"

#include <stddef.h>
#include <uv.h>

typedef struct {
  int code;
  const char *name;
  const char *message;
} error_info;

static const error_info kErrors[] = {
    {CN_OK, "OK", "success"},
#define CN_NET_ERROR(sym, value, msg) {(value), "ERR_" #sym, msg},
#include "net/base/net_error_list.h"
#undef CN_NET_ERROR
};

static const error_info *lookup(int err) {
  for (size_t i = 0; i < sizeof(kErrors) / sizeof(kErrors[0]); i++) {
    if (kErrors[i].code == err)
      return &kErrors[i];
  }
  return NULL;
}

const char *cn_error_name(int err) {
  if (err > 0)
    return "OK";
  const error_info *e = lookup(err);
  return e ? e->name : "ERR_UNKNOWN";
}

const char *cn_error_message(int err) {
  if (err > 0)
    return "success";
  const error_info *e = lookup(err);
  return e ? e->message : "an unknown error code";
}

bool cn_error_is_certificate_error(int err) { return err <= -200 && err > -300; }

int cn_error_from_uv(int uv_err) {
  switch (uv_err) {
    case 0:
      return CN_OK;
    case UV_ECONNREFUSED:
      return CN_ERR_CONNECTION_REFUSED;
    case UV_ECONNRESET:
    case UV_EPIPE:
      return CN_ERR_CONNECTION_RESET;
    case UV_ECONNABORTED:
      return CN_ERR_CONNECTION_ABORTED;
    case UV_EOF:
      return CN_ERR_CONNECTION_CLOSED;
    case UV_ETIMEDOUT:
      return CN_ERR_CONNECTION_TIMED_OUT;
    case UV_ENETUNREACH:
    case UV_ENETDOWN:
      return CN_ERR_INTERNET_DISCONNECTED;
    case UV_EHOSTUNREACH:
      return CN_ERR_ADDRESS_UNREACHABLE;
    case UV_EADDRNOTAVAIL:
    case UV_EAFNOSUPPORT:
    case UV_EINVAL:
      return CN_ERR_ADDRESS_INVALID;
    case UV_EACCES:
    case UV_EPERM:
      return CN_ERR_ACCESS_DENIED;
    case UV_ENOMEM:
      return CN_ERR_OUT_OF_MEMORY;
    case UV_EMFILE:
    case UV_ENFILE:
    case UV_ENOBUFS:
      return CN_ERR_INSUFFICIENT_RESOURCES;
    case UV_ENOTCONN:
      return CN_ERR_SOCKET_NOT_CONNECTED;
    case UV_ECANCELED:
      return CN_ERR_ABORTED;
    case UV_EAI_NONAME:
    case UV_EAI_NODATA:
    case UV_EAI_FAIL:
    case UV_EAI_AGAIN:
    case UV_EAI_FAMILY:
    case UV_EAI_SERVICE:
      return CN_ERR_NAME_NOT_RESOLVED;
    default:
      return CN_ERR_FAILED;
  }
}
