package io.arborcast.node;

import io.arborcast.core.NodeId;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.net.NetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static io.arborcast.node.Loops.onLoop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A relay that is our parent in two channels: each channel's keepalive says only how that
 * channel's source is doing. Real nodes on loopback. Channel A's source pauses (its tree must
 * hold: the source's beacon still grows); channel B's source dies, so the relay is alive but
 * cut off in B: the child must see B starve and repair, whatever A's keepalives say.
 */
class KeepalivePerChannelTest {
    @RegisterExtension
    final LoopbackNodes nodes = new LoopbackNodes();

    private Node start(int relaySlots) throws InterruptedException {
        NodeConfig d = NodeConfig.defaults();
        return nodes.start(new NodeConfig(NetConfig.loopback(0), d.dht().withRpcTimeoutMillis(500), d.gossip(),
                d.tree().withRelays(relaySlots), 1, d.chunkMillis(), d.maxChunkBytes()));
    }

    private static NodeId parentIn(Node n, NodeId channel) throws Exception {
        return onLoop(n, x -> {
            var p = x.channel(channel).peer().tree().parent();
            return p == null ? null : p.id();
        });
    }

    @Test
    void aParentInTwoChannelsDoesNotKeepAStarvedChannelAliveWithTheOtherChannelsBeacon() throws Exception {
        Node sourceA = start(1); // started first: its clock (a node's own, from its start) is ahead of B's
        Node sourceB = start(1);
        assertThat(sourceB.join(sourceA.address()).get(10, TimeUnit.SECONDS).ok()).isTrue();
        ChannelKey a = ChannelKey.generate();
        ChannelKey b = ChannelKey.generate();
        LocalChannel pubA = sourceA.publish(a, "A", "application/octet-stream", 128).get(10, TimeUnit.SECONDS);
        LocalChannel pubB = sourceB.publish(b, "B", "application/octet-stream", 128).get(10, TimeUnit.SECONDS);
        ScheduledFuture<?> feedA = Loops.feed(nodes.feeder(), sourceA, pubA);
        ScheduledFuture<?> feedB = Loops.feed(nodes.feeder(), sourceB, pubB);

        Node relay = start(2);
        assertThat(relay.join(sourceA.address()).get(10, TimeUnit.SECONDS).ok()).isTrue();
        relay.tune(a.channelId()).get(10, TimeUnit.SECONDS);
        relay.tune(b.channelId()).get(10, TimeUnit.SECONDS);
        NodeId relayId = relay.address().id();
        await().atMost(Duration.ofSeconds(15)).until(() -> sourceA.address().id().equals(parentIn(relay, a.channelId()))
                && sourceB.address().id().equals(parentIn(relay, b.channelId())));
        Node child = start(0); // the sources' one slot each is taken: the relay is its parent in both
        assertThat(child.join(sourceA.address()).get(10, TimeUnit.SECONDS).ok()).isTrue();
        child.tune(a.channelId()).get(10, TimeUnit.SECONDS);
        child.tune(b.channelId()).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(15)).until(() -> relayId.equals(parentIn(child, a.channelId()))
                && relayId.equals(parentIn(child, b.channelId())));

        feedA.cancel(false); // A pauses: its beacon still grows in every keepalive
        feedB.cancel(false);
        sourceB.closeAbruptly(); // B is gone: the relay is alive, but B's beacon there stops
        await().atMost(Duration.ofSeconds(20)).until(() -> onLoop(child, n ->
                n.channel(b.channelId()).peer().tree().stats().parentLosses) >= 1);
        assertThat(relayId).as("a paused source does not break channel A's tree")
                .isEqualTo(parentIn(child, a.channelId()));
        long lossesInA = onLoop(child, n -> n.channel(a.channelId()).peer().tree().stats().parentLosses);
        assertThat(lossesInA).isZero();
    }
}
