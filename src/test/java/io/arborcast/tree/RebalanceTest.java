package io.arborcast.tree;

import io.arborcast.core.PeerState;
import io.arborcast.core.StreamMessage;
import io.arborcast.core.TreeMessage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Re-balancing: deep nodes move up to free slots they hear of (by gossip or by Room from above) without
 * a skip, then the tree settles; the source sees the tree below it through subtree reports. Virtual time, on {@link TreeHarness}. */
class RebalanceTest extends TreeHarness {
    @Test
    void rebalancingMovesDeepNodesUpWithoutASkipAndThenSettles() {
        add(true, 4);
        stream();
        chainBelowTheSource(1, 1, 1, 0); // source → A → B → C → D
        assertThat(trees.get(4).depth()).isEqualTo(4);
        visibleOnly = -1; // now everyone sees the source's three free slots
        sim.runUntil(sim.now() + 60_000);
        for (int i = 1; i <= 4; i++) {
            assertThat(trees.get(i).depth()).as("node %d", i).isBetween(1, 2);
        }
        long moves = trees.stream().mapToLong(t -> t.stats().moves).sum();
        assertThat(moves).isGreaterThanOrEqualTo(2);
        sim.runUntil(sim.now() + 120_000);
        assertThat(trees.stream().mapToLong(t -> t.stats().moves).sum()).as("settled: no more moves").isEqualTo(moves);
        assertNoSkipNoRepeat(played.get(4));
        assertThat(trees.get(4).stats().repairs).as("moves are not repairs").isZero();
    }

    @Test
    void freeSlotsAboveTravelDownTheTreeAndDeepNodesMoveUpToThem() {
        add(true, 1);
        stream();
        chainBelowTheSource(3, 1, 1, 0); // source → A (3 slots) → B → C → D
        assertThat(trees.get(4).depth()).isEqualTo(4);
        visibleOnly = trees.size(); // from now on gossip shows nobody: only Room can tell of A's two free slots
        long[] versions = new long[trees.size()];
        List<String> states = new ArrayList<>(java.util.Collections.nCopies(trees.size(), ""));
        shareRoomEverySecond(versions, states);
        sim.runUntil(sim.now() + 60_000);
        for (int i = 2; i <= 4; i++) {
            assertThat(trees.get(i).depth()).as("node %d moved up below A", i).isEqualTo(2);
            assertThat(indexOf(trees.get(i).parent())).isEqualTo(1);
        }
        assertNoSkipNoRepeat(played.get(4));
        assertThat(trees.get(4).stats().repairs).as("moves are not repairs").isZero();
    }

    /** What ChannelPeer does once a second: each tree shares its gossip state (version bumped on change). */
    private void shareRoomEverySecond(long[] versions, List<String> states) {
        sim.schedule(1_000, () -> {
            for (int i = 1; i < trees.size(); i++) {
                ChannelTree t = trees.get(i);
                if (!t.receiving()) {
                    continue;
                }
                String st = t.depth() + "/" + t.freeSlots() + "/" + t.listenerChildren();
                if (!st.equals(states.get(i))) {
                    states.set(i, st);
                    versions[i]++;
                }
                t.shareRoom(new PeerState(nodes.get(i).localAddress(), t.depth(), t.freeSlots(),
                        t.listenerChildren(), 1000, 0, versions[i]));
            }
            shareRoomEverySecond(versions, states);
        });
    }

    @Test
    void theSourceSeesTheTreeBelowItThroughSubtreeReports() {
        add(true, 2);
        stream();
        for (int i = 1; i <= 9; i++) {
            add(false, 2).join();
            sim.runUntil(sim.now() + 1_500);
        }
        sim.runUntil(sim.now() + 60_000); // re-balancing settles; reports climb one level per 5 s at most
        List<TreeMessage.Subtree.Entry> view = trees.get(0).subtree(1_000);
        assertThat(view).hasSize(9);
        for (int k = 0; k < view.size(); k++) {
            TreeMessage.Subtree.Entry e = view.get(k);
            ChannelTree t = trees.get(indexOf(e.peer()));
            // each entry's parent is the node's real parent, and parents come before their children
            int expectedParent = indexOf(t.parent());
            assertThat(e.parent()).isLessThan(k);
            assertThat(e.parent() < 0 ? 0 : indexOf(view.get(e.parent()).peer())).isEqualTo(expectedParent);
        }
        // a crashed relay's subtree leaves the view once its slot is freed and the orphans re-report
        int relay = indexOf(view.get(0).peer());
        net.crash(nodes.get(relay));
        sim.runUntil(sim.now() + 30_000);
        assertThat(trees.get(0).subtree(1_000)).hasSize(8)
                .noneMatch(e -> e.peer().id().equals(nodes.get(relay).localAddress().id()));
        assertThat(trees.get(0).subtree(3)).hasSize(3); // cut to the limit, breadth-first
    }

    /** The source counts its audience from the reports, past what their peer lists can name. */
    @Test
    void theSourceCountsEveryNodeBelowItFromTheReportsEvenPastTheirListsLength() {
        add(true, 3);
        stream();
        int listeners = 3 * TreeMessage.MAX_PATH;
        for (int i = 0; i < listeners; i++) {
            add(false, i % 4 == 0 ? 0 : 3).join();
            sim.runUntil(sim.now() + 200);
        }
        sim.runUntil(sim.now() + 60_000);
        assertThat(trees.get(0).subtree(1_000)).hasSizeLessThan(listeners);
        assertThat(trees.get(0).nodesBelow()).isEqualTo(listeners);
        int relay = indexOf(trees.get(0).children().get(0));
        net.crash(nodes.get(relay));
        sim.runUntil(sim.now() + 60_000);
        assertThat(trees.get(0).nodesBelow()).as("the crashed relay's orphans counted where they went")
                .isEqualTo(listeners - 1);
    }
}
