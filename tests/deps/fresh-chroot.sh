#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Prove `make deps` on a fresh Debian 12: build a minimal bookworm chroot
# with debootstrap, copy the committed tree (git HEAD) into it, measure what
# `make deps` would install (packages and download size, without
# recommends), run `make deps`, then `make` and the tests.  Run by hand, as
# root, on a Debian or Ubuntu machine with debootstrap (not part of make
# test: it downloads about a gigabyte and takes most of an hour):
#
#   sudo tests/deps/fresh-chroot.sh [DIR] [MAKE TARGET...]
#
# DIR (default /var/tmp/damotrace-chroot) must not exist; it is left in
# place (remove it with rm -rf once its mounts are gone, which this script
# undoes itself).  The targets default to `test`.  The peer fixtures
# ($DT_SHARED, default ../shared) are copied beside the tree.  The mirror is the first
# deb URI of apt's own sources (or $DEBIAN_MIRROR).  Everything goes to
# DIR.log beside DIR; the last lines sum it up:
#   fresh-chroot: packages N, download BYTES (without recommends)
#   fresh-chroot: make deps OK|FAILED, make OK|FAILED, make TARGET OK|FAILED
set -uo pipefail
cd "$(dirname "$0")/../.."

DIR=${1:-/var/tmp/damotrace-chroot}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(test)
LOG=$DIR.log

die() {
	echo "fresh-chroot: $*" | tee -a "$LOG" >&2
	exit 1
}

# The first "deb" URI apt uses (deb822 .sources or one-line .list).
apt_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '/^URIs:/ { print $2; exit }' "$f" | grep -v security && return 0
	done
	awk '$1 == "deb" && $2 !~ /security/ { print ($2 ~ /^\[/ ? $3 : $2); exit }' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep . && return 0
	return 1
}

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot and mounts need it)"
command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
[ ! -e "$DIR" ] || die "$DIR exists: give a new directory"
MIRROR=${DEBIAN_MIRROR:-$(apt_mirror)} || die "no Debian mirror in apt's sources: set DEBIAN_MIRROR"
: >"$LOG"
exec > >(tee -a "$LOG") 2>&1
echo "fresh-chroot: $DIR from $MIRROR, tree $(git rev-parse --short HEAD), targets ${TARGETS[*]}"

mounts=()
cleanup() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount -R "${mounts[$i]}" 2>/dev/null || umount -lR "${mounts[$i]}"
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP   # through the EXIT trap: the mounts go too

start=$(date +%s)
debootstrap --variant=minbase bookworm "$DIR" "$MIRROR" >"$DIR.debootstrap.log" 2>&1 ||
	die "debootstrap failed (see $DIR.debootstrap.log)"
echo "fresh-chroot: debootstrap done after $(($(date +%s) - start)) s"
# The chroot's root a mount point of its own, so that the tests' `unshare -m`
# can make it private (else: "cannot change root filesystem propagation").
mount --bind "$DIR" "$DIR" && mounts+=("$DIR") || die "cannot bind-mount $DIR on itself"
for m in proc sys dev; do
	mount --rbind "/$m" "$DIR/$m" && mount --make-rslave "$DIR/$m" && mounts+=("$DIR/$m") ||
		die "cannot mount /$m in the chroot"
done
mount -t tmpfs tmpfs "$DIR/tmp" && mounts+=("$DIR/tmp") || die "cannot mount /tmp"
cp /etc/resolv.conf "$DIR/etc/resolv.conf" 2>/dev/null
cat >"$DIR/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb ${MIRROR%/debian}/debian-security bookworm-security main
EOF
# Certificates the host trusts beyond Debian's (a TLS-inspecting proxy's),
# for npm in the chroot: NODE_EXTRA_CA_CERTS, as on the host.
ca=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}
[ -f "$ca" ] && cp "$ca" "$DIR/etc/host-ca.crt"
mkdir -p "$DIR/src/damotrace"
git archive HEAD | tar -x -C "$DIR/src/damotrace" || die "cannot copy the tree"
# the peer fixtures (make check's DT_SHARED) beside the tree, as in a clone
SHARED=${DT_SHARED:-../shared}
[ -d "$SHARED" ] && cp -a "$SHARED" "$DIR/src/shared"

in_chroot() {
	chroot "$DIR" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive ${ca:+NODE_EXTRA_CA_CERTS=/etc/host-ca.crt} \
		bash -c "cd /src/damotrace && $1"
}

# make itself first: a fresh system has no make to run `make deps` with.
in_chroot "apt-get update -q && apt-get install -y -q --no-install-recommends make" ||
	die "cannot install make"
pkgs=$(in_chroot "make -s print-DEB_PACKAGES")
nr=$(in_chroot "apt-get install -s --no-install-recommends $pkgs" | grep -c '^Inst ')
bytes=$(in_chroot "apt-get install -qq --print-uris --no-install-recommends $pkgs" |
	awk '{ s += $3 } END { print s + 0 }')
nr_rec=$(in_chroot "apt-get install -s $pkgs" | grep -c '^Inst ')
bytes_rec=$(in_chroot "apt-get install -qq --print-uris $pkgs" | awk '{ s += $3 } END { print s + 0 }')
echo "fresh-chroot: with recommends it would be $nr_rec packages, $bytes_rec bytes"

status() { [ "$1" = 0 ] && echo OK || echo FAILED; }
in_chroot "make deps"
deps=$?
in_chroot "make -j2"
build=$?
results="make deps $(status $deps), make $(status $build)"
for t in "${TARGETS[@]}"; do
	echo "fresh-chroot: make $t"
	t0=$(date +%s)
	in_chroot "make $t"
	rc=$?
	results="$results, make $t $(status $rc) ($(($(date +%s) - t0)) s)"
done
echo "fresh-chroot: packages $nr, download $bytes bytes (without recommends)"
echo "fresh-chroot: $results; $(($(date +%s) - start)) s in all"
