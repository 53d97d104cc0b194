#!/usr/bin/env bash
# node config writes a node.conf that the daemon's parser accepts.
. "$(dirname "$0")/lib.sh"
F=$T/fed
"$RM" federation init --dir "$F" --name tianjin >/dev/null || bad "federation init"
"$RM" agency import --dir "$F" --csv "$RM_TEST_DATA/agencies.csv" \
    --only 120000.command,120116.gov,120103.gov >/dev/null || bad "agency import"

cd "$T" || exit 1
expect "node config" 0 "wrote n1.conf for 120116.gov" \
    "$RM" node config --dir fed --id 120116.gov --data-dir data/120116 \
    --http 127.0.0.1:18080 --coap 127.0.0.1:15683 \
    --peer 120000.command,dial,tls+tcp://127.0.0.1:17101 \
    --peer 120103.gov,listen,tls+tcp://127.0.0.1:17103 --log-level debug -o n1.conf
check "node.conf is 0600" test "$(stat -c %a n1.conf)" = 600
get() { sed -n "s/^$1 = //p" n1.conf; }
check_eq "agency" "$(get agency)" 120116.gov
check_eq "key path is absolute, into DIR" "$(get key)" "$T/fed/agencies/120116.gov/agency.key"
check_eq "ca path" "$(get ca)" "$T/fed/ca.crt"
check_eq "roster path" "$(get roster)" "$T/fed/roster.cose"
check_eq "agencies path" "$(get agencies)" "$T/fed/agencies.cbor"
check_eq "tls_cert path" "$(get tls_cert)" "$T/fed/agencies/120116.gov/tls.crt"
check_eq "tls_key path" "$(get tls_key)" "$T/fed/agencies/120116.gov/tls.key"
check_eq "data_dir absolute" "$(get data_dir)" "$T/data/120116"
check_eq "http_listen" "$(get http_listen)" 127.0.0.1:18080
check_eq "coap_listen" "$(get coap_listen)" 127.0.0.1:15683
check_eq "log_level" "$(get log_level)" debug
check "random token: 32 hex digits" grep -Eqx "http_token = [0-9a-f]{32}" n1.conf
check_eq "two peer lines" "$(grep -c '^peer = ' n1.conf)" 2
check "listen peer" grep -qx "peer = 120103.gov listen tls+tcp://127.0.0.1:17103" n1.conf
# --rules (and --rules-auto-issue): the rules keys of node.conf
expect "node config --rules" 0 "wrote n9.conf" \
    "$RM" node config --dir fed --id 120116.gov --data-dir data/120116 \
    --http 127.0.0.1:18080 --coap off --rules my.rules --rules-auto-issue -o n9.conf
check_eq "rules path is absolute" "$(sed -n 's/^rules = //p' n9.conf)" "$T/my.rules"
check_eq "rules_auto_issue" "$(sed -n 's/^rules_auto_issue = //p' n9.conf)" yes
expect "riskmesh's config parser accepts it" 0 "n1.conf: OK \(agency 120116.gov, 2 peers\)" \
    "$RM" node check -c n1.conf
expect "effective config hides the token" 0 "# http_token = \(hidden\)" \
    "$RM" node check -c n1.conf -v
if [ -x "$RM_BUILD_DIR/node/riskmeshd" ]; then
	expect "riskmeshd -n accepts it" 0 "" "$RM_BUILD_DIR/node/riskmeshd" -n -c n1.conf
else
	echo "skip riskmeshd -n (riskmeshd not built)"
fi

expect "explicit token, coap off, insecure tcp peer" 0 "coap off, 1 peer" \
    "$RM" node config --dir fed --id 120000.command --data-dir /var/tmp/x \
    --http 0.0.0.0:18081 --coap off --insecure --token 0123456789abcdef \
    --peer 120116.gov,listen,tcp://127.0.0.1:17101 -o n2.conf
check "token kept" grep -qx "http_token = 0123456789abcdef" n2.conf
check "insecure = yes" grep -qx "insecure = yes" n2.conf
expect "n2.conf parses" 0 "OK" "$RM" node check -c n2.conf

# '#' inside a value is kept: what is written is what is read back
expect "token and data dir with '#'" 0 "wrote n4.conf" \
    "$RM" node config --dir fed --id 120116.gov --data-dir "d#1" --http 127.0.0.1:18082 \
    --coap off --token 'abcdefghijklmnopq#rs' -o n4.conf
check "token written whole" grep -qx "http_token = abcdefghijklmnopq#rs" n4.conf
expect "n4.conf reads back the data dir whole" 0 "^data_dir = $T/d#1\$" \
    "$RM" node check -c n4.conf -v
check "header states the comment rule" grep -qx "# the line or follows a space or tab; any other '#' is part of the value." n4.conf
expect "node config --help states the token rule" 0 \
    "--token TOKEN +HTTP bearer token, 16..128 printable ASCII characters, no spaces, not starting with '#'" \
    "$RM" node config --help
