#include "base/list.h"

#include <gtest/gtest.h>

namespace {

struct Item {
  int value;
  cn_list_node link;
};

TEST(ListTest, PushRemoveIterate) {
  cn_list_node head;
  cn_list_init(&head);
  Item items[4];
  for (int i = 0; i < 4; i++) {
    items[i].value = i;
    cn_list_init(&items[i].link);
    EXPECT_FALSE(cn_list_linked(&items[i].link));
  }
  cn_list_push_back(&head, &items[1].link);
  cn_list_push_back(&head, &items[2].link);
  cn_list_push_front(&head, &items[0].link);
  cn_list_push_back(&head, &items[3].link);
  EXPECT_EQ(4u, cn_list_size(&head));
  EXPECT_TRUE(cn_list_linked(&items[2].link));
  cn_list_remove(&items[2].link);
  EXPECT_FALSE(cn_list_linked(&items[2].link));
  int expected[] = {0, 1, 3};
  int n = 0;
  cn_list_node *it, *tmp;
  CN_LIST_FOREACH_SAFE(it, tmp, &head) {
    Item *item = CN_CONTAINER_OF(it, Item, link);
    EXPECT_EQ(expected[n++], item->value);
    cn_list_remove(it);  // removal while iterating is safe
  }
  EXPECT_EQ(3, n);
  EXPECT_TRUE(cn_list_empty(&head));
  EXPECT_EQ(nullptr, cn_list_front(&head));
}

}  // namespace
