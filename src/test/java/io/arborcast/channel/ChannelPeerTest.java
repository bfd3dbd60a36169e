package io.arborcast.channel;

import io.arborcast.core.Message;
import io.arborcast.core.MessageRouter;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.ProviderInfo;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.gossip.GossipConfig;
import io.arborcast.sim.net.LatencyModel;
import io.arborcast.sim.net.SimNetwork;
import io.arborcast.sim.net.SimNode;
import io.arborcast.sim.engine.Simulation;
import io.arborcast.stream.Chunks;
import io.arborcast.tree.TreeConfig;
import io.arborcast.tree.TreeEvents;
import io.arborcast.wire.MessageCodec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** Gossip, tree and the provider directory wired together: what a peer announces, and when. */
class ChannelPeerTest {
    private static final ChannelKey KEY = ChannelKey.generate();
    private final Simulation sim = new Simulation();
    private final SimNetwork net = new SimNetwork(sim, new SimNetwork.Config(LatencyModel.internet(), 0, 3_000, 5_000),
            new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME), 4);
    private final Random random = new Random(7);
    /** The directory: current announcements, and when each peer last announced and withdrew. */
    private final Map<NodeId, ProviderInfo> announced = new LinkedHashMap<>();
    private final Map<NodeId, Long> announcedAt = new LinkedHashMap<>();
    private final Map<NodeId, Long> withdrawnAt = new LinkedHashMap<>();
    /** Node ids in the order the peers were added. */
    private final List<NodeId> ids = new ArrayList<>();

    private ChannelPeer add(boolean source, int slots) {
        SimNode node = net.addNode(NodeId.random(random));
        NodeId id = node.localAddress().id();
        ids.add(id);
        ChannelPeer.Directory directory = new ChannelPeer.Directory() {
            @Override
            public void findProviders(NodeId channel, Consumer<List<ProviderInfo>> done) {
                List<ProviderInfo> now = List.copyOf(announced.values());
                sim.after(100, () -> done.accept(now));
            }

            @Override
            public void announce(NodeId channel, ProviderInfo info) {
                announced.put(id, info);
                announcedAt.put(id, sim.now());
            }

            @Override
            public void withdraw(NodeId channel) {
                announced.remove(id);
                withdrawnAt.put(id, sim.now());
            }
        };
        TreeConfig tree = TreeConfig.relay(slots);
        ChannelPeer p = source
                ? ChannelPeer.source(KEY.channelId(), KEY.publicKey(), tree, GossipConfig.defaults(), node, node,
                        directory, 1000)
                : ChannelPeer.listener(KEY.channelId(), KEY.publicKey(), tree, GossipConfig.defaults(), node, node,
                        directory, 1000, c -> { });
        node.setHandler(new MessageRouter()
                .on(Message.class, p::onMessage)
                .onLinkClosed(p::onLinkClosed));
        return p;
    }

    private void stream(ChannelPeer source, long[] seq) {
        sim.schedule(250, () -> {
            source.publish(Chunks.sign(KEY, seq[0], sim.now(), ("chunk " + seq[0]).getBytes()));
            seq[0]++;
            stream(source, seq);
        });
    }

    /**
     * A relay whose last slot fills leaves the directory as the ATTACH is accepted; the source
     * stays there showing itself full (a would-be second publisher asks the depth-0 providers).
     */
    @Test
    void aPeerWhoseLastSlotFillsLeavesTheDirectoryAtOnceNotAtItsNextTick() {
        ChannelPeer source = add(true, 1);
        source.start(List.of());
        stream(source, new long[1]);
        sim.runUntil(1_000);
        NodeId sourceId = ids.get(0);
        assertThat(announced.get(sourceId).freeSlots()).isEqualTo(1);
        long[] acceptedAt = {-1, -1};
        ChannelPeer relay = add(false, 1);
        relay.start(List.of());
        source.tree().setEvents(acceptedAt(acceptedAt, 0));
        sim.runUntil(5_000);
        NodeId relayId = ids.get(1);
        assertThat(source.tree().children()).hasSize(1);
        assertThat(announced.get(sourceId).depth()).isZero();
        assertThat(announced.get(sourceId).freeSlots()).isZero();
        assertThat(announcedAt.get(sourceId)).as("shown full as the ATTACH was accepted").isEqualTo(acceptedAt[0]);
        assertThat(announced.get(relayId).freeSlots()).isEqualTo(1);

        ChannelPeer listener = add(false, 0);
        listener.start(List.of());
        relay.tree().setEvents(acceptedAt(acceptedAt, 1));
        sim.runUntil(10_000);
        assertThat(relay.tree().children()).hasSize(1);
        assertThat(announced).doesNotContainKey(relayId);
        assertThat(withdrawnAt.get(relayId)).as("withdrawn as the ATTACH was accepted").isEqualTo(acceptedAt[1]);
        assertThat(announced.get(sourceId).freeSlots()).isZero();
    }

    private TreeEvents acceptedAt(long[] at, int i) {
        return new TreeEvents() {
            @Override
            public void childAdded(PeerAddress child) {
                at[i] = sim.now();
            }
        };
    }
}
