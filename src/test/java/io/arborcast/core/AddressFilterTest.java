package io.arborcast.core;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class AddressFilterTest {
    private final Random random = new Random(3);
    private final NodeId channel = NodeId.random(random);
    private final NodeId me = NodeId.random(random);

    private PeerAddress peer(String host) {
        return new PeerAddress(NodeId.random(random), host, 7144);
    }

    private static PeerState state(PeerAddress a) {
        return new PeerState(a, 1, 2, 0, 128, 10, 1);
    }

    @Test
    void ourOwnLoopbackAddressIsReplacedAndOtherUnreachableAddressesAreLeftOut() {
        SelfAddress self = new SelfAddress(null, List.of("198.18.1.2"), "127.0.0.1");
        AddressFilter f = new AddressFilter(me, self, 7144, id -> null);
        PeerAddress ownLoopback = new PeerAddress(me, "127.0.0.1", 7144);
        PeerAddress local = peer("127.0.0.1");
        PeerAddress lan = peer("192.168.1.9");
        PeerAddress other = peer("198.18.3.2");
        PeerAddress to = peer("198.18.2.2");
        TreeMessage.Refuse out = (TreeMessage.Refuse) f.outbound(to, new TreeMessage.Refuse(channel, "full",
                List.of(state(ownLoopback), state(local), state(lan), state(other))));
        assertThat(out.alternatives()).extracting(PeerState::address)
                .containsExactly(new PeerAddress(me, "198.18.1.2", 7144), other);
        // a path keeps its length (it is the depth) even where an entry cannot be given
        TreeMessage.Accept accept = (TreeMessage.Accept) f.outbound(to,
                new TreeMessage.Accept(channel, List.of(ownLoopback, local, other)));
        assertThat(accept.ancestors()).hasSize(3);
        assertThat(accept.ancestors().get(0).host()).isEqualTo("198.18.1.2");
        // a loopback peer of ours may hear loopback addresses
        assertThat(f.outbound(peer("127.0.0.1"), new TreeMessage.Displace(channel, List.of(state(local)))))
                .isEqualTo(new TreeMessage.Displace(channel, List.of(state(local))));
        // forwarding a joiner that the next peer cannot reach: not sent at all
        assertThat(f.outbound(to, new GossipMessage.ForwardJoin(channel, state(lan), 3))).isNull();
        StreamMessage.Chunk chunk = new StreamMessage.Chunk(channel, 1, 0, new byte[1], new byte[64]);
        assertThat(f.outbound(to, chunk)).isSameAs(chunk);
    }

    @Test
    void inboundTheSendersOwnEntriesBecomeWhereWeSeeItAndLinkedPeersWhereTheirLinkIs() {
        PeerAddress linked = peer("198.18.4.2");
        SelfAddress self = new SelfAddress(null, List.of("198.18.1.2"), "127.0.0.1");
        AddressFilter f = new AddressFilter(me, self, 7144, Map.of(linked.id(), linked)::get);
        PeerAddress from = peer("198.18.2.2");
        PeerAddress claimed = new PeerAddress(from.id(), "127.0.0.1", 7144);
        PeerAddress linkedClaimed = new PeerAddress(linked.id(), "198.18.99.99", 7144);
        PeerAddress loopback = peer("127.0.0.1");
        GossipMessage.Shuffle in = (GossipMessage.Shuffle) f.inbound(from, new GossipMessage.Shuffle(channel,
                state(claimed), 2, List.of(state(linkedClaimed), state(loopback))));
        assertThat(in.origin().address()).isEqualTo(from);
        assertThat(in.sample()).extracting(PeerState::address).containsExactly(linked);
        DhtMessage.Nodes nodes = new DhtMessage.Nodes(1, List.of(peer("198.18.5.2")));
        assertThat(f.inbound(from, nodes)).as("nothing to change: the same object").isSameAs(nodes);
        PeerAddress atOurAddress = peer("198.18.1.2");
        assertThat(((DhtMessage.Nodes) f.inbound(from, new DhtMessage.Nodes(2, List.of(atOurAddress)))).contacts())
                .as("someone else at our own address is never a contact").isEmpty();
    }

    @Test
    void aViaIsMappedButNeverDroppedAndAReversalNeedsBothEndsReachable() {
        SelfAddress self = new SelfAddress(null, List.of("198.18.1.2"), "127.0.0.1");
        AddressFilter f = new AddressFilter(me, self, 7144, id -> null);
        PeerAddress to = peer("198.18.2.2");
        PeerAddress nated = peer("198.18.3.2");
        PeerAddress ourLoopback = new PeerAddress(me, "127.0.0.1", 7144);
        PeerAddress lan = peer("192.168.1.9");
        // we name ourselves as the via of a NATed child: the peer hears the address it can reach us at
        PeerState viaUs = new PeerState(nated, 2, 1, 0, 0, 0, 0, ourLoopback);
        PeerState viaLan = new PeerState(peer("198.18.6.2"), 2, 1, 0, 0, 0, 0, lan);
        TreeMessage.Refuse out = (TreeMessage.Refuse) f.outbound(to,
                new TreeMessage.Refuse(channel, "full", List.of(viaUs, viaLan)));
        assertThat(out.alternatives().get(0).via()).isEqualTo(new PeerAddress(me, "198.18.1.2", 7144));
        // a via the peer cannot reach stays (dropping it would make the peer look dialable)
        assertThat(out.alternatives().get(1).via()).isEqualTo(lan);
        assertThat(out.alternatives()).noneMatch(PeerState::dialable);
        // a reversal naming an asker the next hop cannot reach is not passed on
        TreeMessage.Attach attach = new TreeMessage.Attach(channel, -1, 0);
        assertThat(f.outbound(to, new TreeMessage.AttachVia(nated, lan, attach))).isNull();
        assertThat(f.outbound(to, new TreeMessage.AttachVia(nated, ourLoopback, attach)))
                .isEqualTo(new TreeMessage.AttachVia(nated, new PeerAddress(me, "198.18.1.2", 7144), attach));
        // nor a hole punch's answer
        assertThat(f.outbound(to, new TreeMessage.Punch(channel, nated, lan, true))).isNull();
        assertThat(f.outbound(to, new TreeMessage.Punch(channel, ourLoopback, nated, true)))
                .isEqualTo(new TreeMessage.Punch(channel, new PeerAddress(me, "198.18.1.2", 7144), nated, true));
    }
}
