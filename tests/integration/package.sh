#!/bin/sh
# The Debian package: dpkg-buildpackage -us -uc -b on the release file
# list (make distdir) builds a livehud .deb holding the binary, the man
# page, the themes and the systemd unit, depending on the libuv plugin the
# bridge needs.
. "$TESTS_SRCDIR/lib.sh"
command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
	{ echo "1..0 # SKIP dpkg-buildpackage or debhelper is not installed"; exit 0; }
BUILD=$(dirname "$LIVEHUD")
mkdir -p "$T/pkg"
make -C "$BUILD" distdir distdir="$T/pkg/livehud" >/dev/null 2>&1
(cd "$T/pkg/livehud" && dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1
built=$?
check "dpkg-buildpackage -us -uc -b builds the package" [ "$built" -eq 0 ]
[ "$built" -eq 0 ] || tail -20 "$T/build.log" | diag
deb=$(ls "$T"/pkg/livehud_*_*.deb 2>/dev/null | head -n 1)
check "a livehud .deb" [ -n "$deb" ]
dpkg -c "$deb" >"$T/contents" 2>/dev/null
for path in ./usr/bin/livehud ./usr/share/man/man1/livehud.1.gz ./usr/share/livehud/themes/dark.theme \
	./usr/share/livehud/themes/mono.theme ./lib/systemd/system/livehud-bridge.service ./usr/share/doc/livehud/copyright; do
	check "holding $path" grep -q " $path\$" "$T/contents"
done
dpkg -I "$deb" >"$T/info" 2>/dev/null
check "depending on the libuv plugin of libwebsockets" grep -q 'libwebsockets-evlib-uv' "$T/info"
dpkg -x "$deb" "$T/root"
check "its binary runs" sh -c "'$T/root/usr/bin/livehud' --version | grep -q '^livehud '"
check "its unit runs the packaged binary" grep -q '^ExecStart=/usr/bin/livehud bridge' "$T/root/lib/systemd/system/livehud-bridge.service"
if command -v lintian >/dev/null; then
	lintian --fail-on error,warning "$T"/pkg/livehud_*.changes >"$T/lintian.out" 2>&1
	check "lintian finds no error or warning" [ $? -eq 0 ]
	grep -v 'root privileges' "$T/lintian.out" | diag
else
	echo "# lintian is not installed: the package is not linted"
fi
done_testing
