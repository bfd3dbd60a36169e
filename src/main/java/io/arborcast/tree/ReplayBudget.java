package io.arborcast.tree;

import io.arborcast.core.Environment;
import io.arborcast.core.Limit;
import io.arborcast.core.Lru;
import io.arborcast.core.NodeId;
import io.arborcast.core.StreamMessage.Chunk;

import java.util.List;
import java.util.Map;

/**
 * How many chunks from our window we resend: attach replays (resume from seq, preroll) and
 * gap-pull answers together; the live stream is not counted. Token buckets refilled at
 * {@code perMinute} chunks a minute: one per peer we know (our parent, an established child, a
 * gossip neighbour; it may save up half a minute's worth for a repair), one per stranger (a
 * peer we never heard of, or a new child that has not sent a heartbeat yet; an eighth of the
 * rate and burst), and one that all strangers' gap pulls share (one peer's rate, a stranger's
 * burst; a new child's preroll or resume does not draw on it, so a crowd of honest newcomers
 * all get theirs). So a
 * child that attaches again and again with an old resume seq, a neighbour that keeps pulling,
 * or any number of strangers flooding ATTACH and PULL requests cost at most a stream copy or
 * two of our upload, and never a burst that would hold up the live stream to our children. The
 * excess is not sent and counts as a hit of {@link Limit#CHUNK_REPLAY}. An honest peer needs a
 * few chunks per repair.
 */
final class ReplayBudget {
    /** Peers remembered at once; the least recently served are forgotten first. */
    private static final int PEERS = 1024;

    private final Environment env;
    private final double perMilli;
    private final double knownBurst;
    private final double strangerBurst;
    private final Map<NodeId, double[]> buckets = Lru.map(PEERS); // {tokens, at}
    private final double[] strangers;

    ReplayBudget(Environment env, int perMinute) {
        this.env = env;
        this.perMilli = perMinute / 60_000.0;
        this.knownBurst = perMinute / 2.0;
        this.strangerBurst = perMinute / 8.0;
        this.strangers = new double[]{strangerBurst, env.now()};
    }

    /**
     * How many of {@code chunks}, counted from the first or ({@code newestFirst}) from the last,
     * fit in {@code maxBytes} of payload; one at least.
     */
    static int fitting(List<Chunk> chunks, long maxBytes, boolean newestFirst) {
        long bytes = 0;
        for (int i = 0; i < chunks.size(); i++) {
            bytes += chunks.get(newestFirst ? chunks.size() - 1 - i : i).payload().length;
            if (bytes > maxBytes) {
                return Math.max(1, i);
            }
        }
        return chunks.size();
    }

    /** How many of the {@code wanted} chunks of an attach replay may go to {@code peer} now. */
    int grantReplay(NodeId peer, int wanted, boolean known) {
        return grant(peer, wanted, known, false);
    }

    /** How many of the {@code wanted} chunks of a gap-pull answer may go to {@code peer} now. */
    int grantPull(NodeId peer, int wanted, boolean known) {
        return grant(peer, wanted, known, true);
    }

    /**
     * How many of the {@code wanted} chunks may be resent to {@code peer} now (taken from its
     * buckets); {@code known} says whether it is a peer we know or a stranger, {@code pooled}
     * whether a stranger also draws on the bucket all strangers share.
     */
    private int grant(NodeId peer, int wanted, boolean known, boolean pooled) {
        double burst = known ? knownBurst : strangerBurst;
        double[] own = buckets.computeIfAbsent(peer, p -> new double[]{burst, env.now()});
        double allowed = refill(own, known ? perMilli : perMilli / 8, burst);
        boolean shared = !known && pooled;
        if (shared) {
            allowed = Math.min(allowed, refill(strangers, perMilli, strangerBurst));
        }
        int n = (int) Math.min(wanted, Math.floor(allowed));
        own[0] -= n;
        if (shared) {
            strangers[0] -= n;
        }
        if (n < wanted) {
            env.limits().hit(Limit.CHUNK_REPLAY);
        }
        return n;
    }

    /** Tops the bucket up for the time since it was last used; returns its tokens. */
    private double refill(double[] bucket, double rate, double burst) {
        long now = env.now();
        bucket[0] = Math.min(burst, bucket[0] + (now - bucket[1]) * rate);
        bucket[1] = now;
        return bucket[0];
    }
}
