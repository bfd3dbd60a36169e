package io.arborcast.sim.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    @Test
    void anEventScheduledFarAheadRunsBeforeOneScheduledLaterForTheSameMillisecond() {
        Simulation sim = new Simulation();
        List<String> log = new ArrayList<>();
        long t = 3L * Simulation.WHEEL_MILLIS + 7;
        sim.at(t, () -> log.add("far"));
        sim.runUntil(t - 5);
        sim.at(t, () -> log.add("near"));
        sim.after(5, () -> log.add("after"));
        sim.runUntil(t);
        assertThat(log).containsExactly("far", "near", "after");
        assertThat(sim.pendingEvents()).isZero();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void eventsThatScheduleEventsRunInTheOrderOfAReferenceQueue(long seed) {
        // reference: sort by (time, scheduling order); delays from 0 to well past the wheel
        Simulation sim = new Simulation();
        Random r = new Random(seed);
        java.util.PriorityQueue<long[]> reference = new java.util.PriorityQueue<>(
                (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        List<Long> ran = new ArrayList<>();
        long[] scheduled = {0};
        class Spawner {
            void schedule(long at) {
                long id = scheduled[0]++;
                reference.add(new long[] {at, id});
                sim.at(at, () -> {
                    ran.add(id);
                    for (int i = r.nextInt(3); i > 0 && scheduled[0] < 40_000; i--) {
                        long delay = switch (r.nextInt(4)) {
                            case 0 -> 0;
                            case 1 -> r.nextInt(300);
                            case 2 -> r.nextInt(Simulation.WHEEL_MILLIS * 2);
                            default -> Simulation.WHEEL_MILLIS - 1 + r.nextInt(3);
                        };
                        schedule(sim.now() + delay);
                    }
                });
            }
        }
        Spawner s = new Spawner();
        for (int i = 0; i < 200; i++) {
            s.schedule(r.nextInt(50_000));
        }
        long until = 0;
        while (sim.pendingEvents() > 0) {
            until += r.nextInt(5_000);
            sim.runUntil(until);
        }
        List<Long> expected = new ArrayList<>();
        while (!reference.isEmpty()) {
            expected.add(reference.poll()[1]);
        }
        assertThat(ran).hasSize(expected.size()).isEqualTo(expected);
    }
}
