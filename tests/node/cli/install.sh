#!/usr/bin/env bash
# `cmake --install BUILD --prefix DIR` installs riskmesh and riskmeshd
# into DIR/bin (CMAKE_INSTALL_BINDIR). $1: the cmake binary.
. "$(dirname "$0")/lib.sh"
CMAKE=${1:-cmake}
expect "cmake --install" 0 "" "$CMAKE" --install "$RM_BUILD_DIR" --prefix "$T/inst"
BINDIR=$(sed -n 's/^CMAKE_INSTALL_BINDIR:PATH=//p' "$RM_BUILD_DIR/CMakeCache.txt")
check_eq "bindir is bin" "${BINDIR:-bin}" bin
check "riskmesh installed, executable" test -x "$T/inst/bin/riskmesh"
expect "installed riskmesh runs" 0 "^riskmesh [0-9]+\.[0-9]+" "$T/inst/bin/riskmesh" --version
if [ -x "$RM_BUILD_DIR/node/riskmeshd" ]; then
	check "riskmeshd installed, executable" test -x "$T/inst/bin/riskmeshd"
	expect "installed riskmeshd runs" 0 "^riskmeshd [0-9]+\.[0-9]+" "$T/inst/bin/riskmeshd" --version
else
	echo "skip riskmeshd (not built)"
fi
finish
