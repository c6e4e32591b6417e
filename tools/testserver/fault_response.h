// Faulty answers, protocol-independent (through the exchange): what the
// origin's /fault/NAME routes and the proxy's answer_fault send. Each kind
// is described at cn_test_server_answer_fault (test_server.h).
#ifndef CNET_TOOLS_TESTSERVER_FAULT_RESPONSE_H_
#define CNET_TOOLS_TESTSERVER_FAULT_RESPONSE_H_

#include "tools/testserver/exchange.h"
#include "tools/testserver/test_server.h"

#ifdef __cplusplus
extern "C" {
#endif

// Answers |ex| with |fault| and finishes it (HANG: leaves it unanswered;
// the connection releases it when it goes). NONE is treated as a 500.
void cn_ts_respond_fault(cn_ts_exchange *ex, cn_test_server_answer_fault fault);

#ifdef __cplusplus
}
#endif

#endif  // CNET_TOOLS_TESTSERVER_FAULT_RESPONSE_H_
