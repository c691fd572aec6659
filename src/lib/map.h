/* map: a string-keyed hash table of pointers. Keys are borrowed: each key
 * must stay valid while its entry is in the map (it usually lives inside the
 * value). The hash is seeded per process so a stranger cannot aim keys at one
 * bucket. */
#ifndef LH_MAP_H
#define LH_MAP_H

#include <stddef.h>

struct lh_map;

struct lh_map *lh_map_new(void);
/* Frees the table, not the values. lh_map_free(NULL) is a no-op. */
void lh_map_free(struct lh_map *m);
void *lh_map_get(const struct lh_map *m, const char *key);
/* Adds or replaces; returns the value it replaced, or NULL. */
void *lh_map_put(struct lh_map *m, const char *key, void *value);
/* Removes the entry; returns its value, or NULL when absent. */
void *lh_map_del(struct lh_map *m, const char *key);
size_t lh_map_count(const struct lh_map *m);

#endif
