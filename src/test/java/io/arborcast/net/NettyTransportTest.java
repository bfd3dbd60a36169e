package io.arborcast.net;

import io.arborcast.core.DhtMessage;
import io.arborcast.core.LinkMessage;
import io.arborcast.core.Message;
import io.arborcast.core.MessageHandler;
import io.arborcast.core.NodeId;
import io.arborcast.crypto.NodeIdentity;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.RpcClient;
import io.arborcast.core.StreamMessage;
import io.arborcast.wire.CodecException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two real transports on 127.0.0.1 with ephemeral ports. */
class NettyTransportTest {
    private final Random random = new Random(99);
    private final List<NettyTransport> started = new ArrayList<>();

    /** Records everything a transport delivers; answers pings so it can serve as an RPC peer. */
    static final class Recorder implements MessageHandler {
        final Queue<Message> messages = new ConcurrentLinkedQueue<>();
        final List<String> closed = new CopyOnWriteArrayList<>();
        NettyTransport transport;
        RpcClient rpc;

        @Override
        public void onMessage(PeerAddress from, Message m) {
            if (m instanceof DhtMessage.Ping p) {
                transport.send(from, new DhtMessage.Pong(p.rpcId(), from.host()));
            } else if (m instanceof DhtMessage.Response r && rpc != null && rpc.onResponse(from, r)) {
                return;
            }
            messages.add(m);
        }

        @Override
        public void onLinkClosed(PeerAddress peer, String reason) {
            closed.add(peer.id().shortHex() + ": " + reason);
        }
    }

    private Recorder start() throws InterruptedException {
        NettyTransport t = NettyTransport.start(NetConfig.loopback(0), NodeIdentity.generate(NetConfig.DEFAULT_ID_DIFFICULTY));
        started.add(t);
        Recorder r = new Recorder();
        r.transport = t;
        r.rpc = new RpcClient(t.environment(), t, 1000);
        t.setHandler(r);
        return r;
    }

    @AfterEach
    void stop() {
        started.forEach(NettyTransport::close);
    }

