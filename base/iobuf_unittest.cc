#include "base/iobuf.h"

#include <gtest/gtest.h>

#include <cstring>

namespace {

void CountRelease(void *arg, uint8_t *) { ++*static_cast<int *>(arg); }

TEST(IOBufTest, RefcountFreesOnLastUnref) {
  int released = 0;
  uint8_t storage[8];
  cn_iobuf *b = cn_iobuf_wrap(storage, sizeof(storage), CountRelease, &released);
  cn_iobuf_ref(b);
  cn_iobuf_unref(b);
  EXPECT_EQ(0, released);
  cn_iobuf_unref(b);
  EXPECT_EQ(1, released);
  cn_iobuf_unref(nullptr);  // accepted
}

TEST(IOBufTest, SliceKeepsParentAlive) {
  cn_iobuf *parent = cn_iobuf_from_copy("hello world", 11);
  cn_iobuf *slice = cn_iobuf_slice(parent, 6, 5);
  cn_iobuf_unref(parent);  // the slice still holds it
  ASSERT_EQ(5u, slice->size);
  EXPECT_EQ(0, memcmp(slice->data, "world", 5));
  cn_iobuf_unref(slice);
}

}  // namespace
