package io.arborcast.node;

import io.arborcast.core.Limit;
import io.arborcast.core.NodeId;
import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.crypto.NodeIdentity;
import io.arborcast.gateway.GatewayConfig;
import io.arborcast.gateway.HttpGateway;
import io.arborcast.net.NetConfig;
import io.arborcast.net.Preamble;
import io.arborcast.net.RawPeer;
import io.arborcast.stream.Chunks;
import io.arborcast.wire.CodecException;
import io.arborcast.wire.MessageCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real nodes on 127.0.0.1 under attack by raw sockets: garbage and oversize frames on a peer
 * link, forged chunks, slow-loris TCP and HTTP connections, a connection flood and a datagram
 * flood. The relay under attack must shed all of it (and count it under its limits) while its
 * honest listener keeps playing the source's bytes exactly, and it keeps answering honest peers.
 */
class HostilePeersTest {
    private static final long HANDSHAKE_MS = 500;
    private static final int MAX_CONNECTIONS = 20;
    private static final int MAX_DATAGRAMS = 100;

    private final List<Node> nodes = new ArrayList<>();
    private final List<RawPeer> peers = new ArrayList<>();
    private final ScheduledExecutorService feeder = Executors.newSingleThreadScheduledExecutor();
    private final ConcurrentHashMap<Long, byte[]> sourceChunks = new ConcurrentHashMap<>();
    private final List<Long> playedSeqs = new ArrayList<>();
    private final ByteArrayOutputStream playedBytes = new ByteArrayOutputStream();
    private Node relay;
    private NodeId channel;
    private ChannelKey key;

    private static NodeConfig config() {
        NodeConfig d = NodeConfig.defaults();
        NetConfig net = NetConfig.loopback(0)
                .withLimits(new NetConfig.Limits(MAX_CONNECTIONS, 256, MAX_DATAGRAMS, HANDSHAKE_MS));
        return new NodeConfig(net, d.dht().withRpcTimeoutMillis(500), d.gossip(), d.tree().withRelays(3), 3,
                d.chunkMillis(), d.maxChunkBytes());
    }

    @BeforeEach
    void start() throws Exception {
        Node source = Node.start(config());
        nodes.add(source);
        key = ChannelKey.generate();
        channel = key.channelId();
        LocalChannel published = source.publish(key, "under attack", "application/octet-stream", 128)
                .get(10, TimeUnit.SECONDS);
        source.execute(() -> published.addPlayer(c -> sourceChunks.put(c.seq(), c.payload())));
        Random random = new Random(3);
        feeder.scheduleAtFixedRate(() -> {
            byte[] b = new byte[1_600];
            random.nextBytes(b);
            source.execute(() -> published.write(b, 0, b.length));
        }, 0, 100, TimeUnit.MILLISECONDS);
        relay = Node.start(config());
        nodes.add(relay);
        new HttpGateway(relay, GatewayConfig.defaults().withShoutcastSource(false)).install();
        assertThat(relay.join(source.address()).get(10, TimeUnit.SECONDS).ok()).isTrue();
        LocalChannel c = relay.tune(channel).get(10, TimeUnit.SECONDS);
        relay.execute(() -> c.addPlayer(this::played));
        await().atMost(Duration.ofSeconds(10)).until(() -> playedCount() >= 4);
    }

    @AfterEach
    void stop() throws IOException {
        feeder.shutdownNow();
        for (RawPeer p : peers) {
            p.close();
        }
        nodes.forEach(Node::close);
    }

    private synchronized void played(Chunk c) {
        playedSeqs.add(c.seq());
        playedBytes.writeBytes(c.payload());
    }

    private synchronized int playedCount() {
        return playedSeqs.size();
    }

