#include "net/socket/tcp_socket.h"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "net/base/netlog_counters.h"
#include "net/socket/socket_test_util.h"

// The test binary's own recv() stands in for libc's for cnet's calls: it
// counts, while a test has counting on, then calls libc's. What a socket
// costs in system calls is part of its contract here: workload b of
// docs/performance.md is a run of small exchanges whose CPU is mostly
// system calls. (libuv's calls bind to libc's versioned symbols and cannot
// be counted this way.)
namespace {
struct SyscallCounts {
  int recv = 0;
  int recv_peek = 0;
};
SyscallCounts *g_counting = nullptr;
}  // namespace

extern "C" ssize_t recv(int fd, void *buf, size_t len, int flags) {
  using fn = ssize_t (*)(int, void *, size_t, int);
  static fn real = reinterpret_cast<fn>(dlsym(RTLD_NEXT, "recv"));
  if (g_counting) {
    g_counting->recv++;
    if (flags & MSG_PEEK)
      g_counting->recv_peek++;
  }
  return real(fd, buf, len, flags);
}

namespace {

using cnet_test::ReadBytes;
using cnet_test::TestCompletion;
using cnet_test::TestLoop;
using cnet_test::WriteAll;

// Collects accepted sockets.
struct Acceptor {
  std::vector<cn_stream_socket *> accepted;
  static void OnAccept(void *arg, cn_stream_socket *s) {
    static_cast<Acceptor *>(arg)->accepted.push_back(s);
  }
  ~Acceptor() {
    for (auto *s : accepted)
      cn_stream_socket_destroy(s);
  }
};

cn_ip_endpoint Loopback(uint16_t port = 0) {
  cn_ip_endpoint ep;
  EXPECT_TRUE(cn_ip_endpoint_from_literal("127.0.0.1", port, &ep));
  return ep;
}

// Runs the loop until the acceptor has |n| sockets.
void WaitForAccepts(uv_loop_t *loop, Acceptor *acc, size_t n) {
  for (int i = 0; i < 1000 && acc->accepted.size() < n; i++)
    uv_run(loop, UV_RUN_ONCE);
  ASSERT_EQ(n, acc->accepted.size());
}

// A listener on 127.0.0.1 (an ephemeral port) whose accepted sockets the
// test gets in acc_.accepted.
class TcpSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cn_ip_endpoint bind = Loopback();
    ASSERT_EQ(CN_OK, cn_tcp_listener_new(loop_.get(), &bind, nullptr, Acceptor::OnAccept, &acc_,
                                         &listener_));
    where_ = cn_tcp_listener_address(listener_);
  }
  void TearDown() override { cn_tcp_listener_destroy(listener_); }

  // An unconnected client that will try |addrs| in order (owned by the
  // caller).
  cn_stream_socket *NewClient(std::initializer_list<cn_ip_endpoint> addrs,
                              cn_netlog *log = nullptr) {
    cn_address_list list;
    cn_address_list_init(&list);
    for (const cn_ip_endpoint &ep : addrs)
      cn_address_list_append(&list, &ep);
    cn_stream_socket *client = cn_tcp_socket_new(loop_.get(), &list, log);
    cn_address_list_free(&list);
    return client;
  }
  // A client connected to the listener, its peer accepted (the last of
  // acc_.accepted); null on failure.
  cn_stream_socket *ConnectedClient(cn_netlog *log = nullptr) {
    size_t accepted = acc_.accepted.size();  // before: the accept may come first
    cn_stream_socket *client = NewClient({where_}, log);
    TestCompletion c;
    int rv = c.WaitForResult(loop_.get(), cn_stream_socket_connect(client, c.cb(), c.arg()));
    EXPECT_EQ(CN_OK, rv);
    if (rv == CN_OK)
      WaitForAccepts(loop_.get(), &acc_, accepted + 1);
    if (rv != CN_OK || acc_.accepted.size() != accepted + 1) {
      cn_stream_socket_destroy(client);
      return nullptr;
    }
    return client;
  }

  TestLoop loop_;
  Acceptor acc_;
  cn_tcp_listener *listener_ = nullptr;
  cn_ip_endpoint where_{};
};

