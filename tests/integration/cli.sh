#!/bin/sh
# The command line: help, version, usage errors (exit 2) and runtime
# failures (exit 1) say clearly what is wrong.
. "$TESTS_SRCDIR/lib.sh"

"$LIVEHUD" --help >"$T/help" 2>&1
check "--help exits 0" [ $? -eq 0 ]
for opt in --redis --channel --file --follow --demo --seed --plain --json --ascii --max-events \
	--max-bytes --run --agent --category --message --meta --tool --args --duration-ms --call-id --raw; do
	check "--help documents $opt" contains "$T/help" "$opt"
done
check "--help names REDIS_URL" contains "$T/help" REDIS_URL

"$LIVEHUD" --version >"$T/v"
check "--version prints the version" grep -q '^livehud [0-9]' "$T/v"

usage() {
	"$LIVEHUD" "$@" >"$T/u.out" 2>"$T/u.err"
	rc=$?
	check "'$*' exits 2" [ $rc -eq 2 ]
	check "'$*' says why on stderr" [ -s "$T/u.err" ]
}
usage --bogus
usage --redis http://localhost
usage --redis redis://h:70000
usage --max-events 0
usage --seed -1
usage --follow
usage --file a --demo
usage extra-argument
usage emit --duration-ms soon
usage emit --message hi
"$LIVEHUD" emit --run r --args '[1,2]' >/dev/null 2>"$T/e.err"
check "emit --args that is not an object exits 2" [ $? -eq 2 ]
check "and says --args must be an object" contains "$T/e.err" "--args must be a JSON object"

port=$(free_port)
"$LIVEHUD" emit --redis "redis://127.0.0.1:$port" --run r --message hi >/dev/null 2>"$T/e.err"
check "emit to a Redis that is down exits 1" [ $? -eq 1 ]
check "and names the address" contains "$T/e.err" "cannot connect to redis://127.0.0.1:$port"

"$LIVEHUD" --file "$T/does-not-exist" --plain >/dev/null 2>"$T/f.err"
check "a missing --file exits 1" [ $? -eq 1 ]
check "and says so" contains "$T/f.err" "cannot open $T/does-not-exist"

# ---- the config file ----
ev() { printf '{"run_id":"r","agent_id":"a","category":"THOUGHT","message":"%s"}\n' "$1"; }
ev "from the config's file" >"$T/a.jsonl"
ev "from the command line's file" >"$T/b.jsonl"
mkdir -p "$XDG_CONFIG_HOME/livehud"
printf '# a comment\n\nfile = %s   # trailing comment\nascii = yes\n' "$T/a.jsonl" >"$XDG_CONFIG_HOME/livehud/config"
"$LIVEHUD" --plain >"$T/c.out" 2>&1
check "the default config file is read" contains "$T/c.out" "from the config's file"
"$LIVEHUD" --plain --file "$T/b.jsonl" >"$T/c.out" 2>&1
check "the command line wins over it" contains "$T/c.out" "from the command line's file"
"$LIVEHUD" --config /dev/null --plain --file "$T/b.jsonl" >"$T/c.out" 2>&1
check "--config names another (here: none)" contains "$T/c.out" "from the command line's file"
printf 'file = %s\nbogus = 1\n' "$T/a.jsonl" >"$T/bad.conf"
"$LIVEHUD" --config "$T/bad.conf" --plain >/dev/null 2>"$T/c.err"
check "an unknown option in a config exits 2" [ $? -eq 2 ]
check "naming the file and the line" contains "$T/c.err" "$T/bad.conf, line 2: unknown option 'bogus'"
printf 'max-events = lots\n' >"$T/bad.conf"
"$LIVEHUD" --config "$T/bad.conf" --plain >/dev/null 2>"$T/c.err"
check "a bad value in a config exits 2, saying where" sh -c "[ $? -eq 2 ] && grep -q 'line 1' '$T/c.err'"
rm "$XDG_CONFIG_HOME/livehud/config"
"$LIVEHUD" --config "$T/nope.conf" --plain >/dev/null 2>"$T/c.err"
check "a --config that cannot be read exits 2" [ $? -eq 2 ]

"$LIVEHUD" bridge --token '' >/dev/null 2>"$T/emptytoken.err"
check "bridge --token '' exits 2" [ $? -eq 2 ]
check "saying an empty token would let anyone in" contains "$T/emptytoken.err" 'an empty token would let anyone in'
: >"$T/empty.token"
"$LIVEHUD" bridge --token-file "$T/empty.token" >/dev/null 2>"$T/emptyfile.err"
check "an empty --token-file is refused too" [ $? -eq 2 ]
check "saying the file is empty" contains "$T/emptyfile.err" 'the file is empty'
"$LIVEHUD" --ws ws://127.0.0.1:9 --token '' --plain >/dev/null 2>"$T/emptyws.err"
check "--ws --token '' exits 2" [ $? -eq 2 ]
check "livehud bridge --version prints the version" sh -c "'$LIVEHUD' bridge --version | grep -q '^livehud [0-9]'"
# Usage errors: consistent statuses, and messages that say who speaks.
"$LIVEHUD" --file "$T" --plain >/dev/null 2>"$T/dir.err"
check "--file DIRECTORY exits 1" [ $? -eq 1 ]
check "saying it is a directory" contains "$T/dir.err" "livehud: cannot open $T: Is a directory"
"$LIVEHUD" emit --channel 'raro:*' --run r --message x 2>"$T/pattern.err"
check "emit --channel with a pattern exits 2, before connecting" [ $? -eq 2 ]
check "saying a channel, not a pattern" contains "$T/pattern.err" "livehud: emit publishes to a channel, not a pattern: 'raro:*'"
"$LIVEHUD" bridge --bogus 2>"$T/bogus.err"
check "bridge: an unknown option exits 2" [ $? -eq 2 ]
check "bridge's messages start 'livehud bridge:'" contains "$T/bogus.err" "livehud bridge: unrecognized option '--bogus'"
"$LIVEHUD" bridge --listen nope 2>"$T/listen.err"
check "bridge --listen nope: 'livehud bridge:' too" contains "$T/listen.err" "livehud bridge: bad --listen 'nope'"
"$LIVEHUD" emit --run r --message x --redis redis://127.0.0.1:1 2>"$T/emit.err"
check "emit's errors start 'livehud:'" contains "$T/emit.err" "livehud: cannot connect to redis://127.0.0.1:1"
"$LIVEHUD" --bell sometimes --plain --demo 2>"$T/bell.err"
check "--bell takes approval, errors or none" [ $? -eq 2 ] && contains "$T/bell.err" "approval, errors or none"
# Every option --help lists, for every mode, is in the man page.
missing=""
for opt in $("$LIVEHUD" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
	grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" "$TESTS_SRCDIR/../man/livehud.1" || missing="$missing $opt"
done
check "every option in --help is in man/livehud.1${missing:+ (missing:$missing)}" [ -z "$missing" ]
done_testing
