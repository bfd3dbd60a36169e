package io.arborcast.cli;

import io.arborcast.sim.report.Reports;
import io.arborcast.sim.report.RunResult;
import io.arborcast.sim.scenario.Scenario;
import io.arborcast.sim.scenario.ScenarioRunner;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code arborcast simulate}: runs a scenario of the discrete-event simulator. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Run a simulation scenario (config/sim/*.conf) with the shipped protocol code.")
final class SimulateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SCENARIO", description = "scenario file, e.g. config/sim/dht-10k.conf")
    Path scenario;

    @Option(names = "--nodes", description = "override the number of nodes")
    Integer nodes;

    @Option(names = "--seed", description = "override the seed")
    Long seed;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "override the virtual time limit")
    Long duration;

    @Option(names = "--lookups", description = "override the number of lookups")
    Integer lookups;

    @Option(names = "--partitions", description = "override engine.partitions: the event queues the nodes are "
            + "spread over (another run than on one: the results depend on the partitions, not the threads)")
    Integer partitions;

    @Option(names = "--threads", description = "threads for a partitioned scenario (engine.partitions > 1); "
            + "the results do not depend on them")
    Integer threads;

    @Option(names = "--out", paramLabel = "DIR", description = "where to write summary.json, timeseries.csv, plots "
            + "(default: out/<scenario>)")
    Path out;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        Scenario s = Scenario.load(scenario);
        if (nodes != null) {
            s = s.withNodes(nodes);
        }
        if (seed != null) {
            s = s.withSeed(seed);
        }
        if (duration != null) {
            s = s.withDuration(duration * 1000);
        }
        if (lookups != null) {
            s = s.withLookups(lookups);
        }
        if (partitions != null) {
            s = s.withPartitions(partitions);
        }
        if (threads != null) {
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be at least 1");
            }
            s = s.withThreads(threads);
        }
        Path dir = out != null ? out : Path.of("out", s.name());
        System.out.println("simulating " + s.name() + ": " + s.nodes() + " nodes, seed " + s.seed()
                + (s.engine().partitions() > 1
                ? ", " + s.engine().partitions() + " partitions on " + s.engine().threads() + " threads" : ""));
        RunResult r;
        if (quiet) {
            r = ScenarioRunner.run(s, null);
        } else {
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("virtual s").setInitialMax(s.durationMillis() / 1000)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate()
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build()) {
                long wallStart = System.nanoTime();
                r = ScenarioRunner.run(s, (t, expected, events, status) -> {
                    bar.maxHint(expected / 1000);
                    bar.stepTo(t / 1000);
                    double wall = Math.max(1e-3, (System.nanoTime() - wallStart) / 1e9);
                    bar.setExtraMessage(String.format(" %.0fk events/s, %s", events / wall / 1000, status));
                });
            }
        }
        System.out.println("summary:");
        System.out.print(Reports.table(r.summary()));
        for (Path p : Reports.write(r, dir)) {
            System.out.println("wrote " + p);
        }
        return 0;
    }
}
