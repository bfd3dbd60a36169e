package io.arborcast.tree;

import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.PeerState;
import io.arborcast.core.StreamMessage;
import io.arborcast.sim.net.SimNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Repair when a parent is lost: the grandparent or a backup first, the shallower first, hedged ATTACHes,
 * dead candidates passed over, gap pull bridging a long repair; nothing skipped, nothing repeated. Virtual time, on {@link TreeHarness}. */
class RepairTest extends TreeHarness {
    @Test
    void listenerUnderADeadRelayResumesWithoutSkipOrRepeat() {
        add(true, 2);
        stream();
        add(false, 0).join(); // fills one of the source's slots and relays nothing
        sim.runUntil(2_000);
        ChannelTree relay = add(false, 2);
        relay.join(); // the source's other slot: the listener must go under the relay
        sim.runUntil(4_000);
        ChannelTree listener = add(false, 0);
        List<String> events = new ArrayList<>();
        listener.setEvents(new TreeEvents() {
            @Override
            public void attached(PeerAddress parent, int depth, boolean moved) {
                events.add("attached " + indexOf(parent) + " depth " + depth);
            }

            @Override
            public void parentLost(PeerAddress parent, String why) {
                events.add("lost " + indexOf(parent));
            }

            @Override
            public void repaired(PeerAddress parent, long millis) {
                events.add("repaired " + indexOf(parent) + (millis > 0 ? "" : " instantly?"));
            }
        });
        listener.join();
        sim.runUntil(8_000);
        assertThat(indexOf(listener.parent())).isEqualTo(2);
        net.crash(nodes.get(2)); // the relay dies; the listener hears after the crash timeout
        sim.runUntil(30_000);
        int newParent = indexOf(listener.parent());
        assertThat(events).containsExactly("attached 2 depth 2", "lost 2", "attached " + newParent + " depth "
                + listener.depth(), "repaired " + newParent);
        assertThat(listener.receiving()).isTrue();
        assertThat(indexOf(listener.parent())).isNotEqualTo(2);
        List<Long> seqs = played.get(3);
        assertNoSkipNoRepeat(seqs);
        assertThat(seqs.get(seqs.size() - 1)).isGreaterThanOrEqualTo(nextSeq - 3);
        assertThat(listener.stats().repairs).isEqualTo(1);
    }

    @Test
    void crashedPeersThatGossipStillRanksFirstArePassedOverInTheNextRepair() {
        add(true, 2);
        stream();
        relaysUnderTheSource(2, 3); // two live relays below the source
        for (int i = 0; i < 3; i++) { // three dead relays whose last states look better
            SimNode dead = net.addNode(NodeId.random(random));
            ghosts.add(new PeerState(dead.localAddress(), 1, 4, 0, 100_000, 0, 0));
            net.crash(dead);
        }
        ChannelTree listener = add(false, 0);
        listener.join();
        sim.runUntil(sim.now() + 12_000); // three ATTACHes time out (2 s each), then a live relay
        assertThat(listener.receiving()).isTrue();
        net.crash(nodes.get(indexOf(listener.parent())));
        sim.runUntil(sim.now() + 15_000);
        assertThat(listener.receiving()).isTrue();
        // the repair went straight to the other live relay; before, it tried the three dead first
        assertThat(listener.stats().repairMillis).singleElement().satisfies(ms -> assertThat(ms).isLessThan(4_000));
    }

    @Test
    void anAttachUnansweredForTheHedgeDelayIsJoinedByAnotherUpToThreeAtOnce() {
        add(true, 2);
        stream();
        relaysUnderTheSource(2, 3); // the source full, two live relays
        for (int i = 0; i < 4; i++) { // four crashed relays whose last states look better
            SimNode dead = net.addNode(NodeId.random(random));
            ghosts.add(new PeerState(dead.localAddress(), 1, 4, 0, 100_000, 0, 0));
            net.crash(dead);
        }
        ChannelTree listener = add(false, 0);
        long joined = sim.now();
        listener.join();
        sim.runUntil(joined + 2 * Upstream.HEDGE_MILLIS + 100);
        assertThat(listener.stats().attachesSent).isEqualTo(3); // at 0, 750 and 1500 ms: none answered
        sim.runUntil(joined + 1_999);
        assertThat(listener.stats().attachesSent).isEqualTo(3); // three out at most
        sim.runUntil(joined + 4_000); // one at a time, the four dead cost 2 s each first
        assertThat(listener.receiving()).isTrue();
        assertThat(indexOf(listener.parent())).isIn(1, 2);
        assertThat(trees.get(1).children().size() + trees.get(2).children().size()).isEqualTo(1);
    }

    @Test
    void theOrphansOfASourceChildRefillItsSlotBeforeTryingBackups() {
        add(true, 2);
        stream();
        relaysUnderTheSource(2, 2); // A and B
        visibleOnly = 1;
        ChannelTree c = add(false, 1); // C under A
        c.join();
        sim.runUntil(sim.now() + 2_000);
        visibleOnly = -1;
        sourceShownFull = true; // as gossip shows it: its free slots are offered by the directory only
        sim.runUntil(sim.now() + 3_000);
        assertThat(c.depth()).isEqualTo(2);
        assertThat(c.backups()).first().isEqualTo(nodes.get(2).localAddress()); // B, at depth 1 with free slots
        attachLog.clear();
        net.crash(nodes.get(1));
        sim.runUntil(sim.now() + 10_000);
        assertThat(attachLog.stream().filter(e -> e.startsWith("3->")).findFirst()).contains("3->0");
        assertThat(c.depth()).isEqualTo(1);
        assertNoSkipNoRepeat(played.get(3));
    }

