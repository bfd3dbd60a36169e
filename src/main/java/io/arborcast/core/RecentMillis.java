package io.arborcast.core;

import java.util.Arrays;

/**
 * The last {@code window} durations in ms, and a quantile of them: round trips measured to
 * anyone (a node talks to peers all over the network, whose round trips spread over an order of
 * magnitude, so one smoothed mean with its deviation, RFC 6298's estimator made for one path,
 * says little; "nine answers in ten came within x ms" is what a lookup needs to decide that a
 * peer is not going to answer), or how far behind the source the last chunks played.
 */
public final class RecentMillis {
    /** In ms, as ints: a DHT node keeps one of these, and a simulation a million nodes. */
    private final int[] ring;
    private final int[] sorted;
    private long samples;
    /** Samples when {@link #sorted} was last filled. */
    private long sortedAt = -1;

    public RecentMillis(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window " + window);
        }
        ring = new int[window];
        sorted = new int[window];
    }

    /** One more duration, in ms. */
    public void add(long millis) {
        ring[(int) (samples++ % ring.length)] = (int) Math.clamp(millis, 0, Integer.MAX_VALUE);
    }

    public long samples() {
        return samples;
    }

    /**
     * The {@code q} quantile (0 < q ≤ 1) of the recent durations, in ms (nearest rank; 0
     * before any sample). Re-sorted only after new samples came in.
     */
    public long quantileMillis(double q) {
        int n = (int) Math.min(samples, ring.length);
        if (n == 0) {
            return 0;
        }
        if (sortedAt != samples) {
            System.arraycopy(ring, 0, sorted, 0, n);
            Arrays.sort(sorted, 0, n);
            sortedAt = samples;
        }
        int rank = (int) Math.ceil(q * n);
        return sorted[Math.min(n, Math.max(1, rank)) - 1];
    }
}
