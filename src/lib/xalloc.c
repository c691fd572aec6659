/* xalloc: the one place that decides what out-of-memory means. */
#include "config.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void lh_oom(size_t size)
{
	char msg[96];
	int n = snprintf(msg, sizeof msg, "livehud: out of memory (%zu bytes)\n", size);
	/* stdio may itself need memory; write(2) does not. */
	if (n > 0 && write(STDERR_FILENO, msg, (size_t)n) < 0)
		_exit(70);
	abort();
}

void *lh_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		lh_oom(size);
	return p;
}

void *lh_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		lh_oom(n * size);
	return p;
}

void *lh_xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		lh_oom(size);
	return p;
}

char *lh_xstrndup(const char *s, size_t n)
{
	char *p = lh_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *lh_xstrdup(const char *s)
{
	return s ? lh_xstrndup(s, strlen(s)) : NULL;
}

char *lh_xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		lh_oom(0);
	char *p = lh_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
