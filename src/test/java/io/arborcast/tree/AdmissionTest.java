package io.arborcast.tree;

import io.arborcast.core.MessageRouter;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerState;
import io.arborcast.core.StreamMessage;
import io.arborcast.core.TreeMessage;
import io.arborcast.sim.net.SimNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Who may attach where: full parents refuse and redirect (to their children first, the source only to its
 * children), relays take pure listeners' slots, a node never goes below itself, and a refusal is believed
 * until the refuser's state changes. Virtual time, on {@link TreeHarness}. */
class AdmissionTest extends TreeHarness {
    @Test
    void fullParentRedirectsAndTheTreeGrowsUnderRelays() {
        staleOracle = true; // listeners ask full parents, which refuse and redirect
        add(true, 2);
        stream();
        for (int i = 1; i <= 6; i++) {
            add(false, 2).join();
            sim.runUntil(sim.now() + 1_500);
        }
        sim.runUntil(sim.now() + 5_000);
        assertThat(trees.get(0).children()).hasSizeBetween(1, 2); // joiners spread over the best few candidates
        for (int i = 1; i <= 6; i++) {
            ChannelTree t = trees.get(i);
            assertThat(t.receiving()).as("listener %d", i).isTrue();
            assertThat(t.depth()).isBetween(1, 4); // 6 listeners, 2 slots each, parents picked among the best 3
            assertThat(t.ancestors()).hasSize(t.depth());
            assertThat(indexOf(t.ancestors().get(t.depth() - 1))).isZero(); // the path ends at the source
            assertThat(played.get(i)).isNotEmpty();
        }
        assertThat(trees.stream().mapToLong(t -> t.stats().refusalsSent).sum()).isGreaterThan(0);
    }

    @Test
    void pureListenersAreNeverRelays() {
        staleOracle = true;
        add(true, 1);
        stream();
        add(false, 0).join();
        sim.runUntil(3_000);
        ChannelTree late = add(false, 0);
        late.join();
        sim.runUntil(20_000);
        assertThat(late.receiving()).isFalse(); // the only slot is taken and the listener relays nothing
        assertThat(trees.get(1).children()).isEmpty();
        assertThat(late.stats().refusalsReceived).isGreaterThan(0);
    }

    @Test
    void aNodeIsNeverAttachedBelowItself() {
        add(true, 1);
        stream();
        ChannelTree a = add(false, 1);
        a.join();
        sim.runUntil(3_000);
        ChannelTree b = add(false, 1);
        b.join();
        sim.runUntil(6_000);
        assertThat(b.parent().id()).isEqualTo(nodes.get(1).localAddress().id()); // b under a
        // b may not adopt a: a is its ancestor
        nodes.get(1).send(nodes.get(2).localAddress(), new TreeMessage.Attach(KEY.channelId(), -1, 1));
        sim.runUntil(7_000);
        assertThat(b.children()).isEmpty();
        assertThat(b.stats().refusalsSent).isEqualTo(1);
    }

