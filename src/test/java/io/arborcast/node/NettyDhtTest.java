package io.arborcast.node;

import io.arborcast.core.ChannelRecord;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.dht.ChannelRecords;
import io.arborcast.dht.DhtResults.FindResult;
import io.arborcast.dht.DhtResults.JoinResult;
import io.arborcast.dht.DhtResults.LookupResult;
import io.arborcast.dht.DhtResults.StoreOutcome;
import io.arborcast.net.NetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Twenty real nodes (Netty, UDP on 127.0.0.1) in one JVM. */
class NettyDhtTest {
    private final List<Node> nodes = new ArrayList<>();

    private NodeConfig config() {
        NodeConfig d = NodeConfig.defaults();
        return new NodeConfig(NetConfig.loopback(0), d.dht().withRpcTimeoutMillis(500), d.gossip(), d.tree(),
                d.sourceSlots(), d.chunkMillis(), d.maxChunkBytes());
    }

    @AfterEach
    void stop() {
        nodes.forEach(Node::close);
    }

    @Test
    void twentyNodesJoinPublishFindAndSurviveFiveDeaths() throws Exception {
        for (int i = 0; i < 20; i++) {
            nodes.add(Node.start(config()));
        }
        PeerAddress bootstrap = PeerAddress.unknownId("127.0.0.1", nodes.get(0).address().port());
        // The first four join one by one: a joiner learns only whom the bootstrap knows by then
        // (joining all at once, the first lookup can be over before anyone else has arrived).
        for (int i = 1; i < 5; i++) {
            JoinResult r = nodes.get(i).join(bootstrap).get(20, TimeUnit.SECONDS);
            assertThat(r.ok()).as(r.error()).isTrue();
            assertThat(r.contacts()).isGreaterThanOrEqualTo(i);
        }
        List<CompletableFuture<JoinResult>> joins = new ArrayList<>();
        for (int i = 5; i < 20; i++) {
            joins.add(nodes.get(i).join(bootstrap));
        }
        for (CompletableFuture<JoinResult> j : joins) {
            JoinResult r = j.get(20, TimeUnit.SECONDS);
            assertThat(r.ok()).as(r.error()).isTrue();
            assertThat(r.contacts()).isGreaterThanOrEqualTo(5);
        }
        // the early joiners learned of the later ones from their lookups
        for (Node n : nodes) {
            CompletableFuture<Integer> size = new CompletableFuture<>();
            n.execute(() -> size.complete(n.routingTableSize()));
            assertThat(size.get(5, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(5);
        }

        ChannelKey key = ChannelKey.generate();
        ChannelRecord record = ChannelRecords.create(key, "Loopback FM", "audio/mpeg", 128, 0, 1);
        StoreOutcome stored = nodes.get(7).publish(record).get(20, TimeUnit.SECONDS);
        assertThat(stored.accepted()).isGreaterThanOrEqualTo(15);
        assertThat(nodes.get(7).announce(record.channelId(), 0, 4).get(20, TimeUnit.SECONDS).accepted())
                .isGreaterThanOrEqualTo(15);
        List<CompletableFuture<FindResult>> finds = nodes.stream().map(n -> n.find(record.channelId())).toList();
        for (int i = 0; i < nodes.size(); i++) {
            FindResult f = finds.get(i).get(20, TimeUnit.SECONDS);
            assertThat(f.record()).isEqualTo(record);
            if (i != 7) {
                assertThat(f.providers()).anySatisfy(p -> assertThat(p.address().id()).isEqualTo(nodes.get(7).address().id()));
            }
        }

        for (int i = 1; i <= 5; i++) { // five nodes die, the bootstrap among them
            nodes.get(i == 5 ? 0 : i).close();
        }
        List<Node> alive = nodes.subList(5, 20);
        Random r = new Random(1);
        List<CompletableFuture<FindResult>> after = alive.stream().map(n -> n.find(record.channelId())).toList();
        List<CompletableFuture<LookupResult>> lookups = alive.stream().map(n -> n.lookup(NodeId.random(r))).toList();
        for (int i = 0; i < alive.size(); i++) {
            assertThat(after.get(i).get(30, TimeUnit.SECONDS).record()).isEqualTo(record);
            LookupResult l = lookups.get(i).get(30, TimeUnit.SECONDS);
            assertThat(l.closest()).hasSizeGreaterThanOrEqualTo(14)
                    .allSatisfy(p -> assertThat(alive.stream().anyMatch(a -> a.address().id().equals(p.id()))).isTrue());
        }
    }

    @Test
    void deadBootstrapGivesAClearErrorWithinSeconds() throws Exception {
        Node n = Node.start(config());
        nodes.add(n);
        int deadPort;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        long start = System.nanoTime();
        JoinResult r = n.join(PeerAddress.unknownId("127.0.0.1", deadPort)).get(10, TimeUnit.SECONDS);
        assertThat(r.ok()).isFalse();
        assertThat(r.error()).contains("127.0.0.1:" + deadPort).contains("did not answer");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
    }

    /**
     * Departed nodes do not slow a join down: a bootstrap that saw 50 short-lived nodes come and
     * go (half left cleanly, half were killed) still lets a newcomer join in under a second. The
     * default settings (2 s RPC timeout, 500 ms stall) apart from the loopback address.
     */
    @Test
    void aJoinThroughABootstrapThatSawFiftyDeparturesTakesUnderASecond() throws Exception {
        NodeConfig defaults = NodeConfig.defaults().withNet(NetConfig.loopback(0));
        for (int i = 0; i < 5; i++) {
            nodes.add(Node.start(defaults));
        }
        PeerAddress bootstrap = PeerAddress.unknownId("127.0.0.1", nodes.get(0).address().port());
        for (int i = 1; i < 5; i++) {
            assertThat(nodes.get(i).join(bootstrap).get(20, TimeUnit.SECONDS).ok()).isTrue();
        }
        for (int i = 0; i < 50; i++) {
            try (Node brief = Node.start(defaults)) {
                assertThat(brief.join(bootstrap).get(20, TimeUnit.SECONDS).ok()).isTrue();
                if (i % 2 == 1) {
                    brief.closeAbruptly(); // killed: tells nobody
                }
            }
        }
        Node newcomer = Node.start(defaults);
        nodes.add(newcomer);
        JoinResult r = newcomer.join(bootstrap).get(20, TimeUnit.SECONDS);
        System.out.println("join after 50 departures: " + r.millis() + " ms, " + r.contacts() + " contacts");
        assertThat(r.ok()).as(r.error()).isTrue();
        assertThat(r.contacts()).isGreaterThanOrEqualTo(5);
        assertThat(r.millis()).isLessThan(1_000);
    }
}
