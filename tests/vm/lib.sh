# SPDX-License-Identifier: GPL-2.0-only
# microVM machinery for real-DAMON runs: fetch a Debian kernel that has
# DAMON, build an initramfs around a scenario script, boot it under QEMU and
# bring the scenario's results back to the host.  Sourced by tests/vm/run.sh
# (make check-vm) and by anything else that needs to record on a real DAMON
# kernel (the callstack test, make demo).  docs/TESTING-VM.md explains it.
#
#   source tests/vm/lib.sh
#   vm_kernel                       -> prints the path of a cached vmlinuz
#   vm_build_initramfs OUT SCENARIO [HOST[=GUEST]]...
#                                   -> OUT.cpio.gz with busybox, /init, the
#                                      scenario as /scenario and the files
#   vm_perf_files                   -> file specs for perf and its libraries
#   vm_boot INITRD OUTDIR           -> boots, results in OUTDIR/results/
#
# Inside the VM, /scenario runs as root with $RESULTS (a folder) to write
# into; everything in it comes back.  Its output is in scenario.log and its
# exit status in scenario.status (both in $RESULTS).  tests/vm/guest-lib.sh
# (put it in as /lib/damotrace-vm.sh) has helpers for scenarios.
#
# Settings (environment): DAMOTRACE_CACHE (where the kernel is kept),
# VM_KERNEL_META, VM_QEMU, VM_ACCEL, VM_MEM_MB, VM_CPUS, VM_TIMEOUT,
# VM_BOOT_TRIES, VM_APPEND and VM_EXTRA_APPEND (NAME=VALUE words that reach
# the scenario as environment variables).

VM_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_CACHE=${DAMOTRACE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/damotrace}/vm
# The Debian metapackage whose dependency is the kernel we boot.
VM_KERNEL_META=${VM_KERNEL_META:-linux-image-6.12-amd64}
VM_QEMU=${VM_QEMU:-qemu-system-x86_64}
# One host thread runs both vCPUs: with multi-threaded TCG, the kernel's
# live code patching (static keys flipped when perf events or tracepoints
# are enabled) races with the other vCPU and ends in "Oops: int3" now and
# then.  KVM does not work on the machines this runs on.
VM_ACCEL=${VM_ACCEL:-tcg,thread=single}
VM_MEM_MB=${VM_MEM_MB:-2048}
VM_CPUS=${VM_CPUS:-2}
VM_TIMEOUT=${VM_TIMEOUT:-300}   # seconds for one whole boot
VM_BOOT_TRIES=${VM_BOOT_TRIES:-3}
VM_APPEND=${VM_APPEND:-console=ttyS0 quiet panic=-1}
# NAME=VALUE words added to the kernel command line reach /init (and so the
# scenario) as environment variables.
VM_EXTRA_APPEND=${VM_EXTRA_APPEND:-}

VM_MARK_BOOTED=DAMOTRACE-VM-BOOTED
VM_MARK_BEGIN=DAMOTRACE-VM-RESULTS-BEGIN
VM_MARK_END=DAMOTRACE-VM-RESULTS-END

vm_log() {
	echo "vm: $*" >&2
}

