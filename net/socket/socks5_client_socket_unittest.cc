// The SOCKS5 handshake over scripted sockets: every message byte for byte,
// every reply code, authentication, malformed and short answers, EOF, bytes
// after the reply, and destroy at every point where the handshake waits.
// Each test runs with the script's reads and writes completing synchronously
// and asynchronously.
#include "net/socket/socks5_client_socket.h"

#include <gtest/gtest.h>

#include <string>

#include "net/base/netlog_counters.h"
#include "net/socket/mock_client_socket_factory.h"
#include "net/socket/socket_test_util.h"

namespace {

using cnet_test::SocketScript;
using cnet_test::TestCompletion;
using cnet_test::TestLoop;

// Wire messages (string literals are split after hex escapes so that a
// following letter or digit is not taken into the escape).
const std::string kGreetNoAuth("\x05\x01\x00", 3);
const std::string kGreetAuth("\x05\x02\x00\x02", 4);
const std::string kChoseNone("\x05\x00", 2);
const std::string kChoseUserPass("\x05\x02", 2);
const std::string kAuthUserPass = std::string("\x01\x04", 2) + "user" + "\x06" "s3cret";
const std::string kAuthOk("\x01\x00", 2);
// CONNECT example.test:443 by name.
const std::string kConnectName =
    std::string("\x05\x01\x00\x03\x0c", 5) + "example.test" + std::string("\x01\xbb", 2);
// Success, bound 127.0.0.1:1080.
const std::string kReplyOkV4("\x05\x00\x00\x01\x7f\x00\x00\x01\x04\x38", 10);

// Records the last SOCKS5_CONNECT END's integer parameters.
struct SocksEndObserver {
  cn_netlog_observer obs;  // first: the callback casts back
  int ends = 0;
  int begins = 0;
  int64_t net_error = 0;
  int64_t reply = -2;
  int64_t method = -2;
  int64_t atyp = -2;
  std::string resolve;

  static void OnEntry(cn_netlog_observer *o, const cn_netlog_entry *e) {
    auto *self = reinterpret_cast<SocksEndObserver *>(o);
    if (e->type != CN_NETLOG_SOCKS5_CONNECT)
      return;
    if (e->phase == CN_NETLOG_PHASE_BEGIN) {
      self->begins++;
      const cn_netlog_param *r = cn_netlog_entry_param(e, "resolve");
      self->resolve = r ? r->s : "";
      return;
    }
    self->ends++;
    for (size_t i = 0; i < e->num_params; i++) {
      const cn_netlog_param &p = e->params[i];
      std::string key = p.key;
      if (key == "net_error")
        self->net_error = p.i;
      else if (key == "reply")
        self->reply = p.i;
      else if (key == "method")
        self->method = p.i;
      else if (key == "atyp")
        self->atyp = p.i;
    }
  }
};

class Socks5ClientSocketTest : public ::testing::TestWithParam<cn_mock_mode> {
 protected:
  Socks5ClientSocketTest() {
    cn_netlog_init(&netlog_);
    cn_netlog_counters_attach(&counters_, &netlog_);
    observer_.obs.on_entry = &SocksEndObserver::OnEntry;
    cn_netlog_add_observer(&netlog_, &observer_.obs);
    cn_host_port_set(&target_, "example.test", 443);
  }
  ~Socks5ClientSocketTest() override {
    cn_stream_socket_destroy(socks_);
    cn_netlog_counters_detach(&counters_);
    cn_netlog_destroy(&netlog_);
  }

  cn_mock_mode mode() const { return GetParam(); }

  // A SOCKS socket over a mock scripted by |script|.
  void Create(SocketScript &script, const char *user = nullptr, const char *pass = nullptr,
              const cn_ip_endpoint *address = nullptr) {
    std::vector<cn_mock_op> ops = script.ops();
    mock_ = cn_mock_socket_new(loop_.get(), &netlog_, nullptr, ops.data(), ops.size());
    ASSERT_EQ(CN_OK, cn_stream_socket_connect(mock_, nullptr, nullptr));
    cn_socks5_client_socket_params p = {};
    p.target = &target_;
    p.address = address;
    p.username = user;
    p.password = pass;
    socks_ = cn_socks5_client_socket_new(mock_, &p, &netlog_);
  }

