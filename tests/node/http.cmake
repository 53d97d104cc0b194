# HTTP/JSON API routes in-process against a real store, plus nng's HTTP
# server over a loopback socket.
if(TARGET rm_node)
  rm_unit_test(node.http SOURCES test_http.c
    LIBS rm_node PkgConfig::JANSSON TIMEOUT 60)
endif()
