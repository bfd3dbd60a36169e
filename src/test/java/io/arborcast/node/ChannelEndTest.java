package io.arborcast.node;

import io.arborcast.ExternalTools;
import io.arborcast.core.NodeId;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.gateway.GatewayConfig;
import io.arborcast.gateway.HttpGateway;
import io.arborcast.net.NetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static io.arborcast.node.Loops.is;
import static io.arborcast.node.Loops.onLoop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Channels end, real nodes on loopback with a curl player on the listener's gateway: a source
 * that stops cleanly sends a signed end of stream and its listeners leave once they have played
 * what came before it; one that dies is left after {@code stream.end-after-silence}. Either way
 * the players' HTTP responses end and the status says the channel ended, and why.
 */
class ChannelEndTest {
    private static final long END_AFTER = 6_000;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Process> players = new ArrayList<>();
    private final ScheduledExecutorService feeder = Executors.newSingleThreadScheduledExecutor();
    private Node source;
    private Node listener;
    private LocalChannel published;
    private NodeId id;

    @BeforeEach
    void start() throws Exception {
        ExternalTools.require("curl", "curl");
        source = node();
        listener = node();
        assertThat(listener.join(source.address()).get(10, TimeUnit.SECONDS).ok()).isTrue();
        new HttpGateway(listener, GatewayConfig.defaults().withShoutcastSource(false)).install();
        ChannelKey key = ChannelKey.generate();
        id = key.channelId();
        published = source.publish(key, "ends", "application/octet-stream", 128).get(10, TimeUnit.SECONDS);
        Loops.feed(feeder, source, published);
    }

    @AfterEach
    void stop() {
        feeder.shutdownNow();
        players.forEach(Process::destroyForcibly);
        nodes.forEach(Node::close);
    }

    private Node node() throws InterruptedException {
        NodeConfig d = NodeConfig.defaults();
        Node n = Node.start(new NodeConfig(NetConfig.loopback(0), d.dht().withRpcTimeoutMillis(500), d.gossip(),
                d.tree().withEndAfter(END_AFTER), d.sourceSlots(), d.chunkMillis(), d.maxChunkBytes()));
        nodes.add(n);
        return n;
    }

    /** A curl player on the listener's gateway, once it has received some of the stream. */
    private Process play(File out) throws Exception {
        Process curl = new ProcessBuilder("curl", "-s", "-o", out.getPath(),
                "http://" + listener.address().endpoint() + "/stream/" + id.toHex()).start();
        players.add(curl);
        await().atMost(Duration.ofSeconds(15)).until(() -> out.length() > 8_000);
        return curl;
    }

    private String whyEnded() throws Exception {
        return onLoop(listener, n -> n.endedChannels().stream().filter(e -> e.id().equals(id))
                .map(Node.EndedChannel::why).findFirst().orElse(null));
    }

    @Test
    void aSourceThatStopsCleanlyEndsTheChannelForItsListenersAtOnce() throws Exception {
        File out = File.createTempFile("ended", ".bin");
        out.deleteOnExit();
        Process curl = play(out);
        feeder.shutdownNow();
        long stoppedAt = System.nanoTime();
        assertThat(source.leave(id).get(5, TimeUnit.SECONDS)).isTrue();

        assertThat(curl.waitFor(10, TimeUnit.SECONDS)).as("the player's response ended").isTrue();
        long millis = (System.nanoTime() - stoppedAt) / 1_000_000;
        System.out.println("clean stop: the player's response ended " + millis + " ms after the source left");
        assertThat(millis).as("left after the playout delay, long before the silence limit").isLessThan(END_AFTER);
        assertThat(whyEnded()).isEqualTo("its source ended the stream");
        assertThat(is(listener, n -> n.channels().containsKey(id))).isFalse();
        assertThat(get("/api/status")).contains("\"ended\":[{").contains("its source ended the stream");
    }

    @Test
    void aSourceThatDiesIsLeftAfterTheSilenceLimit() throws Exception {
        File out = File.createTempFile("died", ".bin");
        out.deleteOnExit();
        Process curl = play(out);
        feeder.shutdownNow();
        long diedAt = System.nanoTime();
        source.closeAbruptly();

        assertThat(curl.waitFor(END_AFTER + 10_000, TimeUnit.MILLISECONDS)).as("the player's response ended").isTrue();
        long millis = (System.nanoTime() - diedAt) / 1_000_000;
        System.out.println("source died: the player's response ended " + millis + " ms after (limit " + END_AFTER + " ms)");
        assertThat(millis).as("not before the silence limit").isGreaterThanOrEqualTo(END_AFTER);
        assertThat(whyEnded()).startsWith("no sign of its source for ");
        assertThat(is(listener, n -> n.channels().containsKey(id))).isFalse();
    }

    private String get(String path) throws Exception {
        Process p = new ProcessBuilder("curl", "-s", "http://" + listener.address().endpoint() + path).start();
        String body = new String(p.getInputStream().readAllBytes());
        p.waitFor(5, TimeUnit.SECONDS);
        return body;
    }
}
