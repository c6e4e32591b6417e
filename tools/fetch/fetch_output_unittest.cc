#include "tools/fetch/fetch_output.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace {

class FetchOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "fetch_output_" + std::to_string(getpid());
    f_ = fopen(path_.c_str(), "wb");
    ASSERT_NE(f_, nullptr);
  }
  void TearDown() override {
    if (f_)
      fclose(f_);
    unlink(path_.c_str());
  }
  // The file as another reader sees it now (without flushing |f_|).
  std::string OnDisk() const {
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string path_;
  FILE *f_ = nullptr;
};

TEST_F(FetchOutputTest, SmallPiecesWaitInTheBuffer) {
  ASSERT_TRUE(fetch_output_write(f_, "abc", 3));
  EXPECT_EQ(OnDisk(), "");  // still in stdio's buffer
  ASSERT_EQ(fflush(f_), 0);
  EXPECT_EQ(OnDisk(), "abc");
}

TEST_F(FetchOutputTest, LargePieceGoesOutAtOnceAfterWhatWasBuffered) {
  std::string big(FETCH_OUTPUT_DIRECT_MIN * 4 + 7, 'x');
  for (size_t i = 0; i < big.size(); i++)
    big[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(fetch_output_write(f_, "head;", 5));
  ASSERT_TRUE(fetch_output_write(f_, big.data(), big.size()));
  // On the descriptor already, behind the small piece written before it.
  EXPECT_EQ(OnDisk(), "head;" + big);
  ASSERT_TRUE(fetch_output_write(f_, ";tail", 5));
  ASSERT_EQ(fflush(f_), 0);
  EXPECT_EQ(OnDisk(), "head;" + big + ";tail");
}

TEST_F(FetchOutputTest, EmptyPieceWritesNothing) {
  ASSERT_TRUE(fetch_output_write(f_, nullptr, 0));
  ASSERT_EQ(fflush(f_), 0);
  EXPECT_EQ(OnDisk(), "");
}

TEST(FetchOutputErrorTest, WriteErrorIsReported) {
  // A stream opened for reading only: write(2) on it fails (EBADF).
  std::string path = ::testing::TempDir() + "fetch_output_ro_" + std::to_string(getpid());
  FILE *w = fopen(path.c_str(), "wb");
  ASSERT_NE(w, nullptr);
  fclose(w);
  FILE *r = fopen(path.c_str(), "rb");
  ASSERT_NE(r, nullptr);
  std::string big(FETCH_OUTPUT_DIRECT_MIN, 'z');
  EXPECT_FALSE(fetch_output_write(r, big.data(), big.size()));
  EXPECT_FALSE(fetch_output_write(r, "s", 1));
  fclose(r);
  unlink(path.c_str());
}

}  // namespace
