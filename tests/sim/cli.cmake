# The wakusim command line end to end (tests/sim/cli_test.sh, ~5 s). Included from
# tests/sim/CMakeLists.txt; wakusim is defined later (apps/wakusim), which generator expressions
# allow. The script needs bash and python3 (JSON checks).
add_test(NAME sim_scenarios.cli_test
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli_test.sh $<TARGET_FILE:wakusim>)
# The timeout only catches a hang: the ASan build takes ~35 s alone and timed out at 120 s with
# the other tests and a second load sharing the two cores.
set_tests_properties(sim_scenarios.cli_test PROPERTIES LABELS sim TIMEOUT 300)
