#include "net/socket/client_socket_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "net/socket/mock_socket.h"
#include "net/socket/socket_test_util.h"

namespace {

using cnet_test::TestLoop;

// Connect jobs the test finishes by hand: each records itself in the
// factory, and Finish() reports a result from outside any pool call.
struct FakeFactory;

struct FakeJob {
  cn_connect_job base;  // first
  FakeFactory *factory;
  std::string group_id;
  cn_request_priority priority;
  bool destroyed = false;
};

struct FakeFactory {
  uv_loop_t *loop;
  // What connect() returns for the next jobs: CN_ERR_IO_PENDING (the test
  // finishes them), CN_OK, or an error.
  int sync_result = CN_ERR_IO_PENDING;
  std::vector<FakeJob *> running;  // in creation order
  int created = 0;
  int destroyed = 0;

  static cn_connect_job *Create(void *ctx, const char *group_id, cn_socket_params *,
                                cn_request_priority priority, cn_netlog *netlog);
  static int Connect(cn_connect_job *job);
  static void Destroy(cn_connect_job *job);
  static const cn_connect_job_ops kOps;

  cn_connect_job_factory factory() { return {&FakeFactory::Create, this}; }

  cn_stream_socket *NewSocket() {
    return cn_mock_socket_new(loop, nullptr, nullptr, nullptr, 0);
  }
  // Finishes the |index|-th running job.
  void Finish(size_t index, int result) {
    ASSERT_LT(index, running.size());
    FakeJob *job = running[index];
    running.erase(running.begin() + static_cast<long>(index));
    if (result == CN_OK) {
      job->base.socket = NewSocket();
      cn_stream_socket_connect(job->base.socket, nullptr, nullptr);
    }
    cn_connect_job_complete(&job->base, result);
  }
};

const cn_connect_job_ops FakeFactory::kOps = {"fake", &FakeFactory::Connect,
                                              &FakeFactory::Destroy, nullptr, nullptr};

cn_connect_job *FakeFactory::Create(void *ctx, const char *group_id, cn_socket_params *,
                                    cn_request_priority priority, cn_netlog *netlog) {
  auto *f = static_cast<FakeFactory *>(ctx);
  auto *job = new FakeJob;
  job->factory = f;
  job->group_id = group_id;
  job->priority = priority;
  cn_connect_job_init(&job->base, &kOps, netlog, group_id, priority);
  f->created++;
  return &job->base;
}

int FakeFactory::Connect(cn_connect_job *j) {
  auto *job = reinterpret_cast<FakeJob *>(j);
  FakeFactory *f = job->factory;
  if (f->sync_result == CN_OK) {
    job->base.socket = f->NewSocket();
    cn_stream_socket_connect(job->base.socket, nullptr, nullptr);
    return CN_OK;
  }
  if (f->sync_result != CN_ERR_IO_PENDING)
    return f->sync_result;
  f->running.push_back(job);
  return CN_ERR_IO_PENDING;
}

void FakeFactory::Destroy(cn_connect_job *j) {
  auto *job = reinterpret_cast<FakeJob *>(j);
  FakeFactory *f = job->factory;
  auto it = std::find(f->running.begin(), f->running.end(), job);
  if (it != f->running.end())
    f->running.erase(it);  // cancelled while running
  cn_stream_socket_destroy(job->base.socket);
  f->destroyed++;
  delete job;
}

struct Params {
  cn_socket_params base;
  static void Destroy(cn_socket_params *p) { delete reinterpret_cast<Params *>(p); }
  static cn_socket_params *New() {
    auto *p = new Params();
    p->base.refs = 1;
    p->base.destroy = &Params::Destroy;
    return &p->base;
  }
};

// One request: its handle and what its callback saw.
struct Request {
  cn_client_socket_handle handle;
  int result = 1;  // 1: callback not run
  int calls = 0;
  std::vector<int> *order = nullptr;
  int id = 0;
  Request() { cn_client_socket_handle_init(&handle); }
  static void Callback(void *arg, int result) {
    auto *r = static_cast<Request *>(arg);
    r->result = result;
    r->calls++;
    if (r->order)
      r->order->push_back(r->id);
  }
};

class ClientSocketPoolTest : public ::testing::Test {
 public:
  void SetUp() override {
    factory_.loop = loop_.get();
    cn_client_socket_pool_options_init(&options_);
    options_.clock = clock_.get();  // time moves only when a test advances it
    options_.max_sockets_per_group = 2;
    options_.max_sockets = 4;
    params_ = Params::New();
  }
  void TearDown() override {
    cn_client_socket_pool_destroy(pool_);
    cn_socket_params_unref(params_);
    EXPECT_EQ(factory_.created, factory_.destroyed) << "connect jobs leaked";
  }
  void CreatePool() {
    cn_connect_job_factory f = factory_.factory();
    pool_ = cn_client_socket_pool_new(loop_.get(), &options_, &f, nullptr);
  }
  int RequestSocket(Request *r, const char *group, cn_request_priority prio = CN_PRIORITY_MEDIUM,
                    const char *chain = nullptr) {
    cn_netlog_source src = {CN_NETLOG_SOURCE_NONE, 0};
    return cn_client_socket_pool_request(pool_, group, chain, params_, prio, src, &r->handle,
                                         &Request::Callback, r);
  }
  // Runs the pool's notify queue (and the fake jobs' sockets) dry.
  void RunUntilIdle() { cnet_test::RunUntilIdle(loop_.get()); }

