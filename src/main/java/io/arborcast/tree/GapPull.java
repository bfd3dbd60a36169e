package io.arborcast.tree;

import io.arborcast.core.Environment;
import io.arborcast.core.Lru;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.PeerState;
import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.core.Transport;
import io.arborcast.core.TreeMessage;
import io.arborcast.stream.ChunkBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gap pull (swarming), both sides: while our parent is lost or feeding us nothing, or a hole
 * lost with a parent stays open, ask a few gossip neighbours for what they hold from the first
 * chunk we miss (passing over those that left a pull unanswered lately), and take their
 * answers for a while; answer neighbours' pulls from our window, at most once per half
 * keepalive period per peer, {@link #MAX_CHUNKS} chunks per answer and what our uplink sends
 * in a keepalive period, so nobody can make us replay our whole buffer in a loop, and no answer
 * holds our own children back. {@link ChannelTree} decides when to pull and verifies what
 * comes back.
 */
final class GapPull {
    /** Asked of this many neighbours per keepalive while the parent feeds us nothing. */
    private static final int PEERS = 2;
    /** Most chunks one answer carries (10 s of 250 ms chunks). */
    static final int MAX_CHUNKS = 40;
    /** Chunks a neighbour sends in answer to our pull are taken for this long after asking. */
    static final long ANSWER_MILLIS = 3_000;
    private static final int SERVED_MEMORY = 256;
    /** A neighbour that sent nothing for a pull is passed over this long while others are left. */
    static final long UNANSWERED_MILLIS = 10_000;

    private final NodeId channel;
    private final Environment env;
    private final Transport transport;
    private final TreeStats stats;
    private final long minServeIntervalMillis;
    private final ReplayBudget budget;
    private final Map<NodeId, Long> askedAt = new HashMap<>();
    private final LinkedHashMap<NodeId, Long> servedAt = new LinkedHashMap<>();
    /** Neighbours asked whose answer came (a chunk of it at least), until the ask expires. */
    private final Set<NodeId> answered = new HashSet<>();
    /** Neighbours whose last pull went unanswered (busy, an uplink too small, nothing to give), and when. */
    private final Map<NodeId, Long> unanswered = Lru.map(SERVED_MEMORY);

    GapPull(NodeId channel, Environment env, Transport transport, TreeStats stats, long keepaliveMillis,
            ReplayBudget budget) {
        this.budget = budget;
        this.channel = channel;
        this.env = env;
        this.transport = transport;
        this.stats = stats;
        this.minServeIntervalMillis = keepaliveMillis / 2;
    }

    /**
     * Asks up to {@link #PEERS} of {@code neighbours}, drawn at random, for {@code count} chunks
     * from {@code fromSeq}; neighbours that left a pull unanswered lately only if no others are left.
     */
    void ask(List<PeerState> neighbours, long fromSeq, int count) {
        long now = env.now();
        List<PeerState> pool = new ArrayList<>(neighbours);
        pool.removeIf(st -> {
            Long t = unanswered.get(st.id());
            return t != null && now - t < UNANSWERED_MILLIS;
        });
        if (pool.isEmpty()) {
            pool = neighbours;
        }
        Set<NodeId> asked = new HashSet<>();
        for (int i = 0; i < pool.size() && asked.size() < PEERS; i++) {
            PeerState st = pool.get(env.random().nextInt(pool.size()));
            if (asked.add(st.id())) {
                stats.pullsSent++;
                askedAt.put(st.id(), now);
                transport.send(st.address(), new TreeMessage.Pull(channel, fromSeq, Math.min(count, MAX_CHUNKS)));
            }
        }
    }

    /** Forgets pulls too old to be answered still, noting the neighbours that sent nothing for them. */
    void expire() {
        if (!askedAt.isEmpty()) {
            long now = env.now();
            askedAt.entrySet().removeIf(e -> {
                if (now - e.getValue() <= ANSWER_MILLIS) {
                    return false;
                }
                if (!answered.remove(e.getKey())) {
                    unanswered.put(e.getKey(), now);
                }
                return true;
            });
        }
    }

    /** Whether a chunk from {@code from} answers a pull of ours. */
    boolean answers(PeerAddress from) {
        Long t = askedAt.get(from.id());
        boolean answer = t != null && env.now() - t <= ANSWER_MILLIS;
        if (answer) {
            answered.add(from.id());
            unanswered.remove(from.id());
        }
        return answer;
    }

    /** {@code from} sent a bad chunk: nothing more is taken from it for this pull. */
    void distrust(PeerAddress from) {
        askedAt.remove(from.id());
    }

    /**
     * A neighbour's pull, answered from {@code buffer} unless it asked too soon again, with no
     * more than {@code maxBytes} of chunk payload (but one chunk at least).
     */
    void serve(PeerAddress from, TreeMessage.Pull p, ChunkBuffer buffer, boolean known, long maxBytes) {
        long now = env.now();
        Long last = servedAt.get(from.id());
        if (last != null && now - last < minServeIntervalMillis) {
            stats.pullsRefused++;
            return;
        }
        servedAt.remove(from.id());
        servedAt.put(from.id(), now);
        if (servedAt.size() > SERVED_MEMORY) {
            servedAt.remove(servedAt.keySet().iterator().next());
        }
        List<Chunk> held = buffer.from(p.fromSeq());
        int n = budget.grantPull(from.id(), Math.min(ReplayBudget.fitting(held, maxBytes, false), Math.min(p.maxChunks(), MAX_CHUNKS)), known);
        stats.pullsServed++;
        for (Chunk c : held.subList(0, n)) {
            transport.send(from, c);
        }
    }
}
