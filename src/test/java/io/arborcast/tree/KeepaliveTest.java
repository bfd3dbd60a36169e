package io.arborcast.tree;

import io.arborcast.core.StreamMessage;
import io.arborcast.core.TreeMessage;
import io.arborcast.sim.net.SimNetwork;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

/** Liveness through keepalives: a paused source is not a dead parent (the beacon), a crashed child's slot
 * is freed within the child silence, or at once to an asker when the child missed a keepalive. Virtual
 * time, on {@link TreeHarness}. */
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
        net.crash(nodes.get(1)); // (the parent's next chunk re-dials the link: that fails after 3 s)
        sim.runUntil(3_000 + TreeConfig.relay(1).childSilenceMillis() + 600);
        assertThat(trees.get(0).freeSlots()).isEqualTo(1);
        assertThat(trees.get(0).children()).isEmpty();
    }

    @Test
    void aChildSaysItIsThereAThirdOfTheChildSilenceOften() {
        add(true, 1);
        stream();
        add(false, 0).join();
        sim.runUntil(3_000);
        nodes.get(1).watchUpload();
        sim.runUntil(33_000);
        long keepaliveBytes = net.sizer(nodes.get(1)).sizeOf(new TreeMessage.Keepalive(KEY.channelId(), -1))
                + SimNetwork.FRAME_OVERHEAD;
        long keepalives = nodes.get(1).sentByType().getOrDefault("Keepalive", 0L) / keepaliveBytes;
        assertThat(keepalives).as("30 s at one every 1.5 s").isBetween(19L, 21L);
        assertThat(trees.get(0).children()).hasSize(1);
        assertThat(trees.get(0).stats().childrenLost).isZero();
    }

    @Test
    void aFullParentGivesTheSlotOfAChildThatMissedAKeepaliveToANewAsker() {
        TreeConfig c = TreeConfig.relay(1);
        add(true, 1);
        stream();
        add(false, 0).join();
        sim.runUntil(3_000);
        net.crash(nodes.get(1));
        long missed = c.childKeepaliveMillis() + c.keepaliveMillis();
        sim.runUntil(3_000 + missed + 100);
        assertThat(trees.get(0).freeSlots()).as("the child silence has not run out").isZero();
        staleOracle = true; // the asker heard of the slot the crashed child took (or is its orphan)
        add(false, 0).join();
        sim.runUntil(sim.now() + 1_000);
        assertThat(trees.get(2).parent()).as("its slot went to the asker").isEqualTo(nodes.get(0).localAddress());
        assertThat(trees.get(0).stats().displacedOthers).isEqualTo(1);
    }
}
