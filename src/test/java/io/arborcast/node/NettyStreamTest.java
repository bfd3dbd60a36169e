package io.arborcast.node;

import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.net.NetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.arborcast.node.Loops.onLoop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A source and 30 listeners, each a real node (Netty, its own event loop) on 127.0.0.1. Three
 * relays are closed abruptly mid-stream; every surviving listener's output must be exactly
 * the source's input from the point it tuned in: no skip, no repeat.
 */
class NettyStreamTest {
    private static final int LISTENERS = 30;
    @RegisterExtension
    final LoopbackNodes nodes = new LoopbackNodes();

    private static NodeConfig config(int relaySlots) {
        NodeConfig d = NodeConfig.defaults();
        return new NodeConfig(NetConfig.loopback(0), d.dht().withRpcTimeoutMillis(500), d.gossip(),
                d.tree().withRelays(relaySlots), 3, d.chunkMillis(), d.maxChunkBytes());
    }

    /** What one node's players got: seqs in arrival order and the bytes, concatenated. */
    private static final class Received {
        final List<Long> seqs = new ArrayList<>();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        synchronized void add(Chunk c) {
            seqs.add(c.seq());
            bytes.writeBytes(c.payload());
        }

        synchronized long last() {
            return seqs.isEmpty() ? -1 : seqs.get(seqs.size() - 1);
        }
    }

    @Test
    void thirtyListenersPlayTheSourceBytesExactlyThroughThreeRelayFailures() throws Exception {
        Node source = nodes.start(config(3));
        PeerAddress bootstrap = source.address();
        ChannelKey key = ChannelKey.generate();
        NodeId channel = key.channelId();
        LocalChannel published = source.publish(key, "loopback test", "application/octet-stream", 128)
                .get(10, TimeUnit.SECONDS);
        ConcurrentHashMap<Long, byte[]> sourceChunks = new ConcurrentHashMap<>();
        source.execute(() -> published.addPlayer(c -> sourceChunks.put(c.seq(), c.payload())));
        Random random = new Random(7);
        AtomicLong written = new AtomicLong();
        nodes.feeder().scheduleAtFixedRate(() -> {
            byte[] b = new byte[1_600]; // 128 kbit/s in 100 ms slices
            random.nextBytes(b);
            written.addAndGet(b.length);
            source.execute(() -> published.write(b, 0, b.length));
        }, 0, 100, TimeUnit.MILLISECONDS);

        List<Node> listeners = new ArrayList<>();
        List<Received> received = new ArrayList<>();
        for (int i = 0; i < LISTENERS; i++) {
            Node n = nodes.start(config(i % 3 == 0 ? 0 : 3)); // a third are pure listeners
            listeners.add(n);
            assertThat(n.join(bootstrap).get(10, TimeUnit.SECONDS).ok()).isTrue();
        }
        for (Node n : listeners) {
            Received r = new Received();
            received.add(r);
            LocalChannel c = n.tune(channel).get(10, TimeUnit.SECONDS);
            n.execute(() -> c.addPlayer(r::add));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> received.stream().allMatch(r -> r.last() >= 0
                && r.seqs.size() >= 8));

        // the tree is spread over relays: the source feeds 3, the rest hang below listeners
        int sourceChildren = onLoop(source, n -> published.peer().tree().children().size());
        assertThat(sourceChildren).isEqualTo(3);
        List<Integer> relays = new ArrayList<>();
        for (int i = 0; i < LISTENERS; i++) {
            if (onLoop(listeners.get(i), n -> n.channel(channel).peer().tree().children().size()) > 0) {
                relays.add(i);
            }
        }
        assertThat(relays.size()).isGreaterThanOrEqualTo(3);
        List<Integer> killed = relays.subList(0, 3);
        for (int k : killed) {
            listeners.get(k).closeAbruptly();
        }

        long killedAtSeq = sourceChunks.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (int i = 0; i < LISTENERS; i++) {
                if (!killed.contains(i) && received.get(i).last() < killedAtSeq + 20) {
                    return false;
                }
            }
            return true;
        });
        nodes.feeder().shutdownNow();

        for (int i = 0; i < LISTENERS; i++) {
            if (killed.contains(i)) {
                continue;
            }
            Received r = received.get(i);
            synchronized (r) {
                long first = r.seqs.get(0);
                for (int j = 0; j < r.seqs.size(); j++) {
                    assertThat(r.seqs.get(j)).as("listener %d: no skip, no repeat", i).isEqualTo(first + j);
                }
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                for (long s = first; s <= r.last(); s++) {
                    expected.writeBytes(sourceChunks.get(s));
                }
                assertThat(r.bytes.toByteArray()).as("listener %d bytes", i).isEqualTo(expected.toByteArray());
            }
            Node n = listeners.get(i);
            long skipped = onLoop(n, x -> x.channel(channel).playout().skipped());
            assertThat(skipped).as("listener %d skipped", i).isZero();
        }
        long repairs = 0;
        for (int i = 0; i < LISTENERS; i++) {
            if (!killed.contains(i)) {
                repairs += onLoop(listeners.get(i), n -> n.channel(channel).peer().tree().stats().repairs);
            }
        }
        assertThat(repairs).as("children of the closed relays re-attached").isGreaterThanOrEqualTo(3);
        assertThat(written.get()).isGreaterThan(0);
    }

    @Test
    void tuningToAChannelNobodyPublishedFailsClearly() throws Exception {
        Node a = nodes.start(config(3));
        Node b = nodes.start(config(3));
        assertThat(b.join(a.address()).get(10, TimeUnit.SECONDS).ok()).isTrue();
        NodeId nobody = ChannelKey.generate().channelId();
        assertThatThrownBy(() -> b.tune(nobody).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(UnknownChannelException.class)
                .hasMessageContaining("unknown channel " + nobody.toHex());
    }
}