  cnet_test::FakeClock clock_;
  TestLoop loop_;
  FakeFactory factory_;
  cn_client_socket_pool_options options_;
  cn_client_socket_pool *pool_ = nullptr;
  cn_socket_params *params_ = nullptr;
};

TEST_F(ClientSocketPoolTest, AsyncConnectThenIdleReuse) {
  CreatePool();
  Request a;
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&a, "g"));
  EXPECT_EQ(1u, cn_client_socket_pool_job_count_in_group(pool_, "g"));
  factory_.Finish(0, CN_OK);
  EXPECT_EQ(0, a.calls) << "callback must come from the loop, not from inside the job's report";
  RunUntilIdle();
  ASSERT_EQ(1, a.calls);
  EXPECT_EQ(CN_OK, a.result);
  ASSERT_NE(nullptr, a.handle.socket);
  EXPECT_EQ(CN_SOCKET_UNUSED, a.handle.reuse_type);
  EXPECT_EQ(1u, cn_client_socket_pool_active_count_in_group(pool_, "g"));
  a.handle.is_used = true;
  cn_client_socket_handle_reset(&a.handle);
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count_in_group(pool_, "g"));

  Request b;
  ASSERT_EQ(CN_OK, RequestSocket(&b, "g"));  // idle socket, synchronously
  EXPECT_EQ(CN_SOCKET_REUSED_IDLE, b.handle.reuse_type);
  EXPECT_EQ(1, factory_.created);
  cn_client_socket_handle_reset(&b.handle);
  RunUntilIdle();
  EXPECT_EQ(0, b.calls);
}

TEST_F(ClientSocketPoolTest, DifferentGroupsNeverShare) {
  CreatePool();
  factory_.sync_result = CN_OK;
  Request a, b;
  ASSERT_EQ(CN_OK, RequestSocket(&a, "https://a:443"));
  cn_client_socket_handle_reset(&a.handle);
  ASSERT_EQ(CN_OK, RequestSocket(&b, "https://b:443"));
  EXPECT_EQ(CN_SOCKET_UNUSED, b.handle.reuse_type);
  EXPECT_EQ(2, factory_.created);
  cn_client_socket_handle_reset(&b.handle);
}

