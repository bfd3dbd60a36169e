package io.arborcast.sim.workload;

import io.arborcast.sim.net.SimNetwork;
import io.arborcast.sim.net.SimNode;

import io.arborcast.core.NodeId;
import io.arborcast.core.ProviderInfo;
import io.arborcast.channel.ChannelPeer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The provider directory of stream scenarios: a model of the DHT's provider records, so a
 * 10k-listener stream run does not also pay for 10k DHT nodes (dht scenarios measure those).
 * A find answers after a fixed latency with a random sample of current providers that are
 * still alive; announcements and withdrawals take effect at once. On a partitioned run the
 * directory is touched only {@link SimNetwork#serially serially}: a node's announcement, and
 * the sample a find answers with, take effect at the start of the next millisecond.
 */
final class SimDirectory {
    private static final int SAMPLE = 16;
    private final SimNetwork net;
    private final long latencyMillis;
    private final Random random;
    private final Map<NodeId, ProviderInfo> providers = new HashMap<>();
    private final List<SimNode> order = new ArrayList<>();

    SimDirectory(SimNetwork net, long latencyMillis, long seed) {
        this.net = net;
        this.latencyMillis = latencyMillis;
        this.random = new Random(seed);
    }

    /** The directory as one node sees it (announcements and withdrawals are its own). */
    ChannelPeer.Directory forNode(SimNode node) {
        return new ChannelPeer.Directory() {
            @Override
            public void findProviders(NodeId channel, Consumer<List<ProviderInfo>> done) {
                node.schedule(latencyMillis, () -> net.serially(node, () -> done.accept(sample())));
            }

            @Override
            public void announce(NodeId channel, ProviderInfo info) {
                net.serially(node, () -> {
                    if (providers.put(node.localAddress().id(), info) == null) {
                        order.add(node);
                    }
                });
            }

            @Override
            public void withdraw(NodeId channel) {
                net.serially(node, () -> providers.remove(node.localAddress().id()));
            }
        };
    }

    private List<ProviderInfo> sample() {
        List<ProviderInfo> out = new ArrayList<>();
        for (int tries = 0; tries < SAMPLE * 4 && out.size() < SAMPLE && !order.isEmpty(); tries++) {
            int i = random.nextInt(order.size());
            SimNode n = order.get(i);
            ProviderInfo p = providers.get(n.localAddress().id());
            if (p == null || !n.alive()) {
                // withdrawn, or crashed (its record would expire from the DHT within its TTL)
                order.set(i, order.get(order.size() - 1));
                order.remove(order.size() - 1);
                if (p != null) {
                    providers.remove(n.localAddress().id());
                }
                continue;
            }
            if (!out.contains(p)) {
                out.add(p);
            }
        }
        return out;
    }
}
