#!/bin/sh
# Pack the folder DIR (an application's root/ tree) into the archive OUT that
# the kernel unpacks into its RAM file system at boot (kernel/fs.c, fs_init).
#   usage: tools/mkroot.sh DIR OUT
# No folder: an archive with no entries.  OUT is rewritten only when its
# contents change, so that the image is rebuilt exactly then.
#
# Format: the line "slate-root 1", then per entry, parents before children,
#   "d MODE PATH"       a directory
#   "f MODE SIZE PATH"  a regular file, its SIZE bytes right after the newline
# and the line "end".  MODE is octal, PATH relative and without newlines.
# Symbolic links are followed; other kinds of files are left out.
set -e
dir=$1
out=$2
tmp="$out.tmp"
mkdir -p "$(dirname "$out")"
{
	printf 'slate-root 1\n'
	if [ -d "$dir" ]; then
		(cd "$dir" && find -L . -mindepth 1 | LC_ALL=C sort) | while IFS= read -r p; do
			p=${p#./}
			if [ -d "$dir/$p" ]; then
				printf 'd %s %s\n' "$(stat -L -c %a "$dir/$p")" "$p"
			elif [ -f "$dir/$p" ]; then
				printf 'f %s %s %s\n' "$(stat -L -c %a "$dir/$p")" \
					"$(stat -L -c %s "$dir/$p")" "$p"
				cat "$dir/$p"
			fi
		done
	fi
	printf 'end\n'
} >"$tmp"
if cmp -s "$tmp" "$out"; then rm -f "$tmp"; else mv "$tmp" "$out"; fi
