package io.arborcast.tree;

import io.arborcast.core.Cancellable;
import io.arborcast.core.Environment;
import io.arborcast.core.LimitCounters;
import io.arborcast.core.MessageRouter;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.PeerState;
import io.arborcast.core.StreamMessage;
import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.core.TreeMessage;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.sim.net.LatencyModel;
import io.arborcast.sim.net.SimNetwork;
import io.arborcast.sim.net.SimNode;
import io.arborcast.sim.engine.Simulation;
import io.arborcast.stream.Chunks;
import io.arborcast.wire.MessageCodec;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared virtual-time harness of the tree tests: a simulated network, a source and
 * listeners added one by one, candidates from an oracle (gossip in a real node), the source
 * publishing a signed chunk every 250 ms, and what each node played.
 */
abstract class TreeHarness {
    static final ChannelKey KEY = ChannelKey.generate();
    final Simulation sim = new Simulation();
    final SimNetwork net = new SimNetwork(sim, new SimNetwork.Config(LatencyModel.internet(), 0, 3_000, 5_000),
            new MessageCodec(MessageCodec.DEFAULT_MAX_LINK_FRAME), 4);
    final Random random = new Random(4);
    final List<ChannelTree> trees = new ArrayList<>();
    final List<SimNode> nodes = new ArrayList<>();
    final List<List<Long>> played = new ArrayList<>();
    final List<Integer> slots = new ArrayList<>();
    long nextSeq;
    boolean paused;
    /** When not -1, the oracle shows only this node. */
    int visibleOnly = -1;
    /** Every ATTACH delivered, as "asker->receiver" node indexes. */
    final List<String> attachLog = new ArrayList<>();
    /** States of peers that are gone, which the oracle keeps reporting (as gossip does for a while). */
    final List<PeerState> ghosts = new ArrayList<>();
    /** When set, the oracle reports every node's configured slots as free, as stale gossip would. */
    boolean staleOracle;
    /** When set, the oracle shows the source full, as gossip does. */
    boolean sourceShownFull;
    /** The state version the oracle reports for everyone. */
    long oracleVersion;
    /** The uplink the oracle reports for everyone, kbit/s. */
    int oracleUploadKbps = 1000;
    /** Listeners added from now on read their clock as the virtual time plus this (a process started elsewhere, earlier). */
    long clockOffset;
    /**
     * Per node, for each chunk it played: how far behind the source's cut it played by its own
     * estimate (-1 while unknown), and truly (the virtual time since the cut).
     */
    final List<List<long[]>> lags = new ArrayList<>();

    List<PeerState> oracle() {
        List<PeerState> out = new ArrayList<>();
        for (int i = 0; i < trees.size(); i++) {
            ChannelTree t = trees.get(i);
            if (nodes.get(i).alive() && t.receiving() && (visibleOnly < 0 || visibleOnly == i)) {
                boolean full = sourceShownFull && i == 0;
                out.add(new PeerState(nodes.get(i).localAddress(), t.depth(),
                        full ? 0 : staleOracle ? slots.get(i) : t.freeSlots(),
                        full || staleOracle ? 0 : t.listenerChildren(), oracleUploadKbps, 0, oracleVersion,
                        nodes.get(i).reachable() ? null : t.via() != null ? t.via() : nodes.get(i).localAddress()));
            }
        }
        out.addAll(ghosts);
        return out;
    }

    ChannelTree add(boolean source, int slotCount) {
        return add(source, TreeConfig.relay(slotCount));
    }

    ChannelTree add(boolean source, TreeConfig config) {
        int slotCount = config.maxRelays();
        SimNode node = net.addNode(NodeId.random(random));
        List<Long> log = new ArrayList<>();
        List<long[]> lag = new ArrayList<>();
        int index = trees.size();
        ChannelTree t = source
                ? ChannelTree.source(KEY.channelId(), KEY.publicKey(), config, node, node, this::oracle)
                : ChannelTree.listener(KEY.channelId(), KEY.publicKey(), config, skewed(node, clockOffset), node,
                        this::oracle, c -> {
                            log.add(c.seq());
                            lag.add(new long[] {trees.get(index).lagMillis(c.timestamp()), sim.now() - c.timestamp()});
                        });
        node.setHandler(new MessageRouter()
                .on(TreeMessage.Attach.class, (from, a) -> {
                    attachLog.add(indexOf(from) + "->" + index);
                    t.onMessage(from, a);
                })
                .on(TreeMessage.class, t::onMessage)
                .on(StreamMessage.Chunk.class, t::onChunk)
                .onLinkClosed(t::onLinkClosed));
        trees.add(t);
        slots.add(slotCount);
        nodes.add(node);
        played.add(log);
        lags.add(lag);
        return t;
    }

    /** {@code node}'s environment with its clock reading {@code offset} ms ahead of the virtual time. */
    private static Environment skewed(SimNode node, long offset) {
        return offset == 0 ? node : new Environment() {
            @Override
            public long now() {
                return node.now() + offset;
            }

            @Override
            public Cancellable schedule(long delayMillis, Runnable task) {
                return node.schedule(delayMillis, task);
            }

            @Override
            public Random random() {
                return node.random();
            }

            @Override
            public LimitCounters limits() {
                return node.limits();
            }
        };
    }

    /** A listener with {@code slotCount} slots that nobody can dial (behind a NAT), as its reachability check found. */
    ChannelTree addBehindNat(int slotCount) {
        return addBehindNat(slotCount, true);
    }

    /** As {@link #addBehindNat(int)}; {@code punchable}: a cone NAT, else a symmetric one (no hole punch works). */
    ChannelTree addBehindNat(int slotCount, boolean punchable) {
        ChannelTree t = add(false, slotCount);
        nodes.get(nodes.size() - 1).setReachable(false);
        nodes.get(nodes.size() - 1).setPunchable(punchable);
        t.setDialable(false);
        return t;
    }

    /** The source publishes one chunk every 250 ms from now on. */
    void stream() {
        stream(0);
    }

    /** As {@link #stream()}, each chunk {@code bytes} long (else a few bytes). */
    void stream(int bytes) {
        sim.schedule(250, () -> {
            if (!paused) {
                byte[] payload = bytes > 0 ? new byte[bytes] : ("chunk " + nextSeq).getBytes();
                trees.get(0).publish(Chunks.sign(KEY, nextSeq, sim.now(), payload));
                nextSeq++;
            }
            stream(bytes);
        });
    }

    /** Adds {@code count} relays with {@code slotCount} slots, each seeing only the source when it joins. */
    void relaysUnderTheSource(int count, int slotCount) {
        for (int i = 0; i < count; i++) {
            visibleOnly = 0;
            add(false, slotCount).join();
            sim.runUntil(sim.now() + 2_000);
        }
        visibleOnly = -1;
    }

    /** A chain below the source, one node per entry with that many slots, each seeing only the one above it. */
    void chainBelowTheSource(int... slotCounts) {
        for (int slotCount : slotCounts) {
            visibleOnly = trees.size() - 1;
            add(false, slotCount).join();
            sim.runUntil(sim.now() + 2_000);
        }
    }

    static void assertNoSkipNoRepeat(List<Long> seqs) {
        for (int i = 1; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).as("no skip, no repeat").isEqualTo(seqs.get(i - 1) + 1);
        }
    }

    int indexOf(PeerAddress p) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).localAddress().id().equals(p.id())) {
                return i;
            }
        }
        return -1;
    }
}