  int Connect() {
    TestCompletion c;
    return c.WaitForResult(loop_.get(), cn_stream_socket_connect(socks_, c.cb(), c.arg()));
  }

  // Runs a whole handshake whose CONNECT reply is |reply|, with the CONNECT
  // by name, and destroys the socket; returns the result.
  int ConnectWithReply(const std::string &reply) {
    SocketScript script;
    script.Write(kGreetNoAuth, mode()).Read(kChoseNone, mode()).Write(kConnectName, mode());
    script.Read(reply, mode());
    Create(script);
    int rv = Connect();
    cnet_test::ExpectMockDone(mock_);
    cn_stream_socket_destroy(socks_);  // before |script| goes
    socks_ = nullptr;
    return rv;
  }

  TestLoop loop_;
  cn_netlog netlog_;
  cn_netlog_counters counters_;
  SocksEndObserver observer_;
  cn_host_port target_;
  cn_stream_socket *mock_ = nullptr;   // owned by socks_
  cn_stream_socket *socks_ = nullptr;
};

INSTANTIATE_TEST_SUITE_P(SyncAndAsync, Socks5ClientSocketTest,
                         ::testing::Values(CN_MOCK_SYNC, CN_MOCK_ASYNC),
                         [](const ::testing::TestParamInfo<cn_mock_mode> &p) {
                           return std::string(p.param == CN_MOCK_SYNC ? "Sync" : "Async");
                         });

TEST_P(Socks5ClientSocketTest, NoAuthByNameThenPassesThrough) {
  SocketScript script;
  script.Write(kGreetNoAuth, mode()).Read(kChoseNone, mode()).Write(kConnectName, mode());
  script.Read(kReplyOkV4, mode());
  script.Write("GET / HTTP/1.1\r\n\r\n", mode()).Read("HTTP/1.1 200 OK\r\n", mode());
  Create(script);
  EXPECT_FALSE(cn_stream_socket_is_connected(socks_));
  ASSERT_EQ(CN_OK, Connect());
  EXPECT_TRUE(cn_stream_socket_is_connected(socks_));
  EXPECT_EQ(CN_PROTO_UNKNOWN, cn_stream_socket_negotiated_protocol(socks_));
  EXPECT_EQ(mock_, cn_stream_socket_lower(socks_));
  EXPECT_EQ(CN_SOCKET_LAYER_SOCKS_TUNNEL, cn_stream_socket_layer(socks_));
  ASSERT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), socks_, "GET / HTTP/1.1\r\n\r\n"));
  EXPECT_EQ("HTTP/1.1 200 OK\r\n", cnet_test::ReadBytes(loop_.get(), socks_, 17));
  cnet_test::ExpectMockDone(mock_);
  // One tunnel counted; the reply named in the NetLog.
  EXPECT_EQ(1u, counters_.tunnels);
  EXPECT_EQ(1, observer_.begins);
  EXPECT_EQ(1, observer_.ends);
  EXPECT_EQ(0, observer_.net_error);
  EXPECT_EQ(0, observer_.reply);
  EXPECT_EQ(0, observer_.method);
  EXPECT_EQ(1, observer_.atyp);
  EXPECT_EQ("proxy", observer_.resolve);
  // connect() once only.
  TestCompletion c;
  EXPECT_EQ(CN_ERR_SOCKET_IS_CONNECTED, cn_stream_socket_connect(socks_, c.cb(), c.arg()));
}

