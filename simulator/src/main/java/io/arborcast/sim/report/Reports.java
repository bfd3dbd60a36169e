package io.arborcast.sim.report;


import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Writes a run's files: summary.json, timeseries.csv and PNG plots. */
public final class Reports {
    private Reports() {
    }

    /** One PNG drawn from the run's samples named {@code sample}, when there are any. */
    private record Plot(String sample, boolean histogram, String title, String unit, String file) {
    }

    private static final List<Plot> PLOTS = List.of(
            new Plot("hops", true, "Lookup hops", "hops", "hops-histogram.png"),
            new Plot("lookupLatencyMs", false, "Lookup latency", "ms", "lookup-latency-cdf.png"),
            new Plot("detectionMs", false, "Crash detection time", "ms", "detection-cdf.png"),
            new Plot("startupDelayMs", false, "Startup delay", "ms", "startup-delay-cdf.png"),
            new Plot("repairLatencyMs", false, "Repair latency", "ms", "repair-latency-cdf.png"),
            new Plot("depth", true, "Tree depth", "hops from the source", "depth-histogram.png"));

    /** Writes every report of {@code r} into {@code dir} (created if needed); returns the files written. */
    public static List<Path> write(RunResult r, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        Path summary = dir.resolve("summary.json");
        Files.writeString(summary, Json.write(r.summary()), StandardCharsets.UTF_8);
        written.add(summary);
        Path csv = dir.resolve("timeseries.csv");
        StringBuilder sb = new StringBuilder(String.join(",", r.timeseriesColumns())).append('\n');
        for (double[] row : r.timeseries()) {
            for (int i = 0; i < row.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                double v = row[i];
                sb.append(Double.isNaN(v) ? "" : v == Math.rint(v) ? Long.toString((long) v) : String.format("%.4f", v));
            }
            sb.append('\n');
        }
        Files.writeString(csv, sb, StandardCharsets.UTF_8);
        written.add(csv);
        for (Plot plot : PLOTS) {
            Stats samples = r.samples().get(plot.sample);
            if (samples != null && samples.count() > 0) {
                Path file = dir.resolve(plot.file);
                if (plot.histogram) {
                    histogram(samples, plot.title, plot.unit, file);
                } else {
                    cdf(samples, plot.title, plot.unit, file);
                }
                written.add(file);
            }
        }
        return written;
    }

    private static void histogram(Stats s, String title, String unit, Path file) throws IOException {
        Map<Long, Integer> counts = new TreeMap<>();
        for (long v : s.sortedValues()) {
            counts.merge(v, 1, Integer::sum);
        }
        CategoryChart chart = new CategoryChartBuilder().width(800).height(500).title(title).xAxisTitle(unit)
                .yAxisTitle("share").build();
        chart.getStyler().setLegendVisible(false);
        List<Long> xs = new ArrayList<>(counts.keySet());
        List<Double> ys = new ArrayList<>();
        counts.values().forEach(c -> ys.add((double) c / s.count()));
        chart.addSeries(title, xs, ys);
        save(chart, file);
    }

    private static void cdf(Stats s, String title, String unit, Path file) throws IOException {
        long[] v = s.sortedValues();
        int points = Math.min(v.length, 2000);
        double[] xs = new double[points];
        double[] ys = new double[points];
        for (int i = 0; i < points; i++) {
            int idx = (int) ((long) (i + 1) * v.length / points) - 1;
            xs[i] = v[idx];
            ys[i] = (idx + 1.0) / v.length;
        }
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title + " (CDF)").xAxisTitle(unit)
                .yAxisTitle("cumulative share").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setYAxisDecimalPattern("0.0");
        chart.addSeries(title, xs, ys).setMarker(SeriesMarkers.NONE);
        save(chart, file);
    }

    private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) throws IOException {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(chart.getWidth(), chart.getHeight(),
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        chart.paint(g, chart.getWidth(), chart.getHeight());
        g.dispose();
        if (!javax.imageio.ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer available");
        }
    }

    /** The summary as an aligned two-column table for the terminal. */
    public static String table(Summary summary) {
        StringBuilder sb = new StringBuilder();
        flatten("", Json.tree(summary), sb);
        return sb.toString();
    }

    private static void flatten(String prefix, Map<?, ?> m, StringBuilder sb) {
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String key = prefix + e.getKey();
            if (e.getValue() instanceof Map<?, ?> inner) {
                flatten(key + ".", inner, sb);
            } else {
                Object v = e.getValue();
                String text = v instanceof Double d ? (Double.isNaN(d) ? "-" : String.format("%.4f", d)) : String.valueOf(v);
                sb.append(String.format("  %-34s %s%n", key, text));
            }
        }
    }
}
