package io.arborcast.core;

import java.util.EnumMap;
import java.util.Map;

/**
 * How often each {@link Limit} was hit, for metrics, and which were hit since the last report,
 * so a flood is logged as one line per period instead of one per refused request.
 * Used on one thread (the node's event loop, or the simulator).
 */
public final class LimitCounters {
    private final long[] hits = new long[Limit.values().length];
    private final long[] reported = new long[hits.length];

    public void hit(Limit limit) {
        hits[limit.ordinal()]++;
    }

    public long count(Limit limit) {
        return hits[limit.ordinal()];
    }

    /** The limits hit since the previous call, with how often; empty if none. */
    public Map<Limit, Long> sinceLastReport() {
        Map<Limit, Long> out = new EnumMap<>(Limit.class);
        for (Limit l : Limit.values()) {
            int i = l.ordinal();
            if (hits[i] != reported[i]) {
                out.put(l, hits[i] - reported[i]);
                reported[i] = hits[i];
            }
        }
        return out;
    }
}