TEST_F(TcpSocketTest, ConnectEchoAndLog) {
  cn_netlog log;
  cn_netlog_init(&log);
  cn_netlog_counters counters;
  cn_netlog_counters_attach(&counters, &log);
  EXPECT_NE(0, cn_ip_endpoint_port(&where_));
  cn_stream_socket *client = ConnectedClient(&log);
  ASSERT_TRUE(client);
  EXPECT_TRUE(cn_stream_socket_is_connected_and_idle(client));
  cn_ip_endpoint peer;
  ASSERT_TRUE(cn_tcp_socket_peer_address(client, &peer));
  EXPECT_TRUE(cn_ip_endpoint_equal(&peer, &where_));

  std::string big(1 << 20, '\0');
  for (size_t i = 0; i < big.size(); i++)
    big[i] = static_cast<char>(i * 7 + (i >> 9));
  // Write 1 MiB (more than the socket buffers hold: exercises the async path)
  // while the server reads it.
  cn_iobuf *wbuf = cn_iobuf_from_copy(big.data(), big.size());
  TestCompletion wc;
  int wrv = cn_stream_socket_write(client, wbuf, wbuf->size, wc.cb(), wc.arg());
  cn_iobuf_unref(wbuf);
  EXPECT_EQ(big, ReadBytes(loop_.get(), acc_.accepted[0], big.size()));
  EXPECT_EQ(static_cast<int>(big.size()), wc.WaitForResult(loop_.get(), wrv));

  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), acc_.accepted[0], "reply"));
  EXPECT_EQ("reply", ReadBytes(loop_.get(), client, 5));
  EXPECT_EQ(1u, counters.tcp_connects);

  // Server closes: the client sees EOF and is no longer idle/connected.
  cn_stream_socket_destroy(acc_.accepted[0]);
  acc_.accepted.clear();
  int last = 1;
  EXPECT_EQ("", ReadBytes(loop_.get(), client, 10, &last));
  EXPECT_EQ(0, last);
  EXPECT_FALSE(cn_stream_socket_is_connected(client));
  cn_stream_socket_destroy(client);
  cn_netlog_counters_detach(&counters);
}

TEST_F(TcpSocketTest, IdleCheckSeesPeerClose) {
  cn_stream_socket *client = ConnectedClient();
  ASSERT_TRUE(client);
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), acc_.accepted[0], "x"));
  // The unread byte arrives: no longer idle, still connected.
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(),
                                  [&] { return !cn_stream_socket_is_connected_and_idle(client); }));
  EXPECT_TRUE(cn_stream_socket_is_connected(client));
  EXPECT_EQ("x", ReadBytes(loop_.get(), client, 1));
  EXPECT_TRUE(cn_stream_socket_is_connected_and_idle(client));
  cn_stream_socket_destroy(acc_.accepted[0]);
  acc_.accepted.clear();
  // The peer's close arrives.
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return !cn_stream_socket_is_connected(client); }));
  EXPECT_FALSE(cn_stream_socket_is_connected_and_idle(client));
  cn_stream_socket_destroy(client);
}

// Bytes already in the kernel are returned by the read call itself: no
// callback, no loop turn (the read watcher is not involved).
TEST_F(TcpSocketTest, ReadOfBufferedBytesCompletesSynchronously) {
  cn_stream_socket *client = ConnectedClient();
  ASSERT_TRUE(client);
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), acc_.accepted[0], "hello"));
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(),
                                  [&] { return !cn_stream_socket_is_connected_and_idle(client); }));
  cn_iobuf *buf = cn_iobuf_new(64);
  TestCompletion c;
  ASSERT_EQ(5, cn_stream_socket_read(client, buf, 64, c.cb(), c.arg()));
  EXPECT_EQ("hello", std::string(reinterpret_cast<char *>(buf->data), 5));
  EXPECT_FALSE(c.done());

  // Nothing there: the read waits, and completes once bytes come.
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read(client, buf, 64, c.cb(), c.arg()));
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), acc_.accepted[0], "world!"));
  EXPECT_EQ(6, c.WaitForResult(loop_.get(), CN_ERR_IO_PENDING));
  EXPECT_EQ("world!", std::string(reinterpret_cast<char *>(buf->data), 6));

  // The peer's close is an EOF returned synchronously too.
  cn_stream_socket_destroy(acc_.accepted[0]);
  acc_.accepted.clear();
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return !cn_stream_socket_is_connected(client); }));
  EXPECT_EQ(0, cn_stream_socket_read(client, buf, 64, c.cb(), c.arg()));
  EXPECT_FALSE(c.done());
  cn_iobuf_unref(buf);
  cn_stream_socket_destroy(client);
}

