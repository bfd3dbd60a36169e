package io.arborcast.sim.workload;

import io.arborcast.sim.engine.Simulation;
import io.arborcast.sim.net.SimNetwork;
import io.arborcast.sim.net.SimNode;
import io.arborcast.sim.scenario.Scenario;
import io.arborcast.sim.report.Stats;
import io.arborcast.sim.report.Summary;

import java.util.List;
import java.util.Map;
import java.util.Random;

/** What the virtual nodes of a scenario do, and what is measured about it. */
public interface Workload {
    /** The workload {@code s} names, on {@code sim} and {@code net}. */
    static Workload of(Scenario s, Simulation sim, SimNetwork net) {
        return switch (s.workload().kind()) {
            case GOSSIP -> new GossipWorkload(s, sim, net);
            case STREAM -> new StreamWorkload(s, sim, net);
            case DHT -> new DhtWorkload(s, sim, net);
        };
    }

    /** Schedules everything; the simulation then runs it. */
    void start();

    /** When the workload expects to be done, in virtual ms (for progress display). */
    long expectedEndMillis();

    /** True when the run may end early. */
    boolean done();

    /** Extra time-series columns, sampled once per virtual second. */
    List<String> columns();

    double[] sample();

    /** This workload's summary section; raw samples for plots go into {@code samples}. */
    Summary.Section summary(Map<String, Stats> samples);

    /** The summary.json {@code attack} section, or null when the scenario has no attack. */
    default Summary.Attack attackSummary() {
        return null;
    }

    /** A live node drawn at random from {@code nodes} (the first one if none is found in 1,000 draws). */
    static SimNode randomLive(List<SimNode> nodes, Random random) {
        for (int tries = 0; tries < 1000; tries++) {
            SimNode n = nodes.get(random.nextInt(nodes.size()));
            if (n.alive()) {
                return n;
            }
        }
        return nodes.get(0);
    }
}