TEST_P(Socks5ClientSocketTest, IpLiteralTargetsAndLocallyResolvedAddress) {
  const struct {
    const char *host;
    const char *address;  // nullptr: send the host
    std::string connect;
  } kCases[] = {
      {"192.0.2.7", nullptr, std::string("\x05\x01\x00\x01\xc0\x00\x02\x07\x00\x50", 10)},
      {"2001:db8::1", nullptr,
       std::string("\x05\x01\x00\x04\x20\x01\x0d\xb8", 8) + std::string(11, '\0') +
           std::string("\x01\x00\x50", 3)},
      // socks5://: the client resolved the name; its address is sent.
      {"named.test", "10.1.2.3", std::string("\x05\x01\x00\x01\x0a\x01\x02\x03\x00\x50", 10)},
      {"named.test", "::1", std::string("\x05\x01\x00\x04", 4) + std::string(15, '\0') +
                                std::string("\x01\x00\x50", 3)},
  };
  for (const auto &c : kCases) {
    SCOPED_TRACE(c.host);
    ASSERT_EQ(CN_OK, cn_host_port_set(&target_, c.host, 80));
    cn_ip_endpoint ep;
    if (c.address) {
      ASSERT_TRUE(cn_ip_endpoint_from_literal(c.address, 9999, &ep));
    }
    SocketScript script;
    script.Write(kGreetNoAuth, mode()).Read(kChoseNone, mode()).Write(c.connect, mode());
    script.Read(kReplyOkV4, mode());
    Create(script, nullptr, nullptr, c.address ? &ep : nullptr);
    EXPECT_EQ(CN_OK, Connect());
    cnet_test::ExpectMockDone(mock_);
    EXPECT_EQ(c.address ? "local" : "proxy", observer_.resolve);
    cn_stream_socket_destroy(socks_);
    socks_ = nullptr;
  }
}

TEST_P(Socks5ClientSocketTest, UsernamePasswordAccepted) {
  SocketScript script;
  script.Write(kGreetAuth, mode()).Read(kChoseUserPass, mode()).Write(kAuthUserPass, mode());
  script.Read(kAuthOk, mode()).Write(kConnectName, mode()).Read(kReplyOkV4, mode());
  Create(script, "user", "s3cret");
  EXPECT_EQ(CN_OK, Connect());
  cnet_test::ExpectMockDone(mock_);
  EXPECT_EQ(2, observer_.method);
}

TEST_P(Socks5ClientSocketTest, CredentialsOfferedButNotNeeded) {
  SocketScript script;
  script.Write(kGreetAuth, mode()).Read(kChoseNone, mode()).Write(kConnectName, mode());
  script.Read(kReplyOkV4, mode());
  Create(script, "user", "s3cret");
  EXPECT_EQ(CN_OK, Connect());
  cnet_test::ExpectMockDone(mock_);
}

TEST_P(Socks5ClientSocketTest, EmptyPasswordIsSentAsEmpty) {
  SocketScript script;
  script.Write(kGreetAuth, mode()).Read(kChoseUserPass, mode());
  script.Write(std::string("\x01\x01", 2) + "u" + std::string("\x00", 1), mode());
  script.Read(kAuthOk, mode()).Write(kConnectName, mode()).Read(kReplyOkV4, mode());
  Create(script, "u", nullptr);
  EXPECT_EQ(CN_OK, Connect());
  cnet_test::ExpectMockDone(mock_);
}

TEST_P(Socks5ClientSocketTest, UsernamePasswordRefused) {
  SocketScript script;
  script.Write(kGreetAuth, mode()).Read(kChoseUserPass, mode()).Write(kAuthUserPass, mode());
  script.Read(std::string("\x01\x01", 2), mode());
  Create(script, "user", "s3cret");
  EXPECT_EQ(CN_ERR_SOCKS_AUTH_FAILED, Connect());
  cnet_test::ExpectMockDone(mock_);
  EXPECT_FALSE(cn_stream_socket_is_connected(socks_));
  EXPECT_EQ(0u, counters_.tunnels);
  EXPECT_EQ(CN_ERR_SOCKS_AUTH_FAILED, observer_.net_error);
  // A failed socket neither reads nor writes.
  cn_iobuf *buf = cn_iobuf_new(4);
  TestCompletion c;
  EXPECT_EQ(CN_ERR_SOCKET_NOT_CONNECTED, cn_stream_socket_read(socks_, buf, 4, c.cb(), c.arg()));
  EXPECT_EQ(CN_ERR_SOCKET_NOT_CONNECTED, cn_stream_socket_write(socks_, buf, 4, c.cb(), c.arg()));
  cn_iobuf_unref(buf);
}

