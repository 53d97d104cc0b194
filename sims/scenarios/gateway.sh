# about: (e) Beijing-Tianjin gateway: exactly what the export policies allow crosses, both ways; a cut gateway link catches up
# Topology: generated (--nodes N, default 16, --ci 8: ceil(N/2) Beijing
# nodes, the rest Tianjin; sim_topo_gateway) or --topo FILE with
# "gateway A B" lines (sims/topologies/beijing-tianjin.topo). Two
# federations, each with its own root made by the CLI; every node trusts
# the other root for the other region's areas only (`foreign`); the
# gateway link (the first "gateway" line) goes through the relay like
# every link, so it is cut and healed the same way. Export policies
# (docs/PROTOCOL.md §12.4), deliberately not the same at first:
#   Beijing's gateway  kinds=agency,alert       areas=110000,120000 grade=yellow
#   Tianjin's gateway  kinds=agency,alert,risk  areas=110000,120000 grade=orange
# Assertions, both ways (Beijing -> Tianjin, Tianjin -> Beijing):
#  1. a region-wide red alert (a city department, or the centre) reaches
#     every node of the other federation (latency: VALUE red_*_ms, and
#     latency.csv tags red_bj, red_tj);
#  2. a district's blue notice reaches its own gateway but no node of the
#     other side (an orange alert of the same district issued after it
#     crosses: the link was not just slow);
#  3. a record the sender's policy lets out and the receiver's refuses is
#     refused and counted (policy_refused of the gateway on /v1/status,
#     riskmesh_gateway_policy_refused_total) and is on no node of the
#     other side: Beijing's yellow region-wide alert (Tianjin: grade
#     orange), Tianjin's risk register item (Beijing: no kind risk);
#  4. with the gateway link cut (relay, both directions, the nodes keep
#     running) red alerts issued on each side stay on that side; after the
#     heal they reach every node of the other side (VALUE
#     gateway_heal_catch_up_ms), and `riskmesh sync` over the link ends
#     without error;
#  5. the operators agree on one policy (Beijing's) with `riskmesh gateway
#     policy` and restart the gateways: the yellow alert Tianjin refused now
#     crosses to every Tianjin node (catch-up or `riskmesh sync`);
#  6. at the end `riskmesh sync` over the gateway link reports "0 records
#     sent, 0 wanted" from either end (equal exported subsets).
scenario_run() {
	local common="--kinds agency,alert --areas 110000,120000 --grade yellow"
	local tj_first="--kinds agency,alert,risk --areas 110000,120000 --grade orange"
	if [ -z "$TOPO" ]; then
		TOPO=$OUT/generated.topo
		sim_topo_gateway "${OPT_NODES:-$(sim_size 8 16)}" "$TOPO"
	fi
	sim_topo_peek_gateway "$TOPO"
	SIM_GW_POLICY=$common
	SIM_GW_POLICY_OF[$GW_TJ]=$tj_first
	sim_setup "$TOPO"
	sim_start_all
	local BJ=() TJ=() id
	for id in "${NODES[@]}"; do
		if [ "$(sim_region "$id")" = "$(sim_region "$GW_BJ")" ]; then BJ+=("$id"); else TJ+=("$id"); fi
	done
	rm_say "Beijing: ${BJ[*]}"
	rm_say "Tianjin: ${TJ[*]}"
	local gl; gl=$(sim_link_index "$GW_BJ" "$GW_TJ")

	gw_direction bj "$GW_BJ" "$GW_TJ" "${#BJ[@]}" "${BJ[@]}" "${TJ[@]}"
	gw_direction tj "$GW_TJ" "$GW_BJ" "${#TJ[@]}" "${TJ[@]}" "${BJ[@]}"

	# 3. refused by the receiver's policy, counted
	local yellow risk
	sim_issue "$GW_BJ" yellow_bj yellow 110000 || rm_die "issue yellow"
	yellow=$SIM_LAST_HASH
	sim_check "policy refusal Beijing -> Tianjin: $GW_TJ counts the yellow alert (grade below orange)" \
	    gw_wait_refused 20 "$GW_TJ" 1
	sim_check "... and no Tianjin node stores it" gw_lacks_all "$yellow" "${TJ[@]}"
	risk=$(gw_risk "$GW_TJ") || rm_die "risk add at $GW_TJ"
	sim_check "Tianjin's risk item reaches its own federation" \
	    gw_wait_all 20 "$risk" "${TJ[@]}"
	sim_check "policy refusal Tianjin -> Beijing: $GW_BJ counts the risk item (kind not exported)" \
	    gw_wait_refused 20 "$GW_BJ" 1
	sim_check "... and no Beijing node stores it" gw_lacks_all "$risk" "${BJ[@]}"
	local n
	n=$(rm_metric "$FED" "$GW_TJ" riskmesh_gateway_policy_refused_total || echo 0)
	sim_check "riskmesh_gateway_policy_refused_total on $GW_TJ >= 1 ($n)" test "${n%.*}" -ge 1
	n=$(rm_metric "$FED" "$GW_BJ" riskmesh_gateway_policy_refused_total || echo 0)
	sim_check "riskmesh_gateway_policy_refused_total on $GW_BJ >= 1 ($n)" test "${n%.*}" -ge 1

	# 4. the gateway link cut, both sides issue, heal
	local rounds=$(sim_size 2 5) k
	sim_cut "$gl"
	sim_event phase gateway_cut
	sleep 0.5
	for k in $(seq 1 "$rounds"); do
		sim_issue "$(gw_city_issuer "${BJ[@]}")" cut_bj red 110000 ||
		    rm_die "issue during the cut (Beijing)"
		sim_issue "$(gw_city_issuer "${TJ[@]}")" cut_tj red 120000 ||
		    rm_die "issue during the cut (Tianjin)"
		sleep 0.2
	done
	local cut_bj cut_tj
	mapfile -t cut_bj < <(sim_hashes cut_bj)
	mapfile -t cut_tj < <(sim_hashes cut_tj)
	sim_check "cut: Beijing's ${#cut_bj[@]} red alerts reach every Beijing node" \
	    gw_wait_all 20 "${cut_bj[*]}" "${BJ[@]}"
	sim_check "cut: Tianjin's ${#cut_tj[@]} red alerts reach every Tianjin node" \
	    gw_wait_all 20 "${cut_tj[*]}" "${TJ[@]}"
	sim_check "cut: none crossed the cut gateway link" \
	    eval 'sim_lacks "$GW_TJ" "${cut_bj[@]}" && sim_lacks "$GW_BJ" "${cut_tj[@]}"'
	local t0; t0=$(rm_now_ms)
	sim_heal "$gl"
	sim_event phase gateway_healed
	sim_check "healed: Beijing's alerts of the cut reach all ${#TJ[@]} Tianjin nodes" \
	    gw_wait_all 30 "${cut_bj[*]}" "${TJ[@]}"
	sim_check "healed: Tianjin's alerts of the cut reach all ${#BJ[@]} Beijing nodes" \
	    gw_wait_all 30 "${cut_tj[*]}" "${BJ[@]}"
	sim_value gateway_heal_catch_up_ms $(( $(rm_now_ms) - t0 ))
	sim_check "healed: riskmesh sync over the gateway link ends without error" \
	    gw_sync "$GW_TJ" "$GW_BJ"

	# 5. one policy on both ends
	"$RM_BIN/riskmesh" gateway policy -c "$(sim_conf "$GW_TJ")" "$GW_BJ" $common >/dev/null ||
	    rm_die "gateway policy $GW_TJ"
	sim_event phase policy_agreed
	sim_stop "$GW_TJ" TERM
	sim_start "$GW_TJ"
	sim_wait_links 30 || rm_die "links not up after the gateway restart"
	sim_check "agreed policy: $GW_TJ shows it" \
	    eval '[ "$("$RM_BIN/riskmesh" gateway policy -c "$(sim_conf "$GW_TJ")" "$GW_BJ")" = \
	        "$GW_BJ beijing kinds=agency,alert areas=110000,120000 grade=yellow" ]'
	gw_sync "$GW_TJ" "$GW_BJ" >/dev/null
	sim_check "agreed policy: the yellow alert Tianjin refused reaches every Tianjin node" \
	    gw_wait_all 30 "$yellow" "${TJ[@]}"
	sim_check "agreed policy: the risk item stays in Tianjin" gw_lacks_all "$risk" "${BJ[@]}"

	# 6. equal exported subsets
	local out
	out=$(gw_sync "$GW_BJ" "$GW_TJ")
	sim_check "final: riskmesh sync $GW_BJ -> $GW_TJ: 0 records sent, 0 wanted ($out)" \
	    grep -q "0 records sent, 0 wanted" <<<"$out"
	out=$(gw_sync "$GW_TJ" "$GW_BJ")
	sim_check "final: riskmesh sync $GW_TJ -> $GW_BJ: 0 records sent, 0 wanted ($out)" \
	    grep -q "0 records sent, 0 wanted" <<<"$out"
}

