// Plots of a run, rendered by gnuplot (Debian package gnuplot-nox) from data files we write.
//
// We do not draw anything ourselves: render_plots writes plain-text .dat files and one gnuplot
// script (plots.gp) into a directory and runs gnuplot there, so the data and the script stay next
// to the PNGs for anyone who wants to restyle or re-plot them. Plots: per-node wire bandwidth
// distribution per group (bandwidth.png), latency CDF (latency_cdf.png) and delivery ratio over
// publication time (delivery.png). A plot without data (no latency samples, no timeline) is left
// out rather than rendered empty.
#pragma once

#include <filesystem>
#include <vector>

#include "sim/report/run_result.hpp"
#include "waku/base/result.hpp"

namespace waku::sim {

// Writes the data files and script into `dir` (created if missing) and renders the PNGs; returns
// their paths. Fails, with a message naming gnuplot-nox, if gnuplot is not installed, and with
// gnuplot's output in the error detail if it fails.
Result<std::vector<std::filesystem::path>> render_plots(const RunResult& result,
                                                        const std::filesystem::path& dir);

}  // namespace waku::sim
