#include "tools/testserver/fault_response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

static const char *const kAnswerFaultNames[] = {
    [CN_TEST_SERVER_ANSWER_FAULT_NONE] = "none",
    [CN_TEST_SERVER_ANSWER_FAULT_GARBAGE] = "garbage",
    [CN_TEST_SERVER_ANSWER_FAULT_BIG_HEAD] = "big-head",
    [CN_TEST_SERVER_ANSWER_FAULT_MANY_HEADERS] = "many-headers",
    [CN_TEST_SERVER_ANSWER_FAULT_HANG] = "hang",
};

const char *cn_test_server_answer_fault_name(cn_test_server_answer_fault fault) {
  if ((size_t)fault < sizeof(kAnswerFaultNames) / sizeof(kAnswerFaultNames[0]))
    return kAnswerFaultNames[fault];
  return "?";
}

bool cn_test_server_answer_fault_parse(const char *name, cn_test_server_answer_fault *out) {
  for (size_t i = 0; i < sizeof(kAnswerFaultNames) / sizeof(kAnswerFaultNames[0]); i++) {
    if (strcmp(name, kAnswerFaultNames[i]) == 0) {
      *out = (cn_test_server_answer_fault)i;
      return true;
    }
  }
  return false;
}

void cn_ts_respond_fault(cn_ts_exchange *ex, cn_test_server_answer_fault fault) {
  if (fault == CN_TEST_SERVER_ANSWER_FAULT_HANG)
    return;  // the exchange stays unanswered until its connection goes
  static const char kBody[] = "fault\n";
  cn_ts_response r;
  cn_ts_response_init(&r, fault == CN_TEST_SERVER_ANSWER_FAULT_NONE ? 500 : 200);
  r.content_length = (int64_t)strlen(kBody);
  if (fault == CN_TEST_SERVER_ANSWER_FAULT_GARBAGE) {
    // No "HTTP/" prefix: an HTTP/1.x client reads it as HTTP/0.9.
    r.raw_status = "GARBAGE not a status line";
  } else if (fault == CN_TEST_SERVER_ANSWER_FAULT_BIG_HEAD) {
    char *big = cn_xmalloc(CN_TEST_SERVER_BIG_HEAD_BYTES + 1);
    memset(big, 'a', CN_TEST_SERVER_BIG_HEAD_BYTES);
    big[CN_TEST_SERVER_BIG_HEAD_BYTES] = '\0';
    cn_ts_headers_add(&r.headers, "X-Big", big);
    free(big);
  } else if (fault == CN_TEST_SERVER_ANSWER_FAULT_MANY_HEADERS) {
    char value[CN_TEST_SERVER_MANY_HEADERS_VALUE + 1];
    memset(value, 'v', CN_TEST_SERVER_MANY_HEADERS_VALUE);
    value[CN_TEST_SERVER_MANY_HEADERS_VALUE] = '\0';
    for (int i = 0; i < CN_TEST_SERVER_MANY_HEADERS; i++) {
      char name[32];
      snprintf(name, sizeof(name), "X-Many-%d", i);
      cn_ts_headers_add(&r.headers, name, value);
    }
  }
  cn_ts_exchange_respond(ex, &r);
  cn_ts_response_free(&r);
  cn_ts_exchange_write(ex, kBody, strlen(kBody));
  cn_ts_exchange_finish(ex);
}
