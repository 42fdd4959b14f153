#!/usr/bin/env bash
# make test-wsfc: faultline-wsfc.exe run for real under Debian's wine64,
# against the ClusAPI test double (tests/wsfc/double_*.c, a CLUSAPI.dll
# written from Microsoft's documentation) placed beside it:
#   1. the adapter's protocol tests (tests/wsfc/wsfc_test.py);
#   2. faultline plans through it (backend: exec, command: [wine64, exe]).
# One wineserver (`wineserver -p`, its own prefix under build/) serves the
# whole step and is stopped by that prefix at the end, also on failure.
# Exit 77 = SKIPPED: wine64 is missing and cannot be installed here.
set -euo pipefail
cd "$(dirname "$0")/../.."

WINE=/usr/lib/wine/wine64
WINESERVER=/usr/lib/wine/wineserver
DIR=build/wsfc

skip() {
	printf '\n!!!! test-wsfc: SKIPPED: %s !!!!\n' "$*" >&2
	exit 77
}

if [ ! -x "$WINE" ]; then
	[ "$(id -u)" -eq 0 ] || skip "wine64 is not installed and installing it needs root"
	command -v apt-get >/dev/null || skip "wine64 is not installed and there is no apt-get"
	echo "test-wsfc: installing wine64"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine64 >/dev/null ||
		skip "apt-get install wine64 failed"
fi
command -v python3 >/dev/null || skip "python3 is missing"

make --no-print-directory windows
mkdir -p "$DIR"
cp build/windows/faultline-wsfc.exe "$DIR/"
make --no-print-directory "$DIR/clusapi.dll" faultline

export WINEPREFIX="$PWD/$DIR/prefix" WINEARCH=win64 WINEDEBUG=-all
# the double, not Wine's stub clusapi; no Mono/Gecko install prompts
export WINEDLLOVERRIDES="clusapi=n;mscoree,mshtml="
stop_wine() { "$WINESERVER" -k 2>/dev/null || true; }
trap stop_wine EXIT
mkdir -p "$WINEPREFIX"
# Nothing Wine starts in the background may hold our pipes: every fd to /dev/null.
"$WINESERVER" -p </dev/null >/dev/null 2>&1
start=$(date +%s%N)
"$WINE" wineboot -i </dev/null >/dev/null 2>&1
echo "test-wsfc: wine prefix ready in $((($(date +%s%N) - start) / 1000000)) ms"

python3 tests/wsfc/wsfc_test.py "$WINE" "$DIR"
bash tests/wsfc/plans.sh "$WINE" "$DIR"