TEST_P(Socks5ClientSocketTest, NoAcceptableMethod) {
  for (bool with_credentials : {false, true}) {
    SCOPED_TRACE(with_credentials);
    SocketScript script;
    script.Write(with_credentials ? kGreetAuth : kGreetNoAuth, mode());
    script.Read(std::string("\x05\xff", 2), mode());
    Create(script, with_credentials ? "user" : nullptr, "s3cret");
    EXPECT_EQ(CN_ERR_SOCKS_NO_ACCEPTABLE_METHOD, Connect());
    cnet_test::ExpectMockDone(mock_);
    cn_stream_socket_destroy(socks_);
    socks_ = nullptr;
  }
}

TEST_P(Socks5ClientSocketTest, EveryReplyCodeHasItsError) {
  const struct {
    uint8_t rep;
    int error;
  } kCases[] = {
      {1, CN_ERR_SOCKS_CONNECTION_FAILED},
      {2, CN_ERR_SOCKS_CONNECTION_NOT_ALLOWED},
      {3, CN_ERR_SOCKS_NETWORK_UNREACHABLE},
      {4, CN_ERR_SOCKS_CONNECTION_HOST_UNREACHABLE},
      {5, CN_ERR_SOCKS_CONNECTION_REFUSED},
      {6, CN_ERR_SOCKS_TTL_EXPIRED},
      {7, CN_ERR_SOCKS_COMMAND_NOT_SUPPORTED},
      {8, CN_ERR_SOCKS_ADDRESS_TYPE_NOT_SUPPORTED},
      {9, CN_ERR_SOCKS_CONNECTION_FAILED},
      {255, CN_ERR_SOCKS_CONNECTION_FAILED},
  };
  for (const auto &c : kCases) {
    SCOPED_TRACE(c.rep);
    EXPECT_EQ(c.error, cn_socks5_reply_to_error(c.rep));
    // The whole reply, and just its first two bytes (a proxy that closes
    // right after saying no): both are named.
    std::string full = kReplyOkV4;
    full[1] = static_cast<char>(c.rep);
    for (const std::string &reply : {full, full.substr(0, 2)}) {
      EXPECT_EQ(c.error, ConnectWithReply(reply));
      EXPECT_EQ(c.rep, observer_.reply);
      EXPECT_EQ(c.error, observer_.net_error);
    }
  }
  EXPECT_EQ(CN_OK, cn_socks5_reply_to_error(0));
  EXPECT_EQ(0u, counters_.tunnels);
  // The messages name the reply.
  EXPECT_NE(nullptr, strstr(cn_error_message(CN_ERR_SOCKS_CONNECTION_NOT_ALLOWED),
                            "connection not allowed by ruleset"));
  EXPECT_NE(nullptr, strstr(cn_error_message(CN_ERR_SOCKS_TTL_EXPIRED), "TTL expired"));
  EXPECT_NE(nullptr, strstr(cn_error_message(CN_ERR_SOCKS_CONNECTION_FAILED), "general failure"));
  EXPECT_STREQ("ERR_SOCKS_CONNECTION_HOST_UNREACHABLE",
               cn_error_name(CN_ERR_SOCKS_CONNECTION_HOST_UNREACHABLE));
}

TEST_P(Socks5ClientSocketTest, MalformedAnswers) {
  const struct {
    const char *name;
    std::string method_answer;
    std::string reply;  // when the method answer is fine
  } kCases[] = {
      {"method answer of a SOCKS4 server", std::string("\x04\x00", 2), ""},
      {"method answer too long", std::string("\x05\x00\x00", 3), ""},
      {"method not offered", std::string("\x05\x02", 2), ""},
      {"GSSAPI not offered", std::string("\x05\x01", 2), ""},
      {"reply version", kChoseNone, std::string("\x04\x00\x00\x01\x7f\x00\x00\x01\x04\x38", 10)},
      {"reply ATYP 2", kChoseNone, std::string("\x05\x00\x00\x02\x7f\x00\x00\x01\x04\x38", 10)},
      {"reply empty name", kChoseNone, std::string("\x05\x00\x00\x03\x00\x04\x38", 7)},
  };
  for (const auto &c : kCases) {
    SCOPED_TRACE(c.name);
    SocketScript script;
    script.Write(kGreetNoAuth, mode()).Read(c.method_answer, mode());
    if (!c.reply.empty())
      script.Write(kConnectName, mode()).Read(c.reply, mode());
    Create(script);
    EXPECT_EQ(CN_ERR_SOCKS_MALFORMED_REPLY, Connect());
    cnet_test::ExpectMockDone(mock_);
    cn_stream_socket_destroy(socks_);
    socks_ = nullptr;
  }
}

