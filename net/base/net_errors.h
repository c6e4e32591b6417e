// cnet error codes. Every fallible cnet function returns an int: CN_OK (0) or
// a byte count (> 0) on success, a negative CN_ERR_* on failure, and
// CN_ERR_IO_PENDING when it will finish later by running its callback once.
// There is no -1-and-errno anywhere.
#ifndef CNET_NET_BASE_NET_ERRORS_H_
#define CNET_NET_BASE_NET_ERRORS_H_

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  CN_OK = 0,
#define CN_NET_ERROR(sym, value, msg) CN_ERR_##sym = (value),
#include "net/base/net_error_list.h"
#undef CN_NET_ERROR
};

// "ERR_CONNECTION_REFUSED" for CN_ERR_CONNECTION_REFUSED; "OK" for 0;
// "ERR_UNKNOWN" for a code not in the table.
const char *cn_error_name(int err);
// A short lower-case description, e.g. "the connection attempt was refused".
const char *cn_error_message(int err);
// True for CN_ERR_CERT_* codes.
bool cn_error_is_certificate_error(int err);
// Maps a libuv error (UV_E*) to the closest CN_ERR_* code.
int cn_error_from_uv(int uv_err);

// Completion callback of every async operation: |result| is what the
// synchronous call would have returned. Runs at most once.
typedef void (*cn_completion_cb)(void *arg, int result);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_BASE_NET_ERRORS_H_
