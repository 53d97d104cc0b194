# Importing a risk register into a node (node_risk_import.c,
# http_risk_import.c, riskmesh risk import -c).
rm_script_test(integration.risk_import
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/risk_import.sh TIMEOUT 300)
# Unauthorised edits of another district's register, refused with the
# reason (roster areas, own objects only, handed-in records, import).
rm_script_test(integration.risk_unauthorised
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/risk_unauthorised.sh TIMEOUT 180)
