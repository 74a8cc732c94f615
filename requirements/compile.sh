#!/bin/sh
# Compiles the lock files from pyproject.toml with uv (hashes, every platform, Python 3.11).
#   compile.sh DIR [--upgrade]   writes DIR/main.txt and DIR/dev.txt
#   compile.sh --check           fails when the committed lock files differ from a fresh
#                                compile that keeps their pins (pyproject.toml changed)
set -eu
UV="${LOCK_UV:-uv}"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/.."

compile() {  # compile OUT_DIR [extra uv args]
  out="$1"; shift
  common="--generate-hashes --universal --python-version 3.11 --quiet --custom-compile-command 'make lock'"
  eval "$UV" pip compile pyproject.toml $common "$@" -o "$out/main.txt"
  eval "$UV" pip compile pyproject.toml --extra dev $common "$@" \
    -c "$out/main.txt" -o "$out/dev.txt"
}

if [ "${1:-}" = "--check" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  cp requirements/main.txt requirements/dev.txt "$tmp/"
  compile "$tmp"
  # The constraint line names the directory it was compiled in.
  for f in main.txt dev.txt; do
    sed "s#$tmp/#requirements/#g" "$tmp/$f" > "$tmp/$f.norm"
    if ! diff -u "requirements/$f" "$tmp/$f.norm"; then
      echo "requirements/$f does not match pyproject.toml: run 'make lock' and commit it" >&2
      exit 1
    fi
  done
  echo "lock files match pyproject.toml"
else
  out="$1"; shift
  compile "$out" "$@"
fi