    @Test
    void garbageOversizeAndForgedFramesCloseTheLinkAndTheListenerPlaysOn() throws Exception {
        long dropsBefore = dropped();
        byte[] junk = new byte[100];
        new Random(1).nextBytes(junk);
        junk[0] = (byte) 0x7f; // an unregistered type id
        assertThat(linked().frame(junk).closedByPeer()).as("link that sent garbage is closed").isTrue();
        assertThat(dropped()).isGreaterThan(dropsBefore);
        assertThat(linked().frameHeader(0x7fff_fff0).write(new byte[1024]).closedByPeer())
                .as("link that announced a 2 GiB frame is closed").isTrue();

        // chunks for the channel signed by a key that is not the channel's: never played
        ChannelKey forger = ChannelKey.generate();
        RawPeer forged = linked();
        MessageCodec codec = new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME);
        long next = sourceChunks.keySet().stream().mapToLong(Long::longValue).max().orElse(0) + 1;
        for (long seq = next; seq < next + 20; seq++) {
            byte[] payload = "forged audio".getBytes(StandardCharsets.US_ASCII);
            forged.frame(codec.encode(new Chunk(channel, seq, 0, payload,
                    forger.sign(Chunks.signedBytes(channel, seq, 0, payload)))));
        }
        assertListenerPlaysTheSourceExactly(20);
    }

    @Test
    void aPeerThatClaimsAnotherNodesKeyWithoutHoldingItIsRefused() throws Exception {
        // the source's node key is public (every datagram carries it): claim it, then fail its challenge
        RawPeer impostor = peer();
        byte[] sourceKey = nodes.get(0).identity().publicKey();
        impostor.handshake(new Preamble(Preamble.VERSION, sourceKey, 40_000, new byte[Preamble.NONCE_BYTES], new byte[Preamble.SEEN_BYTES], 0));
        impostor.write(new byte[Preamble.PROOF_LENGTH]);
        assertThat(impostor.closedByPeer()).isTrue();
        // a key that does not solve the id puzzle is refused before any challenge
        NodeIdentity weak = weakIdentity();
        RawPeer sybil = peer();
        sybil.handshake(Preamble.of(weak, 40_000, null));
        assertThat(sybil.closedByPeer()).isTrue();
        assertThat((long) onRelay(n -> n.transport().drops().get(CodecException.Reason.IDENTITY))).isEqualTo(2);
        assertListenerPlaysTheSourceExactly(8);
    }

    @Test
    void slowLorisConnectionsAreClosedAfterTheHandshakeTimeout() throws Exception {
        RawPeer tcp = peer().write("AR".getBytes(StandardCharsets.US_ASCII)); // half a magic, then nothing
        RawPeer http = peer().write(("GET /stream/" + channel.toHex() + " HTTP/1.1\r\nHost: x\r\n")
                .getBytes(StandardCharsets.US_ASCII)); // the request head never ends
        RawPeer preamble = peer().write(Preamble.MAGIC); // a peer that never finishes its preamble
        long t0 = System.nanoTime();
        assertThat(tcp.closedByPeer()).isTrue();
        assertThat(http.closedByPeer()).isTrue();
        assertThat(preamble.closedByPeer()).isTrue();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(ms).as("closed after the handshake timeout").isLessThan(HANDSHAKE_MS * 6);
        assertThat(limitHits(Limit.HANDSHAKE_TIMEOUT)).isGreaterThanOrEqualTo(3);
        assertListenerPlaysTheSourceExactly(8);
    }

    @Test
    void aConnectionFloodIsCappedAndHonestClientsGetInAfterwards() throws Exception {
        List<RawPeer> flood = new ArrayList<>();
        for (int i = 0; i < MAX_CONNECTIONS + 10; i++) {
            flood.add(peer());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> limitHits(Limit.CONNECTIONS) >= 10);
        // the handshake timeout clears the flood; an honest player then gets the stream over HTTP
        for (RawPeer p : flood) {
            assertThat(p.closedByPeer()).isTrue();
        }
        try (Socket player = new Socket("127.0.0.1", relay.address().port())) {
            player.setSoTimeout(10_000);
            player.getOutputStream().write(("GET /stream/" + channel.toHex() + " HTTP/1.0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] head = player.getInputStream().readNBytes(15);
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.0 200 OK");
        }
        assertListenerPlaysTheSourceExactly(8);
    }

    @Test
    void aDatagramFloodFromOneAddressIsRateLimitedAndHonestPeersStillJoin() throws Exception {
        long dropsBefore = dropped();
        byte[] junk = new byte[200];
        new Random(2).nextBytes(junk);
        try (DatagramSocket attacker = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0))) {
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", relay.address().port());
            for (int i = 0; i < 3_000; i++) {
                attacker.send(new DatagramPacket(junk, junk.length, target));
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> limitHits(Limit.DATAGRAM_RATE) > 0);
        long decoded = dropped() - dropsBefore; // junk that got past the rate limit was decoded and dropped
        long limited = limitHits(Limit.DATAGRAM_RATE);
        assertThat(decoded + limited).isLessThanOrEqualTo(3_000);
        assertThat(limited).as("most of the flood never reached the decoder").isGreaterThan(decoded);
        // an honest node (127.0.0.1) still joins the DHT through the flooded relay
        Node honest = Node.start(config());
        nodes.add(honest);
        assertThat(honest.join(relay.address()).get(10, TimeUnit.SECONDS).ok()).isTrue();
        assertListenerPlaysTheSourceExactly(8);
    }

    // ---------------------------------------------------------------- helpers

    /** The listener on the relay keeps playing: {@code more} new chunks, in order, byte-identical to the source's. */
    private void assertListenerPlaysTheSourceExactly(int more) {
        int before = playedCount();
        await().atMost(Duration.ofSeconds(15)).until(() -> playedCount() >= before + more);
        synchronized (this) {
            long first = playedSeqs.get(0);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int i = 0; i < playedSeqs.size(); i++) {
                assertThat(playedSeqs.get(i)).as("no skip, no repeat").isEqualTo(first + i);
                expected.writeBytes(sourceChunks.get(first + i));
            }
            assertThat(playedBytes.toByteArray()).isEqualTo(expected.toByteArray());
        }
    }

    private RawPeer peer() throws IOException {
        RawPeer p = RawPeer.connect(relay.address().port());
        peers.add(p);
        return p;
    }

    /** A connection that completed the link handshake under a fresh (valid) identity. */
    private RawPeer linked() throws IOException {
        RawPeer p = RawPeer.linked(relay.address().port(), NodeIdentity.generate(NetConfig.DEFAULT_ID_DIFFICULTY));
        peers.add(p);
        return p;
    }

    /** A key whose id misses the puzzle at the network's difficulty. */
    private static NodeIdentity weakIdentity() {
        while (true) {
            NodeIdentity n = NodeIdentity.generate(0);
            if (!NodeIdentity.solves(n.id(), NetConfig.DEFAULT_ID_DIFFICULTY)) {
                return n;
            }
        }
    }

    private long dropped() throws Exception {
        return onRelay(n -> {
            long sum = 0;
            for (CodecException.Reason r : CodecException.Reason.values()) {
                sum += n.transport().drops().get(r);
            }
            return sum;
        });
    }

    private long limitHits(Limit l) throws Exception {
        return onRelay(n -> n.limits().count(l));
    }

    private <T> T onRelay(Function<Node, T> f) throws Exception {
        CompletableFuture<T> out = new CompletableFuture<>();
        relay.execute(() -> out.complete(f.apply(relay)));
        return out.get(5, TimeUnit.SECONDS);
    }
}
