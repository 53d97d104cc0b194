#!/usr/bin/env bash
# Indicators and the city health check (城市体检) across two riskmeshd
# processes: definitions and values ingested on Binhai (CSV and NDJSON,
# broken rows refused with line and column), the meteorology node
# answers value queries with the same values once they replicate, and
# `riskmesh health report` there writes a CSV whose numbers match and a
# PNG drawn by gnuplot (or says gnuplot is missing and still writes the
# CSV).
. "$(dirname "$0")/lib.sh"
A=120116.gov          # Binhai: publishes indicator for 120116
B=120000.meteorology  # publishes indicator for the city
it_two_nodes $A $B
aconf=$(rm_node_dir "$FED" $A)/node.conf
bconf=$(rm_node_dir "$FED" $B)/node.conf
RM=$RM_BIN/riskmesh

define() { # CONF CODE UNIT DIRECTION TARGET [WARNING] NAME PERIOD SOURCE AREA
	local w=()
	[ -n "$6" ] && w=(--warning "$6")
	"$RM" indicator define -c "$1" --code "$2" --unit "$3" --direction "$4" \
	    --target "$5" "${w[@]}" --name-zh "$7" --period "$8" --source "$9" \
	    --area "${10}"
}
out=$(define "$aconf" hc.green_space_per_capita 'm²/人' lower_worse 15 12 \
    人均公园绿地面积 year statistics 120116 2>&1)
check_contains "Binhai defines the green space indicator" "$out" \
    "defined hc.green_space_per_capita ver 1"
define "$aconf" hc.waterlogging_points 个 higher_worse 5 10 易涝积水点数量 \
    year survey 120116 >/dev/null
define "$aconf" hc.pm25 'μg/m³' higher_worse 35 '' PM2.5年均浓度 year \
    statistics 120116 >/dev/null
out=$(define "$bconf" rain_3h mm higher_worse 50 80 3小时降雨量 instant \
    sensor 120000 2>&1)
check_contains "meteorology defines rain_3h" "$out" "defined rain_3h ver 1"
out=$(define "$aconf" hc.bad mm higher_worse 50 40 x year survey 120116 2>&1)
check_contains "a warning on the better side is refused with its field" \
    "$out" "warning"

cat >"$T/health.csv" <<'CSV'
code,area,time,value
hc.green_space_per_capita,120116,2024,12.50
hc.green_space_per_capita,120116,2025,11.8
hc.waterlogging_points,120116,2024,7
hc.waterlogging_points,120116,2025,4
hc.pm25,120116,2024,38.125
hc.pm25,120116,2025,36.0
CSV
out=$("$RM" indicator ingest -c "$aconf" "$T/health.csv" 2>&1)
check_contains "riskmesh indicator ingest sends the health values" "$out" \
    "ingested 6 values in 3 series"

# a broken file: nothing stored, every bad row with line and column
printf '\xef\xbb\xbfcode,area,time,value,unit\r\nhc.pm25,120116,2023,abc,x\r\nhc.pm25,999,2023,1,x\r\nhc.pm25,120116,2023-13,1,x\r\nhc.pm25,120116,2023\r\nhc.pm25,120116,2022,1,\xff\r\nhc.pm25,120116,2021,3,x\r\n' >"$T/bad.csv"
r=$(rm_http "$FED" $A POST /v1/indicators -H 'Content-Type: text/csv' \
    --data-binary "@$T/bad.csv")
check_eq "a CSV with bad rows: 422, nothing stored" "$(http_status <<<"$r")" 422
check_eq "  the rows refused: line, column, field" \
    "$(http_body <<<"$r" | rm_json '[(x["line"], x["column"], x["field"]) for x in d["rows"]]')" \
    "[(2, 4, 'value'), (3, 2, 'area'), (4, 3, 'time'), (5, 0, ''), (6, 0, '')]"
check_contains "  the first reason names line and column" \
    "$(http_body <<<"$r" | rm_json 'd["reason"]')" "line 2, column 4"
