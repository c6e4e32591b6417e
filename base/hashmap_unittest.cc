#include "base/hashmap.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace {

TEST(HashMapTest, PutGetRemove) {
  cn_hashmap m;
  cn_hashmap_init(&m);
  int a = 1, b = 2;
  EXPECT_EQ(nullptr, cn_hashmap_put(&m, "a", &a));
  EXPECT_EQ(nullptr, cn_hashmap_put(&m, "b", &b));
  EXPECT_EQ(&a, cn_hashmap_get(&m, "a"));
  EXPECT_EQ(&a, cn_hashmap_put(&m, "a", &b));
  EXPECT_EQ(&b, cn_hashmap_get(&m, "a"));
  EXPECT_EQ(2u, cn_hashmap_count(&m));
  EXPECT_EQ(&b, cn_hashmap_remove(&m, "a"));
  EXPECT_EQ(nullptr, cn_hashmap_get(&m, "a"));
  EXPECT_EQ(nullptr, cn_hashmap_remove(&m, "a"));
  EXPECT_EQ(1u, cn_hashmap_count(&m));
  cn_hashmap_free(&m);
}

// Against std::map as a model, with many inserts and removes so that
// tombstones and growth both happen.
TEST(HashMapTest, MatchesModelUnderChurn) {
  cn_hashmap m;
  cn_hashmap_init(&m);
  std::map<std::string, intptr_t> model;
  unsigned seed = 12345;
  for (int i = 0; i < 20000; i++) {
    seed = seed * 1103515245 + 12345;
    std::string key = "k" + std::to_string((seed >> 8) % 500);
    intptr_t v = i + 1;
    if ((seed >> 4) % 3 == 0) {
      void *removed = cn_hashmap_remove(&m, key.c_str());
      auto it = model.find(key);
      EXPECT_EQ(it == model.end() ? 0 : it->second, reinterpret_cast<intptr_t>(removed));
      if (it != model.end())
        model.erase(it);
    } else {
      cn_hashmap_put(&m, key.c_str(), reinterpret_cast<void *>(v));
      model[key] = v;
    }
  }
  EXPECT_EQ(model.size(), cn_hashmap_count(&m));
  for (auto &kv : model)
    EXPECT_EQ(kv.second, reinterpret_cast<intptr_t>(cn_hashmap_get(&m, kv.first.c_str())));
  size_t iter = 0, seen = 0;
  const char *k;
  void *v;
  while (cn_hashmap_next(&m, &iter, &k, &v)) {
    seen++;
    EXPECT_EQ(model[k], reinterpret_cast<intptr_t>(v));
  }
  EXPECT_EQ(model.size(), seen);
  cn_hashmap_free(&m);
}

}  // namespace
