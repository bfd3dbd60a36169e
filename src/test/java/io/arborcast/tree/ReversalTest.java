package io.arborcast.tree;

import io.arborcast.core.Message;
import io.arborcast.core.MessageHandler;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.TreeMessage;
import io.arborcast.sim.net.SimNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Relays nobody can dial (behind a NAT): they still feed children, which reach them through
 * their parent (connection reversal); a node that cannot be dialled either never asks one; and
 * nobody can use a reversal to make a node dial an address of their choosing. The simulated
 * network refuses connects to such a node, as its router would. Virtual time, on {@link TreeHarness}.
 */
class ReversalTest extends TreeHarness {
    /** A source of one slot, taken by a relay nobody can dial. */
    private ChannelTree natRelayUnderTheSource() {
        add(true, 1);
        stream();
        ChannelTree relay = addBehindNat(3);
        relay.join();
        sim.runUntil(sim.now() + 2_000);
        assertThat(relay.receiving()).isTrue(); // it dials out to the source: that works from behind a NAT
        return relay;
    }

    @Test
    void aRelayNobodyCanDialFeedsADialableChildThroughReversal() {
        ChannelTree relay = natRelayUnderTheSource();
        ChannelTree child = add(false, 0);
        child.join();
        sim.runUntil(sim.now() + 3_000);

        assertThat(child.receiving()).isTrue();
        assertThat(indexOf(child.parent())).isEqualTo(1);
        assertThat(child.stats().reversalsAsked).isGreaterThanOrEqualTo(1);
        assertThat(trees.get(0).stats().reversalsPassed).isEqualTo(child.stats().reversalsAsked);
        assertThat(relay.stats().reversalsServed).isEqualTo(child.stats().reversalsAsked);
        assertThat(attachLog).noneMatch(a -> a.equals("2->1")); // never dialled directly: that is refused
        sim.runUntil(sim.now() + 10_000);
        assertThat(played.get(2)).hasSizeGreaterThan(30);
        assertNoSkipNoRepeat(played.get(2));
    }

    @Test
    void twoNodesBehindConeNatsMeetThroughAHolePunch() {
        ChannelTree relay = natRelayUnderTheSource();
        ChannelTree alsoNated = addBehindNat(0);
        alsoNated.join();
        sim.runUntil(sim.now() + 3_000);

        assertThat(alsoNated.receiving()).isTrue();
        assertThat(indexOf(alsoNated.parent())).isEqualTo(1);
        assertThat(alsoNated.parentPunched()).isTrue();
        assertThat(alsoNated.stats().punchesAsked).isEqualTo(1);
        assertThat(trees.get(0).stats().punchesPassed).isEqualTo(1);
        assertThat(relay.stats().punchesServed).isEqualTo(1);
        assertThat(alsoNated.stats().punchesSucceeded).isEqualTo(1);
        assertThat(attachLog).noneMatch(a -> a.equals("2->1")); // never dialled: that is refused
        sim.runUntil(sim.now() + 10_000);
        assertThat(played.get(2)).hasSizeGreaterThan(30);
        assertNoSkipNoRepeat(played.get(2));
        // nobody can reach it through a parent nobody can dial either: no way in is offered
        assertThat(oracle()).filteredOn(st -> st.id().equals(nodes.get(2).localAddress().id()))
                .singleElement().satisfies(st -> assertThat(st.via()).isEqualTo(nodes.get(2).localAddress()));
    }