TEST_P(Socks5ClientSocketTest, MalformedAuthAnswers) {
  for (const std::string &answer : {std::string("\x05\x00", 2), std::string("\x01\x00\x00", 3)}) {
    SocketScript script;
    script.Write(kGreetAuth, mode()).Read(kChoseUserPass, mode()).Write(kAuthUserPass, mode());
    script.Read(answer, mode());
    Create(script, "user", "s3cret");
    EXPECT_EQ(CN_ERR_SOCKS_MALFORMED_REPLY, Connect());
    cnet_test::ExpectMockDone(mock_);
    cn_stream_socket_destroy(socks_);
    socks_ = nullptr;
  }
}

TEST_P(Socks5ClientSocketTest, AnswersSplitIntoSingleBytes) {
  // A reply whose bound address is a name (ATYP 3), and an IPv6 one.
  const std::string kReplyName =
      std::string("\x05\x00\x00\x03\x07", 5) + "bound.t" + std::string("\x04\x38", 2);
  const std::string kReplyV6 =
      std::string("\x05\x00\x00\x04", 4) + std::string(16, '\x01') + std::string("\x04\x38", 2);
  for (const std::string &reply : {kReplyName, kReplyV6, kReplyOkV4}) {
    SocketScript script;
    script.Write(kGreetAuth, mode()).Read(kChoseUserPass.substr(0, 1), mode()).Read(kChoseUserPass.substr(1), mode());
    script.Write(kAuthUserPass, mode()).Read(kAuthOk.substr(0, 1), mode()).Read(kAuthOk.substr(1), mode());
    script.Write(kConnectName, mode());
    for (char byte : reply)
      script.Read(std::string(1, byte), mode());
    script.Write("x", mode());
    Create(script, "user", "s3cret");
    EXPECT_EQ(CN_OK, Connect());
    // Nothing of the reply is left over for the caller.
    EXPECT_TRUE(cn_stream_socket_is_connected_and_idle(socks_));
    EXPECT_EQ(CN_OK, cnet_test::WriteAll(loop_.get(), socks_, "x"));
    cnet_test::ExpectMockDone(mock_);
    cn_stream_socket_destroy(socks_);
    socks_ = nullptr;
  }
}

TEST_P(Socks5ClientSocketTest, WritesTakenInPieces) {
  // The transport takes each message a few bytes at a time.
  SocketScript script;
  script.Write(kGreetAuth.substr(0, 1), mode()).Write(kGreetAuth.substr(1), mode());
  script.Read(kChoseUserPass, mode());
  script.Write(kAuthUserPass.substr(0, 5), mode()).Write(kAuthUserPass.substr(5), mode());
  script.Read(kAuthOk, mode());
  script.Write(kConnectName.substr(0, 9), mode()).Write(kConnectName.substr(9), mode());
  script.Read(kReplyOkV4, mode());
  Create(script, "user", "s3cret");
  EXPECT_EQ(CN_OK, Connect());
  cnet_test::ExpectMockDone(mock_);
}

