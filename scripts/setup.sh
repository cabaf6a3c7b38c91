#!/bin/sh
# setup.sh - install what warmstore needs (Debian 12, as root) and build it.
#
# Usage: scripts/setup.sh [configure options...]
# Installs the missing Debian packages with apt-get (when run as root),
# then runs autoreconf, configure and make in the source tree.
set -eu

cd "$(dirname "$0")/.."

# Everything the build and the whole test suite use beyond a minimal
# Debian (debootstrap --variant=minbase): bats and mandoc run the suites
# and lint the pages, groff-base lints them too, time measures peak memory
# (badinput.bats), gnuplot-nox draws for scripts/ws-plot (plot.bats).
PACKAGES="build-essential autoconf automake pkg-config libcjson-dev libdeflate-dev zlib1g-dev bats mandoc time gnuplot-nox groff-base"

missing=
for p in $PACKAGES; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup.sh: missing packages:$missing (run as root, or: sudo apt-get install$missing)" >&2
		exit 2
	fi
	echo "setup.sh: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	# mandoc -Tlint looks cross-references up in the manual database.
	if command -v makewhatis >/dev/null 2>&1; then
		makewhatis /usr/share/man >/dev/null 2>&1 || true
	fi
fi

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
	autoreconf -fi
fi
if [ ! -f Makefile ] || [ "$#" -gt 0 ] || [ configure -nt config.status ]; then
	./configure --enable-werror "$@"
fi
make -j"$(nproc 2>/dev/null || echo 2)"
