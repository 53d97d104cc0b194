#!/usr/bin/env bash
# The main demo as a test: five nodes, the centre killed and restarted.
set -u
: "${RM_SRC_DIR:?run through ctest}"
work=$(mktemp -d /tmp/rm-demo-test.XXXXXX)
RM_BIN=$RM_BUILD_DIR/node "$RM_SRC_DIR/sims/federation_demo.sh" "$work"
rc=$?
if [ $rc -eq 0 ]; then
	rm -rf "$work"
	echo "1 passed, 0 failed"
else
	for f in "$work"/federation/nodes/*/log; do echo "== $f"; tail -30 "$f"; done
	echo "0 passed, 1 failed"
fi
exit $rc
