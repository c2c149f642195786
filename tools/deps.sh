#!/bin/sh
# Install the Debian packages the build and the tests need, when any is missing.
# Does nothing (and needs no privileges) when everything is already installed.
set -e
PACKAGES="make gcc clang qemu-system-misc opensbi u-boot-qemu
  gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf picolibc-riscv64-unknown-elf
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
  fdisk dosfstools mtools u-boot-tools device-tree-compiler libclang-rt-14-dev
  gdb-multiarch"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $missing
