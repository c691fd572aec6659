/* tap.h: the smallest TAP producer, for unit tests run by automake's
 * tap-driver. Each check prints "ok N - what" or "not ok N - what". */
#ifndef LH_TAP_H
#define LH_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((unused)) static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

__attribute__((format(printf, 4, 5)))
__attribute__((unused)) static int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	printf("%sok %d - ", pass ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	return pass;
}

#define TAP_VA(fmt) va_list ap; va_start(ap, fmt); vsnprintf(what, sizeof what, fmt, ap); va_end(ap)

__attribute__((format(printf, 5, 6)))
__attribute__((unused)) static int tap_is_int(long long got, long long want, const char *file, int line, const char *fmt, ...)
{
	char what[512];
	TAP_VA(fmt);
	int pass = tap_ok(got == want, file, line, "%s", what);
	if (!pass)
		printf("#   got %lld, want %lld\n", got, want);
	return pass;
}

__attribute__((format(printf, 5, 6)))
__attribute__((unused)) static int tap_is_str(const char *got, const char *want, const char *file, int line, const char *fmt, ...)
{
	char what[512];
	TAP_VA(fmt);
	int pass = tap_ok(got && want ? strcmp(got, want) == 0 : got == want, file, line, "%s", what);
	if (!pass)
		printf("#   got  '%s'\n#   want '%s'\n", got ? got : "(null)", want ? want : "(null)");
	return pass;
}

__attribute__((unused)) static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
