// Entry point of net_unittests.
#include <gtest/gtest.h>

#include <csignal>

int main(int argc, char **argv) {
  // A peer closing a socket must surface as an error code, never kill the
  // test binary.
  std::signal(SIGPIPE, SIG_IGN);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