TEST_F(ClientSocketPoolTest, SyncFailureIsReturnedAndNothingLingers) {
  CreatePool();
  factory_.sync_result = CN_ERR_CONNECTION_REFUSED;
  Request a;
  EXPECT_EQ(CN_ERR_CONNECTION_REFUSED, RequestSocket(&a, "g"));
  EXPECT_FALSE(cn_client_socket_pool_has_group(pool_, "g"));
  EXPECT_EQ(0u, cn_client_socket_pool_socket_count(pool_));
  RunUntilIdle();
  EXPECT_EQ(0, a.calls);
}

TEST_F(ClientSocketPoolTest, GroupLimitQueuesByPriorityThenArrival) {
  options_.max_sockets_per_group = 1;
  CreatePool();
  std::vector<int> order;
  Request r[5];
  cn_request_priority prios[5] = {CN_PRIORITY_MEDIUM, CN_PRIORITY_LOW, CN_PRIORITY_HIGHEST,
                                  CN_PRIORITY_LOW, CN_PRIORITY_HIGHEST};
  for (int i = 0; i < 5; i++) {
    r[i].order = &order;
    r[i].id = i;
    ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&r[i], "g", prios[i]));
  }
  EXPECT_EQ(1u, cn_client_socket_pool_job_count_in_group(pool_, "g"));
  EXPECT_EQ(5u, cn_client_socket_pool_pending_count_in_group(pool_, "g"));
  factory_.Finish(0, CN_OK);
  RunUntilIdle();
  // Late binding: the job started for request 0 serves the best waiting one.
  ASSERT_EQ(std::vector<int>({2}), order);
  for (int served = 1; served < 5; served++) {
    Request *holder = nullptr;
    for (auto &x : r)
      if (x.handle.socket)
        holder = &x;
    ASSERT_NE(nullptr, holder);
    holder->handle.is_used = true;
    cn_client_socket_handle_reset(&holder->handle);  // the idle socket goes to the next
    RunUntilIdle();
  }
  EXPECT_EQ(std::vector<int>({2, 4, 0, 1, 3}), order);
  EXPECT_EQ(1, factory_.created);
  for (auto &x : r)
    cn_client_socket_handle_reset(&x.handle);
}

TEST_F(ClientSocketPoolTest, LateBindingFirstReadySocketGoesToFirstRequest) {
  CreatePool();
  Request a, b;
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&a, "g"));
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&b, "g"));
  ASSERT_EQ(2u, factory_.running.size());
  factory_.Finish(1, CN_OK);  // b's job finishes first
  RunUntilIdle();
  EXPECT_EQ(CN_OK, a.result);
  EXPECT_EQ(0, b.calls);
  factory_.Finish(0, CN_OK);
  RunUntilIdle();
  EXPECT_EQ(CN_OK, b.result);
  cn_client_socket_handle_reset(&a.handle);
  cn_client_socket_handle_reset(&b.handle);
}

TEST_F(ClientSocketPoolTest, JobErrorGoesToBestRequestAndOthersKeepWaiting) {
  CreatePool();
  Request a, b;
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&a, "g"));
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&b, "g"));
  factory_.Finish(0, CN_ERR_CONNECTION_RESET);
  RunUntilIdle();
  EXPECT_EQ(CN_ERR_CONNECTION_RESET, a.result);
  EXPECT_EQ(nullptr, a.handle.socket);
  EXPECT_EQ(0, b.calls);
  factory_.Finish(0, CN_OK);
  RunUntilIdle();
  EXPECT_EQ(CN_OK, b.result);
  cn_client_socket_handle_reset(&b.handle);
}

TEST_F(ClientSocketPoolTest, CancelRunsNoCallbackAndTheJobsSocketIsKeptIdle) {
  CreatePool();
  Request a;
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&a, "g"));
  cn_client_socket_handle_reset(&a.handle);
  ASSERT_EQ(1u, factory_.running.size());
  factory_.Finish(0, CN_OK);
  RunUntilIdle();
  EXPECT_EQ(0, a.calls);
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count_in_group(pool_, "g"));
  Request b;
  ASSERT_EQ(CN_OK, RequestSocket(&b, "g"));
  EXPECT_EQ(CN_SOCKET_UNUSED_IDLE, b.handle.reuse_type);
  cn_client_socket_handle_reset(&b.handle);
}

