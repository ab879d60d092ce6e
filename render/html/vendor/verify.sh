#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Check the vendored third-party files of the HTML report (vendor.lock):
# every file's sha256 is the one the lock names; unless --offline, each
# package is fetched again with `npm pack NAME@VERSION`, its tarball must
# have the registry integrity the lock names, and every vendored file must
# equal the tarball's file byte for byte.  Last line: "vendor: ok" or
# "vendor: N problem(s)"; exit 1 on any problem.
set -uo pipefail
cd "$(dirname "$0")"
offline=0
[ "${1:-}" = --offline ] && offline=1
work=$(mktemp -d "${TMPDIR:-/tmp}/dt-vendor.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
problems=0
problem() {
	echo "vendor: $*" >&2
	problems=$((problems + 1))
}

sha256() { sha256sum "$1" | cut -d' ' -f1; }
integrity() { echo "sha512-$(openssl dgst -sha512 -binary "$1" | base64 -w0)"; }

declare -A pkg_dir
while read -r kind a b c d; do
	case $kind in
	package)
		[ $offline = 1 ] && continue
		dir=$work/$a
		mkdir -p "$dir"
		if ! (cd "$dir" && npm pack --silent "$a@$b" >/dev/null 2>&1); then
			problem "npm pack $a@$b failed"
			continue
		fi
		tgz=$(ls "$dir"/*.tgz)
		got=$(integrity "$tgz")
		[ "$got" = "$d" ] || problem "$a@$b: tarball integrity $got, lock says $d"
		tar -xzf "$tgz" -C "$dir" && pkg_dir[$a]=$dir
		echo "vendor: $a@$b ($c) tarball integrity matches the lock"
		;;
	file)
		[ -f "$a" ] || { problem "$a is missing"; continue; }
		[ "$(sha256 "$a")" = "$c" ] || problem "$a: sha256 $(sha256 "$a"), lock says $c"
		[ $offline = 1 ] && continue
		dir=${pkg_dir[${a%%/*}]:-}
		[ -n "$dir" ] || continue
		cmp -s "$a" "$dir/$b" || problem "$a differs from $b of the npm tarball"
		;;
	esac
done < <(grep -v '^#' vendor.lock)

if [ $problems = 0 ]; then
	echo "vendor: ok"
else
	echo "vendor: $problems problem(s)"
	exit 1
fi
