#!/bin/sh
# Build the unmodified zstd command-line program from Debian's libzstd
# 1.5.4+dfsg2 source package (Debian's patches applied) as a static riscv64
# Linux binary, with multi-threading: its own programs/Makefile, whose zstd
# target adds -DZSTD_MULTITHREAD and -pthread when the compiler has pthreads.
# gzip, xz and lz4 support are off (they would need zlib, liblzma, liblz4).
# The source is fetched once, with tools/debian-source.sh, and cached outside
# the clone; each build compiles a copy in a temporary folder.
#   usage: apps/zstd/build.sh OUT.elf
set -e
out=${1:?usage: $0 OUT.elf}
here=$(cd "$(dirname "$0")" && pwd)
cache=${SLATE_CACHE:-${HOME:-/root}/.cache/slate}/zstd-1.5.4+dfsg2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ ! -f "$cache/programs/zstdcli.c" ]; then
	# Pinned to the bookworm release's revision: its source is on every
	# mirror, while the security update's (-5+deb12u1) may not be.
	"$here/../../tools/debian-source.sh" libzstd '1\.5\.4\+dfsg2' "$tmp/fetch" 1.5.4+dfsg2-5
	mkdir -p "$(dirname "$cache")"
	rm -rf "$cache"
	mv "$tmp/fetch/libzstd-1.5.4+dfsg2" "$cache"
fi
cp -R "$cache" "$tmp/src"
# LDFLAGS from the environment: the Makefile appends -pthread to it.
LDFLAGS=-static make -s -C "$tmp/src/programs" zstd-release \
	CC=riscv64-linux-gnu-gcc HAVE_ZLIB=0 HAVE_LZMA=0 HAVE_LZ4=0 >&2
cp "$tmp/src/programs/zstd" "$out"
