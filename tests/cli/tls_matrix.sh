# TLS matrix against the review-body simulator: houkan succeeds with TLS 1.3
# and 1.2 and its PKCS#12 client certificate; refuses TLS 1.0/1.1, a wrong
# host name, untrusted, expired and self-signed server certificates, a CA
# other than the pinned one, a redirect, a truncated response and a stalled
# peer (bounded by the timeout); the server refuses clients without a
# certificate.  Every refusal is exit 4 and leaves no reception.
. "$SRC/tests/lib.sh"
. "$SRC/tests/certs/sim.sh"
n=0
fresh() { n=$((n + 1)); rm -f "$T/m$n.db"; mkrun "$T/m$n.db" "$n" 1; DB=$T/m$n.db; }
refused() { # NAME MESSAGE [submit options]
	name=$1 msg=$2; shift 2
	fresh
	submit "$DB" "$n" --retries 0 "$@"
	if [ "$rc" -ne 4 ]; then fail "$name" "exit $rc, want 4: $(head -c 300 "$T/err")"
	elif ! grep -qF -- "$msg" "$T/err"; then fail "$name" "'$msg' not in: $(head -c 300 "$T/err")"
	else pass "$name"; fi
}
no_reception() { [ "$(simstat 's["receptions"]')" = 0 ] && pass "$1" || fail "$1" "$(cat "$T/sim.json")"; }

# success: TLS 1.3 (default) and TLS 1.2, client certificate from the PKCS#12 file
sim_start
fresh; submit "$DB" "$n"
[ "$rc" -eq 0 ] && pass tls13_ok || fail tls13_ok "exit $rc: $(cat "$T/err")"
expect_grep tls13_negotiated "$T/out" "TLSv1.3"
[ "$(simstat 'list(s["by_sha256"].values())[0]["tls"]')" = TLSv1.3 ] && pass tls13_server_side || fail tls13_server_side "$(cat "$T/sim.json")"
# pinned CA: the right server is refused when another CA is configured
fresh; run "$HOUKAN" submit --db "$DB" --run "$n" --endpoint "$URL" --p12 "$P/station.p12" --pass-file "$P/pass.txt" --ca "$P/rogue-root.pem" --retries 0 --timeout 4
[ "$rc" -ne 0 ] && pass pinned_ca_only || fail pinned_ca_only "accepted with another CA"
# proxies from the environment are ignored
fresh; https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9 submit "$DB" "$n"
[ "$rc" -eq 0 ] && pass proxy_env_ignored || fail proxy_env_ignored "exit $rc: $(cat "$T/err")"
# the server refuses a client without a certificate (curl CLI as that client), accepts one with
if command -v curl >/dev/null; then
	cat "$P/station.pem" "$P/inter.pem" > "$T/station-chain.pem"
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$P/root.pem" "$URL/status/x"); st=$?
	[ "$st" -ne 0 ] && [ "$code" = 000 ] && pass server_refuses_client_without_cert || fail server_refuses_client_without_cert "curl exit $st, HTTP $code"
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$P/root.pem" --cert "$T/station-chain.pem" --key "$P/station.key" "$URL/status/x")
	[ "$code" = 404 ] && pass server_accepts_client_with_cert || fail server_accepts_client_with_cert "HTTP $code"
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$P/root.pem" --cert "$P/rogue.pem" --key "$P/rogue.key" "$URL/status/x")
	[ "$code" = 000 ] && pass server_refuses_foreign_client_cert || fail server_refuses_foreign_client_cert "HTTP $code"
fi
sim_stop

sim_start --tls-max 1.2
fresh; submit "$DB" "$n"
[ "$rc" -eq 0 ] && pass tls12_ok || fail tls12_ok "exit $rc: $(cat "$T/err")"
expect_grep tls12_negotiated "$T/out" "TLSv1.2"
sim_stop

# TLS 1.0 and 1.1: the simulator offers them (checked with openssl s_client), houkan refuses
for v in 1.0 1.1; do
	sim_start --tls-min "$v" --tls-max "$v"
	flag=-tls1; [ "$v" = 1.1 ] && flag=-tls1_1
	if echo | openssl s_client -connect "127.0.0.1:$PORT" $flag -cipher 'DEFAULT@SECLEVEL=0' \
		-cert "$P/station.pem" -key "$P/station.key" -CAfile "$P/root.pem" 2>/dev/null | grep -q "Protocol *: TLSv1"; then
		pass "sim_speaks_tls$v"
	else
		echo "note: this OpenSSL cannot speak TLS $v at all; houkan's refusal is still checked"
	fi
	refused "tls${v}_refused" "curl error 35"
	no_reception "tls${v}_nothing_received"
	sim_stop
done

# server certificates houkan must refuse
SIM_CERT=server-wronghost-chain sim_start; refused wrong_host_name "subject name"; no_reception wrong_host_nothing_received; sim_stop
SIM_CERT=server-rogue-chain sim_start; refused untrusted_server_cert "unable to get local issuer certificate"; sim_stop
SIM_CERT=server-expired-chain sim_start; refused expired_server_cert "certificate has expired"; sim_stop
SIM_CERT=server-self-chain sim_start; refused self_signed_server_cert "self-signed certificate"; sim_stop

# peers that misbehave
sim_start --fault redirect
refused redirect_refused "redirects are refused"
no_reception redirect_nothing_received
sim_stop
sim_start --fault truncate
refused truncated_response "network fault"
[ "$(sql "$DB" "SELECT state FROM submission")" = uploading ] && pass truncated_left_uploading || fail truncated_left_uploading "$(sql "$DB" 'SELECT * FROM submission')"
sim_stop
sim_start --fault stall
s0=$(date +%s)
refused stalled_peer_times_out "timed out" --timeout 2
[ $(( $(date +%s) - s0 )) -le 8 ] && pass stall_bounded || fail stall_bounded "took $(( $(date +%s) - s0 ))s"
sim_stop
# nobody listening
fresh; URL=https://127.0.0.1:$PORT submit "$DB" "$n" --retries 1
[ "$rc" -eq 4 ] && grep -q "network fault" "$T/err" && pass connection_refused || fail connection_refused "exit $rc: $(cat "$T/err")"
# the simulator exits by itself after its lifetime
SIM_LIFETIME=1 sim_start
sleep 2
if kill -0 "$SIM_PID" 2>/dev/null; then fail sim_exits_by_itself "still running"; else pass sim_exits_by_itself; fi
SIM_PID=
