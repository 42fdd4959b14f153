#!/bin/sh
# ensure-deps.sh build|test - install the Debian packages faultline needs.
#
# As root, missing packages are installed with apt-get (after one
# `apt-get update`). As any other user, the exact apt-get line is printed
# and the script fails, so nothing is half-built.
set -eu

what=${1:-build}
# pkg-config module -> Debian package that provides it
build_mods="yaml-0.1:libyaml-dev libpcre2-8:libpcre2-dev jansson:libjansson-dev libcrypto:libssl-dev libcurl:libcurl4-openssl-dev"
test_mods="criterion:libcriterion-dev"
tools="cc:gcc make:make pkg-config:pkg-config"

mods=$build_mods
[ "$what" = test ] && mods="$build_mods $test_mods"
# The HTML report test renders in Chromium (python3 reads the PNG); the live view is tested in tmux.
[ "$what" = test ] && tools="$tools chromium:chromium tmux:tmux python3:python3"

missing=""
for t in $tools; do
	command -v "${t%%:*}" >/dev/null 2>&1 || missing="$missing ${t#*:}"
done
for m in $mods; do
	if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "${m%%:*}"; then
		missing="$missing ${m#*:}"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "faultline: missing packages:$missing" >&2
	echo "faultline: run as root:  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "faultline: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
