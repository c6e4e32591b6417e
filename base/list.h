// Intrusive circular doubly-linked list. Embed a cn_list_node in the element;
// the list head is a cn_list_node too. No allocation, O(1) unlink, which is
// what pools and sessions need for idle sockets and pending requests.
#ifndef CNET_BASE_LIST_H_
#define CNET_BASE_LIST_H_

#include <stdbool.h>
#include <stddef.h>

typedef struct cn_list_node {
  struct cn_list_node *prev, *next;
} cn_list_node;

#define CN_CONTAINER_OF(ptr, type, member) \
  ((type *)((char *)(ptr) - offsetof(type, member)))

static inline void cn_list_init(cn_list_node *head) { head->prev = head->next = head; }
static inline bool cn_list_empty(const cn_list_node *head) { return head->next == head; }
// True while the node is on some list (nodes are initialised by cn_list_init
// and re-initialised by cn_list_remove).
static inline bool cn_list_linked(const cn_list_node *n) { return n->next && n->next != n; }

static inline void cn_list_insert_before(cn_list_node *pos, cn_list_node *n) {
  n->prev = pos->prev;
  n->next = pos;
  pos->prev->next = n;
  pos->prev = n;
}
static inline void cn_list_push_back(cn_list_node *head, cn_list_node *n) {
  cn_list_insert_before(head, n);
}
static inline void cn_list_push_front(cn_list_node *head, cn_list_node *n) {
  cn_list_insert_before(head->next, n);
}
static inline void cn_list_remove(cn_list_node *n) {
  n->prev->next = n->next;
  n->next->prev = n->prev;
  n->prev = n->next = n;
}
static inline cn_list_node *cn_list_front(const cn_list_node *head) {
  return cn_list_empty(head) ? NULL : head->next;
}
static inline size_t cn_list_size(const cn_list_node *head) {
  size_t n = 0;
  for (const cn_list_node *it = head->next; it != head; it = it->next)
    n++;
  return n;
}

// Iterates safely against removal of the current node.
#define CN_LIST_FOREACH_SAFE(it, tmp, head) \
  for ((it) = (head)->next, (tmp) = (it)->next; (it) != (head); (it) = (tmp), (tmp) = (it)->next)

#endif  // CNET_BASE_LIST_H_
