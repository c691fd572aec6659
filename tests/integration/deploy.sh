#!/bin/sh
# The bridge's systemd unit: make install puts it where systemd looks, with
# livehud's installed path, and systemd-analyze rates its hardening at most
# 3.0 (it reads the token with LoadCredential, so DynamicUser works).
. "$TESTS_SRCDIR/lib.sh"
BUILD=$(dirname "$LIVEHUD")
UNIT="$BUILD/contrib/livehud-bridge.service"
check "the unit is built" [ -f "$UNIT" ]
check "it runs the installed livehud" grep -q '^ExecStart=/[^@]*/livehud bridge ' "$UNIT"
check "and reads its token as a credential" grep -q '^LoadCredential=token:/etc/livehud/token' "$UNIT"
unitdir=$(sed -n 's/^systemdsystemunitdir = //p' "$BUILD/Makefile")
if [ -n "$unitdir" ]; then
	make -C "$BUILD" install-systemdsystemunitDATA DESTDIR="$T/root" >/dev/null 2>&1
	check "make install puts it in systemd's unit directory ($unitdir)" [ -f "$T/root$unitdir/livehud-bridge.service" ]
else
	echo "# no systemd unit directory was found by configure: install not checked"
fi
if command -v systemd-analyze >/dev/null; then
	systemd-analyze security --offline=yes "$UNIT" >"$T/security.out" 2>&1
	level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$T/security.out")
	check "systemd-analyze security rates it ${level:-?}, at most 3.0" awk "BEGIN { exit !(\"${level:-99}\" + 0 <= 3.0) }"
else
	echo "# systemd-analyze is not installed: the hardening rating is not checked"
fi
done_testing