    @Test
    void behindASymmetricNatPunchesFailThenStopAndADialableParentFeedsIt() {
        natRelayUnderTheSource();
        ChannelTree symmetric = addBehindNat(0, false);
        symmetric.join();
        sim.runUntil(sim.now() + 120_000);
        assertThat(symmetric.receiving()).isFalse(); // the only room is below the other NATed node
        TreeStats st = symmetric.stats();
        assertThat(st.punchesFailed).isEqualTo(PunchStreak.FAILURES_TO_PAUSE);
        assertThat(st.punchesAsked).isEqualTo(st.punchesFailed);
        assertThat(st.punchesSucceeded).isZero();

        ChannelTree publicRelay = add(false, 2); // a dialable relay joins (through reversal), then has room
        publicRelay.join();
        sim.runUntil(sim.now() + 8_000);
        assertThat(publicRelay.receiving()).isTrue();
        assertThat(symmetric.receiving()).isTrue();
        assertThat(indexOf(symmetric.parent())).isEqualTo(3);
        assertThat(st.punchesAsked).isEqualTo(PunchStreak.FAILURES_TO_PAUSE);
    }

    @Test
    void aRelayWhosePunchesKeepFailingSaysSoAndAskersMoveOnAtOnce() {
        add(true, 1);
        stream();
        ChannelTree symmetricRelay = addBehindNat(4, false);
        symmetricRelay.join();
        sim.runUntil(sim.now() + 2_000);
        List<ChannelTree> cone = List.of(addBehindNat(0), addBehindNat(0), addBehindNat(0));
        cone.forEach(ChannelTree::join);
        sim.runUntil(sim.now() + 10_000); // every punch it served failed (a connect times out after 3 s)
        long served = symmetricRelay.stats().punchesServed;
        assertThat(served).isGreaterThanOrEqualTo(PunchStreak.FAILURES_TO_PAUSE);
        assertThat(cone).allSatisfy(t -> assertThat(t.stats().punchesFailed).isPositive())
                .allSatisfy(t -> assertThat(t.stats().punchesSucceeded).isZero());

        ChannelTree late = addBehindNat(0);
        late.join();
        sim.runUntil(sim.now() + 1_000);
        // told at once that this relay will not punch: no ATTACH timeout, no failure of its own counted
        assertThat(late.stats().punchesAsked).isGreaterThanOrEqualTo(1);
        assertThat(late.stats().punchesFailed).isZero();
        assertThat(symmetricRelay.stats().punchesServed).isEqualTo(served);
        assertThat(late.receiving()).isFalse();
    }

    @Test
    void aPunchIsPassedOnlyForAReversalPassedAndDialledOnlyForAnAskOut() {
        ChannelTree relay = natRelayUnderTheSource();
        SimNode stranger = net.addNode(NodeId.random(random));
        PeerAddress victim = new PeerAddress(NodeId.random(random), "10.9.9.9", 7144);
        // the NATed relay's own address as parent, a victim as child: the source never passed such a reversal
        stranger.send(nodes.get(0).localAddress(), new TreeMessage.Punch(KEY.channelId(),
                nodes.get(1).localAddress(), victim, true));
        // a PUNCH straight to a listener that asked nobody for one
        ChannelTree listener = add(false, 0);
        listener.join();
        sim.runUntil(sim.now() + 3_000);
        stranger.send(nodes.get(2).localAddress(), new TreeMessage.Punch(KEY.channelId(),
                nodes.get(1).localAddress(), nodes.get(2).localAddress(), true));
        sim.runUntil(sim.now() + 2_000);
        assertThat(trees.get(0).stats().punchesPassed).isZero();
        assertThat(trees.get(0).stats().reversalsRefused).isEqualTo(1);
        assertThat(listener.stats().punchesDialed).isZero();
        assertThat(relay.stats().punchesServed).isZero();
    }

    @Test
    void theSourceKeepsItsSlotsForRelaysPeersCanDial() {
        add(true, 2);
        stream();
        ChannelTree publicRelay = add(false, 3);
        publicRelay.join();
        sim.runUntil(sim.now() + 2_000);
        visibleOnly = 0; // the newcomer sees only the source, which has a slot free
        ChannelTree nated = addBehindNat(3);
        nated.join();
        sim.runUntil(sim.now() + 3_000);
        // yet the NATed relay goes below the public one
        assertThat(nated.receiving()).isTrue();
        assertThat(indexOf(nated.parent())).isEqualTo(1);
        assertThat(nated.stats().refusalReasons).containsKey("the source feeds relays peers can dial first");
        ChannelTree secondPublic = add(false, 3); // also seeing only the source
        secondPublic.join();
        sim.runUntil(sim.now() + 3_000);
        assertThat(indexOf(secondPublic.parent())).isZero(); // which is what the slot was kept for
        assertThat(nated.depth()).isEqualTo(2);
    }

