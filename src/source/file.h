/* source_file: JSONL from a file or stdin ("-"), one payload per line;
 * with follow, keeps reading as the file grows (and starts over when it is
 * truncated), like tail -F. */
#ifndef LH_SOURCE_FILE_H
#define LH_SOURCE_FILE_H

#include <stdbool.h>

#include "source.h"

/* max_line: longer lines are cut there (and then rejected as oversize by the
 * parser) instead of being buffered whole. Returns NULL with *cause (a new
 * string) when the file cannot be opened. */
struct lh_source *lh_source_file_new(uv_loop_t *loop, const char *path, bool follow,
				     size_t max_line, const struct lh_source_callbacks *cb,
				     char **cause);

#endif
