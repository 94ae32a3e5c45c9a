# The wakusim command line end to end (tests/sim/cli_test.sh, ~5 s). Included from
# tests/sim/CMakeLists.txt; wakusim is defined later (apps/wakusim), which generator expressions
# allow. The script needs bash and python3 (JSON checks).
add_test(NAME sim_scenarios.cli_test
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli_test.sh $<TARGET_FILE:wakusim>)
set_tests_properties(sim_scenarios.cli_test PROPERTIES LABELS sim TIMEOUT 120)
