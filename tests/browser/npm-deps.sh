#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Install the pinned npm packages the tests use (tests/npm/package.json)
# into tests/npm/node_modules, exactly as package-lock.json pins them (npm ci
# never rewrites the lock file); quick when they are already there.
set -euo pipefail
cd "$(dirname "$0")/../npm"
want=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ -f node_modules/.damotrace-stamp ] && [ "$(cat node_modules/.damotrace-stamp)" = "$want" ]; then
	exit 0
fi
command -v npm >/dev/null || { echo "npm-deps: npm is missing: run 'make deps'" >&2; exit 1; }
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > node_modules/.damotrace-stamp