# vm_kernel: print the path of the kernel image, downloading and verifying
# the package into $VM_CACHE the first time.  Works offline once cached.
vm_kernel() {
	local pkg version deb dir want got tmp
	mkdir -p "$VM_CACHE" || return 1
	pkg=$(apt-cache depends "$VM_KERNEL_META" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
	if [ -z "$pkg" ]; then
		# No apt lists (offline, fresh container): use what is cached.
		dir=$(ls -d "$VM_CACHE"/linux-image-*/ 2>/dev/null | sort -V | tail -n 1)
		if [ -n "$dir" ] && [ -f "$dir/vmlinuz" ]; then
			echo "${dir%/}/vmlinuz"
			return 0
		fi
		vm_log "cannot resolve $VM_KERNEL_META with apt-cache (run apt-get update)"
		return 1
	fi
	version=$(apt-cache show "$pkg" | awk '/^Version:/ { print $2; exit }')
	dir=$VM_CACHE/$pkg-$version
	if [ -f "$dir/vmlinuz" ]; then
		echo "$dir/vmlinuz"
		return 0
	fi
	# One download even when several runs start at once.
	(
		flock 9
		[ -f "$dir/vmlinuz" ] && exit 0
		want=$(apt-cache show "$pkg=$version" | awk '/^SHA256:/ { print $2; exit }')
		[ -n "$want" ] || { vm_log "apt has no SHA256 for $pkg $version"; exit 1; }
		tmp=$(mktemp -d "$VM_CACHE/download.XXXXXX") || exit 1
		vm_log "downloading $pkg $version into $VM_CACHE"
		if ! (cd "$tmp" && apt-get download -q "$pkg=$version" >/dev/null 2>&1); then
			vm_log "apt-get download $pkg=$version failed"
			rm -rf "$tmp"
			exit 1
		fi
		deb=$(ls "$tmp"/*.deb)
		got=$(sha256sum "$deb" | cut -d' ' -f1)
		if [ "$got" != "$want" ]; then
			vm_log "$deb: sha256 $got, apt's record says $want"
			rm -rf "$tmp"
			exit 1
		fi
		mkdir -p "$tmp/x"
		dpkg-deb -x "$deb" "$tmp/x" || { rm -rf "$tmp"; exit 1; }
		mkdir -p "$tmp/keep"
		cp "$tmp"/x/boot/vmlinuz-* "$tmp/keep/vmlinuz" &&
		cp "$tmp"/x/boot/config-* "$tmp/keep/config" &&
		cp "$tmp"/x/boot/System.map-* "$tmp/keep/System.map" &&
		mv "$deb" "$tmp/keep/" &&
		echo "$want" >"$tmp/keep/sha256" || { rm -rf "$tmp"; exit 1; }
		# Modules stay in the .deb; nothing in our scenarios needs one.
		rm -rf "$dir" && mv "$tmp/keep" "$dir" && rm -rf "$tmp"
	) 9>"$VM_CACHE/.lock" || return 1
	echo "$dir/vmlinuz"
}

# vm_perf_files: print HOST=GUEST specs for the real perf binary and every
# shared library it loads, including the dynamic loader.
vm_perf_files() {
	local perf lib
	perf=$(command -v perf) || { vm_log "perf not found (Debian package linux-perf)"; return 1; }
	perf=$(readlink -f "$perf")
	# On some Debian releases /usr/bin/perf is a wrapper script that execs
	# perf_VERSION; take the newest real binary then.
	if ! head -c 4 "$perf" | grep -q ELF; then
		perf=$(ls /usr/bin/perf_[0-9]* 2>/dev/null | sort -V | tail -n 1)
		[ -n "$perf" ] || { vm_log "no real perf binary next to the wrapper"; return 1; }
	fi
	echo "$perf=/usr/bin/perf"
	ldd "$perf" | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }' |
		while read -r lib; do
			echo "$lib=$lib"
		done
}

# vm_build_initramfs OUT SCENARIO [SPEC]...: SPEC is HOST=GUEST, or HOST
# alone for /bin/NAME.  Symlinks are followed.  Writes OUT (cpio newc, gzip).
vm_build_initramfs() {
	local out=$1 scenario=$2 root spec host guest
	shift 2
	root=$(mktemp -d "${TMPDIR:-/tmp}/dt-vm-root.XXXXXX") || return 1
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,results}
	cp /bin/busybox "$root/bin/busybox" || { rm -rf "$root"; return 1; }
	cp "$VM_LIB_DIR/init" "$root/init" && chmod 755 "$root/init" &&
	cp "$scenario" "$root/scenario" && chmod 755 "$root/scenario" ||
		{ rm -rf "$root"; return 1; }
	for spec in "$@"; do
		case $spec in
		*=*) host=${spec%%=*} guest=${spec#*=} ;;
		*) host=$spec guest=/bin/$(basename "$spec") ;;
		esac
		[ -e "$host" ] || { vm_log "initramfs: $host does not exist"; rm -rf "$root"; return 1; }
		mkdir -p "$root$(dirname "$guest")"
		cp -L "$host" "$root$guest" || { rm -rf "$root"; return 1; }
	done
	(cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) |
		gzip -1 >"$out.tmp" && mv "$out.tmp" "$out"
	local status=$?
	rm -rf "$root"
	return $status
}

# vm_boot INITRD OUTDIR: boot the kernel with INITRD; the console goes to
# OUTDIR/console.log and the results to OUTDIR/results/.  A boot that never
# reaches /init is retried (VM_BOOT_TRIES in all); anything after that is the
# scenario's business and is not retried.  Returns 0 when results came back.
vm_boot() {
	local initrd=$1 outdir=$2 kernel try status
	kernel=$(vm_kernel) || return 1
	mkdir -p "$outdir"
	for ((try = 1; try <= VM_BOOT_TRIES; try++)); do
		rm -rf "$outdir/results"
		status=0
		timeout -k 5 "$VM_TIMEOUT" "$VM_QEMU" -accel "$VM_ACCEL" -cpu max \
			-m "$VM_MEM_MB" -smp "$VM_CPUS" -nographic -no-reboot \
			-kernel "$kernel" -initrd "$initrd" -append "$VM_APPEND${VM_EXTRA_APPEND:+ $VM_EXTRA_APPEND}" \
			</dev/null >"$outdir/console.log" 2>&1 || status=$?
		tr -d '\r' <"$outdir/console.log" >"$outdir/console.txt"
		if grep -aq "$VM_MARK_BOOTED" "$outdir/console.txt"; then
			break
		fi
		vm_log "boot $try of $VM_BOOT_TRIES did not reach /init (qemu status $status)"
		[ "$try" -lt "$VM_BOOT_TRIES" ] || { tail -n 20 "$outdir/console.txt" >&2; return 1; }
	done
	[ "$status" -eq 124 ] && vm_log "the VM ran out of time (${VM_TIMEOUT}s); see $outdir/console.txt"
	mkdir -p "$outdir/results"
	if ! sed -n "/^$VM_MARK_BEGIN\$/,/^$VM_MARK_END\$/p" "$outdir/console.txt" |
		sed '1d;$d' | base64 -d 2>/dev/null | tar xzf - -C "$outdir/results" 2>/dev/null ||
		! grep -aq "^$VM_MARK_END\$" "$outdir/console.txt"; then
		vm_log "no complete results on the console; see $outdir/console.txt"
		tail -n 20 "$outdir/console.txt" >&2
		return 1
	fi
	return 0
}
