#!/usr/bin/env bash
# Unpacks Debian's python3-sklearn into .cache/python3-sklearn without installing it (installing
# would pull numpy and scipy); the dataset loaders read its CSVs from there (src/data/sklearn.ts).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.cache/python3-sklearn"
[ -f "$dest/usr/lib/python3/dist-packages/sklearn/datasets/data/iris.csv" ] && exit 0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download python3-sklearn >/dev/null 2>&1) || { apt-get update -qq >/dev/null 2>&1 && (cd "$tmp" && apt-get download python3-sklearn >/dev/null); }
mkdir -p "$dest"
dpkg-deb -x "$tmp"/python3-sklearn_*.deb "$dest"
echo "python3-sklearn unpacked into $dest"
