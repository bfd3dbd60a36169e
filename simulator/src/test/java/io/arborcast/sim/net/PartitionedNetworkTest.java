package io.arborcast.sim.net;

import io.arborcast.sim.engine.Simulation;
import io.arborcast.core.DhtMessage;
import io.arborcast.core.Message;
import io.arborcast.core.MessageHandler;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.TreeMessage;
import io.arborcast.wire.MessageCodec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PartitionedNetworkTest {
    private static SimNetwork net(Simulation sim, long seed, int partitions, int threads) {
        return new SimNetwork(sim, SimNetwork.Config.defaults(),
                () -> new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME), seed, partitions, threads);
    }

    /**
     * Nodes that answer every ping with a ping to a random node until a hop budget is used up,
     * each logging (time, sender, hops left) of what it hears, in order: the logs are the order
     * of everything that happened at each node.
     */
    private static List<List<String>> pingStorm(int partitions, int threads, long seed) {
        Simulation sim = new Simulation();
        SimNetwork net = net(sim, seed, partitions, threads);
        try {
            Random ids = new Random(seed);
            List<List<String>> logs = new ArrayList<>();
            int n = 64;
            for (int i = 0; i < n; i++) {
                SimNode node = net.addNode(NodeId.random(ids));
                List<String> log = new ArrayList<>();
                logs.add(log);
                node.setHandler(new MessageHandler() {
                    @Override
                    public void onMessage(PeerAddress from, Message m) {
                        long hopsLeft = ((DhtMessage.Ping) m).rpcId();
                        log.add(node.now() + " " + from.host() + " " + hopsLeft);
                        if (hopsLeft > 0) {
                            SimNode to = net.node(node.random().nextInt(n));
                            node.schedule(node.random().nextInt(3), () ->
                                    node.send(to.localAddress(), new DhtMessage.Ping(hopsLeft - 1)));
                        }
                    }

                    @Override
                    public void onLinkClosed(PeerAddress peer, String reason) {
                    }
                });
            }
            for (int i = 0; i < n; i++) {
                SimNode from = net.node(i);
                sim.at(i, () -> from.send(net.node((from.index() + 1) % n).localAddress(), new DhtMessage.Ping(200)));
            }
            sim.runUntil(60_000);
            assertThat(sim.eventsProcessed()).isGreaterThan(n * 200L);
            assertThat(net.traffic().datagrams).isEqualTo(n * 201L);
            return logs;
        } finally {
            net.close();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void aPartitionedRunIsTheSameOnOneThreadAndOnTwo(long seed) {
        List<List<String>> one = pingStorm(2, 1, seed);
        assertThat(pingStorm(2, 2, seed)).isEqualTo(one);
        assertThat(pingStorm(3, 2, seed)).as("three partitions on two threads").isEqualTo(pingStorm(3, 1, seed));
        assertThat(one.stream().mapToInt(List::size).sum()).isEqualTo(64 * 201);
    }

    @Test
    void messagesBetweenPartitionsArriveWhenTheLatencySays() {
        Simulation sim = new Simulation();
        SimNetwork net = net(sim, 9, 2, 2);
        try {
            Random ids = new Random(4);
            SimNode a = net.addNode(NodeId.random(ids));
            SimNode b = net.addNode(NodeId.random(ids));
            assertThat(a.partition).isNotEqualTo(b.partition);
            List<Long> arrivals = new ArrayList<>();
            b.setHandler(new MessageHandler() {
                @Override
                public void onMessage(PeerAddress from, Message m) {
                    arrivals.add(b.now());
                }

                @Override
                public void onLinkClosed(PeerAddress peer, String reason) {
                }
            });
            sim.at(100, () -> a.send(b.localAddress(), new DhtMessage.Ping(1)));
            sim.runUntil(1_000);
            double base = net.latency().baseMillis(a, b);
            assertThat(arrivals).hasSize(1);
            assertThat(arrivals.get(0) - 100).isBetween((long) Math.floor(base), (long) Math.ceil(base * 1.1) + 1);
            assertThat(sim.now()).isEqualTo(1_000);
            assertThat(a.now()).isEqualTo(1_000);
            assertThat(b.now()).isEqualTo(1_000);
        } finally {
            net.close();
        }
    }

    /** A handler that logs what arrives and which links close, as "time what". */
    private static MessageHandler logging(SimNode node, List<String> log) {
        return new MessageHandler() {
            @Override
            public void onMessage(PeerAddress from, Message m) {
                log.add(node.now() + " " + ((TreeMessage.Keepalive) m).beacon());
            }

            @Override
            public void onLinkClosed(PeerAddress peer, String reason) {
                log.add(node.now() + " closed: " + reason);
            }
        };
    }

    private static final NodeId CHANNEL = NodeId.random(new Random(7));

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aLinkBetweenPartitionsKeepsOrderAndBothEndsHearItClose(int threads) {
        Simulation sim = new Simulation();
        SimNetwork net = net(sim, 5, 2, threads);
        try {
            Random ids = new Random(8);
            SimNode a = net.addNode(NodeId.random(ids));
            SimNode b = net.addNode(NodeId.random(ids));
            assertThat(a.partition).isNotEqualTo(b.partition);
            List<String> atA = new ArrayList<>();
            List<String> atB = new ArrayList<>();
            a.setHandler(logging(a, atA));
            b.setHandler(logging(b, atB));
            // a dials from inside its partition and sends 100 frames at once: jitter would reorder them
            a.schedule(100, () -> {
                for (int i = 0; i < 100; i++) {
                    a.send(b.localAddress(), new TreeMessage.Keepalive(CHANNEL, i));
                }
            });
            b.schedule(400, () -> b.send(a.localAddress(), new TreeMessage.Keepalive(CHANNEL, 1_000))); // on a's link
            a.schedule(499, () -> a.send(b.localAddress(), new TreeMessage.Keepalive(CHANNEL, 499)));
            b.schedule(500, () -> b.closeLink(a.localAddress())); // before a's last frame arrives
            sim.runUntil(400);
            assertThat(net.linkCount()).isEqualTo(1);
            sim.runUntil(2_000);
            long base = Math.round(net.latency().baseMillis(a, b));
            assertThat(atB).hasSize(101).last().isEqualTo("500 closed: closed locally");
            assertThat(atB.subList(0, 100)).extracting(e -> Long.parseLong(e.split(" ")[1]))
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 100).boxed().toList());
            assertThat(atA).hasSize(2);
            assertThat(atA.get(0)).endsWith(" 1000");
            assertThat(atA.get(1)).isEqualTo((500 + base) + " closed: closed by peer");
            assertThat(net.linkCount()).isZero();

            // a dials again; b crashes: a hears it after the crash-detection timeout
            a.schedule(10, () -> a.send(b.localAddress(), new TreeMessage.Keepalive(CHANNEL, 2_000)));
            sim.at(2_500, () -> net.crash(b));
            sim.runUntil(40_000);
            assertThat(atB).last().asString().endsWith(" 2000");
            assertThat(atA).last().isEqualTo((2_500 + SimNetwork.Config.defaults().crashDetectMillis())
                    + " closed: crashed (timeout)");
        } finally {
            net.close();
        }
    }

    @Test
    void aNodesEventMayNotQueueAGlobalEventNorAddANode() {
        Simulation sim = new Simulation();
        SimNetwork net = net(sim, 9, 2, 1);
        try {
            SimNode a = net.addNode(NodeId.random(new Random(1)));
            a.schedule(5, () -> sim.after(1, () -> { }));
            assertThatThrownBy(() -> sim.runUntil(10)).hasStackTraceContaining("only be queued between milliseconds");
            SimNode b = net.addNode(NodeId.random(new Random(2)));
            b.schedule(5, () -> net.addNode(NodeId.random(new Random(3))));
            assertThatThrownBy(() -> sim.runUntil(20)).hasStackTraceContaining("nodes are added by global events");
            assertThatThrownBy(sim::step).hasMessageContaining("runUntil");
        } finally {
            net.close();
        }
    }
}