out=$("$RM" indicator ingest -c "$aconf" "$T/bad.csv" 2>&1)
check_contains "the CLI refuses the file before sending" "$out" "nothing sent"
check_contains "  naming the line and column" "$out" "bad.csv:2: column 4 (value)"
r=$(rm_http "$FED" $A POST '/v1/indicators?skip_errors=1' \
    -H 'Content-Type: text/csv' --data-binary "@$T/bad.csv")
check_eq "skip_errors=1 but text that is not UTF-8 stops the reader: 422" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json 'd["rows"][-1]["line"]')" "422:6"
grep -v $'\xff' "$T/bad.csv" >"$T/bad2.csv"
r=$(rm_http "$FED" $A POST '/v1/indicators?skip_errors=1' \
    -H 'Content-Type: text/csv' --data-binary "@$T/bad2.csv")
check_eq "skip_errors=1: 201, the good row stored, 4 refused" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json '(d["stored"], d["refused"], d["series"][0]["from"])')" \
    "201:(1, 4, '2021')"

# sensor values as NDJSON, two stations, decimals kept exactly
nd=""
for i in 0 1 2 3 4 5; do
	nd+="{\"code\":\"rain_3h\",\"area\":\"120116001\",\"time\":\"2026-07-01T0$i:00:00+08:00\",\"value\":\"1$i.50\",\"unit\":\"mm\",\"source\":\"sensor\"}"$'\n'
	nd+="{\"code\":\"rain_3h\",\"area\":\"120116002\",\"time\":\"2026-07-01T0$i:00:00+08:00\",\"value\":$i.25}"$'\n'
done
r=$(rm_http "$FED" $A POST /v1/indicators -H 'Content-Type: application/x-ndjson' \
    --data-binary "$nd")
check_eq "NDJSON sensor values: 201, 12 values in 2 series" \
    "$(http_status <<<"$r"):$(http_body <<<"$r" | rm_json '(d["stored"], d["series_count"], sorted(x["count"] for x in d["series"]))')" \
    "201:(12, 2, [6, 6])"
check_eq "  unit and source from the definition" \
    "$(http_body <<<"$r" | rm_json 'sorted((x["area"], x["unit"], x["source"]) for x in d["series"])')" \
    "[('120116001', 'mm', 'sensor'), ('120116002', 'mm', 'sensor')]"

# 4 definitions, 3 + 1 + 2 series
check "meteorology holds every record" rm_wait_records "$FED" $B $((NA + 10)) 15
q() { rm_http "$FED" "$1" GET "/v1/indicators$2" | http_body; }
for n in $A $B; do
	check_eq "$n: rain_3h within 120116, newest first" \
	    "$(q $n '?code=rain_3h&area=120116&match=within&limit=3' | rm_json '[(x["area"], x["time"], x["value"]) for x in d["indicators"]]')" \
	    "[('120116001', '2026-06-30T21:00:00.000Z', '15.5'), ('120116002', '2026-06-30T21:00:00.000Z', '5.25'), ('120116001', '2026-06-30T20:00:00.000Z', '14.5')]"
done
check_eq "the same values on both nodes (all 12)" \
    "$(q $A '?code=rain_3h&area=120116' | md5sum)" "$(q $B '?code=rain_3h&area=120116' | md5sum)"
check_eq "overlap from a station: the city-wide query sees its own" \
    "$(q $B '?code=rain_3h&area=120116001&order=time&from=2026-07-01T01:00:00%2B08:00&to=2026-07-01T02:00:00%2B08:00' | rm_json '[x["value"] for x in d["indicators"]]')" \
    "['11.5', '12.5']"
check_eq "values for a period, exact decimals (12.50 -> 12.5)" \
    "$(q $B '?code=hc.green_space_per_capita&area=120116&period=2024' | rm_json '[(x["time"], x["value"], x["unit"]) for x in d["indicators"]]')" \
    "[('2024', '12.5', 'm²/人')]"
