package io.arborcast.dht;

import io.arborcast.core.DhtMessage;
import io.arborcast.core.Limit;
import io.arborcast.core.MessageRouter;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.Reachability;
import io.arborcast.core.Reachability.Status;
import io.arborcast.sim.net.SimNetwork;
import io.arborcast.sim.net.SimNode;
import io.arborcast.sim.engine.Simulation;
import io.arborcast.wire.MessageCodec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reachability checks (dial-backs) in virtual time: a public node is told so, a node whose
 * inbound probes are dropped (as by a NAT) is told it is behind one, a node with no public
 * peers cannot tell, and a helper's rate limit never passes for a NAT.
 */
class ReachabilityCheckTest {
    private final Simulation sim = new Simulation();
    private final SimNetwork net = new SimNetwork(sim, SimNetwork.Config.defaults(),
            new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME), 3);
    private final Random random = new Random(3);
    private final List<DhtNode> dhts = new ArrayList<>();
    private final List<SimNode> nodes = new ArrayList<>();

    /** A node at {@code host} (null: the network's plan, private 10/8 addresses), joined. */
    private DhtNode add(String host) {
        SimNode n = host == null ? net.addNode(NodeId.random(random)) : net.addNode(NodeId.random(random), host);
        DhtNode d = new DhtNode(DhtConfig.defaults(), n, n, new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME));
        n.setHandler(new MessageRouter().on(DhtMessage.class, d::onMessage).onDialedBack(d::onDialedBack));
        if (!nodes.isEmpty()) {
            d.join(PeerAddress.unknownId(nodes.get(0).localAddress().host(), SimNetwork.PORT), j -> { });
        }
        dhts.add(d);
        nodes.add(n);
        sim.runUntil(sim.now() + 2_000);
        return d;
    }

    /** Ten public nodes, each in its own /24. */
    private void publicNetwork() {
        for (int i = 1; i <= 10; i++) {
            add("198.51." + i + ".7");
        }
    }

    private Reachability check(DhtNode d) {
        Reachability[] out = new Reachability[1];
        d.checkReachability(r -> out[0] = r);
        sim.runUntil(sim.now() + 10_000);
        assertThat(out[0]).as("the check ended").isNotNull();
        return out[0];
    }

    @Test
    void aPublicNodeIsReachableOverTcpAndUdp() {
        publicNetwork();
        Reachability r = check(dhts.get(5));
        assertThat(r.tcp()).isEqualTo(Status.REACHABLE);
        assertThat(r.udp()).isEqualTo(Status.REACHABLE);
        assertThat(r.helpers()).isEqualTo(3);
        assertThat(r.summary()).isEqualTo("public");
        assertThat(r.advice(7144)).isEmpty();
    }

    @Test
    void aNodeWhoseInboundProbesAreDroppedIsBehindANat() {
        publicNetwork();
        DhtNode natted = add("198.51.200.7");
        nodes.get(nodes.size() - 1).setReachable(false);
        Reachability r = check(natted);
        assertThat(r.tcp()).isEqualTo(Status.UNREACHABLE);
        assertThat(r.udp()).isEqualTo(Status.UNREACHABLE);
        assertThat(r.summary()).isEqualTo("behind NAT");
        assertThat(r.advice(7144)).contains("forward TCP and UDP port 7144");
        assertThat(check(dhts.get(3)).reachable()).as("the others stay public").isTrue();
    }

    @Test
    void aNodeWithoutPublicPeersCannotTell() {
        for (int i = 0; i < 6; i++) {
            add(null); // 10/8: private addresses, as on a LAN
        }
        Reachability r = check(dhts.get(4));
        assertThat(r.tcp()).isEqualTo(Status.UNKNOWN);
        assertThat(r.helpers()).isZero();
        assertThat(r.advice(7144)).contains("no peers outside");
    }

    @Test
    void aHelpersRateLimitNeverPassesForANat() {
        publicNetwork();
        DhtNode eager = dhts.get(7);
        for (int i = 0; i < 12; i++) { // one host asking again and again: the helpers stop dialling
            check(eager);
        }
        Reachability last = check(eager);
        long refused = 0;
        for (SimNode n : nodes) {
            refused += n.limits().count(Limit.DIAL_BACK_RATE);
        }
        assertThat(refused).isPositive();
        assertThat(last.tcp()).as("not dialled is not unreachable").isNotEqualTo(Status.UNREACHABLE);
    }

    /** How many nodes other than {@code d} hold {@code d} in their routing table. */
    private long holding(DhtNode d) {
        return dhts.stream().filter(o -> o != d && o.routingTable().contains(d.id())).count();
    }

    @Test
    void aNodeNobodyCanReachIsADhtClientThatNobodyIsSentTo() {
        publicNetwork();
        // a node that joined as a server and then found it is behind a NAT
        DhtNode natted = add("198.51.200.7");
        nodes.get(nodes.size() - 1).setReachable(false);
        assertThat(holding(natted)).as("joined as a server").isPositive();
        natted.setClient(!check(natted).reachable());
        assertThat(natted.client()).isTrue();
        for (DhtNode o : dhts) { // its next requests tell whoever holds it
            if (o != natted && o.routingTable().contains(natted.id())) {
                natted.ping(nodes.get(dhts.indexOf(o)).localAddress(), ok -> { });
            }
        }
        sim.runUntil(sim.now() + 2_000);
        assertThat(holding(natted)).as("out of every table it was in").isZero();

        // one that is a client from the start: it looks up and announces, and never enters a table
        SimNode n = net.addNode(NodeId.random(random), "198.51.201.7");
        n.setReachable(false);
        DhtNode client = new DhtNode(DhtConfig.defaults(), n, n, new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME));
        n.setHandler(new MessageRouter().on(DhtMessage.class, client::onMessage));
        client.setClient(true);
        dhts.add(client);
        nodes.add(n);
        client.join(PeerAddress.unknownId(nodes.get(0).localAddress().host(), SimNetwork.PORT), j -> { });
        sim.runUntil(sim.now() + 5_000);
        NodeId target = dhts.get(4).id();
        DhtResults.LookupResult[] found = new DhtResults.LookupResult[1];
        client.lookup(target, r -> found[0] = r);
        sim.runUntil(sim.now() + 5_000);
        assertThat(found[0].closest()).first().extracting(PeerAddress::id).isEqualTo(target);
        assertThat(client.routingTable().size()).as("it knows the servers").isGreaterThanOrEqualTo(10);
        assertThat(holding(client)).isZero();
        assertThat(holding(natted)).isZero();
        // a later check that finds it reachable (a port forward) makes it a server again
        natted.setClient(false);
        natted.ping(nodes.get(0).localAddress(), ok -> { });
        sim.runUntil(sim.now() + 2_000);
        assertThat(dhts.get(0).routingTable().contains(natted.id())).isTrue();
    }
}
