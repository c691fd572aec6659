#!/bin/sh
# make fuzz: each harness in tests/fuzz built with clang's libFuzzer,
# AddressSanitizer and UBSan, over livehud's own sources compiled the same
# way, then run for FUZZ_SECONDS each (default 600) from its seed corpus in
# tests/fuzz/corpus (read only; new inputs go to a scratch directory).
# Exits 77 (skipped) without clang, 1 when a harness found a failure.
#   FUZZ_BUILD    the configured build directory (for config.h), default .
#   FUZZ_SECONDS  seconds per harness
#   FUZZ_ONLY     the harnesses to run (default: all)
#   FUZZ_SEED     libFuzzer's seed, for a repeatable run (default: random)
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${FUZZ_BUILD:-.}" && pwd)
SECONDS_EACH=${FUZZ_SECONDS:-600}
OUT="$BUILD/fuzz-build"
command -v clang >/dev/null || { echo "fuzz: skipped: clang is not installed (Debian package clang)"; exit 77; }
[ -f "$BUILD/config.h" ] || { echo "fuzz: run configure first (no config.h in $BUILD)" >&2; exit 2; }

PKGS="libcjson hiredis libwebsockets libuv ncursesw"
FLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
CPPFLAGS="-D_GNU_SOURCE -DLH_THEMES_DIR=\"/nonexistent\" -I$BUILD -I$SRC/src -I$SRC/ui -I$BUILD/ui -I$SRC/tests/fuzz $(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -lm -lpthread"

mkdir -p "$OUT/obj"
# An object is rebuilt when its source or any header changed (a header's
# struct layout is in every object that includes it).
newest_h=$(ls -t "$SRC"/src/*/*.h "$SRC"/ui/*.h "$BUILD/config.h" | head -n 1)
# livehud's code, instrumented for coverage: every module but main() and
# the screen itself (only the theme parser of ui/ is fuzzed).
objs=""
for c in "$SRC"/src/*/*.c "$SRC/ui/theme.c" "$BUILD/ui/theme_builtin.c"; do
	o="$OUT/obj/$(echo "${c#"$SRC"/}" | tr / _ | sed 's/\.c$/.o/')"
	# shellcheck disable=SC2086
	{ [ "$o" -nt "$c" ] && [ "$o" -nt "$newest_h" ]; } || clang $FLAGS -fsanitize=fuzzer-no-link $CPPFLAGS -c "$c" -o "$o"
	objs="$objs $o"
done
rm -f "$OUT/liblivehud-fuzz.a"
# shellcheck disable=SC2086
ar rcs "$OUT/liblivehud-fuzz.a" $objs

status=0
for name in ${FUZZ_ONLY:-event kernel respcut config wire}; do
	bin="$OUT/fuzz_$name"
	# shellcheck disable=SC2086
	clang $FLAGS -fsanitize=fuzzer $CPPFLAGS "$SRC/tests/fuzz/fuzz_$name.c" "$OUT/liblivehud-fuzz.a" $LIBS -o "$bin"
	scratch=$(mktemp -d "${TMPDIR:-/tmp}/livehud-fuzz.XXXXXX")
	log="$OUT/fuzz_$name.log"
	if (cd "$scratch" && "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 ${FUZZ_SEED:+-seed=$FUZZ_SEED} \
		-print_final_stats=1 "$scratch" "$SRC/tests/fuzz/corpus/$name") >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "fuzz $name: ${runs:-?} inputs in ${SECONDS_EACH} s, no failure"
	else
		echo "fuzz $name: FAILED (the input is in $OUT; log $log)"
		tail -40 "$log"
		status=1
	fi
	cp "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* "$OUT/" 2>/dev/null || true
	rm -rf "$scratch"
done
exit $status