    @Test
    void aRelayPeersCanDialTakesTheSourceSlotOfOneNobodyCanDialWhichMovesBelowIt() {
        ChannelTree nated = natRelayUnderTheSource(); // the only slot: nobody else asked yet
        visibleOnly = 0; // it sees only the source, shown with its slot free as stale gossip would
        staleOracle = true;
        ChannelTree publicRelay = add(false, 3);
        publicRelay.join();
        sim.runUntil(sim.now() + 3_000);
        assertThat(indexOf(publicRelay.parent())).isZero();
        assertThat(nated.receiving()).isTrue();
        assertThat(indexOf(nated.parent())).isEqualTo(2);
        assertThat(nated.stats().displaced).isEqualTo(1);
        sim.runUntil(sim.now() + 10_000);
        assertNoSkipNoRepeat(played.get(1));
    }

    @Test
    void underTheSourceARelayNobodyCanDialIsReachedThroughADialableChildNotTheSource() {
        ChannelTree relay = natRelayUnderTheSource();
        ChannelTree first = add(false, 2);
        first.join(); // through the source: the relay has no child yet
        sim.runUntil(sim.now() + 3_000);
        assertThat(indexOf(first.parent())).isEqualTo(1);
        assertThat(relay.via()).isEqualTo(nodes.get(2).localAddress());

        visibleOnly = 1; // the next sees only the relay, so it asks it (through its child now)
        ChannelTree second = add(false, 0);
        second.join();
        sim.runUntil(sim.now() + 3_000);
        assertThat(indexOf(second.parent())).isEqualTo(1);
        assertThat(trees.get(0).stats().reversalsPassed).isEqualTo(1); // the first one's only
        assertThat(first.stats().reversalsPassed).isEqualTo(1);
        assertThat(relay.stats().reversalsServed).isEqualTo(2);
    }

    @Test
    void aFullRelayPeersCanDialGivesAListenersSlotToOneNobodyCanDial() {
        add(true, 2);
        stream();
        addBehindNat(2).join(); // 1: takes a source slot while nobody else is there
        sim.runUntil(sim.now() + 2_000);
        ChannelTree relay = add(false, 2); // 2: the other
        relay.join();
        sim.runUntil(sim.now() + 2_000);
        visibleOnly = 2; // listeners 3 and 4, peers can dial them, fill the relay
        for (int i = 0; i < 2; i++) {
            add(false, 0).join();
            sim.runUntil(sim.now() + 3_000);
            assertThat(indexOf(trees.get(3 + i).parent())).isEqualTo(2);
        }
        visibleOnly = 2; // a listener behind a symmetric NAT sees the full relay, shown with room
        staleOracle = true;
        ChannelTree symmetric = addBehindNat(0, false);
        symmetric.join();
        sim.runUntil(sim.now() + 3_000);
        assertThat(indexOf(symmetric.parent())).isEqualTo(2);
        assertThat(relay.stats().displacedOthers).isEqualTo(1);
        // the listener that gave its slot up is fed elsewhere (the NATed relay, through reversal)
        visibleOnly = -1;
        staleOracle = false;
        sim.runUntil(sim.now() + 10_000);
        assertThat(trees.subList(3, 5)).allSatisfy(t -> assertThat(t.receiving()).isTrue());
        assertThat(trees.subList(3, 5)).anySatisfy(t -> assertThat(indexOf(t.parent())).isEqualTo(1));
        assertNoSkipNoRepeat(played.get(3));
        assertNoSkipNoRepeat(played.get(4));
    }

