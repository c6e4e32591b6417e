#include "net/base/request_priority.h"

const char *cn_request_priority_name(cn_request_priority p) {
  static const char *const kNames[] = {"THROTTLED", "IDLE", "LOWEST", "LOW", "MEDIUM", "HIGHEST"};
  return (unsigned)p <= CN_PRIORITY_HIGHEST ? kNames[p] : "?";
}
