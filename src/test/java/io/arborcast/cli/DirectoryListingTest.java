package io.arborcast.cli;

import io.arborcast.crypto.ChannelKey;
import io.arborcast.net.NetConfig;
import io.arborcast.core.ChannelInfo;
import io.arborcast.node.LocalChannel;
import io.arborcast.node.Node;
import io.arborcast.node.NodeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The directory end to end on loopback: three publishers in three genres, listeners tuned in to
 * two of them; {@code channels} on another node lists all three with the listener counts their
 * trees have, {@code --genre} filters (however the genre is written), and a channel stopped
 * cleanly leaves the list at once.
 */
class DirectoryListingTest {
    private final List<Node> nodes = new ArrayList<>();
    private final ScheduledExecutorService feeder = Executors.newSingleThreadScheduledExecutor();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream oldOut;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        System.setOut(oldOut);
        feeder.shutdownNow();
        nodes.forEach(Node::close);
    }

    private Node start(Node bootstrap) throws Exception {
        Node n = Node.start(NodeConfig.defaults().withNet(NetConfig.loopback(0)));
        nodes.add(n);
        if (bootstrap != null) {
            assertThat(n.join(bootstrap.address()).get(10, TimeUnit.SECONDS).ok()).isTrue();
        }
        return n;
    }

    private LocalChannel publish(Node n, String name, String genre) throws Exception {
        LocalChannel c = n.publish(ChannelKey.generate(), name, "application/octet-stream", 64, false,
                ChannelInfo.of(genre, "all " + genre.strip().toLowerCase() + ", all day", "https://example.org/"
                        + name.replace(' ', '-'))).get(15, TimeUnit.SECONDS);
        feeder.scheduleAtFixedRate(() -> {
            byte[] b = new byte[800];
            n.execute(() -> c.write(b, 0, b.length));
        }, 0, 100, TimeUnit.MILLISECONDS);
        return c;
    }

    /** What {@code channels} prints with {@code args} against {@code bootstrap}. */
    private String channels(Node bootstrap, String... args) {
        out.reset();
        List<String> cmd = new ArrayList<>(List.of("channels", "--bind", "127.0.0.1", "--bootstrap",
                "127.0.0.1:" + bootstrap.address().port()));
        cmd.addAll(List.of(args));
        assertThat(Main.run(cmd.toArray(String[]::new))).isZero();
        return out.toString();
    }

    @Test
    void channelsListsWhatIsLiveWithItsAudienceAndByGenre() throws Exception {
        Node entry = start(null);
        for (int i = 0; i < 4; i++) {
            start(entry);
        }
        Node jazzNode = start(entry);
        Node rockNode = start(entry);
        Node talkNode = start(entry);
        LocalChannel jazz = publish(jazzNode, "Night Jazz", "Jazz");
        LocalChannel rock = publish(rockNode, "Loud FM", "Rock");
        publish(talkNode, "Talk Talk", "Talk");
        for (int i = 0; i < 3; i++) {
            start(entry).tune(jazz.record().channelId()).get(10, TimeUnit.SECONDS);
        }
        start(entry).tune(rock.record().channelId()).get(10, TimeUnit.SECONDS);

        // the counts the trees have reach the list within a listing period or two
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            String listed = channels(entry);
            return listed.matches("(?s).*Night Jazz +Jazz +3 +64 .*") && listed.matches("(?s).*Loud FM +Rock +1 .*")
                    && listed.matches("(?s).*Talk Talk +Talk +0 .*");
        });
        String listed = channels(entry);
        assertThat(listed.lines().toList()).hasSize(4).first().asString().startsWith("NAME").contains("LISTENERS");
        assertThat(listed.lines().skip(1).toList().get(0)).as("most listeners first").contains("Night Jazz")
                .contains(jazz.record().channelId().toHex());
        assertThat(channels(entry, "--genre", " ROCK ")).contains("Loud FM").doesNotContain("Night Jazz", "Talk Talk");
        assertThat(channels(entry, "--genre", "jazz", "--json")).contains("\"name\" : \"Night Jazz\"",
                "\"description\" : \"all jazz, all day\"", "\"url\" : \"https://example.org/Night-Jazz\"",
                "\"listeners\" : 3");

        assertThat(rockNode.leave(rock.record().channelId()).get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(channels(entry)).as("stopped cleanly: out at once").doesNotContain("Loud FM").contains("Night Jazz");
        assertThat(channels(entry, "--genre", "rock")).isEqualTo("no live channels listed\n");
    }

    /** A publisher that crashes says nothing: its listing leaves once its TTL runs out unrefreshed. */
    @Test
    void aCrashedPublishersChannelLeavesTheListWithinItsTtl() throws Exception {
        Node entry = start(null);
        for (int i = 0; i < 3; i++) {
            start(entry);
        }
        NodeConfig d = NodeConfig.defaults().withNet(NetConfig.loopback(0));
        long ttl = 6_000;
        Node crashing = Node.start(new NodeConfig(d.net(), d.dht().withProviderTtlMillis(ttl), d.gossip(), d.tree(),
                d.sourceSlots(), d.chunkMillis(), d.maxChunkBytes()));
        nodes.add(crashing);
        assertThat(crashing.join(entry.address()).get(10, TimeUnit.SECONDS).ok()).isTrue();
        publish(crashing, "Short Lived", "Talk");
        await().atMost(Duration.ofSeconds(10)).until(() -> channels(entry).contains("Short Lived"));
        crashing.closeAbruptly();
        long crashed = System.nanoTime();
        await().atMost(Duration.ofMillis(ttl + 4_000)).pollInterval(Duration.ofMillis(500))
                .until(() -> !channels(entry).contains("Short Lived"));
        oldOut.printf("a crashed publisher's channel left the list %.1f s after the crash (TTL %d s)%n",
                (System.nanoTime() - crashed) / 1e9, ttl / 1000);
    }
}
