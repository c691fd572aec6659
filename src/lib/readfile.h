/* readfile: a whole small file (a config, a theme, a token) read into
 * memory, refusing one larger than the caller allows instead of cutting
 * it short. */
#ifndef LH_READFILE_H
#define LH_READFILE_H

#include <stddef.h>

/* A new NUL-terminated copy of the file at path (*len, when given, gets
 * its length); the caller frees it. NULL with errno set when it cannot be
 * read, EFBIG when it holds more than max bytes. */
char *lh_read_file(const char *path, size_t max, size_t *len);

#endif
