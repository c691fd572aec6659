#include "config.h"
#include "readfile.h"
#include "buf.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>

char *lh_read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	struct lh_buf b = LH_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= max)
		lh_buf_append(&b, chunk, n);
	int failed = ferror(f) ? errno : b.len > max ? EFBIG : 0;
	fclose(f);
	if (failed) {
		lh_buf_free(&b);
		errno = failed;
		return NULL;
	}
	if (len)
		*len = b.len;
	return b.data ? b.data : lh_xstrdup("");
}