TEST_P(Socks5ClientSocketTest, EndOfStreamOrErrorMidHandshake) {
  const struct {
    const char *name;
    int stop_after;  // how many ops of the full exchange run before the end
    std::string partial;  // a partial answer read before the end
    bool error;           // a reset instead of EOF
  } kCases[] = {
      {"EOF instead of the method", 1, "", false},
      {"EOF inside the method", 1, std::string("\x05", 1), false},
      {"EOF instead of the reply", 3, "", false},
      {"EOF inside the reply", 3, std::string("\x05\x00\x00\x01\x7f", 5), false},
      {"EOF inside a named reply", 3, std::string("\x05\x00\x00\x03\x09" "ab", 7), false},
      {"reset instead of the reply", 3, "", true},
  };
  for (const auto &c : kCases) {
    SCOPED_TRACE(c.name);
    SocketScript script;
    script.Write(kGreetNoAuth, mode());
    if (c.stop_after == 3)
      script.Read(kChoseNone, mode()).Write(kConnectName, mode());
    if (!c.partial.empty())
      script.Read(c.partial, mode());
    if (c.error)
      script.ReadError(CN_ERR_CONNECTION_RESET, mode());
    else
      script.ReadEof(mode());
    Create(script);
    EXPECT_EQ(c.error ? CN_ERR_CONNECTION_RESET : CN_ERR_CONNECTION_CLOSED, Connect());
    cnet_test::ExpectMockDone(mock_);
    cn_stream_socket_destroy(socks_);
    socks_ = nullptr;
  }
}

TEST_P(Socks5ClientSocketTest, WriteErrorFailsTheHandshake) {
  SocketScript script;
  script.WriteError(CN_ERR_CONNECTION_RESET, mode());
  Create(script);
  EXPECT_EQ(CN_ERR_CONNECTION_RESET, Connect());
  cnet_test::ExpectMockDone(mock_);
  EXPECT_EQ(CN_ERR_CONNECTION_RESET, observer_.net_error);
}

TEST_P(Socks5ClientSocketTest, BytesAfterTheReplyGoToTheFirstReads) {
  SocketScript script;
  script.Write(kGreetNoAuth, mode()).Read(kChoseNone, mode()).Write(kConnectName, mode());
  script.Read(kReplyOkV4 + "220 hello", mode());
  script.Read(" world", mode());
  Create(script);
  ASSERT_EQ(CN_OK, Connect());
  // Unread early data: not idle (a pool must not hand it to someone else).
  EXPECT_FALSE(cn_stream_socket_is_connected_and_idle(socks_));
  EXPECT_EQ("220", cnet_test::ReadBytes(loop_.get(), socks_, 3, nullptr, 3));
  EXPECT_EQ(" hello world", cnet_test::ReadBytes(loop_.get(), socks_, 12, nullptr, 4));
  cnet_test::ExpectMockDone(mock_);
  EXPECT_TRUE(cn_stream_socket_is_connected(socks_));
}

TEST_P(Socks5ClientSocketTest, OverlongCredentialsAreRefusedBeforeSending) {
  SocketScript script;  // nothing may be written
  std::string user(256, 'u');
  Create(script, user.c_str(), "p");
  TestCompletion c;
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_stream_socket_connect(socks_, c.cb(), c.arg()));
  cnet_test::ExpectMockDone(mock_);
  cn_stream_socket_destroy(socks_);
  socks_ = nullptr;

  SocketScript script2;
  std::string pass(256, 'p');
  Create(script2, "u", pass.c_str());
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, cn_stream_socket_connect(socks_, c.cb(), c.arg()));
  cnet_test::ExpectMockDone(mock_);
  EXPECT_EQ(CN_ERR_INVALID_ARGUMENT, observer_.net_error);
}

TEST_P(Socks5ClientSocketTest, LongestNameAndCredentialsFit) {
  std::string name(63, 'a');
  name += "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(63, 'd');
  ASSERT_EQ(255u, name.size());
  ASSERT_EQ(CN_OK, cn_host_port_set(&target_, name.c_str(), 443));
  std::string user(255, 'u'), pass(255, 'p');
  SocketScript script;
  script.Write(kGreetAuth, mode()).Read(kChoseUserPass, mode());
  script.Write(std::string("\x01\xff", 2) + user + "\xff" + pass, mode()).Read(kAuthOk, mode());
  script.Write(std::string("\x05\x01\x00\x03\xff", 5) + name + std::string("\x01\xbb", 2), mode());
  std::string bound = std::string("\x05\x00\x00\x03\xff", 5) + name + std::string("\x04\x38", 2);
  script.Read(bound, mode());
  Create(script, user.c_str(), pass.c_str());
  EXPECT_EQ(CN_OK, Connect());
  cnet_test::ExpectMockDone(mock_);
}

