#!/usr/bin/env bash
# The HTTP/JSON API refuses bad requests with the right status and a JSON
# body naming the field and the reason, counts them, and stores nothing.
. "$(dirname "$0")/lib.sh"
A=120000.water
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$A"
NA=$(it_agency_records)
rm_node_config "$FED" $A $base off
rm_node_start "$FED" $A
nd=$(rm_node_dir "$FED" $A)
addr=$(rm_conf_get "$nd/node.conf" http_listen)

code=$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/v1/status")
check_eq "no token: 401" "$code" 401
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer wrong-token-0123456789" "http://$addr/v1/status")
check_eq "wrong token: 401" "$code" 401
hdr=$(curl -s -o /dev/null -D - "http://$addr/v1/status" | tr -d '\r' | grep -i '^www-authenticate:')
check_eq "401 names the scheme (RFC 9110 §11.6.1)" "$hdr" 'WWW-Authenticate: Bearer realm="riskmesh"'

# nng answers an unsupported HTTP version itself: the body is our JSON error.
r=$(printf 'GET /v1/status HTTP/2.0\r\nHost: x\r\n\r\n' |
    timeout 5 bash -c "exec 3<>/dev/tcp/${addr%:*}/${addr##*:}; cat >&3; cat <&3" | tr -d '\r')
check_eq "HTTP/2.0 request line: 505" "$(head -1 <<<"$r" | cut -d' ' -f2)" 505
check_eq "505 body is the JSON error" "$(sed '1,/^$/d' <<<"$r" | rm_json 'd["error"]' 2>/dev/null)" EUNSUPPORTED

post() { rm_http "$FED" $A POST /v1/alerts -H 'Content-Type: application/json' "$@"; }
expect() { # DESCRIPTION STATUS FIELD BODY
	local r; r=$(post --data-binary "$4")
	check_eq "$1: status" "$(http_status <<<"$r")" "$2"
	if [ -n "$3" ]; then
		check_eq "$1: names field" "$(http_body <<<"$r" | rm_json 'd["field"]' 2>/dev/null)" "$3"
	fi
}
T1='"texts":[{"lang":"zh-CN","event":"暴雨","headline":"暴雨预警"}]'
expect "not JSON" 400 "" '{"grade": '
expect "missing grade" 400 grade "{\"areas\":[\"120116\"],$T1}"
expect "grade of wrong type" 400 grade "{\"grade\":3,\"areas\":[\"120116\"],$T1}"
expect "unknown grade" 422 grade "{\"grade\":\"purple\",\"areas\":[\"120116\"],$T1}"
expect "bad area code" 422 areas "{\"grade\":\"blue\",\"areas\":[\"12011\"],$T1}"
expect "missing texts" 400 texts '{"grade":"blue","areas":["120116"]}'
expect "time without offset" 422 expires "{\"grade\":\"blue\",\"areas\":[\"120116\"],\"expires\":\"2030-01-01T00:00:00\",$T1}"
expect "grade above the agency's maximum" 403 grade "{\"grade\":\"red\",\"areas\":[\"120116\"],$T1}"
expect "area outside the agency's prefixes" 403 areas "{\"grade\":\"blue\",\"areas\":[\"110101\"],$T1}"
{ printf '{"grade":"blue","x":"'; head -c 1200000 /dev/zero | tr '\0' 'a'; printf '"}'; } >"$T/big.json"
r=$(post --data-binary "@$T/big.json")
check_eq "body over 1 MiB: status" "$(http_status <<<"$r")" 413
r=$(rm_http "$FED" $A GET /v1/records/00112233)
check_eq "bad hash: 400" "$(http_status <<<"$r")" 400
r=$(rm_http "$FED" $A GET "/v1/records/$(printf '%064d' 0)")
check_eq "unknown record: 404" "$(http_status <<<"$r")" 404
r=$(rm_http "$FED" $A DELETE /v1/alerts)
check_eq "DELETE: 405" "$(http_status <<<"$r")" 405
r=$(rm_http "$FED" $A POST /v1/alerts/no-such-object/cancel)
check_eq "cancel unknown object: 404" "$(http_status <<<"$r")" 404
check_eq "nothing was stored" "$(rm_status_field "$FED" $A 'd["records"]')" $NA

r=$(post --data-binary "{\"grade\":\"orange\",\"areas\":[\"120116\"],$T1}")
check_eq "a valid alert: 201" "$(http_status <<<"$r")" 201
check_eq "stored once" "$(rm_status_field "$FED" $A 'd["records"]')" $((NA + 1))
m=$(rm_http "$FED" $A GET /metrics | http_body)
check "metrics count 4xx responses" grep -q 'riskmesh_http_requests_total{code="422"}' <<<"$m"
check "metrics count stored records" grep -q "^riskmesh_records $((NA + 1))$" <<<"$m"
check "metrics report the roster's age" grep -q '^riskmesh_roster_age_seconds [0-9]' <<<"$m"
check_eq "the roster is current (not stale)" \
    "$(rm_status_field "$FED" $A '[d["roster"]["stale"], d["roster"]["newest_seen"] == d["roster_version"]]')" \
    "[False, True]"
finish
