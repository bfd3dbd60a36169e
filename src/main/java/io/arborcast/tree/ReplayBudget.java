package io.arborcast.tree;

import io.arborcast.core.Environment;
import io.arborcast.core.Limit;
import io.arborcast.core.NodeId;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How many chunks from our window we resend per minute: attach replays (resume from seq,
 * preroll) and gap-pull answers together; the live stream is not counted. A peer we know (our
 * parent, an established child, a gossip neighbour) may have {@code perMinute}; a stranger (a
 * peer we never heard of, or a new child that has not sent a heartbeat yet) one eighth of that,
 * and all strangers together at most {@code perMinute}. So a child that attaches again and again
 * with an old resume seq, a neighbour that keeps pulling, or any number of strangers flooding
 * ATTACH and PULL requests cost at most a stream copy or two of our upload. The excess is not
 * sent and counts as a hit of {@link Limit#CHUNK_REPLAY}. An honest peer needs a few chunks per
 * repair.
 */
final class ReplayBudget {
    private static final long MINUTE = 60_000;
    /** Peers remembered at once; the least recently served are forgotten first. */
    private static final int PEERS = 1024;

    private final Environment env;
    private final int perMinute;
    private final long[] strangers = new long[2]; // {minute start, chunks} for all strangers together
    private final Map<NodeId, long[]> used = new LinkedHashMap<>(16, 0.75f, true) { // {minute start, chunks}
        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeId, long[]> eldest) {
            return size() > PEERS;
        }
    };

    ReplayBudget(Environment env, int perMinute) {
        this.env = env;
        this.perMinute = perMinute;
    }

    /**
     * How many of the {@code wanted} chunks may be resent to {@code peer} now (taken from its
     * budget); {@code known} says whether it is a peer we know or a stranger.
     */
    int grant(NodeId peer, int wanted, boolean known) {
        long now = env.now();
        long[] u = used.get(peer);
        if (u == null || now - u[0] >= MINUTE) {
            u = new long[]{now, 0};
            used.put(peer, u);
        }
        long allowed = (known ? perMinute : perMinute / 8) - u[1];
        if (!known) {
            if (now - strangers[0] >= MINUTE) {
                strangers[0] = now;
                strangers[1] = 0;
            }
            allowed = Math.min(allowed, perMinute - strangers[1]);
        }
        int n = (int) Math.min(wanted, Math.max(0, allowed));
        u[1] += n;
        if (!known) {
            strangers[1] += n;
        }
        if (n < wanted) {
            env.limits().hit(Limit.CHUNK_REPLAY);
        }
        return n;
    }
}