check_eq "latest per area" \
    "$(rm_http "$FED" $B GET '/v1/indicators/latest?code=rain_3h&area=120116' | http_body | rm_json '[(x["area"], x["value"]) for x in d["indicators"]]')" \
    "[('120116001', '15.5'), ('120116002', '5.25')]"
r=$(rm_http "$FED" $B GET '/v1/indicators.csv?code=hc.pm25&area=120116&order=time')
check_eq "/v1/indicators.csv: BOM, header, rows, exact" \
    "$(http_body <<<"$r" | cut -d, -f1-4 | tr -d '\r')" \
    "$(printf '\xef\xbb\xbfcode,area,time,value\nhc.pm25,120116,2021,3\nhc.pm25,120116,2024,38.125\nhc.pm25,120116,2025,36')"
check_eq "a query without code: 422 field code" \
    "$(rm_http "$FED" $B GET '/v1/indicators?area=120116' | http_body | rm_json 'd["field"]')" code
out=$("$RM" indicator defs -c "$bconf" --area 120116)
check_contains "riskmesh indicator defs on meteorology" "$out" "4 indicator definitions"
out=$("$RM" indicator values -c "$bconf" --code hc.pm25 --area 120116 --csv)
check_contains "riskmesh indicator values --csv" "$out" "hc.pm25,120116,2025,36"

# the health report on meteorology
out=$("$RM" health report -c "$bconf" --area 120116 --period 2025 --out "$T/report" 2>&1)
check_contains "health report: green space off target" "$out" "WARNING"
csv=$T/report/health-120116-2025.csv
check_eq "the CSV starts with a BOM" "$(head -c3 "$csv" | od -An -tx1 | tr -d ' ')" efbbbf
check_eq "the CSV's numbers match the values ingested" \
    "$(tail -n +2 "$csv" | tr -d '\r' | cut -d, -f1,5,6,7,8,9,10,11,12)" \
    "$(printf '%s\n' \
      'hc.green_space_per_capita,15,12,2025,11.8,2024,12.5,-0.7,WARNING' \
      'hc.pm25,35,,2025,36,2024,38.125,-2.125,OFF TARGET' \
      'hc.waterlogging_points,5,10,2025,4,2024,7,-3,on target')"
png=$T/report/health-120116-2025.png
check "the PNG exists and is not empty" test -s "$png"
check_eq "  with the PNG signature" "$(head -c8 "$png" | od -An -tx1 | tr -d ' ')" \
    89504e470d0a1a0a
out=$(RM_GNUPLOT=/nonexistent/gnuplot "$RM" health report -c "$bconf" \
    --area 120116 --period 2025 --out "$T/nognuplot" 2>&1)
check_contains "without gnuplot it says so" "$out" "gnuplot not found"
check "  and still writes the CSV" test -s "$T/nognuplot/health-120116-2025.csv"
# nothing to draw: said, no gnuplot run; a failing gnuplot fails the
# command; an --out that cannot be made is refused before the report
out=$("$RM" health report -c "$bconf" --area 120116 --period 2025-07 \
    --out "$T/monthly" 2>&1); rc=$?
check_contains "a period without values says so" "$out" \
    "no values for 120116 in 2025-07: no chart drawn (the indicators defined are by year: try --period 2025)"
check_eq "  exit 0, no gnuplot run" "$rc:$(grep -ci gnuplot <<<"$out")" "0:0"
out=$(RM_GNUPLOT=/bin/false "$RM" health report -c "$bconf" --area 120116 \
    --period 2025 --out "$T/failing" 2>&1); rc=$?
check_eq "a failing gnuplot: exit 1" "$rc" 1
check_contains "  said" "$out" "failed (status 1)"
out=$("$RM" health report -c "$bconf" --area 120116 --period 2025 \
    --out "$T/no/such/dir" 2>&1); rc=$?
check_eq "an --out that cannot be made: exit 1" "$rc" 1
check_eq "  before the report is printed" "$(grep -c 'city health check' <<<"$out")" 0

finish