// A reader that reads on while bytes keep coming still lets the loop run:
// after a bounded number of synchronous reads the next one waits for the
// loop (and completes there, with the bytes that were waiting).
TEST_F(TcpSocketTest, SynchronousReadsYieldToTheLoop) {
  cn_stream_socket *client = ConnectedClient();
  ASSERT_TRUE(client);
  std::string data(200, 'x');
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), acc_.accepted[0], data));
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(),
                                  [&] { return !cn_stream_socket_is_connected_and_idle(client); }));
  cn_iobuf *buf = cn_iobuf_new(1);
  TestCompletion c;
  // One byte per read, never a loop turn between reads that return at once:
  // every byte is in the kernel from the start, so a read that waits does
  // so only to let the loop run.
  int waits = 0;
  for (int got = 0; got < 200; got++) {
    int rv = cn_stream_socket_read(client, buf, 1, c.cb(), c.arg());
    if (rv == CN_ERR_IO_PENDING) {
      waits++;
      rv = c.WaitForResult(loop_.get(), rv);
    }
    ASSERT_EQ(1, rv) << "byte " << got;
    ASSERT_EQ('x', buf->data[0]);
  }
  EXPECT_GT(waits, 0) << "the loop never ran while bytes kept coming";
  EXPECT_LT(waits, 20) << "most reads should be synchronous";
  cn_iobuf_unref(buf);
  cn_stream_socket_destroy(client);
}

// Reads answered from a callback that reads again (the watcher stays on),
// and bytes that arrive while nobody reads stay in the kernel for the next
// read.
TEST_F(TcpSocketTest, BytesWithNoReaderWaitForTheNextRead) {
  cn_stream_socket *client = ConnectedClient();
  ASSERT_TRUE(client);
  cn_iobuf *buf = cn_iobuf_new(64);
  TestCompletion c;
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read(client, buf, 64, c.cb(), c.arg()));
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), acc_.accepted[0], "one"));
  EXPECT_EQ(3, c.WaitForResult(loop_.get(), CN_ERR_IO_PENDING));
  // No read outstanding now; bytes come, and the loop turns over them.
  ASSERT_EQ(CN_OK, WriteAll(loop_.get(), acc_.accepted[0], "two"));
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(),
                                  [&] { return !cn_stream_socket_is_connected_and_idle(client); }));
  for (int i = 0; i < 3; i++)
    uv_run(loop_.get(), UV_RUN_NOWAIT);
  EXPECT_FALSE(c.done());
  EXPECT_EQ(3, cn_stream_socket_read(client, buf, 64, c.cb(), c.arg()));
  EXPECT_EQ("two", std::string(reinterpret_cast<char *>(buf->data), 3));
  cn_iobuf_unref(buf);
  cn_stream_socket_destroy(client);
}

// A keep-alive exchange as the pool and an HTTP/1.1 stream make it: the
// pool's check when it takes the connection back, its check when it hands
// it out again (no loop turn between), the request written, the answer
// read. One peek per exchange: the second check, in the same loop
// millisecond with the read watcher on, stands on the first. The read
// right after the write asks the kernel nothing (the peek just found it
// empty) and waits on the watcher. Both need the watcher to stay on
// between exchanges (which also spares two epoll_ctl calls per exchange).
TEST_F(TcpSocketTest, KeepAliveExchangesCostNoRedundantSystemCalls) {
  cn_stream_socket *client = ConnectedClient();
  ASSERT_TRUE(client);
  cn_stream_socket *server = acc_.accepted[0];
  cn_iobuf *buf = cn_iobuf_new(64);
  SyscallCounts read_call;
  for (int i = 0; i < 5; i++) {
    SCOPED_TRACE(i);
    SyscallCounts counts;
    g_counting = &counts;
    EXPECT_TRUE(cn_stream_socket_is_connected_and_idle(client));  // given back
    EXPECT_TRUE(cn_stream_socket_is_connected_and_idle(client));  // handed out
    EXPECT_TRUE(cn_stream_socket_is_connected(client));
    ASSERT_EQ(CN_OK, WriteAll(loop_.get(), client, "request"));
    SyscallCounts before_read = counts;
    TestCompletion c;
    int rv = cn_stream_socket_read(client, buf, 64, c.cb(), c.arg());
    read_call.recv = counts.recv - before_read.recv;
    ASSERT_EQ(CN_ERR_IO_PENDING, rv);
    EXPECT_EQ("request", ReadBytes(loop_.get(), server, 7));
    ASSERT_EQ(CN_OK, WriteAll(loop_.get(), server, "answer"));
    EXPECT_EQ(6, c.WaitForResult(loop_.get(), rv));
    g_counting = nullptr;
    EXPECT_EQ("answer", std::string(reinterpret_cast<char *>(buf->data), 6));
    if (i == 0) {
      // The first exchange starts the watcher: its read asked the kernel.
      EXPECT_EQ(1, read_call.recv);
      continue;
    }
    // The server's reads may find the request already there or not: its
    // own recv calls vary, so the counts are of the client's kind only.
    EXPECT_EQ(1, counts.recv_peek) << "idle checks that asked the kernel";
    EXPECT_EQ(0, read_call.recv) << "recv calls of the read right after the write";
  }
  cn_iobuf_unref(buf);
  cn_stream_socket_destroy(client);
}