TEST_F(ClientSocketPoolTest, CancelAfterResultQueuedRunsNoCallback) {
  CreatePool();
  Request a;
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&a, "g"));
  factory_.Finish(0, CN_OK);      // result queued for the loop
  cn_client_socket_handle_reset(&a.handle);  // cancelled before delivery
  RunUntilIdle();
  EXPECT_EQ(0, a.calls);
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count_in_group(pool_, "g"));
}

TEST_F(ClientSocketPoolTest, StaleIdleSocketIsNotReused) {
  CreatePool();
  factory_.sync_result = CN_OK;
  Request a;
  ASSERT_EQ(CN_OK, RequestSocket(&a, "g"));
  cn_stream_socket *first = a.handle.socket;
  a.handle.is_used = true;
  cn_client_socket_handle_reset(&a.handle);
  ASSERT_EQ(1u, cn_client_socket_pool_idle_count_in_group(pool_, "g"));
  cn_stream_socket_disconnect(first);  // the peer closed it while idle
  Request b;
  ASSERT_EQ(CN_OK, RequestSocket(&b, "g"));
  EXPECT_EQ(CN_SOCKET_UNUSED, b.handle.reuse_type);
  EXPECT_EQ(2, factory_.created);
  cn_client_socket_handle_reset(&b.handle);
}

TEST_F(ClientSocketPoolTest, DisconnectedSocketIsNotKeptOnRelease) {
  CreatePool();
  factory_.sync_result = CN_OK;
  Request a;
  ASSERT_EQ(CN_OK, RequestSocket(&a, "g"));
  cn_stream_socket_disconnect(a.handle.socket);  // e.g. the response said close
  cn_client_socket_handle_reset(&a.handle);
  EXPECT_EQ(0u, cn_client_socket_pool_idle_count(pool_));
  EXPECT_EQ(0u, cn_client_socket_pool_socket_count(pool_));
}

TEST_F(ClientSocketPoolTest, PoolLimitClosesIdleSocketOfAnotherGroup) {
  options_.max_sockets = 2;
  CreatePool();
  factory_.sync_result = CN_OK;
  Request a, b, c;
  ASSERT_EQ(CN_OK, RequestSocket(&a, "g1"));
  ASSERT_EQ(CN_OK, RequestSocket(&b, "g2"));
  cn_client_socket_handle_reset(&a.handle);  // idle in g1
  ASSERT_EQ(CN_OK, RequestSocket(&c, "g3"));  // needs g1's idle slot
  EXPECT_EQ(0u, cn_client_socket_pool_idle_count_in_group(pool_, "g1"));
  EXPECT_EQ(2u, cn_client_socket_pool_socket_count(pool_));
  cn_client_socket_handle_reset(&b.handle);
  cn_client_socket_handle_reset(&c.handle);
}

