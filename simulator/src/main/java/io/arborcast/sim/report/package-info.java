/**
 * What a run reports: samples and histograms, the summary.json contract, the per-second time
 * series as CSV, and plots.
 */
package io.arborcast.sim.report;