    @Test
    void aFullParentRedirectsToItsChildrenThatCanRelay() {
        add(true, 2);
        stream();
        add(false, 0).join(); // a pure listener: never a redirect target
        sim.runUntil(2_000);
        ChannelTree relay = add(false, 3);
        relay.join();
        sim.runUntil(4_000);
        SimNode asker = net.addNode(NodeId.random(random));
        List<TreeMessage.Refuse> refusals = new ArrayList<>();
        asker.setHandler(new MessageRouter().on(TreeMessage.Refuse.class, (from, r) -> refusals.add(r)));
        asker.send(nodes.get(0).localAddress(), new TreeMessage.Attach(KEY.channelId(), -1, 0));
        sim.runUntil(5_000);
        assertThat(refusals).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo("no free relay slot");
            assertThat(r.alternatives().get(0).id()).isEqualTo(nodes.get(2).localAddress().id());
            assertThat(r.alternatives()).noneMatch(s -> s.id().equals(nodes.get(1).localAddress().id()));
        });
    }

    @Test
    void theFullSourceRedirectsOnlyToItsChildren() {
        add(true, 2);
        stream();
        for (int i = 0; i < 5; i++) { // two relays below the source, three more below them
            visibleOnly = i < 2 ? 0 : 1;
            add(false, 2).join();
            sim.runUntil(sim.now() + 2_000);
        }
        visibleOnly = -1;
        Set<NodeId> sourceChildren = new HashSet<>();
        for (int i = 1; i < trees.size(); i++) {
            if (trees.get(i).depth() == 1) {
                sourceChildren.add(nodes.get(i).localAddress().id());
            }
        }
        assertThat(sourceChildren).hasSize(2);
        SimNode asker = net.addNode(NodeId.random(random));
        List<TreeMessage.Refuse> refusals = new ArrayList<>();
        asker.setHandler(new MessageRouter().on(TreeMessage.Refuse.class, (from, r) -> refusals.add(r)));
        asker.send(nodes.get(0).localAddress(), new TreeMessage.Attach(KEY.channelId(), -1, 2));
        sim.runUntil(sim.now() + 1_000);
        // its upload is the channel's bottleneck: no list of the shallowest peers it knows
        assertThat(refusals).singleElement().satisfies(r -> assertThat(r.alternatives()).isNotEmpty()
                .allSatisfy(st -> assertThat(sourceChildren).contains(st.id())));
    }

    @Test
    void theSourcesDirectoryOfferCountsOverItsNewerGossipStateWhichAlwaysShowsItFull() {
        add(true, 2);
        stream();
        sim.runUntil(1_000);
        sourceShownFull = true; // as gossip shows it, by design
        oracleVersion = 3; // newer than the directory's entry (version 0)
        ghosts.add(PeerState.offering(nodes.get(0).localAddress(), 0, 2)); // the directory: two free slots
        ChannelTree listener = add(false, 0);
        listener.learn(oracle().get(0)); // heard from gossip too, not only offered
        listener.join();
        sim.runUntil(sim.now() + 5_000);
        // before: the full gossip state hid the offer, and the listener asked nobody while it lasted
        assertThat(attachLog).containsExactly("1->0");
        assertThat(listener.receiving()).isTrue();
        assertThat(listener.depth()).isEqualTo(1);
    }

    @Test
    void aPeerThatRefusedIsNotAskedAgainUntilANewerStateOfItArrives() {
        add(true, 1);
        stream();
        int[] slots = {1, 1, 0}; // a chain: source → A → B → C, all full
        for (int k = 0; k < 3; k++) {
            visibleOnly = trees.size() - 1;
            add(false, slots[k]).join();
            sim.runUntil(sim.now() + 2_000);
        }
        assertThat(trees.get(3).depth()).isEqualTo(3);
        visibleOnly = -1;
        staleOracle = true; // gossip keeps showing the source and A with their slots free
        attachLog.clear();
        sim.runUntil(sim.now() + 120_000);
        // B and C each ask a shallower full peer once and believe its refusal (before: every 15 s)
        for (String asker : List.of("2->", "3->")) {
            for (String to : List.of("0", "1")) {
                assertThat(attachLog.stream().filter((asker + to)::equals).count()).as(asker + to).isLessThanOrEqualTo(1);
            }
        }
        assertThat(trees.get(3).depth()).isEqualTo(3);
        long before = attachLog.stream().filter("3->0"::equals).count();
        oracleVersion = 1; // the source's state changed since: worth asking again, once
        sim.runUntil(sim.now() + 120_000);
        assertThat(attachLog.stream().filter("3->0"::equals).count()).isEqualTo(before + 1);
    }

    @Test
    void aRelayTakesAPureListenersSlotAndTheListenerMovesBelowItWithoutASkip() {
        add(true, 1);
        stream();
        ChannelTree listener = add(false, 0);
        listener.join();
        sim.runUntil(4_000);
        assertThat(listener.depth()).isEqualTo(1);
        assertThat(trees.get(0).listenerChildren()).isEqualTo(1);
        ChannelTree relay = add(false, 2);
        relay.join(); // the source is full, but its only child relays nothing
        sim.runUntil(12_000);
        assertThat(relay.depth()).isEqualTo(1);
        assertThat(indexOf(listener.parent())).isEqualTo(2);
        assertThat(listener.depth()).isEqualTo(2);
        assertThat(listener.stats().displaced).isEqualTo(1);
        assertThat(listener.stats().repairs).as("a planned move, not a repair").isZero();
        assertThat(trees.get(0).stats().displacedOthers).isEqualTo(1);
        List<Long> seqs = played.get(1);
        assertNoSkipNoRepeat(seqs);
        assertThat(seqs.get(seqs.size() - 1)).isGreaterThanOrEqualTo(nextSeq - 3);
        // a pure listener never displaces anyone
        ChannelTree late = add(false, 0);
        late.join();
        sim.runUntil(20_000);
        assertThat(indexOf(late.parent())).isEqualTo(2);
        assertThat(listener.stats().displaced).isEqualTo(1);
    }
}
