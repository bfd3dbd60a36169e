package io.arborcast.sim.report;

import java.util.List;
import java.util.Map;

/**
 * What one run produced: the summary (the summary.json contract), one time-series row per
 * virtual second, and the raw samples the plots are drawn from.
 */
public record RunResult(Summary summary, List<String> timeseriesColumns, List<double[]> timeseries,
                        Map<String, Stats> samples) {
}
