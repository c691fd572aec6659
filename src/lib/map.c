#include "config.h"
#include "map.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

struct lh_map_node {
	const char *key;
	void *value;
	uint64_t hash;
	struct lh_map_node *next;
};

/* Buckets come with the first key: a run's maps of tools and call ids
 * are often never used, and a flood of fresh run ids makes thousands. */
#define LH_MAP_FIRST_BUCKETS 4

struct lh_map {
	struct lh_map_node **buckets; /* NULL until the first put */
	size_t nbuckets; /* a power of two, or 0 */
	size_t count;
};

static uint64_t lh_map_seed(void)
{
	static uint64_t seed;
	static int ready;
	if (!ready) {
		if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed)
			seed = (uint64_t)(uintptr_t)&seed ^ 0x9e3779b97f4a7c15ULL;
		ready = 1;
	}
	return seed;
}

static uint64_t lh_map_hash(const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ lh_map_seed();
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	/* Final avalanche so the low bits that pick a bucket depend on all. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

struct lh_map *lh_map_new(void)
{
	return lh_xcalloc(1, sizeof(struct lh_map));
}

void lh_map_free(struct lh_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nbuckets; i++) {
		struct lh_map_node *n = m->buckets[i];
		while (n) {
			struct lh_map_node *next = n->next;
			free(n);
			n = next;
		}
	}
	free(m->buckets);
	free(m);
}

static struct lh_map_node **lh_map_slot(const struct lh_map *m, const char *key, uint64_t h)
{
	struct lh_map_node **pp = &m->buckets[h & (m->nbuckets - 1)];
	while (*pp && ((*pp)->hash != h || strcmp((*pp)->key, key) != 0))
		pp = &(*pp)->next;
	return pp;
}

void *lh_map_get(const struct lh_map *m, const char *key)
{
	if (!m->count)
		return NULL;
	struct lh_map_node **pp = lh_map_slot(m, key, lh_map_hash(key));
	return *pp ? (*pp)->value : NULL;
}

static void lh_map_grow(struct lh_map *m)
{
	size_t nb = m->nbuckets * 2;
	struct lh_map_node **b = lh_xcalloc(nb, sizeof *b);
	for (size_t i = 0; i < m->nbuckets; i++) {
		struct lh_map_node *n = m->buckets[i];
		while (n) {
			struct lh_map_node *next = n->next;
			n->next = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
			n = next;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->nbuckets = nb;
}

void *lh_map_put(struct lh_map *m, const char *key, void *value)
{
	uint64_t h = lh_map_hash(key);
	if (!m->buckets) {
		m->nbuckets = LH_MAP_FIRST_BUCKETS;
		m->buckets = lh_xcalloc(m->nbuckets, sizeof *m->buckets);
	}
	struct lh_map_node **pp = lh_map_slot(m, key, h);
	if (*pp) {
		void *old = (*pp)->value;
		(*pp)->value = value;
		(*pp)->key = key;
		return old;
	}
	struct lh_map_node *n = lh_xmalloc(sizeof *n);
	*n = (struct lh_map_node){ .key = key, .value = value, .hash = h, .next = NULL };
	*pp = n;
	if (++m->count > m->nbuckets)
		lh_map_grow(m);
	return NULL;
}

void *lh_map_del(struct lh_map *m, const char *key)
{
	if (!m->count)
		return NULL;
	struct lh_map_node **pp = lh_map_slot(m, key, lh_map_hash(key));
	struct lh_map_node *n = *pp;
	if (!n)
		return NULL;
	void *value = n->value;
	*pp = n->next;
	free(n);
	m->count--;
	return value;
}

size_t lh_map_count(const struct lh_map *m)
{
	return m->count;
}
