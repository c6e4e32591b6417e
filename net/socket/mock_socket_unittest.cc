#include "net/socket/mock_socket.h"

#include <gtest/gtest.h>

#include "net/socket/socket_test_util.h"

namespace {

using cnet_test::ReadBytes;
using cnet_test::TestCompletion;
using cnet_test::TestLoop;
using cnet_test::WriteAll;

TEST(MockSocketTest, ScriptRunsInOrder) {
  TestLoop loop;
  const cn_mock_op ops[] = {
      CN_MOCK_WRITE_STR(CN_MOCK_SYNC, "GET / HTTP/1.1\r\n\r\n"),
      CN_MOCK_READ_STR(CN_MOCK_ASYNC, "HTTP/1.1 200 OK\r\n"),
      CN_MOCK_READ_STR(CN_MOCK_SYNC, "\r\n"),
      CN_MOCK_READ_EOF(CN_MOCK_ASYNC),
  };
  cn_stream_socket *s = cn_mock_socket_new(loop.get(), nullptr, nullptr, ops, 4);
  ASSERT_EQ(CN_OK, cn_stream_socket_connect(s, nullptr, nullptr));
  ASSERT_EQ(CN_OK, WriteAll(loop.get(), s, "GET / HTTP/1.1\r\n\r\n"));
  int last = 1;
  EXPECT_EQ("HTTP/1.1 200 OK\r\n\r\n", ReadBytes(loop.get(), s, 100, &last));
  EXPECT_EQ(0, last);
  cnet_test::ExpectMockDone(s);
  cn_stream_socket_destroy(s);
}

TEST(MockSocketTest, ReadWaitsForEarlierWrite) {
  TestLoop loop;
  const cn_mock_op ops[] = {
      CN_MOCK_WRITE_STR(CN_MOCK_ASYNC, "req"),
      CN_MOCK_READ_STR(CN_MOCK_SYNC, "resp"),
  };
  cn_stream_socket *s = cn_mock_socket_new(loop.get(), nullptr, nullptr, ops, 2);
  ASSERT_EQ(CN_OK, cn_stream_socket_connect(s, nullptr, nullptr));
  cn_iobuf *buf = cn_iobuf_new(16);
  // The read is issued first but must complete only after the write did.
  struct Order {
    TestCompletion write;
    bool read_done = false;
    bool read_after_write = false;
    int read_result = 0;
  } order;
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read(
                                   s, buf, 16,
                                   [](void *arg, int rv) {
                                     auto *o = static_cast<Order *>(arg);
                                     o->read_done = true;
                                     o->read_after_write = o->write.done();
                                     o->read_result = rv;
                                   },
                                   &order));
  cn_iobuf *req = cn_iobuf_from_copy("req", 3);
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_write(s, req, 3, order.write.cb(), order.write.arg()));
  cn_iobuf_unref(req);
  ASSERT_TRUE(cnet_test::RunUntil(loop.get(), [&] { return order.read_done; }));
  EXPECT_TRUE(order.read_after_write);
  EXPECT_EQ(3, order.write.WaitForResult(loop.get(), CN_ERR_IO_PENDING));
  EXPECT_EQ(4, order.read_result);
  EXPECT_EQ(0, memcmp(buf->data, "resp", 4));
  cn_iobuf_unref(buf);
  cnet_test::ExpectMockDone(s);
  cn_stream_socket_destroy(s);
}

