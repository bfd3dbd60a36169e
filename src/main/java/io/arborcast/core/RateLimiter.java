package io.arborcast.core;

import java.util.Map;

/**
 * A fixed-window limit per sender host: at most {@code perMinute} actions a minute. Tracks
 * at most {@code maxSenders} hosts (least recently active forgotten first), so a flood of
 * senders cannot grow it.
 */
public final class RateLimiter {
    private static final long WINDOW = 60_000;

    private final int perMinute;
    private final Map<String, long[]> windows;

    public RateLimiter(int perMinute, int maxSenders) {
        this.perMinute = perMinute;
        this.windows = Lru.map(maxSenders);
    }

    /** Counts one action by {@code host}; false if it is over its limit. */
    public boolean allow(String host, long now) {
        long[] w = windows.get(host);
        if (w == null || now - w[0] >= WINDOW) {
            windows.put(host, new long[] {now, 1});
            return true;
        }
        return ++w[1] <= perMinute;
    }
}
