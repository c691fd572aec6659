#!/bin/sh
# livehud's one entry point for a fresh Debian 12 machine:
#   ./bootstrap.sh demo    install what is missing, build, open the demo
#   ./bootstrap.sh check   install what is missing, build, run every test,
#                          then all again under ASan and UBSan
#   ./bootstrap.sh build   install what is missing, build
set -eu
cd "$(dirname "$0")"

PACKAGES="build-essential autoconf automake pkg-config clang debhelper libncurses-dev libhiredis-dev \
libcjson-dev libwebsockets-dev libwebsockets-evlib-uv libuv1-dev redis-server tmux python3 \
python3-websockets curl openssl chromium haproxy"

missing_packages() {
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			printf '%s ' "$p"
	done
}

install_packages() {
	missing=$(missing_packages)
	[ -z "$missing" ] && return 0
	echo "bootstrap: installing $missing"
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || { echo "bootstrap: need root or sudo to install: $missing" >&2; exit 1; }
		sudo=sudo
	fi
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
	# shellcheck disable=SC2086
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
}

# promtool checks the bridge's /metrics; it comes in Debian's prometheus
# package, which would also install and start a Prometheus server, so only
# the tool is taken out of the package, into .tools/ (best effort: the test
# says it skipped the check when it is not there).
fetch_promtool() {
	command -v promtool >/dev/null && return 0
	[ -x .tools/promtool ] && return 0
	mkdir -p .tools/pkg
	(cd .tools/pkg && apt-get download prometheus >/dev/null 2>&1 &&
		dpkg -x prometheus_*.deb x && cp x/usr/bin/promtool ..) || echo "bootstrap: promtool not available"
	rm -rf .tools/pkg
}

build() {
	[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi
	[ -f Makefile ] && [ Makefile -nt configure ] || ./configure --enable-werror ${CONFIGURE_FLAGS:-}
	make -j"$(nproc)"
}

# The tests again, built with AddressSanitizer and UBSan in a copy made by
# make distdir (so a file missing from the tarball fails too). Every report
# goes to a file under $SAN_DIR/reports; summary counts each as a failure.
SAN_DIR=.sanitizers
sanitized_check() {
	rm -rf "$SAN_DIR"
	make distdir distdir="$SAN_DIR" >/dev/null
	mkdir -p "$SAN_DIR/reports"
	reports=$(cd "$SAN_DIR/reports" && pwd)
	(
		cd "$SAN_DIR" || exit 1
		if ! { ./configure --enable-sanitizers --enable-werror ${CONFIGURE_FLAGS:-} >build.log 2>&1 &&
			make -j"$(nproc)" >>build.log 2>&1; }; then
			tail -30 build.log >"$reports/build-failed"
			exit 1
		fi
		ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1" \
			UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1" \
			make -j"$(nproc)" check || check_broken "$SAN_DIR"
	)
}

# A make check that failed with no failing test behind it (a test program
# that did not build) is a failure of its own: counted by summary.
BROKEN="$PWD/.check-broken"
check_broken() {
	dir=${1:-.}
	if ! grep -qs '^:test-result: \(FAIL\|XPASS\|ERROR\)' $(find tests -name '*.trs' 2>/dev/null) /dev/null; then
		echo "make check in $dir failed before its tests could (see its output above)" >>"$BROKEN"
	fi
}

# Prints "N passed, N failed[, N skipped]" from the test logs of both
# passes, and fails when anything failed or a sanitizer reported.
summary() {
	set +e
	pass=0 fail=0 skip=0
	if [ -s "$BROKEN" ]; then
		cat "$BROKEN"
		fail=$((fail + $(wc -l <"$BROKEN")))
	fi
	for report in "$SAN_DIR"/reports/*; do
		[ -f "$report" ] || continue
		# LeakSanitizer says this alone when a thread was exiting as it
		# stopped the world to look for leaks: a note, not a finding.
		if ! grep -qv 'was not suspended. False leaks are possible' "$report"; then
			echo "sanitizer note $report: $(cat "$report")"
			continue
		fi
		echo "sanitizer report $report:"
		head -40 "$report"
		fail=$((fail + 1))
	done
	for trs in $(find tests "$SAN_DIR/tests" -name '*.trs' 2>/dev/null); do
		p=$(grep -c '^:test-result: PASS' "$trs"); f=$(grep -c '^:test-result: \(FAIL\|XPASS\|ERROR\)' "$trs")
		s=$(grep -c '^:test-result: SKIP' "$trs")
		pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
	done
	line="$pass passed, $fail failed"
	[ "$skip" -gt 0 ] && line="$line, $skip skipped"
	echo "$line"
	[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
}

cmd=${1:-build}
case "$cmd" in
demo)
	install_packages
	build >/dev/null
	exec ./livehud --demo
	;;
check)
	install_packages
	fetch_promtool
	PATH="$PWD/.tools:$PATH"
	export PATH
	build
	find tests -name '*.trs' -delete 2>/dev/null || true
	rm -f "$BROKEN"
	make -j"$(nproc)" check || check_broken .
	echo "bootstrap: the tests again under AddressSanitizer and UBSan"
	sanitized_check || echo "bootstrap: the sanitizer build or its tests failed"
	grep -h -A30 '^FAIL\|^ERROR' test-suite.log "$SAN_DIR/test-suite.log" 2>/dev/null | head -200 || true
	summary
	;;
build)
	install_packages
	build
	;;
*)
	echo "usage: $0 [demo|check|build]" >&2
	exit 2
	;;
esac