    @Test
    void udpRequestGetsItsResponseAndDeadPortTimesOut() throws Exception {
        Recorder a = start();
        Recorder b = start();
        Queue<String> events = new ConcurrentLinkedQueue<>();
        RpcClient.Callback cb = new RpcClient.Callback() {
            @Override
            public void onResponse(PeerAddress from, DhtMessage.Response response) {
                events.add("response " + response.getClass().getSimpleName() + " from " + from.id().shortHex());
            }

            @Override
            public void onTimeout(PeerAddress to) {
                events.add("timeout " + to.port());
            }
        };
        int deadPort;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        PeerAddress bootstrapB = PeerAddress.unknownId("127.0.0.1", b.transport.localAddress().port());
        a.transport.execute(() -> {
            a.rpc.request(bootstrapB, DhtMessage.Ping::new, 2_000, cb);
            a.rpc.request(PeerAddress.unknownId("127.0.0.1", deadPort), DhtMessage.Ping::new, 300, cb);
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 2);
        assertThat(events).containsExactlyInAnyOrder(
                "response Pong from " + b.transport.localAddress().id().shortHex(),
                "timeout " + deadPort);
        assertThat(a.rpc.pendingCount()).isZero();
    }

    @Test
    void tcpLinkCarriesTenThousandFramesInOrderAndReportsClosing() throws Exception {
        Recorder a = start();
        Recorder b = start();
        PeerAddress toB = b.transport.localAddress();
        int n = 10_000;
        a.transport.execute(() -> {
            for (int i = 0; i < n; i++) {
                a.transport.send(toB, new LinkMessage.Heartbeat(i));
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> b.messages.size() == n);
        long expected = 0;
        for (Message m : b.messages) {
            assertThat(m).isEqualTo(new LinkMessage.Heartbeat(expected++));
        }
        assertThat(a.transport.linkCount()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.transport.linkCount() == 1);

        // B answers over the same link, identified by A's id from the preamble
        b.transport.execute(() -> b.transport.send(a.transport.localAddress(), new LinkMessage.Heartbeat(-1 & 7)));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.messages.size() == 1);
        assertThat(a.transport.linkCount()).isEqualTo(1);

        a.transport.closeLink(toB);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.closed.size() == 1 && a.closed.size() == 1);
        assertThat(b.closed.get(0)).startsWith(a.transport.localAddress().id().shortHex());
        assertThat(a.closed.get(0)).contains("closed locally");
    }

    @Test
    void crashedPeerIsReportedAndConnectToDeadPortFails() throws Exception {
        Recorder a = start();
        Recorder b = start();
        a.transport.send(b.transport.localAddress(), new LinkMessage.Heartbeat(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.messages.size() == 1);
        b.transport.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.closed.size() == 1);

        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        PeerAddress dead = new PeerAddress(NodeId.random(random), "127.0.0.1", deadPort);
        a.transport.send(dead, new LinkMessage.Heartbeat(2));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.closed.size() == 2);
        assertThat(a.closed.get(1)).contains("connect to 127.0.0.1:" + deadPort + " failed");
        // the same address again at once: not dialled, the sender hears why
        a.transport.send(dead, new LinkMessage.Heartbeat(3));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.closed.size() == 3);
        assertThat(a.closed.get(2)).contains("backing off").contains("after 1 failed connects");
        assertThat(a.transport.dialsBackedOff()).isEqualTo(1);
    }

    @Test
    void aDialThatReachesAnotherKeyIsDroppedAndThatAddressBacksOff() throws Exception {
        Recorder a = start();
        Recorder b = start();
        // a peer claims some id lives at B's address (B holds another key)
        PeerAddress lie = new PeerAddress(NodeId.random(random), "127.0.0.1", b.transport.localAddress().port());
        a.transport.send(lie, new LinkMessage.Heartbeat(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.closed.size() == 1);
        assertThat(a.closed.get(0)).contains("instead of");
        for (int i = 0; i < 10; i++) {
            a.transport.send(lie, new LinkMessage.Heartbeat(2 + i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> a.closed.size() == 11);
        assertThat(a.closed.subList(1, 11)).allMatch(c -> c.contains("backing off"));
        assertThat(b.messages).as("B never got the frames meant for another").isEmpty();
    }

    /** Every frame's bytes count as handed out (what an uplink meter reads), framing included. */
    @Test
    void bytesHandedOutAreCounted() throws Exception {
        Recorder a = start();
        Recorder b = start();
        NodeId channel = NodeId.random(random);
        CompletableFuture<Long> out = new CompletableFuture<>();
        a.transport.execute(() -> {
            for (long seq = 0; seq < 64; seq++) {
                a.transport.send(b.transport.localAddress(),
                        new StreamMessage.Chunk(channel, seq, seq, new byte[60_000], new byte[64]));
            }
            out.complete(a.transport.bytesOut());
        });
        assertThat(out.get(5, TimeUnit.SECONDS)).isBetween(64 * 60_000L, 64 * 61_000L);
        await().atMost(Duration.ofSeconds(20)).until(() -> b.messages.size() == 64);
    }

    @Test
    void aChunkForwardedToSeveralPeersInARowIsEncodedOnce() throws Exception {
        Recorder a = start();
        List<Recorder> children = List.of(start(), start(), start(), start());
        NodeId channel = NodeId.random(random);
        long before = a.transport.framesEncoded();
        for (long seq = 0; seq < 10; seq++) {
            StreamMessage.Chunk c = new StreamMessage.Chunk(channel, seq, seq, new byte[1_000], new byte[64]);
            a.transport.execute(() -> children.forEach(k -> a.transport.send(k.transport.localAddress(), c)));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> children.stream().allMatch(k -> k.messages.size() == 10));
        assertThat(children.get(3).messages).allMatch(m -> m instanceof StreamMessage.Chunk);
        assertThat(a.transport.framesEncoded() - before).as("one encoding per chunk, not per child").isEqualTo(10);
    }

    @Test
    void aNodeNeverDialsItsOwnAddressWhoeverNamesIt() throws Exception {
        Recorder a = start();
        PeerAddress self = a.transport.localAddress();
        // another id at our own endpoint, as a peer claiming our address in gossip would name it
        a.transport.send(new PeerAddress(NodeId.random(random), self.host(), self.port()), new LinkMessage.Heartbeat(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.closed.size() == 1);
        assertThat(a.closed.get(0)).contains("our own address");
        assertThat(a.transport.selfDialsAvoided()).isEqualTo(1);
        assertThat(a.transport.linkCount()).isZero();
    }

    @Test
    void garbageOnTheWireIsDroppedCountedAndTheNodeKeepsServing() throws Exception {
        Recorder a = start();
        Recorder b = start();
        int port = b.transport.localAddress().port();
        // random bytes with no magic: connection closed by the sniffer
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("GARBAGE\r\n".getBytes());
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        // a valid handshake, then a frame claiming 1 GiB: closed as oversize
        try (RawPeer p = RawPeer.linked(port, NodeIdentity.generate(NetConfig.DEFAULT_ID_DIFFICULTY))) {
            p.frameHeader(0x4000_0000);
            assertThat(p.closedByPeer()).isTrue();
        }
        // a valid handshake, then a frame that does not decode: closed, counted
        try (RawPeer p = RawPeer.linked(port, NodeIdentity.generate(NetConfig.DEFAULT_ID_DIFFICULTY))) {
            p.frame(new byte[] {(byte) 0xE9, 0x07, 0});
            assertThat(p.closedByPeer()).isTrue();
        }
        // garbage datagrams
        try (DatagramSocket s = new DatagramSocket()) {
            byte[] junk = new byte[64];
            random.nextBytes(junk);
            s.send(new java.net.DatagramPacket(junk, junk.length, InetAddress.getLoopbackAddress(), port));
            s.send(new java.net.DatagramPacket(new byte[3], 3, InetAddress.getLoopbackAddress(), port));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> b.transport.drops().total() >= 4);
        assertThat(b.transport.drops().get(CodecException.Reason.OVERSIZE)).isEqualTo(1);
        assertThat(b.transport.drops().get(CodecException.Reason.UNKNOWN_ID)).isGreaterThanOrEqualTo(1);
        // and an honest peer is still served
        a.transport.send(b.transport.localAddress(), new LinkMessage.Heartbeat(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.messages.contains(new LinkMessage.Heartbeat(5)));
    }

}