# sim_topo_peek_gateway FILE: GW_BJ, GW_TJ: the ends of the first gateway
# line (the one of region 11 as GW_BJ).
sim_topo_peek_gateway() {
	local a b
	read -r a b < <(awk '$1 == "gateway" { print $2, $3; exit }' "$1")
	[ -n "$b" ] || rm_die "$1: no gateway line"
	if [ "${a:0:2}" = 11 ]; then GW_BJ=$a GW_TJ=$b; else GW_BJ=$b GW_TJ=$a; fi
}

# gw_direction TAG FROM_GW TO_GW N_FROM FROM_NODES... TO_NODES...: 1 and 2.
gw_direction() {
	local tag=$1 fgw=$2 tgw=$3 nf=$4
	shift 4
	local from=("${@:1:$nf}") to=("${@:$((nf + 1))}")
	local region=$(sim_region "$fgw")0000 red blue marker t0 district src
	src=$(gw_city_issuer "${from[@]}")
	sim_issue "$src" "red_$tag" red "$region" || rm_die "issue red at $src"
	red=$SIM_LAST_HASH
	t0=$(tail -1 "$OUT/issued.csv" | cut -d, -f1)
	sim_check "$tag: a region-wide red alert of $src reaches all ${#to[@]} nodes of the other federation" \
	    gw_wait_all 20 "$red" "${to[@]}"
	sim_value "red_${tag}_to_other_side_ms" $(( $(rm_now_ms) - t0 ))
	district=$(printf '%s\n' "${from[@]}" | grep -v "^${region}\." | tail -1)
	[ -n "$district" ] || rm_die "$tag: no district node (an agency outside ${region})"
	sim_issue "$district" "blue_$tag" blue || rm_die "issue blue at $district"
	blue=$SIM_LAST_HASH
	sim_check "$tag: the district $district's blue notice reaches its gateway $fgw" \
	    sim_wait_has 20 "$fgw" "$blue"
	sim_issue "$district" "orange_$tag" orange || rm_die "issue orange at $district"
	marker=$SIM_LAST_HASH
	sim_check "$tag: an orange alert of $district issued after it crosses to every node of the other side" \
	    gw_wait_all 20 "$marker" "${to[@]}"
	sim_check "$tag: the blue notice is on no node of the other side" \
	    gw_lacks_all "$blue" "${to[@]}"
}

