package io.arborcast.node;

import io.arborcast.crypto.ChannelKey;
import io.arborcast.net.NetConfig;
import io.arborcast.tree.ChannelTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tree.upload-kbps} on real nodes: a channel gets only the relay slots the node's upload
 * feeds at the channel's bitrate, at the source (at least one) and at a relay, up to the slot
 * counts; with no limit set, every channel gets them all.
 */
class UploadSlotsTest {
    @RegisterExtension
    final LoopbackNodes nodes = new LoopbackNodes();

    private Node node(int uploadKbps, Node bootstrap) throws Exception {
        NodeConfig d = NodeConfig.defaults();
        return nodes.start(new NodeConfig(NetConfig.loopback(0), d.dht(), d.gossip(),
                d.tree().withRelays(4).withUpload(uploadKbps), 4, d.chunkMillis(), d.maxChunkBytes()), bootstrap);
    }

    private LocalChannel publish(Node n, int bitrateKbps) throws Exception {
        LocalChannel c = n.publish(ChannelKey.generate(), bitrateKbps + " kbit/s", "application/octet-stream",
                bitrateKbps).get(15, TimeUnit.SECONDS);
        Loops.feed(nodes.feeder(), n, c);
        return c;
    }

    private static int slots(Node n, LocalChannel c) throws Exception {
        return Loops.onLoop(n, x -> {
            ChannelTree t = c.peer().tree();
            return t.children().size() + t.freeSlots();
        });
    }

    @Test
    void aChannelGetsTheSlotsTheUploadFeedsAtItsBitrate() throws Exception {
        Node source = node(1_000, null);
        LocalChannel audio = publish(source, 128);
        LocalChannel video = publish(source, 700);
        LocalChannel tooBig = publish(source, 2_500);
        assertThat(slots(source, audio)).as("1,000 kbit/s feeds 7 of 128: the 4 source slots").isEqualTo(4);
        assertThat(slots(source, video)).as("one copy of 700").isEqualTo(1);
        assertThat(slots(source, tooBig)).as("a source feeds one child at least").isEqualTo(1);

        Node relay = node(1_500, source);
        LocalChannel relayedVideo = relay.tune(video.record().channelId()).get(15, TimeUnit.SECONDS);
        LocalChannel relayedAudio = relay.tune(audio.record().channelId()).get(15, TimeUnit.SECONDS);
        assertThat(slots(relay, relayedVideo)).as("1,500 kbit/s: two copies of 700").isEqualTo(2);
        assertThat(slots(relay, relayedAudio)).isEqualTo(4);

        Node unlimited = node(0, source);
        LocalChannel anyVideo = unlimited.tune(video.record().channelId()).get(15, TimeUnit.SECONDS);
        assertThat(slots(unlimited, anyVideo)).as("no limit set: the slot count").isEqualTo(4);
    }
}