TEST(MockSocketTest, PauseHoldsReadsAndWritesUntilResumed) {
  TestLoop loop;
  const cn_mock_op ops[] = {
      CN_MOCK_READ_STR(CN_MOCK_ASYNC, "a"),
      CN_MOCK_PAUSE(),
      CN_MOCK_READ_STR(CN_MOCK_SYNC, "b"),
      CN_MOCK_PAUSE(),
      CN_MOCK_WRITE_STR(CN_MOCK_SYNC, "w"),
  };
  cn_stream_socket *s = cn_mock_socket_new(loop.get(), nullptr, nullptr, ops, 5);
  ASSERT_EQ(CN_OK, cn_stream_socket_connect(s, nullptr, nullptr));
  EXPECT_FALSE(cn_mock_socket_is_paused(s));
  EXPECT_EQ("a", ReadBytes(loop.get(), s, 1));
  EXPECT_TRUE(cn_mock_socket_is_paused(s));

  // A read at the pause stays pending, even though the next read is SYNC.
  cn_iobuf *buf = cn_iobuf_new(4);
  TestCompletion rc;
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read(s, buf, 4, rc.cb(), rc.arg()));
  cn_mock_socket_resume(s);
  EXPECT_FALSE(rc.done());  // never from inside resume
  EXPECT_EQ(1, rc.WaitForResult(loop.get(), CN_ERR_IO_PENDING));
  EXPECT_EQ('b', buf->data[0]);
  cn_iobuf_unref(buf);

  // A write at the pause is matched only once resumed.
  EXPECT_TRUE(cn_mock_socket_is_paused(s));
  cn_iobuf *w = cn_iobuf_from_copy("w", 1);
  TestCompletion wc;
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_write(s, w, 1, wc.cb(), wc.arg()));
  cn_iobuf_unref(w);
  EXPECT_EQ(3u, cn_mock_socket_position(s));
  cn_mock_socket_resume(s);
  EXPECT_EQ(1, wc.WaitForResult(loop.get(), CN_ERR_IO_PENDING));
  cnet_test::ExpectMockDone(s);

  cn_mock_socket_resume(s);  // not paused: recorded
  ASSERT_NE(nullptr, cn_mock_socket_failure(s));
  EXPECT_NE(nullptr, strstr(cn_mock_socket_failure(s), "not paused"));
  cn_stream_socket_destroy(s);
}

TEST(MockSocketTest, WrongWriteAfterPauseIsReported) {
  TestLoop loop;
  const cn_mock_op ops[] = {CN_MOCK_PAUSE(), CN_MOCK_WRITE_STR(CN_MOCK_ASYNC, "GET")};
  cn_stream_socket *s = cn_mock_socket_new(loop.get(), nullptr, nullptr, ops, 2);
  ASSERT_EQ(CN_OK, cn_stream_socket_connect(s, nullptr, nullptr));
  cn_iobuf *w = cn_iobuf_from_copy("PUT", 3);
  TestCompletion wc;
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_write(s, w, 3, wc.cb(), wc.arg()));
  cn_iobuf_unref(w);
  EXPECT_EQ(nullptr, cn_mock_socket_failure(s));  // not compared yet
  cn_mock_socket_resume(s);
  EXPECT_EQ(CN_ERR_UNEXPECTED, wc.WaitForResult(loop.get(), CN_ERR_IO_PENDING));
  ASSERT_NE(nullptr, cn_mock_socket_failure(s));
  EXPECT_NE(nullptr, strstr(cn_mock_socket_failure(s), "expected \"GET\" got \"PUT\""));
  cn_stream_socket_destroy(s);
}

TEST(MockSocketTest, PartialReadsAndSplitWrites) {
  TestLoop loop;
  const cn_mock_op ops[] = {
      CN_MOCK_WRITE_STR(CN_MOCK_SYNC, "ab"),
      CN_MOCK_WRITE_STR(CN_MOCK_SYNC, "cd"),
      CN_MOCK_READ_STR(CN_MOCK_SYNC, "123456"),
  };
  cn_stream_socket *s = cn_mock_socket_new(loop.get(), nullptr, nullptr, ops, 3);
  ASSERT_EQ(CN_OK, cn_stream_socket_connect(s, nullptr, nullptr));
  ASSERT_EQ(CN_OK, WriteAll(loop.get(), s, "abcd"));  // one write meets two ops
  EXPECT_EQ("123456", cnet_test::ReadBytes(loop.get(), s, 6, nullptr, 4));
  cnet_test::ExpectMockDone(s);
  cn_stream_socket_destroy(s);
}