// A port nothing listens on: bind a listener, note the port, close it.
uint16_t ClosedPort(uv_loop_t *loop) {
  Acceptor acc;
  cn_tcp_listener *l;
  cn_ip_endpoint bind = Loopback();
  EXPECT_EQ(CN_OK, cn_tcp_listener_new(loop, &bind, nullptr, Acceptor::OnAccept, &acc, &l));
  cn_ip_endpoint ep = cn_tcp_listener_address(l);
  cn_tcp_listener_destroy(l);
  uv_run(loop, UV_RUN_NOWAIT);
  return cn_ip_endpoint_port(&ep);
}

TEST_F(TcpSocketTest, TriesEveryAddressAndReportsFirstError) {
  cn_ip_endpoint dead = Loopback(ClosedPort(loop_.get()));
  cn_stream_socket *client = NewClient({dead, where_});
  TestCompletion c;
  EXPECT_EQ(CN_OK, c.WaitForResult(loop_.get(), cn_stream_socket_connect(client, c.cb(), c.arg())));
  cn_ip_endpoint peer;
  ASSERT_TRUE(cn_tcp_socket_peer_address(client, &peer));
  EXPECT_TRUE(cn_ip_endpoint_equal(&peer, &where_));
  cn_stream_socket_destroy(client);

  // All addresses dead: the first one's error.
  client = NewClient({dead, dead});
  EXPECT_EQ(CN_ERR_CONNECTION_REFUSED,
            c.WaitForResult(loop_.get(), cn_stream_socket_connect(client, c.cb(), c.arg())));
  EXPECT_FALSE(cn_stream_socket_is_connected(client));
  cn_stream_socket_destroy(client);

  // No addresses at all.
  client = NewClient({});
  EXPECT_EQ(CN_ERR_NAME_NOT_RESOLVED, cn_stream_socket_connect(client, c.cb(), c.arg()));
  cn_stream_socket_destroy(client);
}

TEST_F(TcpSocketTest, DestroyDuringConnectAndReadRunsNoCallback) {
  cn_stream_socket *client = NewClient({where_});
  TestCompletion c;
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_connect(client, c.cb(), c.arg()));
  cn_stream_socket_destroy(client);
  // Destroy closed the descriptor: no kernel event can follow; libuv's own
  // cancellation (UV_ECANCELED for the pending request) runs when the
  // closing handle is reaped, which RunUntilIdle lets happen.
  cnet_test::RunUntilIdle(loop_.get());
  EXPECT_FALSE(c.done());

  client = NewClient({where_});
  ASSERT_EQ(CN_OK, c.WaitForResult(loop_.get(), cn_stream_socket_connect(client, c.cb(), c.arg())));
  cn_iobuf *buf = cn_iobuf_new(10);
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_read(client, buf, 10, c.cb(), c.arg()));
  cn_iobuf_unref(buf);
  cn_stream_socket_destroy(client);
  WaitForAccepts(loop_.get(), &acc_, 2);
  for (auto *s : acc_.accepted)
    WriteAll(loop_.get(), s, "late");
  cnet_test::RunUntilIdle(loop_.get());
  EXPECT_FALSE(c.done());
}

TEST_F(TcpSocketTest, ReadAndWriteBeforeConnectFail) {
  cn_stream_socket *s = NewClient({});
  cn_iobuf *buf = cn_iobuf_new(4);
  TestCompletion c;
  EXPECT_EQ(CN_ERR_SOCKET_NOT_CONNECTED, cn_stream_socket_read(s, buf, 4, c.cb(), c.arg()));
  EXPECT_EQ(CN_ERR_SOCKET_NOT_CONNECTED, cn_stream_socket_write(s, buf, 4, c.cb(), c.arg()));
  cn_iobuf_unref(buf);
  cn_stream_socket_destroy(s);
}

}  // namespace
