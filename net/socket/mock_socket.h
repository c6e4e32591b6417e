// A scripted stream socket for unit tests (the style of Chromium's
// SequencedSocketData): the test lists every read and write the code under
// test must do, in order, each completing synchronously or asynchronously
// with data or an error. A write whose bytes differ from the script, an
// operation out of order, or an operation past the end is recorded as a
// failure and answered with CN_ERR_UNEXPECTED; the test checks
// cn_mock_socket_failure() (cnet_test::ExpectMockDone in socket_test_util.h
// does it with gtest assertions).
//
// A PAUSE entry (Chromium's MockRead(ASYNC, ERR_IO_PENDING) plus Resume())
// stops the script at that point: a read or write reaching it stays
// pending until the test calls cn_mock_socket_resume(). The test waits for
// cn_mock_socket_is_paused() (the code under test has done everything up to
// the pause), asserts what has and has not happened, then resumes —
// deterministically, without waiting for time to pass.
//
// Ownership: the script is copied. The caller owns the socket; destroy with
// cn_stream_socket_destroy.
#ifndef CNET_NET_SOCKET_MOCK_SOCKET_H_
#define CNET_NET_SOCKET_MOCK_SOCKET_H_

#include <stdbool.h>
#include <uv.h>

#include "net/socket/stream_socket.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cn_mock_kind { CN_MOCK_READ, CN_MOCK_WRITE, CN_MOCK_PAUSE } cn_mock_kind;
typedef enum cn_mock_mode { CN_MOCK_SYNC, CN_MOCK_ASYNC } cn_mock_mode;

typedef struct cn_mock_op {
  cn_mock_kind kind;
  cn_mock_mode mode;
  // READ: bytes to return (len > 0), else |result| (0 = EOF, < 0 error).
  // WRITE: the bytes expected; |result| 0 means "report len written", a
  // negative |result| fails the write with that error.
  // PAUSE: no data; |mode| and |result| are ignored.
  const char *data;
  size_t len;
  int result;
} cn_mock_op;

#define CN_MOCK_READ_STR(mode, s) {CN_MOCK_READ, (mode), (s), sizeof(s) - 1, 0}
#define CN_MOCK_READ_ERR(mode, err) {CN_MOCK_READ, (mode), NULL, 0, (err)}
#define CN_MOCK_READ_EOF(mode) {CN_MOCK_READ, (mode), NULL, 0, 0}
#define CN_MOCK_WRITE_STR(mode, s) {CN_MOCK_WRITE, (mode), (s), sizeof(s) - 1, 0}
#define CN_MOCK_WRITE_ERR(mode, err) {CN_MOCK_WRITE, (mode), NULL, 0, (err)}
#define CN_MOCK_PAUSE() {CN_MOCK_PAUSE, CN_MOCK_ASYNC, NULL, 0, 0}

typedef struct cn_mock_socket_config {
  cn_mock_mode connect_mode;
  // CN_OK or an error; CN_ERR_IO_PENDING (with CN_MOCK_ASYNC): the connect
  // never completes (a peer that drops the SYN), until the socket is
  // destroyed.
  int connect_result;
  cn_next_proto protocol;      // what negotiated_protocol() reports
} cn_mock_socket_config;

// |config| may be NULL (connect succeeds synchronously).
cn_stream_socket *cn_mock_socket_new(uv_loop_t *loop, cn_netlog *netlog,
                                     const cn_mock_socket_config *config,
                                     const cn_mock_op *ops, size_t num_ops);
// True once every scripted op has run.
bool cn_mock_socket_all_consumed(const cn_stream_socket *s);
// The first failure seen ("write 2: expected \"GET /\" got \"POST\""), or
// NULL.
const char *cn_mock_socket_failure(const cn_stream_socket *s);
// How many ops have run (a pause counts as one once resumed).
size_t cn_mock_socket_position(const cn_stream_socket *s);
// True while the script stands at a PAUSE entry: everything before it has
// run; reads and writes wait.
bool cn_mock_socket_is_paused(const cn_stream_socket *s);
// Steps over the PAUSE the script stands at; waiting operations complete
// later from the loop (never from inside this call). Calling it when the
// script is not paused is recorded as a failure.
void cn_mock_socket_resume(cn_stream_socket *s);

#ifdef __cplusplus
}
#endif

#endif  // CNET_NET_SOCKET_MOCK_SOCKET_H_
