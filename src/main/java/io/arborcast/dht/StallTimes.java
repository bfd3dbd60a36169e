package io.arborcast.dht;

import io.arborcast.core.RecentMillis;

/**
 * How long a lookup waits on one peer, from what this node's RPC answers took lately: a dead
 * contact then costs a lookup about one slow round trip, not the configured worst case.
 */
final class StallTimes {
    /** The shortest a lookup waits for an answer before asking another peer (see {@link #stallMillis}). */
    static final long MIN_STALL_MILLIS = 50;
    /** Round trips measured before their quantile sets the stall time (a few say little). */
    private static final int MIN_RTT_SAMPLES = 16;
    private static final double STALL_QUANTILE = 0.9;

    private final RecentMillis rtt = new RecentMillis(64); // the last 64 round trips
    /** {@code dht.stall-after}: the longest either time is, and both while nothing was measured. */
    private final long maxMillis;

    StallTimes(long maxMillis) {
        this.maxMillis = maxMillis;
    }

    /** An answer came {@code millis} after its request. */
    void add(long millis) {
        rtt.add(millis);
    }

    /**
     * How long a lookup waits for an answer before asking another peer: the time within which
     * {@value #STALL_QUANTILE} of this node's recent answers came (three times the slowest while
     * there are fewer than {@value #MIN_RTT_SAMPLES}), at least {@value #MIN_STALL_MILLIS} ms and
     * at most {@code dht.stall-after}. A dead contact then costs a lookup about one slow round
     * trip, not the configured worst case; a live one slower than that is asked too early only
     * as often (and its late answer still counts).
     */
    long stallMillis() {
        long rttMillis = rtt.samples() < MIN_RTT_SAMPLES ? 3 * rtt.quantileMillis(1.0) : rtt.quantileMillis(STALL_QUANTILE);
        return clampStall(rttMillis);
    }

    /**
     * How long a lookup waits for a stalled request before it may finish without it: a quarter
     * longer than the slowest recent answer (a peer slower than everyone lately is most likely
     * gone), at least the stall time and at most {@code dht.stall-after}.
     */
    long giveUpMillis() {
        return rtt.samples() < MIN_RTT_SAMPLES ? stallMillis() : Math.max(stallMillis(), clampStall(rtt.quantileMillis(1.0) * 5 / 4));
    }

    private long clampStall(long millis) {
        return rtt.samples() == 0 ? maxMillis : Math.max(MIN_STALL_MILLIS, Math.min(maxMillis, millis));
    }
}
