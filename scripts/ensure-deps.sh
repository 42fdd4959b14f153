#!/bin/sh
# ensure-deps.sh build|test|fuzz - install the Debian packages faultline needs.
#
# As root, missing packages are installed with apt-get (after one
# `apt-get update`). As any other user, the exact apt-get line is printed
# and the script fails, so nothing is half-built.
set -eu

what=${1:-build}
# `windows`: the cross-compiler for faultline-wsfc.exe only.
if [ "$what" = windows ]; then
	command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 && exit 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "faultline: run as root:  apt-get update && apt-get install -y gcc-mingw-w64-x86-64" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends gcc-mingw-w64-x86-64 >/dev/null
	exit 0
fi
# pkg-config module -> Debian package that provides it
build_mods="yaml-0.1:libyaml-dev libpcre2-8:libpcre2-dev jansson:libjansson-dev nettle:nettle-dev libcurl:libcurl4-openssl-dev libxml-2.0:libxml2-dev libmicrohttpd:libmicrohttpd-dev"
test_mods="criterion:libcriterion-dev"
tools="cc:gcc make:make pkg-config:pkg-config"

mods=$build_mods
[ "$what" = test ] && mods="$build_mods $test_mods"
[ "$what" = fuzz ] && tools="$tools clang:clang"
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
# libFuzzer's runtime is only a Recommends of clang: check it links.
if [ "$what" = fuzz ] && command -v clang >/dev/null 2>&1 &&
	! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }' |
	clang -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1; then
	missing="$missing libclang-rt-dev"
fi
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