// Closing an idle socket by a predicate (a stalled proxy session closing
// the idle tunnels that ride on it): only a matching one goes, the least
// recently used match first; none matching closes nothing.
TEST_F(ClientSocketPoolTest, CloseOneIdleMatchingClosesOnlyAMatch) {
  CreatePool();
  factory_.sync_result = CN_OK;
  Request a, b, c;
  ASSERT_EQ(CN_OK, RequestSocket(&a, "g1"));
  ASSERT_EQ(CN_OK, RequestSocket(&b, "g2"));
  ASSERT_EQ(CN_OK, RequestSocket(&c, "g2"));
  const cn_stream_socket *wanted_first = b.handle.socket;
  const cn_stream_socket *wanted_second = c.handle.socket;
  cn_client_socket_handle_reset(&a.handle);
  cn_client_socket_handle_reset(&b.handle);  // g2's least recently used
  cn_client_socket_handle_reset(&c.handle);
  std::vector<const cn_stream_socket *> g2 = {wanted_first, wanted_second};
  auto in_g2 = [](const cn_stream_socket *s, void *arg) {
    auto *want = static_cast<std::vector<const cn_stream_socket *> *>(arg);
    return std::find(want->begin(), want->end(), s) != want->end();
  };
  ASSERT_TRUE(cn_client_socket_pool_close_one_idle_matching(pool_, in_g2, &g2));
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count_in_group(pool_, "g1"));
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count_in_group(pool_, "g2"));
  Request d;  // the survivor in g2 is the most recently used one
  ASSERT_EQ(CN_OK, RequestSocket(&d, "g2"));
  EXPECT_EQ(wanted_second, d.handle.socket);
  cn_client_socket_handle_reset(&d.handle);
  ASSERT_TRUE(cn_client_socket_pool_close_one_idle_matching(pool_, in_g2, &g2));
  EXPECT_FALSE(cn_client_socket_pool_close_one_idle_matching(pool_, in_g2, &g2));
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count_in_group(pool_, "g1"));
  EXPECT_EQ(1u, cn_client_socket_pool_socket_count(pool_));
}

TEST_F(ClientSocketPoolTest, PoolLimitStallsThenServesHighestPriorityGroup) {
  options_.max_sockets = 1;
  CreatePool();
  factory_.sync_result = CN_OK;
  Request a;
  ASSERT_EQ(CN_OK, RequestSocket(&a, "g1"));
  factory_.sync_result = CN_ERR_IO_PENDING;
  std::vector<int> order;
  Request low, high;
  low.order = high.order = &order;
  low.id = 1;
  high.id = 2;
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&low, "g2", CN_PRIORITY_LOW));
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&high, "g3", CN_PRIORITY_HIGHEST));
  EXPECT_EQ(0u, factory_.running.size()) << "stalled on the pool limit";
  cn_stream_socket_disconnect(a.handle.socket);
  cn_client_socket_handle_reset(&a.handle);  // frees the only slot
  ASSERT_EQ(1u, factory_.running.size());
  EXPECT_EQ("g3", factory_.running[0]->group_id);
  factory_.Finish(0, CN_OK);
  RunUntilIdle();
  EXPECT_EQ(std::vector<int>({2}), order);
  cn_client_socket_handle_reset(&high.handle);
  ASSERT_EQ(1u, factory_.running.size()) << "an idle socket of g3 gave way to g2";
  factory_.Finish(0, CN_OK);
  RunUntilIdle();
  EXPECT_EQ(std::vector<int>({2, 1}), order);
  cn_client_socket_handle_reset(&low.handle);
}

TEST_F(ClientSocketPoolTest, ChainLimitAppliesAcrossGroups) {
  options_.max_sockets_per_chain = 2;
  options_.max_sockets = 10;
  CreatePool();
  Request r[3], other;
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&r[0], "a", CN_PRIORITY_MEDIUM, "proxy1"));
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&r[1], "b", CN_PRIORITY_MEDIUM, "proxy1"));
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&r[2], "c", CN_PRIORITY_MEDIUM, "proxy1"));
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&other, "d", CN_PRIORITY_MEDIUM, "proxy2"));
  EXPECT_EQ(3u, factory_.running.size());  // a, b and d; c waits for proxy1
  EXPECT_EQ(0u, cn_client_socket_pool_job_count_in_group(pool_, "c"));
  factory_.Finish(0, CN_ERR_CONNECTION_REFUSED);  // a fails: a proxy1 slot frees
  RunUntilIdle();
  EXPECT_EQ(1u, cn_client_socket_pool_job_count_in_group(pool_, "c"));
  for (auto &x : r)
    cn_client_socket_handle_reset(&x.handle);
  cn_client_socket_handle_reset(&other.handle);
}