# gw_city_issuer CENTRE ID...: who issues region-wide alerts: the first city
# department after the centre (area RR0000), else the centre.
gw_city_issuer() {
	local c=$1 id
	shift
	for id in "$@"; do
		[ "${id%%.*}" = "${c%%.*}" ] && { echo "$id"; return; }
	done
	echo "$c"
}

# gw_wait_all SECONDS "HASH..." ID...: every node listed stores every record.
gw_wait_all() {
	local secs=$1 hs=$2 deadline id
	shift 2
	deadline=$(( $(date +%s) + secs ))
	for id in "$@"; do
		# shellcheck disable=SC2086
		sim_wait_has $(( deadline - $(date +%s) )) "$id" $hs || return 1
	done
}
gw_lacks_all() { # HASH ID...
	local h=$1 id
	shift
	for id in "$@"; do sim_lacks "$id" "$h" || return 1; done
}
# gw_wait_refused SECONDS GW MIN: the gateway's link counts >= MIN policy refusals.
gw_wait_refused() {
	local deadline=$(( $(date +%s) + $1 )) n
	while [ "$(date +%s)" -le "$deadline" ]; do
		n=$(rm_status_field "$FED" "$2" 'd["gateways"][0]["policy_refused"]' 2>/dev/null)
		[ "${n:-0}" -ge "$3" ] && return 0
		sleep 0.2
	done
	echo "  $2: policy_refused ${n:-?}, want >= $3" >&2
	return 1
}
# gw_risk ID: register a risk for the node's region, print its hash.
gw_risk() {
	local out
	out=$("$RM_BIN/riskmesh" risk add -c "$(sim_conf "$1")" --area "$(sim_region "$1")0000" \
	    --name "sim gateway risk" --category natural --subcategory flood --grade orange \
	    --location "sim" --review 2030-01-01) || return 1
	sed -n 's/.*\b\([0-9a-f]\{64\}\)\b.*/\1/p' <<<"$out" | head -1 | grep . ||
	    { echo "  risk add: no hash in: $out" >&2; return 1; }
}
# gw_sync GW PEER: riskmesh sync over the gateway link, its last line.
gw_sync() {
	local out
	out=$("$RM_BIN/riskmesh" sync -c "$(sim_conf "$1")" "$2" --timeout 60 2>&1) ||
	    { echo "  riskmesh sync $1 $2: $out" >&2; return 1; }
	tail -1 <<<"$out" | tr -d '\r' | sed 's/.*\x1b\[K//'
}
