# JSON alert <-> record: request parser and error bodies (node/http),
# emitter (node/repr).
rm_unit_test(node.json SOURCES test_json.c LIBS rm_http)
# The risk register's spreadsheet form (node/repr/repr_risk_csv.c).
rm_unit_test(node.risk_csv SOURCES test_risk_csv.c LIBS rm_repr)
