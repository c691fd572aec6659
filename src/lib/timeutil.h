/* timeutil: wall-clock microseconds, ISO 8601 parsing and formatting.
 * Times are int64 microseconds since the Unix epoch (UTC). */
#ifndef LH_TIMEUTIL_H
#define LH_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int64_t lh_time_now_us(void);
/* Monotonic clock, for durations and timers only. */
int64_t lh_time_mono_us(void);

/* Parses "YYYY-MM-DD[T ]HH:MM[:SS[.fraction]][Z|+HH:MM|+HHMM|+HH]".
 * A time without a zone is local time, as Python's naive isoformat() is.
 * Returns false for anything else. */
bool lh_time_parse_iso8601(const char *s, int64_t *us);

/* "2026-01-08T10:30:45.123456Z"; buf needs 32 bytes. */
void lh_time_format_rfc3339(int64_t us, char *buf, size_t len);
/* Local "10:30:45.123"; buf needs 16 bytes. */
void lh_time_format_clock(int64_t us, char *buf, size_t len);
/* "450ms", "1.2s", "2m05s", "1h02m"; buf needs 16 bytes. */
void lh_time_format_duration(int64_t ms, char *buf, size_t len);

#endif