struct HigherLayer {
  cn_higher_layer base;  // first
  Request *holder = nullptr;
  int asked = 0;
  static bool Close(cn_higher_layer *self) {
    auto *h = reinterpret_cast<HigherLayer *>(self);
    h->asked++;
    if (!h->holder)
      return false;
    cn_stream_socket_disconnect(h->holder->handle.socket);
    cn_client_socket_handle_reset(&h->holder->handle);
    h->holder = nullptr;
    return true;
  }
};

TEST_F(ClientSocketPoolTest, AtLimitAsksHigherLayersToCloseAnIdleItem) {
  options_.max_sockets = 1;
  CreatePool();
  factory_.sync_result = CN_OK;
  HigherLayer higher;
  higher.base.close_one_idle = &HigherLayer::Close;
  cn_client_socket_pool_add_higher_layer(pool_, &higher.base);
  Request held;
  ASSERT_EQ(CN_OK, RequestSocket(&held, "g1"));
  higher.holder = &held;  // the higher layer holds it idle
  Request b;
  ASSERT_EQ(CN_OK, RequestSocket(&b, "g2"));
  EXPECT_EQ(1, higher.asked);
  EXPECT_EQ(nullptr, held.handle.socket);
  cn_client_socket_handle_reset(&b.handle);
  cn_client_socket_pool_remove_higher_layer(&higher.base);
}

TEST_F(ClientSocketPoolTest, IdleSocketsExpire) {
  options_.unused_idle_timeout_ms = 5;
  options_.used_idle_timeout_ms = 10;
  CreatePool();
  factory_.sync_result = CN_OK;
  Request a, b;
  ASSERT_EQ(CN_OK, RequestSocket(&a, "g"));
  ASSERT_EQ(CN_OK, RequestSocket(&b, "h"));
  a.handle.is_used = true;
  cn_client_socket_handle_reset(&a.handle);  // used: 10 ms
  cn_client_socket_handle_reset(&b.handle);  // never used: 5 ms
  EXPECT_EQ(2u, cn_client_socket_pool_idle_count(pool_));
  clock_.Advance(4);
  EXPECT_EQ(2u, cn_client_socket_pool_idle_count(pool_));
  clock_.Advance(1);
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count(pool_));
  EXPECT_FALSE(cn_client_socket_pool_has_group(pool_, "h"));
  clock_.Advance(4);
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count(pool_));
  clock_.Advance(1);
  EXPECT_EQ(0u, cn_client_socket_pool_idle_count(pool_));
  EXPECT_FALSE(cn_client_socket_pool_has_group(pool_, "g"));
  EXPECT_EQ(0u, clock_.active_timers()) << "no timer left once nothing is idle";
}

TEST_F(ClientSocketPoolTest, ExpiredIdleSocketIsNotReused) {
  options_.used_idle_timeout_ms = 300;
  options_.unused_idle_timeout_ms = 300;
  CreatePool();
  factory_.sync_result = CN_OK;
  Request a;
  ASSERT_EQ(CN_OK, RequestSocket(&a, "g"));
  a.handle.is_used = true;
  cn_client_socket_handle_reset(&a.handle);
  clock_.Advance(299);
  Request b;
  ASSERT_EQ(CN_OK, RequestSocket(&b, "g"));  // idle 299 ms: still good
  EXPECT_EQ(CN_SOCKET_REUSED_IDLE, b.handle.reuse_type);
  EXPECT_EQ(299u, b.handle.idle_time_ms);
  b.handle.is_used = true;
  cn_client_socket_handle_reset(&b.handle);
  EXPECT_EQ(1, factory_.created);
  clock_.Advance(300);
  Request c;
  ASSERT_EQ(CN_OK, RequestSocket(&c, "g"));  // idle 300 ms: expired
  EXPECT_EQ(CN_SOCKET_UNUSED, c.handle.reuse_type);
  EXPECT_EQ(2, factory_.created);
  EXPECT_EQ(0u, cn_client_socket_pool_idle_count(pool_));
  cn_client_socket_handle_reset(&c.handle);
}

