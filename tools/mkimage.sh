#!/bin/sh
# Write a disk image that Debian's U-Boot boots under OpenSBI: an MBR with one
# bootable FAT partition holding /extlinux/extlinux.conf and the kernel /Image
# (U-Boot's distro boot finds the conf and runs booti).  No mounting: mtools.
#   usage: tools/mkimage.sh Image NAME out.img
set -e
kernel=$1 name=$2 out=$3
[ -f "$kernel" ] || { echo "mkimage: no kernel image $kernel" >&2; exit 1; }
# FAT16 wants a volume of some size: 32 MiB beyond the kernel.
size_kib=$(( ($(stat -c %s "$kernel") / 1024) + 32768 ))
tmp=$out.tmp
rm -f "$tmp"
dd if=/dev/zero of="$tmp" bs=1024 count="$size_kib" status=none
echo 'start=2048, type=c, bootable' | sfdisk -q "$tmp"
# The partition starts at sector 2048 (1 MiB): format and fill it in place.
mkfs.fat -F 16 --offset 2048 -n SLATE "$tmp" >/dev/null
conf=$(mktemp)
printf 'default %s\nlabel %s\n  kernel /Image\n' "$name" "$name" > "$conf"
export MTOOLS_SKIP_CHECK=1
mmd -i "$tmp@@1M" ::/extlinux
mcopy -i "$tmp@@1M" "$conf" ::/extlinux/extlinux.conf
mcopy -i "$tmp@@1M" "$kernel" ::/Image
rm -f "$conf"
mv "$tmp" "$out"