TEST(MockSocketTest, UnexpectedWriteIsReported) {
  TestLoop loop;
  const cn_mock_op ops[] = {CN_MOCK_WRITE_STR(CN_MOCK_SYNC, "GET")};
  cn_stream_socket *s = cn_mock_socket_new(loop.get(), nullptr, nullptr, ops, 1);
  ASSERT_EQ(CN_OK, cn_stream_socket_connect(s, nullptr, nullptr));
  EXPECT_EQ(CN_ERR_UNEXPECTED, WriteAll(loop.get(), s, "PUT"));
  ASSERT_NE(nullptr, cn_mock_socket_failure(s));
  EXPECT_NE(nullptr, strstr(cn_mock_socket_failure(s), "expected \"GET\" got \"PUT\""));
  cn_stream_socket_destroy(s);

  s = cn_mock_socket_new(loop.get(), nullptr, nullptr, nullptr, 0);
  ASSERT_EQ(CN_OK, cn_stream_socket_connect(s, nullptr, nullptr));
  EXPECT_EQ(CN_ERR_UNEXPECTED, WriteAll(loop.get(), s, "extra"));
  EXPECT_NE(nullptr, strstr(cn_mock_socket_failure(s), "past the end"));
  cn_stream_socket_destroy(s);
}

TEST(MockSocketTest, ErrorsConnectAndIdle) {
  TestLoop loop;
  cn_mock_socket_config cfg = {CN_MOCK_ASYNC, CN_ERR_CONNECTION_REFUSED, CN_PROTO_UNKNOWN};
  cn_stream_socket *s = cn_mock_socket_new(loop.get(), nullptr, &cfg, nullptr, 0);
  TestCompletion c;
  EXPECT_EQ(CN_ERR_CONNECTION_REFUSED,
            c.WaitForResult(loop.get(), cn_stream_socket_connect(s, c.cb(), c.arg())));
  EXPECT_FALSE(cn_stream_socket_is_connected(s));
  cn_stream_socket_destroy(s);

  const cn_mock_op ops[] = {
      CN_MOCK_WRITE_ERR(CN_MOCK_ASYNC, CN_ERR_CONNECTION_RESET),
      CN_MOCK_READ_ERR(CN_MOCK_SYNC, CN_ERR_CONNECTION_RESET),
  };
  cfg = {CN_MOCK_SYNC, CN_OK, CN_PROTO_HTTP2};
  s = cn_mock_socket_new(loop.get(), nullptr, &cfg, ops, 2);
  ASSERT_EQ(CN_OK, cn_stream_socket_connect(s, c.cb(), c.arg()));
  EXPECT_EQ(CN_PROTO_HTTP2, cn_stream_socket_negotiated_protocol(s));
  EXPECT_TRUE(cn_stream_socket_is_connected_and_idle(s));
  EXPECT_EQ(CN_ERR_CONNECTION_RESET, WriteAll(loop.get(), s, "x"));
  EXPECT_FALSE(cn_stream_socket_is_connected(s));  // a scripted error is next
  int last = 1;
  ReadBytes(loop.get(), s, 1, &last);
  EXPECT_EQ(CN_ERR_CONNECTION_RESET, last);
  cnet_test::ExpectMockDone(s);
  cn_stream_socket_destroy(s);
}

TEST(MockSocketTest, DestroyWithPendingOpsRunsNoCallback) {
  TestLoop loop;
  const cn_mock_op ops[] = {CN_MOCK_READ_STR(CN_MOCK_ASYNC, "data")};
  cn_stream_socket *s = cn_mock_socket_new(loop.get(), nullptr, nullptr, ops, 1);
  ASSERT_EQ(CN_OK, cn_stream_socket_connect(s, nullptr, nullptr));
  cn_iobuf *buf = cn_iobuf_new(8);
  TestCompletion c;
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read(s, buf, 8, c.cb(), c.arg()));
  cn_iobuf_unref(buf);
  cn_stream_socket_destroy(s);
  cnet_test::RunUntilLoopEmpty(loop.get());  // the mock's wake timer is gone too
  EXPECT_FALSE(c.done());
}

}  // namespace
