#!/bin/bash
# Fetch a Debian source package: apt-get source PACKAGE in DIR, after making
# sure apt knows a version matching VERSION (an extended regex of the
# "Version:" field).  Debian has no deb-src entries by default: when there are
# none, add entries mirroring the existing bookworm deb entries (same URIs and
# keyring) and run apt-get update.  Needs root only for that (CI runs as root).
# Progress on stderr.  With EXACT (a full Debian version), fetch exactly that
# version instead of the newest one apt knows: a security update's source may
# be missing from a mirror that has the release's.
#   usage: tools/debian-source.sh PACKAGE VERSION DIR [EXACT]
set -euo pipefail
pkg=${1:?usage: $0 PACKAGE VERSION DIR [EXACT]} version=${2:?} dir=${3:?}
exact=${4:-}

log() { printf '[debian-source] %s\n' "$*" >&2; }
die() { printf '[debian-source] error: %s\n' "$*" >&2; exit 1; }

have_src() {
	local v
	v=$(apt-cache showsrc "$pkg" 2>/dev/null || true)
	grep -qE "^Version: $version" <<<"$v"
}

# Add deb-src entries mirroring the existing bookworm deb entries, in whichever
# format (deb822 .sources or one-line .list) they use.
add_deb_src() {
	local out822=/etc/apt/sources.list.d/slate-deb-src.sources
	local outlist=/etc/apt/sources.list.d/slate-deb-src.list
	local f tmp
	tmp=$(mktemp)
	# deb822 stanzas: copy every stanza whose Types has "deb" and whose Suites
	# mention bookworm, with Types replaced by deb-src.
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		[ "$f" = "$out822" ] && continue
		awk '
			function flush() {
				if (st != "" && isdeb && isbw) printf "%s\n", st
				st = ""; isdeb = 0; isbw = 0
			}
			/^[ \t]*$/ { flush(); next }
			/^[ \t]*#/ { next }
			/^Types:/ { if ($0 ~ /[ \t]deb([ \t]|$)/) isdeb = 1; st = st "Types: deb-src\n"; next }
			/^Suites:/ { if ($0 ~ /bookworm/) isbw = 1 }
			/^Enabled:[ \t]*no/ { isdeb = 0 }
			{ st = st $0 "\n" }
			END { flush() }
		' "$f" >> "$tmp"
	done
	if [ -s "$tmp" ]; then
		mv "$tmp" "$out822"
		chmod 644 "$out822"
		log "added $out822"
		return 0
	fi
	# One-line format: "deb [opts] URI SUITE COMPONENTS..." for bookworm*.
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		[ "$f" = "$outlist" ] && continue
		sed -n 's/^[ \t]*deb\([ \t].*[ \t]bookworm\(-updates\|-security\|\/updates\)\?[ \t].*\)$/deb-src\1/p' "$f" >> "$tmp"
	done
	if [ -s "$tmp" ]; then
		mv "$tmp" "$outlist"
		chmod 644 "$outlist"
		log "added $outlist"
		return 0
	fi
	rm -f "$tmp"
	die "found no bookworm deb entries under /etc/apt/ to mirror as deb-src"
}

if ! have_src; then
	[ "$(id -u)" -eq 0 ] || die "the $pkg source is not known to apt: run as root (CI does), or add deb-src entries for bookworm, bookworm-updates, bookworm-security and run apt-get update"
	if ! grep -rqs -E '^[ \t]*(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		log "adding deb-src entries"
		add_deb_src
	fi
	log "apt-get update"
	DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
	have_src || die "apt-cache showsrc $pkg shows no version matching $version"
fi
command -v dpkg-source >/dev/null || {
	[ "$(id -u)" -eq 0 ] || die "dpkg-dev is missing: apt-get install dpkg-dev"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends dpkg-dev >&2
}
log "apt-get source $pkg (in $dir)"
mkdir -p "$dir"
(cd "$dir" && apt-get source -q "$pkg${exact:+=$exact}" >&2) || die "apt-get source $pkg${exact:+=$exact} failed"
