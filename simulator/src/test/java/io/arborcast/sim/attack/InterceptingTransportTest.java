package io.arborcast.sim.attack;

import io.arborcast.core.DhtMessage;
import io.arborcast.core.LinkMessage;
import io.arborcast.core.Message;
import io.arborcast.core.MessageHandler;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.sim.engine.Simulation;
import io.arborcast.sim.net.SimNetwork;
import io.arborcast.sim.net.SimNode;
import io.arborcast.stream.Chunks;
import io.arborcast.wire.MessageCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class InterceptingTransportTest {
    private final Simulation sim = new Simulation();
    private final SimNetwork net = new SimNetwork(sim, SimNetwork.Config.defaults(),
            new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME), 3);
    private final Random random = new Random(4);
    private final SimNode hostile = net.addNode(NodeId.random(random));
    private final SimNode honest = net.addNode(NodeId.random(random));
    private final List<Message> received = new ArrayList<>();
    private final ChannelKey source = ChannelKey.fromSeed(1);
    private final ChannelKey forger = ChannelKey.fromSeed(2);

    InterceptingTransportTest() {
        honest.setHandler(new MessageHandler() {
            @Override
            public void onMessage(PeerAddress from, Message m) {
                received.add(m);
            }

            @Override
            public void onLinkClosed(PeerAddress peer, String reason) {
            }
        });
    }

    private List<Message> sent(InterceptingTransport t, Message... messages) {
        for (Message m : messages) {
            t.send(honest.localAddress(), m);
        }
        sim.runUntil(10_000);
        return received;
    }

    @ParameterizedTest
    @EnumSource(Forgery.Mode.class)
    void aForgerSendsEveryChunkTamperedAndEverythingElseAsItIs(Forgery.Mode mode) {
        InterceptingTransport t = new InterceptingTransport(hostile, new Forgery(mode, forger, new Random(5)));
        List<Chunk> chunks = new ArrayList<>();
        for (int seq = 0; seq < 20; seq++) {
            chunks.add(Chunks.sign(source, seq, 250L * seq, ("chunk " + seq).getBytes()));
        }
        List<Message> got = sent(t, chunks.toArray(Message[]::new));
        t.send(honest.localAddress(), new LinkMessage.Heartbeat(7));
        sim.runUntil(20_000);

        assertThat(got).hasSize(21);
        assertThat(got.get(20)).isEqualTo(new LinkMessage.Heartbeat(7));
        int forged = 0;
        for (int i = 0; i < 20; i++) {
            Chunk c = (Chunk) got.get(i);
            Chunk original = chunks.get(i);
            assertThat(c.seq()).isEqualTo(i);
            assertThat(c.channel()).isEqualTo(source.channelId());
            assertThat(Chunks.verify(source.publicKey(), c)).as("chunk %d passes the source's key", i).isFalse();
            if (java.util.Arrays.equals(c.signature(), original.signature())) { // corrupted: one bit of the payload
                assertThat(differingBits(c.payload(), original.payload())).isEqualTo(1);
            } else { // forged: zeros, under the forger's signature for its own channel
                forged++;
                assertThat(c.payload()).hasSameSizeAs(original.payload()).containsOnly(0);
                assertThat(Chunks.verify(forger.publicKey(), new Chunk(forger.channelId(), c.seq(), c.timestamp(),
                        c.payload(), c.signature()))).isTrue();
            }
        }
        switch (mode) {
            case CORRUPT -> assertThat(forged).isZero();
            case FORGE -> assertThat(forged).isEqualTo(20);
            case MIXED -> assertThat(forged).isBetween(1, 19);
        }
    }

    private static int differingBits(byte[] a, byte[] b) {
        int bits = 0;
        for (int i = 0; i < a.length; i++) {
            bits += Integer.bitCount((a[i] ^ b[i]) & 0xff);
        }
        return bits;
    }

    @Test
    void aSybilAnswersEveryLookupWithSybilsOnlyAndAsksLikeAnyNode() {
        List<PeerAddress> sybils = List.of(hostile.localAddress());
        InterceptingTransport t = new InterceptingTransport(hostile, new SybilAnswers(sybils));
        NodeId target = NodeId.random(random);
        List<Message> got = sent(t, new DhtMessage.Nodes(1, List.of(honest.localAddress())),
                new DhtMessage.FindNode(2, target, false));

        assertThat(got).containsExactly(new DhtMessage.Nodes(1, sybils), new DhtMessage.FindNode(2, target, false));
    }

    @Test
    void theHostileNodesUplinkIsItsOwn() {
        InterceptingTransport t = new InterceptingTransport(hostile, m -> m instanceof Chunk ? null : m);
        sent(t, Chunks.sign(source, 0, 0, new byte[1000]), new LinkMessage.Heartbeat(1));

        assertThat(received).containsExactly(new LinkMessage.Heartbeat(1)); // null: not sent
        assertThat(t.localAddress()).isEqualTo(hostile.localAddress());
        assertThat(t.bytesOut()).isEqualTo(hostile.bytesOut()).isPositive();
        assertThat(t.bytesWaiting()).isEqualTo(hostile.bytesWaiting());
    }
}
