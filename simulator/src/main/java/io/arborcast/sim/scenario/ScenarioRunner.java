package io.arborcast.sim.scenario;

import io.arborcast.sim.engine.Simulation;
import io.arborcast.sim.net.SimNetwork;
import io.arborcast.sim.report.RunResult;
import io.arborcast.sim.report.Summary;
import io.arborcast.sim.report.Stats;
import io.arborcast.sim.workload.Workload;

import java.util.Arrays;
import io.arborcast.wire.MessageCodec;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a {@link Scenario} to completion, second by virtual second, and gathers its results. */
public final class ScenarioRunner {
    /** Hears about progress once per virtual second. */
    public interface Progress {
        /** {@code expectedMillis}: when the run is expected to end (never beyond the scenario's limit). */
        void update(long virtualMillis, long expectedMillis, long events, String status);
    }

    private ScenarioRunner() {
    }

    public static RunResult run(Scenario s, Progress progress) {
        long wallStart = System.nanoTime();
        resetPeaks();
        Simulation sim = new Simulation();
        SimNetwork net = new SimNetwork(sim, s.network(), () -> new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME),
                s.seed(), s.engine().partitions(), s.engine().threads());
        try {
            return run(s, progress, sim, net, wallStart);
        } finally {
            net.close();
        }
    }

    private static RunResult run(Scenario s, Progress progress, Simulation sim, SimNetwork net, long wallStart) {
        Workload w = Workload.of(s, sim, net);
        w.start();
        List<String> columns = new ArrayList<>(List.of("second", "liveNodes", "events", "datagrams", "controlKiB"));
        columns.addAll(w.columns());
        List<double[]> rows = new ArrayList<>();
        long lastEvents = 0;
        long lastDatagrams = 0;
        long lastControl = 0;
        for (long t = 1000; t <= s.durationMillis(); t += 1000) {
            sim.runUntil(t);
            SimNetwork.Traffic tr = net.traffic();
            double[] base = {t / 1000.0, net.liveNodes(), sim.eventsProcessed() - lastEvents,
                tr.datagrams - lastDatagrams, (tr.controlBytes() - lastControl) / 1024.0};
            double[] extra = w.sample();
            double[] row = Arrays.copyOf(base, base.length + extra.length);
            System.arraycopy(extra, 0, row, base.length, extra.length);
            rows.add(row);
            lastEvents = sim.eventsProcessed();
            lastDatagrams = tr.datagrams;
            lastControl = tr.controlBytes();
            if (progress != null) {
                long expected = Math.min(s.durationMillis(), Math.max(t, w.expectedEndMillis()));
                progress.update(t, expected, sim.eventsProcessed(), net.liveNodes() + " live nodes");
            }
            if (w.done()) {
                break;
            }
        }
        double wall = (System.nanoTime() - wallStart) / 1e9;
        Map<String, Stats> samples = new LinkedHashMap<>();
        Summary.Section section = w.summary(samples);
        SimNetwork.Traffic tr = net.traffic();
        Summary summary = new Summary(s.name(), s.seed(), s.nodes(), sim.now() / 1000.0, Math.round(wall * 100) / 100.0,
                sim.eventsProcessed(), Math.round(sim.eventsProcessed() / Math.max(wall, 1e-9)), peakHeap(),
                s.engine().partitions() > 1 ? s.engine().partitions() : null,
                section instanceof Summary.Dht d ? d : null, section instanceof Summary.Gossip g ? g : null,
                section instanceof Summary.Stream st ? st : null, w.attackSummary(),
                new Summary.Network(tr.datagrams, tr.datagramBytes, tr.datagramsLost, tr.dropped, tr.messagesByType(),
                        tr.bytesByType()));
        return new RunResult(summary, columns, rows, samples);
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
