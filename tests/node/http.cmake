# HTTP/JSON API: routes in-process against a real store (node.http), and
# concurrency, nng's HTTP server over a loopback socket and the shutdown
# order (node.http_net); both share test_http_fx.c.
if(TARGET rm_node)
  rm_unit_test(node.http SOURCES test_http.c test_http_fx.c
    LIBS rm_node PkgConfig::JANSSON TIMEOUT 60)
  rm_unit_test(node.http_net SOURCES test_http_net.c test_http_fx.c
    LIBS rm_node PkgConfig::JANSSON TIMEOUT 60)
endif()
# riskmeshd -n / start-up checks (TLS key, peers, key) and its command
# line; runs the riskmeshd binary, so it is built first.
if(TARGET rm_node AND TARGET riskmeshd)
  rm_unit_test(node.http_check SOURCES test_http_check.c
    LIBS rm_node TIMEOUT 60)
  add_dependencies(test_node_http_check riskmeshd)
endif()
