#!/bin/bash
# Build qemu-system-riscv64 (Debian's QEMU 7.2 source + seccells.patch) for
# PLATFORM=riscv64-cells, and cache the binary outside the clone.
#
#   platform/riscv64-cells/qemu/build.sh        -> prints the binary's path (last line, stdout)
#
# Beside the binary: qemu-plugin.h, the plugin API with the calls the patch
# adds for the translation model (tools/tlbmodel/plugin.c).
#
# Everything but the final path goes to stderr.  The cache key is the first 16
# hex digits of sha256(seccells.patch + this script), so editing either one
# rebuilds and a second run with neither changed costs nothing.
#
# Environment:
#   SLATE_CACHE   cache root (default $HOME/.cache/slate)
#   JOBS          parallel build jobs (default: number of CPUs)
#
# Needs root only when something must be installed (apt-get): missing build
# dependencies or deb-src entries.  CI runs as root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
patch_file=$here/seccells.patch
self=$here/build.sh

log() { printf '[qemu-cells] %s\n' "$*" >&2; }
die() { printf '[qemu-cells] error: %s\n' "$*" >&2; exit 1; }

[ -f "$patch_file" ] || die "missing $patch_file"

key=$(cat "$patch_file" "$self" | sha256sum | cut -c1-16)
cache_root=${SLATE_CACHE:-${HOME:-/root}/.cache/slate}
dest=$cache_root/qemu-$key
bin=$dest/qemu-system-riscv64

# QEMU looks for -bios default (opensbi-riscv64-generic-fw_dynamic.bin) under
# <exe dir>/qemu-bundle/<datadir> first: point that at Debian's firmware.
link_firmware() {
	mkdir -p "$1/qemu-bundle/usr/share"
	ln -sfn /usr/share/qemu "$1/qemu-bundle/usr/share/qemu"
}

if [ -x "$bin" ] && [ -f "$dest/.complete" ]; then
	log "cached: $bin"
	[ -e /usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin ] ||
		log "warning: /usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin missing (install qemu-system-data) for -bios default"
	echo "$bin"
	exit 0
fi

start=$(date +%s)
log "stage 1/6: no cached binary at $bin; building (key $key)"

# ------------------------------------------------------------ packages ---
is_root() { [ "$(id -u)" -eq 0 ]; }
need_root() {
	is_root || die "$1: run as root (CI does), or install it by hand: $2"
}

PKGS="dpkg-dev ninja-build meson libglib2.0-dev libpixman-1-dev libfdt-dev zlib1g-dev flex bison
      pkg-config python3 gcc make patch qemu-system-data"
missing=""
for p in $PKGS; do
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] ||
		missing="$missing $p"
done

apt_updated=0
apt_update() {
	[ "$apt_updated" = 1 ] && return 0
	log "apt-get update"
	DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
	apt_updated=1
}

if [ -n "$missing" ]; then
	need_root "missing build dependencies:$missing" "apt-get install$missing"
	log "stage 2/6: installing:$missing"
	apt_update
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2
else
	log "stage 2/6: build dependencies present"
fi


# ------------------------------------------------------- source + patch ---
mkdir -p "$cache_root"
# A run killed outright (SIGKILL, power loss) cannot clean up after itself:
# drop build directories left behind more than two hours ago.
find "$cache_root" -maxdepth 1 -name '.qemu-build-*' -mmin +120 -exec rm -rf {} + 2>/dev/null || true
work=$(mktemp -d "$cache_root/.qemu-build-$key.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

log "stage 3-4/6: apt-get source qemu (in $work)"
# tools/debian-source.sh adds the deb-src entries Debian lacks by default.
"$here/../../../tools/debian-source.sh" qemu '1:7\.2' "$work" || die "apt-get source qemu failed"
src=$(find "$work" -maxdepth 1 -type d -name 'qemu-7.2*' | head -n1)
[ -n "$src" ] || die "no qemu-7.2* directory after apt-get source"
log "applying $(basename "$patch_file") to $(basename "$src")"
(cd "$src" && patch -p1 --forward --no-backup-if-mismatch < "$patch_file" >&2) ||
	die "seccells.patch does not apply to $(basename "$src")"

# ------------------------------------------------------------ configure ---
log "stage 5/6: configure"
mkdir -p "$src/build"
(
	cd "$src/build"
	../configure --prefix=/usr --target-list=riscv64-softmmu \
		--disable-docs --disable-werror --disable-debug-info \
		--disable-user --disable-tools --disable-guest-agent \
		--disable-gtk --disable-sdl --disable-vnc --disable-opengl \
		--disable-spice --disable-curses --disable-cocoa \
		--disable-alsa --disable-pa --disable-jack --disable-oss --disable-sndio \
		--disable-coreaudio --disable-dsound \
		--disable-curl --disable-libssh --disable-gnutls --disable-nettle --disable-gcrypt \
		--disable-rbd --disable-glusterfs --disable-libiscsi --disable-libnfs \
		--disable-usb-redir --disable-libusb --disable-smartcard \
		--disable-virglrenderer --disable-vte --disable-xkbcommon \
		--disable-brlapi --disable-capstone --disable-seccomp --disable-tpm \
		--disable-linux-aio --disable-linux-io-uring --disable-vde \
		--disable-bpf --disable-lzo --disable-snappy --disable-bzip2 --disable-zstd \
		--disable-lzfse --disable-numa --disable-libpmem --disable-libdaxctl \
		--disable-mpath --disable-rdma --disable-pvrdma --disable-xen \
		--disable-slirp --disable-vhost-user-blk-server --disable-fuse \
		--disable-auth-pam --disable-selinux --disable-multiprocess \
		--disable-attr --disable-cap-ng --disable-libudev --disable-u2f \
		--disable-canokey --disable-png --disable-vnc-jpeg --disable-vnc-sasl \
		--disable-iconv --disable-malloc-trim --disable-blkio \
		--enable-fdt=system >&2
) || die "configure failed"

# ---------------------------------------------------------------- build ---
jobs=${JOBS:-$(nproc)}
log "stage 6/6: ninja -j$jobs qemu-system-riscv64"
# ninja prints "[n/N] ..." progress lines; shown as they come.
(cd "$src/build" && ninja -j"$jobs" qemu-system-riscv64 >&2) || die "ninja failed"

# --------------------------------------------------------------- install ---
stage=$work/out
mkdir -p "$stage"
cp "$src/build/qemu-system-riscv64" "$stage/"
"$stage/qemu-system-riscv64" --version >&2 || die "the new binary does not run"
link_firmware "$stage"
cp "$patch_file" "$stage/seccells.patch"
# The plugin API header (with the calls the patch adds), for tools/tlbmodel's plugin.
cp "$src/include/qemu/qemu-plugin.h" "$stage/"
touch "$stage/.complete"
# Atomic publication: rename the finished directory into place.  A
# concurrent or earlier finished build with the same key is equally good.
if ! mv -T "$stage" "$dest" 2>/dev/null; then
	if [ -x "$bin" ] && [ -f "$dest/.complete" ]; then
		log "another build already published $dest"
	else
		rm -rf "$dest.stale.$$" && mv -T "$dest" "$dest.stale.$$" && mv -T "$stage" "$dest" &&
			rm -rf "$dest.stale.$$" || die "could not move the binary into $dest"
	fi
fi
log "built in $(( $(date +%s) - start )) s"
echo "$bin"
