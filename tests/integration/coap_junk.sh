#!/usr/bin/env bash
# 20,000 junk datagrams to a real riskmeshd's CoAP port: every one is
# counted (GET /v1/status coap.malformed), the log gets a bounded sample
# (rm_log_allow: 5 lines per 10 s), and the server still answers.
. "$(dirname "$0")/lib.sh"
A=120000.emergency
N=20000
RUNTS=200
base=$(rm_base_port)
rm_fed_init "$FED" test
rm_agencies_import "$FED" "$RM_TEST_DATA/agencies.csv" "$A"
rm_node_config "$FED" $A $base $((base + 10))
rm_node_start "$FED" $A
log=$(rm_node_dir "$FED" $A)/log
before=$(wc -l <"$log")
t0=$(date +%s)
/usr/bin/python3 "$(dirname "$0")/coap_junk.py" 127.0.0.1 $((base + 10)) $N $RUNTS
wait_field $A "d['coap']['malformed']" $N 30
got=$(rm_status_field "$FED" $A "d['coap']['malformed']")
check_eq "every junk datagram is counted" "$got" $N
secs=$(( $(date +%s) - t0 + 1 ))
lines=$(( $(wc -l <"$log") - before ))
# 5 lines per 10 s window per limiter (junk, runts share it) plus slack.
max=$(( (secs / 10 + 1) * 5 + 5 ))
echo "# $N junk datagrams in ${secs}s: $lines log lines (bound $max)"
check "log lines bounded ($lines <= $max)" test "$lines" -le "$max"
check "the sample says how many lines were held back" \
    grep -q 'similar lines not logged\|discard malformed' "$log"
out=$(coap-client-openssl -m get -B 5 "coap://127.0.0.1:$((base + 10))/alerts" 2>&1)
check "the server still answers" grep -q '无生效预警' <<<"$out"
finish
