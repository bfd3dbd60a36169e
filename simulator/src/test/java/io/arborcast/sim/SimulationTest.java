package io.arborcast.sim;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class SimulationTest {
    @Test
    void runsEventsInTimeOrderAndTiesInInsertionOrder() {
        Simulation sim = new Simulation();
        List<String> log = new ArrayList<>();
        sim.at(30, () -> log.add("c@" + sim.now()));
        sim.at(10, () -> log.add("a@" + sim.now()));
        sim.at(20, () -> log.add("b1@" + sim.now()));
        sim.at(20, () -> log.add("b2@" + sim.now()));
        sim.at(20, () -> {
            log.add("b3@" + sim.now());
            sim.after(0, () -> log.add("b4@" + sim.now())); // same time, scheduled later: runs after
        });
        while (sim.step()) {
            // run all
        }
        assertThat(log).containsExactly("a@10", "b1@20", "b2@20", "b3@20", "b4@20", "c@30");
        assertThat(sim.eventsProcessed()).isEqualTo(6);
    }

    @Test
    void manyRandomEventsComeOutSorted() {
        Simulation sim = new Simulation();
        Random r = new Random(4);
        List<Long> seen = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            sim.at(r.nextInt(1_000_000), () -> seen.add(sim.now()));
        }
        while (sim.step()) {
            // run all
        }
        assertThat(seen).hasSize(50_000).isSorted();
    }

    @Test
    void cancelledTimersDoNotRunAndRunUntilAdvancesTheClock() {
        Simulation sim = new Simulation();
        List<String> log = new ArrayList<>();
        Simulation.Timer t = sim.schedule(100, () -> log.add("cancelled"));
        sim.schedule(200, () -> log.add("kept"));
        t.cancel();
        assertThat(t.pending()).isFalse();
        sim.runUntil(150);
        assertThat(sim.now()).isEqualTo(150);
        assertThat(log).isEmpty();
        sim.runUntil(1000);
        assertThat(log).containsExactly("kept");
        assertThat(sim.now()).isEqualTo(1000);
        sim.at(5, () -> log.add("past@" + sim.now())); // the past is clamped to now
        sim.runUntil(1000);
        assertThat(log).containsExactly("kept", "past@1000");
    }
}
