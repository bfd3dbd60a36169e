package io.arborcast.sim.workload;

import io.arborcast.sim.net.SimNetwork;
import io.arborcast.sim.net.SimNode;

import io.arborcast.core.DhtMessage;
import io.arborcast.core.MessageRouter;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.dht.DhtConfig;
import io.arborcast.dht.DhtNode;
import io.arborcast.dht.DhtResults.JoinResult;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Virtual nodes running the shipped {@link DhtNode}: each node's handler hands DHT messages
 * to its DHT; further protocols can be stacked on the same nodes by callers.
 */
public final class DhtPopulation {
    private final SimNetwork net;
    private final DhtConfig config;
    private final List<DhtNode> dhts = new ArrayList<>();
    private final List<SimNode> nodes = new ArrayList<>();
    private final Random idRandom;

    public DhtPopulation(SimNetwork net, DhtConfig config, long seed) {
        this.net = net;
        this.config = config;
        this.idRandom = new Random(seed);
    }

    public SimNetwork network() {
        return net;
    }

    /** Adds a node with a random id (from the population's seed) and its DHT. */
    public DhtNode add() {
        SimNode node = net.addNode(NodeId.random(idRandom));
        DhtNode dht = new DhtNode(config, node, node, net.sizer(node));
        node.setHandler(new MessageRouter().on(DhtMessage.class, dht::onMessage));
        dhts.add(dht);
        nodes.add(node);
        return dht;
    }

    /** The virtual nodes, in DHT order (a live view). */
    public List<SimNode> nodes() {
        return java.util.Collections.unmodifiableList(nodes);
    }

    /** The virtual node under DHT number {@code index}. */
    public SimNode node(int index) {
        return nodes.get(index);
    }

    public DhtNode dht(int index) {
        return dhts.get(index);
    }

    public int size() {
        return dhts.size();
    }

    /**
     * Adds {@code count} nodes that join through node 0 (the bootstrap, added first if absent), one every
     * {@code intervalMillis}; {@code onJoined} hears each result.
     */
    public void joinAll(int count, long intervalMillis, Consumer<JoinResult> onJoined) {
        if (dhts.isEmpty()) {
            add();
        }
        PeerAddress bootstrap = PeerAddress.unknownId(nodes.get(0).localAddress().host(), SimNetwork.PORT);
        for (int i = 0; i < count; i++) {
            net.simulation().after(i * intervalMillis, () -> add().join(bootstrap, onJoined));
        }
    }

    /** The true k closest live DHT nodes to {@code target}, by brute force. */
    public List<NodeId> trueClosest(NodeId target, int k) {
        List<NodeId> ids = new ArrayList<>();
        for (SimNode n : nodes) {
            if (n.alive()) {
                ids.add(n.localAddress().id());
            }
        }
        Comparator<NodeId> byDistance = (a, b) -> target.compareDistance(a, b);
        ids.sort(byDistance);
        return ids.subList(0, Math.min(k, ids.size()));
    }
}
