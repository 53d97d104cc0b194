#!/usr/bin/env bash
# kill -9 riskmeshd while it ingests alerts over HTTP; after a restart every
# acknowledged (201) record is there.
. "$(dirname "$0")/lib.sh"
A=120000.emergency
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$A"
rm_node_config "$FED" $A $base off
rm_node_start "$FED" $A
nd=$(rm_node_dir "$FED" $A)
addr=$(rm_conf_get "$nd/node.conf" http_listen)
token=$(rm_conf_get "$nd/node.conf" http_token)

ingest() { # at most 3000 requests, at most 20 s
	local i=0 end=$(( $(date +%s) + 20 )) body code
	while [ $i -lt 3000 ] && [ "$(date +%s)" -lt $end ]; do
		body=$(curl -s -m 5 -w '\n%{http_code}' -H "Authorization: Bearer $token" \
		    -d "{\"grade\":\"yellow\",\"areas\":[\"120116\"],\"texts\":[{\"lang\":\"en-US\",\"event\":\"Load\",\"headline\":\"load $i\"}]}" \
		    "http://$addr/v1/alerts") || break
		code=$(tail -1 <<<"$body")
		[ "$code" = 201 ] || break
		sed '$d' <<<"$body" | rm_json 'd["hash"]' >>"$T/acked"
		i=$((i + 1))
	done
}
: >"$T/acked"
for w in 1 2 3; do ingest & EXTRA_PIDS+=($!); done
sleep 3
rm_node_kill "$FED" $A KILL
for p in "${EXTRA_PIDS[@]}"; do wait "$p" 2>/dev/null; done
EXTRA_PIDS=()
acked=$(wc -l <"$T/acked")
check "some requests were acknowledged before the kill ($acked)" test "$acked" -gt 10

rm_node_start "$FED" $A
missing=0
while read -r h; do
	code=$(rm_http "$FED" $A GET "/v1/records/$h" -o /dev/null | tail -1)
	[ "$code" = 200 ] || missing=$((missing + 1))
done <"$T/acked"
check_eq "every acknowledged record survived kill -9" "$missing" 0
n=$(rm_status_field "$FED" $A 'd["records"]')
check "store holds at least the acknowledged records ($n >= $acked)" test "$n" -ge "$acked"
finish
