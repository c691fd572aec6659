#!/bin/sh
# The layers of src/ (README, Layout): each folder includes only from the
# folders below it, ui/ only from src/, and src/ never from ui/ (main.c,
# on top of everything, is the one place both meet).
. "$TESTS_SRCDIR/lib.sh"
top=$TESTS_SRCDIR/..

rank() {
	case $1 in
	lib) echo 0 ;; core) echo 1 ;; source) echo 2 ;; app) echo 3 ;;
	mode | bridge | ui) echo 4 ;; main) echo 5 ;; *) echo 9 ;;
	esac
}

bad=""
for f in "$top"/src/*/*.[ch] "$top"/src/main.c "$top"/ui/*.[ch]; do
	rel=${f#"$top"/}
	case $rel in
	src/main.c) from=main ;;
	ui/*) from=ui ;;
	*) from=${rel#src/}; from=${from%%/*} ;;
	esac
	for to in $(sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f"); do
		[ "$to" = "$from" ] && continue
		[ "$(rank "$to")" -lt "$(rank "$from")" ] || bad="$bad $rel->$to"
	done
	# A bare include names a file of the same folder.
	for inc in $(sed -n 's/^#include "\([^/"]*\)"/\1/p' "$f"); do
		case $inc in config.h | theme_builtin.h) continue ;; esac
		[ -f "$(dirname "$f")/$inc" ] || bad="$bad $rel:$inc"
	done
done
check "every include points down a layer or stays in its folder${bad:+:$bad}" [ -z "$bad" ]
src_ui=$(grep -l '#include "\.\./ui/' "$top"/src/*/*.[ch] 2>/dev/null)
check "no file of src/ below main.c includes ui/${src_ui:+: $src_ui}" [ -z "$src_ui" ]
done_testing
