#!/bin/sh
# deps.sh PKG...: make sure the Debian packages nnc needs are installed.
# As root, install what is missing with apt-get; otherwise print the command.
missing=
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: missing:$missing"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null \
        || { echo "deps: apt-get install failed" >&2; exit 1; }
    echo "deps: installed:$missing"
else
    echo "deps: run as root: apt-get install -y$missing" >&2
    exit 1
fi