// Destroying the socket while the handshake waits on op |GetParam()| of the
// full exchange (that op is the only asynchronous one) cancels it: no
// callback, nothing leaked (the loop runs dry and the test loop checks no
// handle is left).
class Socks5ClientSocketCancelTest : public ::testing::TestWithParam<size_t> {};

TEST_P(Socks5ClientSocketCancelTest, DestroyWhilePending) {
  TestLoop loop;
  cn_netlog netlog;
  cn_netlog_init(&netlog);
  cn_netlog_counters counters;
  cn_netlog_counters_attach(&counters, &netlog);
  const std::string ops[] = {kGreetAuth, kChoseUserPass, kAuthUserPass, kAuthOk,
                             kConnectName, kReplyOkV4};
  SocketScript script;
  for (size_t i = 0; i < 6; i++) {
    cn_mock_mode m = i == GetParam() ? CN_MOCK_ASYNC : CN_MOCK_SYNC;
    if (i % 2 == 0)
      script.Write(ops[i], m);
    else
      script.Read(ops[i], m);
  }
  std::vector<cn_mock_op> script_ops = script.ops();
  cn_stream_socket *mock =
      cn_mock_socket_new(loop.get(), &netlog, nullptr, script_ops.data(), script_ops.size());
  ASSERT_EQ(CN_OK, cn_stream_socket_connect(mock, nullptr, nullptr));
  cn_host_port target;
  cn_host_port_set(&target, "example.test", 443);
  cn_socks5_client_socket_params p = {};
  p.target = &target;
  p.username = "user";
  p.password = "s3cret";
  cn_stream_socket *socks = cn_socks5_client_socket_new(mock, &p, &netlog);
  TestCompletion c;
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_connect(socks, c.cb(), c.arg()));
  // Waiting on exactly that op: the ones before it ran (an asynchronous
  // write is taken at once, its completion is what is pending).
  EXPECT_EQ(GetParam() + (GetParam() % 2 == 0 ? 1 : 0), cn_mock_socket_position(mock));
  cn_stream_socket_destroy(socks);
  uv_run(loop.get(), UV_RUN_DEFAULT);  // returns once nothing is pending
  EXPECT_FALSE(c.done());
  EXPECT_EQ(0u, counters.tunnels);
  cn_netlog_counters_detach(&counters);
  cn_netlog_destroy(&netlog);
}

INSTANTIATE_TEST_SUITE_P(EveryPendingPoint, Socks5ClientSocketCancelTest,
                         ::testing::Range<size_t>(0, 6));

TEST(Socks5ClientSocketDisconnectTest, DisconnectMidHandshakeCancels) {
  TestLoop loop;
  SocketScript script;
  script.Write(kGreetNoAuth, CN_MOCK_SYNC).Read(kChoseNone, CN_MOCK_ASYNC);
  std::vector<cn_mock_op> ops = script.ops();
  cn_stream_socket *mock = cn_mock_socket_new(loop.get(), nullptr, nullptr, ops.data(), ops.size());
  ASSERT_EQ(CN_OK, cn_stream_socket_connect(mock, nullptr, nullptr));
  cn_host_port target;
  cn_host_port_set(&target, "example.test", 443);
  cn_socks5_client_socket_params p = {};
  p.target = &target;
  cn_stream_socket *socks = cn_socks5_client_socket_new(mock, &p, nullptr);
  TestCompletion c;
  ASSERT_EQ(CN_ERR_IO_PENDING, cn_stream_socket_connect(socks, c.cb(), c.arg()));
  cn_stream_socket_disconnect(socks);
  uv_run(loop.get(), UV_RUN_DEFAULT);
  EXPECT_FALSE(c.done());
  EXPECT_FALSE(cn_stream_socket_is_connected(socks));
  cn_stream_socket_destroy(socks);
}

}  // namespace
