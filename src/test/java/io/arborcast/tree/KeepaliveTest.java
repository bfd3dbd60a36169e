package io.arborcast.tree;

import io.arborcast.core.StreamMessage;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

/** Liveness through keepalives: a paused source is not a dead parent (the beacon), a crashed child's slot
 * is freed within the silence limit. Virtual time, on {@link TreeHarness}. */
class KeepaliveTest extends TreeHarness {
    @Test
    void aPausedSourceDoesNotMakeTheTreeFallApart() {
        add(true, 2);
        stream();
        for (int i = 0; i < 6; i++) {
            add(false, 2).join();
            sim.runUntil(sim.now() + 1_000);
        }
        sim.runUntil(10_000);
        paused = true; // the source client went away for 20 s (a DJ change, a network blip)
        sim.runUntil(30_000);
        for (ChannelTree t : trees) {
            assertThat(t.stats().parentLosses).as("nobody blames its parent for the source's silence").isZero();
        }
        paused = false;
        long resumedAt = nextSeq;
        sim.runUntil(34_000);
        for (int i = 1; i < trees.size(); i++) {
            assertThat(played.get(i)).as("listener %d hears the source again", i).contains(resumedAt);
        }
    }

    @Test
    void aParentFreesTheSlotOfACrashedChildWithinTheSilenceLimit() {
        add(true, 1);
        stream();
        add(false, 0).join();
        sim.runUntil(3_000);
        assertThat(trees.get(0).freeSlots()).isZero();
        net.crash(nodes.get(1)); // the link would only report it after 5 s
        sim.runUntil(3_000 + TreeConfig.relay(1).parentSilenceMillis() + 600);
        assertThat(trees.get(0).freeSlots()).isEqualTo(1);
        assertThat(trees.get(0).stats().childrenLost).isEqualTo(1);
    }
}
