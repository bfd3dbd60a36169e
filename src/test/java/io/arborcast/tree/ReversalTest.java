package io.arborcast.tree;

import io.arborcast.core.Message;
import io.arborcast.core.MessageHandler;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.TreeMessage;
import io.arborcast.sim.SimNode;
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
    void twoNodesNobodyCanDialNeverTryEachOther() {
        natRelayUnderTheSource();
        ChannelTree alsoNated = addBehindNat(0);
        alsoNated.join();
        sim.runUntil(sim.now() + 10_000);
        assertThat(alsoNated.receiving()).isFalse(); // the only room is below the other NATed node
        assertThat(alsoNated.stats().reversalsAsked).isZero();

        ChannelTree publicRelay = add(false, 2); // a dialable relay joins (through reversal), then has room
        publicRelay.join();
        sim.runUntil(sim.now() + 8_000);
        assertThat(publicRelay.receiving()).isTrue();
        assertThat(alsoNated.receiving()).isTrue();
        assertThat(indexOf(alsoNated.parent())).isEqualTo(3);
        assertThat(alsoNated.stats().reversalsAsked).isZero();
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
