# fork_lib.sh -- a fork with equal-length logs, shared by
# fork_equal_length.sh and fork_resolve.sh (source it after lib.sh):
#
#   A (120116.gov) -- C (120000.command) -- D (120103.gov) -- A' (120116.gov,
#   a copy of A's identity with its own store, node directory "copy")
#   W (120000.water) -- D: adjacent to neither forker
#
# fork_setup: the federation and the node configs (C=120000.registry set
# before sourcing: C is the province's registrar, in the charter); sets
# NA, the agency records every node stores besides the alerts (lib.sh). fork_make N: start the nodes,
# A signs N records, the copy signs its own seq 1 and joins; checks that
# every node reports the fork.
X=120116.gov
C=${C:-120000.command}              # fork_resolve.sh registrar: 120000.registry
D=120103.gov
W=120000.water
base=$(rm_base_port)
url() { echo "tls+tcp://127.0.0.1:$((base + 20 + $1))"; }
# the copy: a node directory of its own, with X's identity
copy_conf() {
	mkdir -p "$FED/nodes/copy"
	"$RM_BIN/riskmesh" node config --dir "$FED" --id $X \
	    --data-dir "$FED/nodes/copy/data" --http "127.0.0.1:$((base + 4))" \
	    --coap off "$@" -o "$FED/nodes/copy/node.conf" >/dev/null ||
	    rm_die "node config copy"
}
# registrar_tls ID: a TLS key and certificate (CN and DNS name ID, issued
# by the federation CA) for a registrar of the charter, which the CLI
# gives only agency.key (it signs records, it runs no node by default).
registrar_tls() {
	local d=$FED/agencies/$1
	openssl ecparam -name prime256v1 -genkey -noout -out "$d/tls.key" 2>/dev/null &&
	openssl req -new -key "$d/tls.key" -subj "/CN=$1" -out "$d/tls.csr" 2>/dev/null &&
	printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
	    'keyUsage=critical,digitalSignature' \
	    'extendedKeyUsage=serverAuth,clientAuth' \
	    "subjectAltName=DNS:$1,IP:127.0.0.1,IP:::1" >"$d/tls.ext" &&
	openssl x509 -req -in "$d/tls.csr" -CA "$FED/ca.crt" -CAkey "$FED/root.key" \
	    -CAcreateserial -days 30 -sha256 -extfile "$d/tls.ext" \
	    -out "$d/tls.crt" 2>/dev/null || rm_die "registrar TLS for $1"
}
fork_setup() {
	rm_fed_init "$FED" test
	case $C in
	*.registry)                 # a registrar of the charter (added by the import)
		rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$X,$D,$W"
		registrar_tls $C ;;
	*) rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$X,$C,$D,$W" ;;
	esac
	NA=$(it_agency_records)
	rm_node_config "$FED" $X $((base)) off --peer "$C,listen,$(url 0)"
	rm_node_config "$FED" $C $((base + 1)) off \
	    --peer "$X,dial,$(url 0)" --peer "$D,listen,$(url 1)"
	rm_node_config "$FED" $D $((base + 2)) off \
	    --peer "$C,dial,$(url 1)" --peer "$X,listen,$(url 2)" \
	    --peer "$W,listen,$(url 3)"
	rm_node_config "$FED" $W $((base + 3)) off --peer "$D,dial,$(url 3)"
	copy_conf
}

issue() { # NODE-DIR-NAME HEADLINE: prints the HTTP status
	rm_http "$FED" "$1" POST /v1/alerts -H 'Content-Type: application/json' \
	    --data-binary "{\"grade\":\"blue\",\"areas\":[\"120116\"],\"texts\":[{\"lang\":\"zh-CN\",\"event\":\"测试\",\"headline\":\"$2\"}]}" |
	    http_status
}
wait_forks() { # NODE-DIR-NAME SECONDS
	local deadline=$(( $(date +%s) + $2 )) n
	while [ "$(date +%s)" -le "$deadline" ]; do
		n=$(rm_status_field "$FED" "$1" 'd["forks"]' 2>/dev/null || echo 0)
		[ "${n:-0}" -ge 1 ] && return 0
		sleep 0.2
	done
	return 1
}

fork_make() { # N
	local i n
	for n in $X $C $D $W; do rm_node_start "$FED" $n; done
	check "C is up" rm_wait_peers_up "$FED" $C 2 15
	check "D is up with C and W" rm_wait_peers_up "$FED" $D 2 15
	for i in $(seq "$1"); do
		check_eq "A issues seq $i" "$(issue $X "original")" 201
	done
	for n in $C $D $W; do
		check "$n holds A's $1 records" rm_wait_records "$FED" $n $((NA + $1)) 15
	done

	# The copy signs its own seq 1 alone (no peers: nothing to wait for).
	rm_node_start "$FED" copy
	check_eq "the copy issues a different seq 1" "$(issue copy "forged")" 201
	rm_node_kill "$FED" copy TERM
	copy_conf --peer "$D,dial,$(url 2)"
	rm_node_start "$FED" copy

	for n in $D copy $C $X $W; do
		check "the fork is reported on $n" wait_forks $n 30
	done
}
