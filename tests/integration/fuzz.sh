#!/bin/sh
# make fuzz, briefly: each libFuzzer harness (tests/fuzz) runs a few
# seconds from its seed corpus (with a fixed seed, so a run repeats); any crash, sanitizer report or failed
# output check fails. make fuzz FUZZ_SECONDS=600 runs them for long.
. "$TESTS_SRCDIR/lib.sh"
command -v clang >/dev/null || { echo "1..0 # SKIP clang (libFuzzer) is not installed"; exit 0; }
BUILD=$(dirname "$LIVEHUD")
for name in event kernel respcut config wire; do
	FUZZ_BUILD="$BUILD" FUZZ_SECONDS=${FUZZ_SECONDS:-4} FUZZ_ONLY=$name FUZZ_SEED=1 \
		sh "$TESTS_SRCDIR/fuzz/run.sh" >"$T/$name.out" 2>&1
	check "fuzz $name: $(tail -n 1 "$T/$name.out")" grep -q "^fuzz $name: .* no failure" "$T/$name.out"
	grep -q 'no failure' "$T/$name.out" || diag <"$T/$name.out"
done
done_testing
