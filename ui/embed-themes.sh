#!/bin/sh
# Writes C source holding each theme file given as an argument, as the
# array theme_builtin.h declares.
set -eu
echo '/* Generated from the themes/ files by ui/embed-themes.sh; do not edit. */'
echo '#include "theme_builtin.h"'
echo 'const struct lh_builtin_theme lh_builtin_themes[] = {'
for f in "$@"; do
	name=$(basename "$f" .theme)
	printf '\t{ "%s",\n' "$name"
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t  "/' -e 's/$/\\n"/' "$f"
	printf '\t},\n'
done
echo '};'
echo "const size_t lh_builtin_theme_count = $#;"
