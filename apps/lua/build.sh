#!/bin/sh
# Build the unmodified Lua 5.4.4 interpreter (the upstream tarball Debian's
# lua5.4 source package carries) as a static riscv64 Linux binary.  The
# source is fetched once, with tools/debian-source.sh, and cached outside the
# clone.
#   usage: apps/lua/build.sh OUT.elf
set -e
out=${1:?usage: $0 OUT.elf}
cache=${SLATE_CACHE:-${HOME:-/root}/.cache/slate}/lua-5.4.4
if [ ! -f "$cache/src/lua.c" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	"$(dirname "$0")/../../tools/debian-source.sh" lua5.4 '5\.4\.4' "$tmp"
	tar -xzf "$tmp"/lua5.4_5.4.4.orig.tar.gz -C "$tmp"
	mkdir -p "$(dirname "$cache")"
	rm -rf "$cache"
	mv "$tmp/lua-5.4.4" "$cache"
fi
# Every source file but the stand-alone compiler (luac.c has its own main).
srcs=$(ls "$cache"/src/*.c | grep -v '/luac\.c$')
riscv64-linux-gnu-gcc -static -O2 -std=gnu99 -DLUA_USE_POSIX -o "$out" $srcs -lm
