package io.arborcast.sim.net;

import io.arborcast.sim.engine.Simulation;

import io.arborcast.core.DhtMessage;
import io.arborcast.core.LinkMessage;
import io.arborcast.core.Message;
import io.arborcast.core.MessageHandler;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.StreamMessage;
import io.arborcast.wire.MessageCodec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SimNetworkTest {
    private final Simulation sim = new Simulation();
    private final MessageCodec codec = new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME);
    private final Random random = new Random(8);

    /** Records arrivals (time, message) and link closings at one node. */
    private static final class Inbox implements MessageHandler {
        final Simulation sim;
        final List<Long> times = new ArrayList<>();
        final List<Message> messages = new ArrayList<>();
        final List<String> closed = new ArrayList<>();

        Inbox(Simulation sim) {
            this.sim = sim;
        }

        @Override
        public void onMessage(PeerAddress from, Message m) {
            times.add(sim.now());
            messages.add(m);
        }

        @Override
        public void onLinkClosed(PeerAddress peer, String reason) {
            closed.add(sim.now() + ":" + reason);
        }
    }

    private SimNetwork net(SimNetwork.Config c) {
        return new SimNetwork(sim, c, codec, 5);
    }

    private Inbox inbox(SimNode n) {
        Inbox i = new Inbox(sim);
        n.setHandler(i);
        return i;
    }

    @Test
    void latencyIsSymmetricDistancePlusAccessAndWithinInternetRange() {
        SimNetwork net = net(SimNetwork.Config.defaults());
        List<Double> rtts = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            net.addNode(NodeId.random(random));
        }
        LatencyModel m = LatencyModel.internet();
        for (int i = 0; i < 1999; i++) {
            SimNode a = net.node(i);
            SimNode b = net.node(i + 1);
            assertThat(m.baseMillis(a, b)).isEqualTo(m.baseMillis(b, a));
            double dx = a.x - b.x;
            double dy = a.y - b.y;
            assertThat(m.baseMillis(a, b)).isCloseTo(Math.sqrt(dx * dx + dy * dy) + a.accessMillis + b.accessMillis,
                    within(1e-3));
            rtts.add(2 * m.baseMillis(a, b));
        }
        rtts.sort(null);
        assertThat(rtts.get(0)).isGreaterThan(5);
        assertThat(rtts.get(rtts.size() / 2)).isBetween(60.0, 160.0);
        assertThat(rtts.get(rtts.size() - 1)).isLessThan(420);
    }

    @Test
    void uplinkQueuesCopiesBeyondItsCapacity() {
        SimNetwork net = net(new SimNetwork.Config(new LatencyModel(0, 0, 0, 0), 0, 3000, 30_000));
        SimNode src = net.addNode(NodeId.random(random));
        src.setUploadBytesPerSec(512_000 / 8); // 512 kbit/s
        List<Inbox> inboxes = new ArrayList<>();
        List<SimNode> dst = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            SimNode d = net.addNode(NodeId.random(random));
            dst.add(d);
            inboxes.add(inbox(d));
        }
        // one second of a 128 kbit/s stream is 16,000 bytes; send it to each of 5 children
        StreamMessage.Chunk chunk = new StreamMessage.Chunk(NodeId.random(random), 1, 0,
                new byte[16_000 - 64 - 40], new byte[64]);
        int frame = codec.sizeOf(chunk) + SimNetwork.FRAME_OVERHEAD;
        for (SimNode d : dst) {
            src.send(d.localAddress(), chunk);
        }
        sim.runUntil(60_000);
        // the k-th copy leaves when the uplink has sent k frames: k * frame / 64,000 B/s
        for (int k = 0; k < 5; k++) {
            long expected = (long) Math.ceil((k + 1) * frame * 1000.0 / 64_000);
            long handshake = 2; // zero-distance RTT rounds to at least one ms each way
            assertThat(inboxes.get(k).times.get(0) - handshake).isBetween(expected - 1, expected + 1);
        }
        // four copies fit in a second, the fifth arrives after it
        assertThat(inboxes.get(3).times.get(0)).isLessThanOrEqualTo(1_010);
        assertThat(inboxes.get(4).times.get(0)).isGreaterThan(1_000);
        assertThat(net.uplinkBacklogMillis(src)).isZero();
    }

    @Test
    void datagramLossFollowsTheConfiguredRate() {
        SimNetwork net = net(new SimNetwork.Config(LatencyModel.internet(), 0.1, 3000, 30_000));
        SimNode a = net.addNode(NodeId.random(random));
        SimNode b = net.addNode(NodeId.random(random));
        Inbox in = inbox(b);
        for (int i = 0; i < 20_000; i++) {
            a.send(b.localAddress(), new DhtMessage.Ping(i));
        }
        sim.runUntil(10_000);
        assertThat(in.messages.size()).isBetween(17_700, 18_300);
        assertThat(net.traffic().datagramsLost).isEqualTo(20_000 - in.messages.size());
    }

    @Test
    void linksAreOrderedDespiteJitterAndDatagramsToNobodyAreDropped() {
        SimNetwork net = net(new SimNetwork.Config(new LatencyModel(100, 5, 0.6, 0.5), 0, 3000, 30_000));
        SimNode a = net.addNode(NodeId.random(random));
        SimNode b = net.addNode(NodeId.random(random));
        Inbox in = inbox(b);
        for (int i = 0; i < 1000; i++) {
            a.send(b.localAddress(), new LinkMessage.Heartbeat(i));
            sim.runUntil(sim.now() + 1);
        }
        sim.runUntil(sim.now() + 5000);
        assertThat(in.messages).hasSize(1000);
        for (int i = 0; i < 1000; i++) {
            assertThat(in.messages.get(i)).isEqualTo(new LinkMessage.Heartbeat(i));
        }
        a.send(new PeerAddress(NodeId.random(random), "10.9.9.9", SimNetwork.PORT), new DhtMessage.Ping(1));
        assertThat(net.traffic().dropped).isEqualTo(1);
    }

    @Test
    void crashIsNoticedAfterTheTimeoutAndALeaveAtOnce() {
        SimNetwork net = net(new SimNetwork.Config(LatencyModel.internet(), 0, 3000, 30_000));
        SimNode a = net.addNode(NodeId.random(random));
        SimNode b = net.addNode(NodeId.random(random));
        SimNode c = net.addNode(NodeId.random(random));
        Inbox ia = inbox(a);
        inbox(b);
        inbox(c);
        a.send(b.localAddress(), new LinkMessage.Heartbeat(1));
        a.send(c.localAddress(), new LinkMessage.Heartbeat(1));
        sim.runUntil(2_000);
        assertThat(net.linkCount()).isEqualTo(2);
        long t0 = sim.now();
        net.crash(b);
        net.leave(c);
        sim.runUntil(t0 + 29_000);
        assertThat(ia.closed).hasSize(1);
        assertThat(ia.closed.get(0)).endsWith("closed by peer");
        assertThat(Long.parseLong(ia.closed.get(0).split(":")[0]) - t0).isLessThan(500);
        sim.runUntil(t0 + 31_000);
        assertThat(ia.closed).hasSize(2);
        assertThat(ia.closed.get(1)).isEqualTo((t0 + 30_000) + ":crashed (timeout)");
        // a dead node's timers and mail are dropped
        List<String> fired = new ArrayList<>();
        b.schedule(10, () -> fired.add("timer"));
        a.send(b.localAddress(), new DhtMessage.Ping(1));
        sim.runUntil(sim.now() + 5_000);
        assertThat(fired).isEmpty();
        // connecting to a dead node fails after the connect timeout
        a.send(b.localAddress(), new LinkMessage.Heartbeat(2));
        sim.runUntil(sim.now() + 3_001);
        assertThat(ia.closed).hasSize(3);
        assertThat(ia.closed.get(2)).contains("connect failed");
    }

    @Test
    void partitionDropsDatagramsAndBreaksLinksUntilHealed() {
        SimNetwork net = net(new SimNetwork.Config(LatencyModel.internet(), 0, 3000, 30_000));
        SimNode a = net.addNode(NodeId.random(random));
        SimNode b = net.addNode(NodeId.random(random));
        Inbox ia = inbox(a);
        Inbox ib = inbox(b);
        a.send(b.localAddress(), new LinkMessage.Heartbeat(1));
        sim.runUntil(1_000);
        net.partition(new int[] {0, 1});
        a.send(b.localAddress(), new DhtMessage.Ping(1));
        sim.runUntil(40_000);
        assertThat(ib.messages).hasSize(1); // only the heartbeat from before
        assertThat(ia.closed).hasSize(1);
        assertThat(ib.closed).hasSize(1);
        net.heal();
        a.send(b.localAddress(), new DhtMessage.Ping(2));
        sim.runUntil(41_000);
        assertThat(ib.messages).hasSize(2);
    }
}
