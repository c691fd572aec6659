/* What every fuzz harness asserts of what livehud writes: JSON that parses,
 * and terminal text without a control byte or an invisible character. A
 * failed check aborts, which libFuzzer reports with the input. */
#ifndef LH_FUZZ_CHECK_H
#define LH_FUZZ_CHECK_H

#include <cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/text.h"

static inline void lh_fuzz_fail(const char *what, const char *s, size_t len)
{
	fprintf(stderr, "fuzz check failed: %s: %.*s\n", what, (int)(len > 400 ? 400 : len), s);
	abort();
}

static inline void lh_fuzz_check_json(const char *s, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(s, len);
	if (!j)
		lh_fuzz_fail("not valid JSON", s, len);
	cJSON_Delete(j);
	for (size_t i = 0; i < len; i++) /* one line, nothing a terminal obeys */
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			lh_fuzz_fail("raw control byte in JSON", s, len);
}

static inline void lh_fuzz_check_terminal(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = lh_utf8_decode(s + i, len - i, &cp);
		if (!n)
			lh_fuzz_fail("invalid UTF-8 in terminal text", s, len);
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || lh_text_invisible(cp))
			lh_fuzz_fail("control or invisible character in terminal text", s, len);
		i += n;
	}
}

#endif