TEST_F(ClientSocketPoolTest, ConnectTimeout) {
  options_.connect_timeout_ms = 5;
  CreatePool();
  Request a;
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&a, "g"));
  clock_.Advance(4);
  RunUntilIdle();
  EXPECT_EQ(0, a.calls);
  EXPECT_EQ(1u, factory_.running.size());
  clock_.Advance(1);
  EXPECT_EQ(0u, factory_.running.size());
  ASSERT_TRUE(cnet_test::RunUntil(loop_.get(), [&] { return a.calls == 1; }));
  EXPECT_EQ(CN_ERR_CONNECTION_TIMED_OUT, a.result);
}

TEST_F(ClientSocketPoolTest, PreconnectMakesIdleSockets) {
  CreatePool();
  cn_client_socket_pool_preconnect(pool_, "g", nullptr, params_, 2);
  EXPECT_EQ(2u, factory_.running.size());
  factory_.Finish(0, CN_OK);
  factory_.Finish(0, CN_OK);
  RunUntilIdle();
  EXPECT_EQ(2u, cn_client_socket_pool_idle_count_in_group(pool_, "g"));
  Request a;
  ASSERT_EQ(CN_OK, RequestSocket(&a, "g"));
  EXPECT_EQ(CN_SOCKET_UNUSED_IDLE, a.handle.reuse_type);
  cn_client_socket_handle_reset(&a.handle);
}

TEST_F(ClientSocketPoolTest, ParamsCanRaiseTheGroupLimit) {
  options_.max_sockets_per_group = 1;
  options_.max_sockets = 10;
  CreatePool();
  cn_socket_params *wide = Params::New();
  wide->max_sockets_per_group = 3;  // e.g. a proxy's group: the per-proxy limit
  Request r[4];
  cn_netlog_source src = {CN_NETLOG_SOURCE_NONE, 0};
  for (auto &x : r)
    ASSERT_EQ(CN_ERR_IO_PENDING,
              cn_client_socket_pool_request(pool_, "proxy", nullptr, wide, CN_PRIORITY_MEDIUM,
                                            src, &x.handle, &Request::Callback, &x));
  EXPECT_EQ(3u, cn_client_socket_pool_job_count_in_group(pool_, "proxy"));
  EXPECT_EQ(4u, cn_client_socket_pool_pending_count_in_group(pool_, "proxy"));
  // Other groups keep the pool's default.
  Request other[2];
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&other[0], "origin"));
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&other[1], "origin"));
  EXPECT_EQ(1u, cn_client_socket_pool_job_count_in_group(pool_, "origin"));
  for (auto &x : r)
    cn_client_socket_handle_reset(&x.handle);
  for (auto &x : other)
    cn_client_socket_handle_reset(&x.handle);
  cn_socket_params_unref(wide);
}

TEST_F(ClientSocketPoolTest, SetPriorityReordersQueue) {
  options_.max_sockets_per_group = 1;
  CreatePool();
  std::vector<int> order;
  Request a, b;
  a.order = b.order = &order;
  a.id = 1;
  b.id = 2;
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&a, "g", CN_PRIORITY_LOW));
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&b, "g", CN_PRIORITY_LOW));
  cn_client_socket_handle_set_priority(&b.handle, CN_PRIORITY_HIGHEST);
  factory_.Finish(0, CN_OK);
  RunUntilIdle();
  EXPECT_EQ(std::vector<int>({2}), order);
  cn_client_socket_handle_reset(&a.handle);
  cn_client_socket_handle_reset(&b.handle);
}

