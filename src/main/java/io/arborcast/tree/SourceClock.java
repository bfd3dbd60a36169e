package io.arborcast.tree;

/**
 * This node's view of the source's clock, the one chunk timestamps are cut in, so it can tell
 * how far behind the source it plays ({@link #lagMillis}). Every node's clock starts anywhere
 * (a monotonic clock since its process began), so the offset is measured the way NTP does it,
 * hop by hop: a child asks its parent the time; the parent answers with its own estimate of the
 * source's clock and of its path's one-way delay from the source; half the round trip is added to
 * both. Of the last {@link #SAMPLES} answers the one with the shortest round trip counts (queues
 * on the way lengthen a round trip, and make its halves unequal). The source itself knows both
 * exactly: offset 0, path 0. Each hop's asymmetry (at most half its round trip) adds to the error.
 */
final class SourceClock {
    /** Answers kept; the one with the shortest round trip is believed. */
    static final int SAMPLES = 8;

    private final long[] offsets = new long[SAMPLES];
    private final long[] paths = new long[SAMPLES];
    private final long[] rtts = new long[SAMPLES];
    private int count;
    private int next;
    private boolean exact;

    /** The source: its clock is the source's. */
    void atSource() {
        exact = true;
    }

    /** A new parent: what the old one told says nothing of this path. */
    void reset() {
        count = 0;
        next = 0;
    }

    /**
     * The parent's answer, at {@code now}, to our ask sent at {@code askedAt}: {@code sourceClock}
     * is the parent's estimate of the source's clock when it answered, {@code pathMillis} its
     * estimate of the one-way delay from the source to it.
     */
    void answer(long now, long askedAt, long sourceClock, long pathMillis) {
        long rtt = now - askedAt;
        if (exact || rtt < 0 || sourceClock < 0 || pathMillis < 0) {
            return;
        }
        offsets[next] = sourceClock + rtt / 2 - now;
        paths[next] = pathMillis + rtt / 2;
        rtts[next] = rtt;
        next = (next + 1) % SAMPLES;
        count = Math.min(count + 1, SAMPLES);
    }

    boolean known() {
        return exact || count > 0;
    }

    private int best() {
        int b = 0;
        for (int i = 1; i < count; i++) {
            if (rtts[i] < rtts[b]) {
                b = i;
            }
        }
        return b;
    }

    /** The source's clock at our {@code now}, or -1 while unknown. */
    long sourceNow(long now) {
        return exact ? now : count == 0 ? -1 : now + offsets[best()];
    }

    /** The one-way delay from the source to us along the tree, or -1 while unknown. */
    long pathMillis() {
        return exact ? 0 : count == 0 ? -1 : paths[best()];
    }

    /** How far behind the source's clock a chunk cut at {@code timestamp} is at our {@code now}; -1 while unknown. */
    long lagMillis(long timestamp, long now) {
        long source = sourceNow(now);
        return source < 0 ? -1 : Math.max(0, source - timestamp);
    }
}
