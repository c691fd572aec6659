#include "config.h"
#include "pages.h"
#include "xalloc.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* The thread makes regions ready up to AHEAD: a loop fills one in tens of
 * milliseconds, the thread makes one in a few. Regions given back are
 * kept up to KEEP (a store evicting as fast as it adds reuses them). */
#define LH_PAGES_AHEAD 1
#define LH_PAGES_KEEP 2

struct lh_pages {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool started, stop;
	void *ready[LH_PAGES_KEEP];
	size_t n;
};

/* LH_PAGES_SIZE bytes on a LH_PAGES_SIZE boundary, advised to be one huge
 * page; NULL when the system will not map them. */
static void *lh_pages_map(void)
{
	size_t span = 2 * LH_PAGES_SIZE;
	char *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	char *start = (char *)(((uintptr_t)p + LH_PAGES_SIZE - 1) & ~(uintptr_t)(LH_PAGES_SIZE - 1));
	if (start > p)
		munmap(p, (size_t)(start - p));
	munmap(start + LH_PAGES_SIZE, (size_t)(p + span - (start + LH_PAGES_SIZE)));
	madvise(start, LH_PAGES_SIZE, MADV_HUGEPAGE); /* advice: without it, small pages */
	return start;
}

/* Faults every page in (one huge page, or each small one). */
static void lh_pages_touch(void *region)
{
	long page = sysconf(_SC_PAGESIZE);
	volatile char *p = region;
	for (size_t at = 0; at < LH_PAGES_SIZE; at += page > 0 ? (size_t)page : 4096)
		p[at] = 0;
}

static void *lh_pages_run(void *arg)
{
	struct lh_pages *p = arg;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && p->n >= LH_PAGES_AHEAD)
			pthread_cond_wait(&p->wake, &p->lock);
		if (p->stop)
			break;
		pthread_mutex_unlock(&p->lock);
		void *region = lh_pages_map();
		if (region)
			lh_pages_touch(region);
		pthread_mutex_lock(&p->lock);
		if (!region)
			break; /* out of memory: gets map for themselves */
		if (p->n < LH_PAGES_AHEAD)
			p->ready[p->n++] = region;
		else
			munmap(region, LH_PAGES_SIZE);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct lh_pages *lh_pages_new(void)
{
	struct lh_pages *p = lh_xcalloc(1, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	return p;
}

void lh_pages_free(struct lh_pages *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	if (p->started)
		pthread_join(p->thread, NULL);
	while (p->n)
		munmap(p->ready[--p->n], LH_PAGES_SIZE);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void *lh_pages_get(struct lh_pages *p)
{
	void *region = NULL;
	pthread_mutex_lock(&p->lock);
	if (p->n)
		region = p->ready[--p->n];
	/* the thread starts with the first need: a small store never has one;
	 * it takes no signals (they are the loop's) */
	if (!p->started && !p->stop) {
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		p->started = pthread_create(&p->thread, NULL, lh_pages_run, p) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	return region ? region : lh_pages_map();
}

void lh_pages_advise(void *p, size_t len)
{
	uintptr_t start = ((uintptr_t)p + LH_PAGES_SIZE - 1) & ~(uintptr_t)(LH_PAGES_SIZE - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(uintptr_t)(LH_PAGES_SIZE - 1);
	if (end > start)
		madvise((void *)start, end - start, MADV_HUGEPAGE);
}

void lh_pages_put(struct lh_pages *p, void *region)
{
	pthread_mutex_lock(&p->lock);
	if (p->n < LH_PAGES_KEEP) {
		p->ready[p->n++] = region;
		region = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	if (region)
		munmap(region, LH_PAGES_SIZE);
}
