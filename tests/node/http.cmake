# HTTP/JSON API: routes in-process against a real store (node.http), and
# concurrency, nng's HTTP server over a loopback socket and the shutdown
# order (node.http_net); both share test_http_fx.c (node_stop from
# rm_daemon tears the fixture down).
rm_unit_test(node.http SOURCES test_http.c test_http_fx.c
  LIBS rm_http rm_daemon TIMEOUT 60)
rm_unit_test(node.http_restricted SOURCES test_http_restricted.c
  test_http_fx.c LIBS rm_http rm_daemon TIMEOUT 60)
rm_unit_test(node.http_cap SOURCES test_http_cap.c test_http_fx.c
  LIBS rm_http rm_daemon TIMEOUT 60)
rm_unit_test(node.http_net SOURCES test_http_net.c test_http_fx.c
  LIBS rm_http rm_daemon TIMEOUT 60)
# riskmeshd -n / start-up checks (TLS key, peers, key) and its command
# line; runs the riskmeshd binary, so it is built first.
rm_unit_test(node.http_check SOURCES test_http_check.c
  LIBS rm_daemon TIMEOUT 60)
add_dependencies(test_node_http_check riskmeshd)
rm_unit_test(node.http_indicators SOURCES test_http_indicators.c
  test_http_fx.c LIBS rm_http rm_daemon TIMEOUT 120)
