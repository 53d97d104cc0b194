# Indicators and the city health check (tests/integration/indicators.sh).
rm_script_test(integration.indicators
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/indicators.sh TIMEOUT 180)