    @Test
    void aReversalIsHonouredOnlyFromTheParentAndOnlyForTheAskerItSaw() {
        ChannelTree relay = natRelayUnderTheSource();
        SimNode stranger = net.addNode(NodeId.random(random));
        List<Message> strangerGot = inbox(stranger);
        SimNode victim = net.addNode(NodeId.random(random));
        List<Message> victimGot = inbox(victim);
        TreeMessage.Attach attach = new TreeMessage.Attach(KEY.channelId(), -1, 0);
        // straight to the NATed relay (the stranger has no link to it: refused by its router anyway),
        // and through the source naming a third party as the asker
        stranger.send(nodes.get(1).localAddress(), new TreeMessage.AttachVia(nodes.get(1).localAddress(),
                victim.localAddress(), attach));
        stranger.send(nodes.get(0).localAddress(), new TreeMessage.AttachVia(nodes.get(1).localAddress(),
                victim.localAddress(), attach));
        sim.runUntil(sim.now() + 2_000);
        // the source passed it on naming the stranger, as it saw it; the relay answered the stranger
        assertThat(trees.get(0).stats().reversalsPassed).isEqualTo(1);
        assertThat(relay.stats().reversalsServed).isEqualTo(1);
        assertThat(strangerGot).first().isInstanceOf(TreeMessage.Accept.class);
        assertThat(victimGot).isEmpty();

        // a reversal for a peer that is no child of the source is dropped there
        SimNode other = net.addNode(NodeId.random(random));
        List<Message> otherGot = inbox(other);
        stranger.send(nodes.get(0).localAddress(), new TreeMessage.AttachVia(other.localAddress(),
                stranger.localAddress(), attach));
        sim.runUntil(sim.now() + 2_000);
        assertThat(trees.get(0).stats().reversalsRefused).isEqualTo(1);
        assertThat(otherGot).isEmpty();
    }

    /** What {@code node} is sent from now on. */
    private static List<Message> inbox(SimNode node) {
        List<Message> got = new ArrayList<>();
        node.setHandler(new MessageHandler() {
            @Override
            public void onMessage(PeerAddress from, Message m) {
                got.add(m);
            }

            @Override
            public void onLinkClosed(PeerAddress peer, String reason) {
            }
        });
        return got;
    }

    @Test
    void reversalsAreRateLimitedPerAsker() {
        natRelayUnderTheSource();
        SimNode flooder = net.addNode(NodeId.random(random));
        TreeMessage.Attach attach = new TreeMessage.Attach(KEY.channelId(), -1, 0);
        for (int i = 0; i < 100; i++) {
            flooder.send(nodes.get(0).localAddress(), new TreeMessage.AttachVia(nodes.get(1).localAddress(),
                    flooder.localAddress(), attach));
        }
        sim.runUntil(sim.now() + 2_000);
        TreeStats source = trees.get(0).stats();
        assertThat(source.reversalsPassed).isEqualTo(ChannelTree.REVERSALS_PER_MINUTE);
        assertThat(source.reversalsRefused).isEqualTo(100 - ChannelTree.REVERSALS_PER_MINUTE);
    }

    @Test
    void aFullParentNamesItsNatedChildThroughItself() {
        add(true, 1);
        stream();
        addBehindNat(2).join();
        sim.runUntil(sim.now() + 2_000);
        visibleOnly = 0; // the newcomer sees only the source, shown with its slot free as stale gossip would:
        staleOracle = true; // the refusal must say how to reach the relay it redirects to
        ChannelTree child = add(false, 0);
        child.join();
        sim.runUntil(sim.now() + 3_000);
        assertThat(child.receiving()).isTrue();
        assertThat(indexOf(child.parent())).isEqualTo(1);
        assertThat(child.stats().refusalsReceived).isEqualTo(1);
        assertThat(child.stats().reversalsAsked).isEqualTo(1);
    }
}
