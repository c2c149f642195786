#!/bin/sh
# The second link must not move any code: compare text symbols of both links.
#   usage: check-same-layout.sh NM pass1.elf final.elf
set -e
nm=$1
a=$("$nm" -n "$2" | awk '$2 ~ /^[tT]$/')
b=$("$nm" -n "$3" | awk '$2 ~ /^[tT]$/')
if [ "$a" != "$b" ]; then
	echo "check-same-layout: text moved between the two links of $3" >&2
	exit 1
fi