TEST_F(ClientSocketPoolTest, DestroyWithPendingAndHeldHandles) {
  CreatePool();
  factory_.sync_result = CN_OK;
  Request held;
  ASSERT_EQ(CN_OK, RequestSocket(&held, "g"));
  factory_.sync_result = CN_ERR_IO_PENDING;
  Request pending, queued;
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&pending, "g2"));
  ASSERT_EQ(CN_ERR_IO_PENDING, RequestSocket(&queued, "g3"));
  factory_.Finish(1, CN_OK);  // queued's result waits in the notify queue
  cn_client_socket_pool_destroy(pool_);
  pool_ = nullptr;
  RunUntilIdle();
  EXPECT_EQ(0, pending.calls);
  EXPECT_EQ(0, queued.calls);
  ASSERT_NE(nullptr, held.handle.socket);
  cn_client_socket_handle_reset(&held.handle);  // just destroys the socket
  EXPECT_EQ(nullptr, held.handle.socket);
}

// A request's callback may release its socket and ask again at once.
TEST_F(ClientSocketPoolTest, CallbackMayReleaseAndRequestAgain) {
  CreatePool();
  struct Again {
    ClientSocketPoolTest *test;
    Request first, second;
    int second_rv = 1;
    static void OnFirst(void *arg, int rv) {
      auto *self = static_cast<Again *>(arg);
      ASSERT_EQ(CN_OK, rv);
      self->first.handle.is_used = true;
      cn_client_socket_handle_reset(&self->first.handle);
      self->second_rv = self->test->RequestSocket(&self->second, "g");
    }
  } again;
  again.test = this;
  cn_netlog_source src = {CN_NETLOG_SOURCE_NONE, 0};
  ASSERT_EQ(CN_ERR_IO_PENDING,
            cn_client_socket_pool_request(pool_, "g", nullptr, params_, CN_PRIORITY_MEDIUM, src,
                                          &again.first.handle, &Again::OnFirst, &again));
  factory_.Finish(0, CN_OK);
  RunUntilIdle();
  EXPECT_EQ(CN_OK, again.second_rv);
  EXPECT_EQ(CN_SOCKET_REUSED_IDLE, again.second.handle.reuse_type);
  cn_client_socket_handle_reset(&again.second.handle);
}

}  // namespace

namespace {

// A socket moved to another handle is still the pool's: counted while the
// new handle holds it, given back through it, and detached from it when the
// pool goes first.
TEST_F(ClientSocketPoolTest, HandleMoveKeepsTheSocketCounted) {
  CreatePool();
  factory_.sync_result = CN_OK;
  Request a;
  ASSERT_EQ(CN_OK, RequestSocket(&a, "g"));
  cn_stream_socket *s = a.handle.socket;
  cn_client_socket_handle moved;
  cn_client_socket_handle_init(&moved);
  cn_client_socket_handle_move(&moved, &a.handle);
  EXPECT_EQ(nullptr, a.handle.socket);
  EXPECT_EQ(s, moved.socket);
  EXPECT_EQ(1u, cn_client_socket_pool_active_count_in_group(pool_, "g"));
  cn_client_socket_handle_reset(&a.handle);  // empty: nothing happens
  EXPECT_EQ(1u, cn_client_socket_pool_socket_count(pool_));
  moved.is_used = true;
  cn_client_socket_handle_reset(&moved);
  EXPECT_EQ(1u, cn_client_socket_pool_idle_count_in_group(pool_, "g"));

  // Held by a moved handle when the pool is destroyed: detached, and its
  // reset then just destroys the socket.
  Request b;
  ASSERT_EQ(CN_OK, RequestSocket(&b, "g"));
  cn_client_socket_handle moved2;
  cn_client_socket_handle_init(&moved2);
  cn_client_socket_handle_move(&moved2, &b.handle);
  cn_client_socket_pool_destroy(pool_);
  pool_ = nullptr;
  cn_client_socket_handle_reset(&moved2);
}

}  // namespace