check "node.conf key help states the same rule" grep -qE "^  http_token +token +required +bearer token for the HTTP API, 16..128 printable ASCII characters, no spaces, not starting with '#'$" <<<"$OUT"

# refusals
expect "agency not in the roster" 1 "--id: 120999.gov is not in the roster" \
    "$RM" node config --dir fed --id 120999.gov --data-dir d --http 127.0.0.1:1 --coap off -o n3.conf
expect "peer not in the roster" 1 "--peer: 120000.water is not in the roster" \
    "$RM" node config --dir fed --id 120116.gov --data-dir d --http 127.0.0.1:1 --coap off \
    --peer 120000.water,dial,tls+tcp://127.0.0.1:1 -o n3.conf
expect "tcp:// peer needs --insecure" 2 "tcp:// without TLS needs insecure" \
    "$RM" node config --dir fed --id 120116.gov --data-dir d --http 127.0.0.1:1 --coap off \
    --peer 120000.command,dial,tcp://127.0.0.1:1 -o n3.conf
expect "short token" 2 "--token: http_token: too short \(5 characters, at least 16\)" \
    "$RM" node config --dir fed --id 120116.gov --data-dir d --http 127.0.0.1:1 --coap off \
    --token short -o n3.conf
expect "long token" 2 "--token: http_token: too long \(129 characters, at most 128\)" \
    "$RM" node config --dir fed --id 120116.gov --data-dir d --http 127.0.0.1:1 --coap off \
    --token "$(printf 'x%.0s' $(seq 129))" -o n3.conf
expect "token with a space" 2 "--token: http_token: character 9 is not printable ASCII or is a space" \
    "$RM" node config --dir fed --id 120116.gov --data-dir d --http 127.0.0.1:1 --coap off \
    --token "01234567 9abcdefgh" -o n3.conf
expect "token starting with '#'" 2 "--token: http_token: value starts with '#'" \
    "$RM" node config --dir fed --id 120116.gov --data-dir d --http 127.0.0.1:1 --coap off \
    --token "#0123456789abcdefgh" -o n3.conf
expect "token with trailing whitespace" 2 "--token: http_token: value starts or ends with whitespace" \
    "$RM" node config --dir fed --id 120116.gov --data-dir d --http 127.0.0.1:1 --coap off \
    --token "0123456789abcdefgh " -o n3.conf
expect "data dir with ' #'" 2 "--data-dir: data_dir: value contains whitespace followed by '#'" \
    "$RM" node config --dir fed --id 120116.gov --data-dir "d #x" --http 127.0.0.1:1 --coap off -o n3.conf
expect "data dir with a line break" 2 "--data-dir: data_dir: value contains a line break" \
    "$RM" node config --dir fed --id 120116.gov --data-dir "$(printf 'd\nx')" --http 127.0.0.1:1 --coap off -o n3.conf
ln -s fed "fed #2"
expect "federation dir node.conf cannot carry" 2 "--dir: key: value contains whitespace followed by '#'" \
    "$RM" node config --dir "fed #2" --id 120116.gov --data-dir d --http 127.0.0.1:1 --coap off -o n3.conf
expect "own id as peer" 2 "--peer: 120116.gov is the node's own agency \(--id\)" \
    "$RM" node config --dir fed --id 120116.gov --data-dir d --http 127.0.0.1:1 --coap off \
    --peer 120116.gov,dial,tls+tcp://127.0.0.1:1 -o n3.conf
expect "duplicate peer" 2 "--peer: 120000.command given twice" \
    "$RM" node config --dir fed --id 120116.gov --data-dir d --http 127.0.0.1:1 --coap off \
    --peer 120000.command,dial,tls+tcp://127.0.0.1:1 \
    --peer 120000.command,listen,tls+tcp://127.0.0.1:2 -o n3.conf
expect "bad --http" 2 "--http: http_listen: \"localhost\" is not HOST:PORT" \
    "$RM" node config --dir fed --id 120116.gov --data-dir d --http localhost --coap off -o n3.conf
expect "bad --peer syntax" 2 "--peer: \"120000.command,dial\": expected ID,dial\|listen,URL" \
    "$RM" node config --dir fed --id 120116.gov --data-dir d --http 127.0.0.1:1 --coap off \
    --peer 120000.command,dial -o n3.conf
expect "bad --peer mode" 2 "mode \"connect\" is not dial or listen" \
    "$RM" node config --dir fed --id 120116.gov --data-dir d --http 127.0.0.1:1 --coap off \
    --peer 120000.command,connect,tls+tcp://127.0.0.1:1 -o n3.conf
check "no file written on refusal" test ! -e n3.conf

# node check reports FILE:LINE: KEY: why
sed 's/^group_max = .*/group_max = 0/' n1.conf >bad.conf
expect "node check: out of range" 1 "bad.conf:[0-9]+: group_max: 0 out of range \(1..65536 jobs\)" \
    "$RM" node check -c bad.conf
finish