    @Test
    void repairTriesABackupShallowerThanTheGrandparentFirst() {
        add(true, 4);
        stream();
        for (int k = 0; k < 3; k++) { // strangers at depth 1 with free slots, all shallower than B
            visibleOnly = 0;
            ChannelTree x = add(false, 2);
            x.join();
            sim.runUntil(sim.now() + 2_000);
            assertThat(x.depth()).isEqualTo(1);
        }
        // a chain: A under the source, B under A, R under B, L under R (each sees only its parent-to-be)
        int[] chain = new int[4];
        int[] slots = {1, 1, 1, 0};
        for (int k = 0; k < 4; k++) {
            visibleOnly = k == 0 ? 0 : chain[k - 1];
            ChannelTree t = add(false, slots[k]);
            chain[k] = trees.size() - 1;
            t.join();
            sim.runUntil(sim.now() + 2_000);
            assertThat(indexOf(t.parent())).isEqualTo(visibleOnly);
        }
        visibleOnly = -1;
        ChannelTree l = trees.get(chain[3]);
        attachLog.clear();
        net.crash(nodes.get(chain[2]));
        sim.runUntil(sim.now() + 10_000);
        String first = attachLog.stream().filter(e -> e.startsWith(chain[3] + "->")).findFirst().orElseThrow();
        assertThat(first).as("a stranger at depth 1, one level above the grandparent B")
                .isIn(chain[3] + "->1", chain[3] + "->2", chain[3] + "->3");
        assertThat(l.receiving()).isTrue();
        assertThat(l.depth()).isEqualTo(2);
    }

    @Test
    void anOrphanTriesItsGrandparentBeforeADeeperBackup() {
        add(true, 1);
        stream();
        // source → A (3 slots) → P → X, and A → Z1 → Z2 (Z2 has room, two levels below A)
        int[] parentOf = {-1, 0, 1, 2, 1, 4};
        int[] slotCounts = {0, 3, 1, 1, 1, 2};
        for (int i = 1; i < parentOf.length; i++) {
            visibleOnly = parentOf[i];
            add(false, slotCounts[i]).join();
            sim.runUntil(sim.now() + 2_000);
            assertThat(indexOf(trees.get(i).parent())).isEqualTo(parentOf[i]);
        }
        ChannelTree x = trees.get(3);
        visibleOnly = 5; // gossip shows X only Z2: its best backup, at depth 3
        assertThat(x.backups()).extracting(this::indexOf).containsExactly(5);
        net.crash(nodes.get(2));
        sim.runUntil(sim.now() + 10_000);
        assertThat(indexOf(x.parent())).as("the grandparent A, one level up").isEqualTo(1);
        assertThat(x.depth()).isEqualTo(2);
        assertNoSkipNoRepeat(played.get(3));
    }

    @Test
    void gapPullFromANeighbourBridgesARepairLongerThanThePlayoutDelay() {
        add(true, 2);
        stream();
        ChannelTree neighbour = add(false, 0); // takes one of the source's slots; relays nothing
        neighbour.join();
        sim.runUntil(2_000);
        ChannelTree relay = add(false, 1);
        relay.join();
        sim.runUntil(4_000);
        ChannelTree listener = add(false, 0);
        listener.join();
        sim.runUntil(8_000);
        assertThat(indexOf(listener.parent())).isEqualTo(2);
        // the relay dies and, for 8 s, the listener cannot reach the source (a routing problem):
        // only the neighbour, a pure listener, can help, by answering gap pulls
        net.block(nodes.get(0), nodes.get(3));
        net.crash(nodes.get(2));
        sim.schedule(8_000, () -> net.unblock(nodes.get(0), nodes.get(3)));
        sim.runUntil(30_000);
        assertThat(listener.receiving()).isTrue();
        assertThat(listener.stats().repairMillis).singleElement().satisfies(ms -> assertThat(ms).isGreaterThan(3_000));
        assertThat(listener.stats().chunksPulled).isGreaterThan(0);
        assertThat(neighbour.stats().pullsServed).isGreaterThan(0);
        assertThat(trees.get(0).stats().pullsServed).as("the source is never asked").isZero();
        List<Long> seqs = played.get(3);
        assertNoSkipNoRepeat(seqs);
        assertThat(seqs.get(seqs.size() - 1)).isGreaterThanOrEqualTo(nextSeq - 3);
    }

    @Test
    void aHoleTheParentNeverSentIsPulledFromANeighbourWhileTheParentFeedsOn() {
        add(true, 2);
        stream();
        ChannelTree neighbour = add(false, 0);
        neighbour.join();
        sim.runUntil(2_000);
        add(false, 1).join();
        sim.runUntil(4_000);
        ChannelTree listener = add(false, 0);
        listener.join();
        sim.runUntil(8_000);
        assertThat(indexOf(listener.parent())).isEqualTo(2);
        // 600 ms of the relay's chunks to the listener are lost; the link stays up and feeds on,
        // too briefly for a repair or a pull for want of chunks
        net.block(nodes.get(2), nodes.get(3));
        sim.schedule(600, () -> net.unblock(nodes.get(2), nodes.get(3)));
        sim.runUntil(20_000);
        assertThat(indexOf(listener.parent())).isEqualTo(2);
        assertThat(listener.stats().repairs).isZero();
        assertThat(listener.stats().chunksPulled).as("the hole, from the neighbour").isBetween(2L, 3L);
        assertThat(neighbour.stats().pullsServed).isGreaterThan(0);
        List<Long> seqs = new ArrayList<>(played.get(3));
        seqs.sort(null);
        assertNoSkipNoRepeat(seqs);
        assertThat(seqs.get(seqs.size() - 1)).isGreaterThanOrEqualTo(nextSeq - 3);
    }
}
