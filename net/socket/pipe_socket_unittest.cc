#include "net/socket/pipe_socket.h"

#include <gtest/gtest.h>

#include "net/socket/socket_test_util.h"

namespace {

using cnet_test::ReadBytes;
using cnet_test::TestCompletion;
using cnet_test::TestLoop;
using cnet_test::WriteAll;

TEST(PipeSocketTest, BytesFlowBothWays) {
  TestLoop loop;
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop.get(), nullptr, 0, &a, &b);
  ASSERT_EQ(CN_OK, cn_stream_socket_connect(a, nullptr, nullptr));
  EXPECT_TRUE(cn_stream_socket_is_connected_and_idle(a));
  ASSERT_EQ(CN_OK, WriteAll(loop.get(), a, "ping"));
  EXPECT_FALSE(cn_stream_socket_is_connected_and_idle(b));  // unread bytes
  EXPECT_EQ("ping", ReadBytes(loop.get(), b, 4));
  ASSERT_EQ(CN_OK, WriteAll(loop.get(), b, "pong"));
  EXPECT_EQ("pong", ReadBytes(loop.get(), a, 4));
  cn_stream_socket_destroy(a);
  cn_stream_socket_destroy(b);
}

TEST(PipeSocketTest, PendingReadCompletesAsyncAndChunksAreCapped) {
  TestLoop loop;
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop.get(), nullptr, 3, &a, &b);
  cn_iobuf *buf = cn_iobuf_new(100);
  TestCompletion c;
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read(b, buf, 100, c.cb(), c.arg()));
  ASSERT_EQ(CN_OK, WriteAll(loop.get(), a, "abcdefg"));
  EXPECT_FALSE(c.done());  // never completes inside the peer's write
  EXPECT_EQ(3, c.WaitForResult(loop.get(), CN_ERR_IO_PENDING));
  EXPECT_EQ(0, memcmp(buf->data, "abc", 3));
  cn_iobuf_unref(buf);
  EXPECT_EQ("defg", ReadBytes(loop.get(), b, 4));
  cn_stream_socket_destroy(a);
  cn_stream_socket_destroy(b);
}

TEST(PipeSocketTest, PeerCloseGivesEofAfterDrainAndWriteFails) {
  TestLoop loop;
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop.get(), nullptr, 0, &a, &b);
  ASSERT_EQ(CN_OK, WriteAll(loop.get(), a, "last"));
  cn_stream_socket_destroy(a);
  EXPECT_TRUE(cn_stream_socket_is_connected(b));  // bytes still to read
  int last = 1;
  EXPECT_EQ("last", ReadBytes(loop.get(), b, 100, &last));
  EXPECT_EQ(0, last);
  EXPECT_FALSE(cn_stream_socket_is_connected(b));
  EXPECT_EQ(CN_ERR_CONNECTION_RESET, WriteAll(loop.get(), b, "x"));
  cn_stream_socket_destroy(b);
}

TEST(PipeSocketTest, DestroyWithPendingReadRunsNoCallback) {
  TestLoop loop;
  cn_stream_socket *a, *b;
  cn_pipe_socket_pair(loop.get(), nullptr, 0, &a, &b);
  cn_iobuf *buf = cn_iobuf_new(10);
  TestCompletion c;
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read(b, buf, 10, c.cb(), c.arg()));
  cn_iobuf_unref(buf);  // the pending read holds its own reference
  ASSERT_EQ(CN_OK, WriteAll(loop.get(), a, "x"));
  cn_stream_socket_destroy(b);
  cnet_test::RunUntilIdle(loop.get());
  EXPECT_FALSE(c.done());
  cn_stream_socket_destroy(a);
}

}  // namespace
