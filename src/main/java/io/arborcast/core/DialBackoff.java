package io.arborcast.core;

import java.util.Map;

/**
 * Back-off per address after failed connects: the n-th failure in a row closes the address
 * for {@code FIRST_MILLIS · 2^(n-1)}, at most {@link #MAX_MILLIS}; a success or
 * {@link #FORGET_MILLIS} without a failure forgets it. So a dead or hostile address named in
 * gossip costs one connect per period, however often peers name it. Bounded; plain state, no I/O.
 */
public final class DialBackoff {
    public static final long FIRST_MILLIS = 1_000;
    public static final long MAX_MILLIS = 60_000;
    public static final long FORGET_MILLIS = 10 * 60_000;
    private static final int MAX_ADDRESSES = 4096;

    private record Failures(int count, long until, long last) {
    }

    private final Map<String, Failures> failures = Lru.map(MAX_ADDRESSES);

    /** Milliseconds to wait before dialling {@code endpoint} again; 0 if it may be dialled now. */
    public long waitMillis(String endpoint, long now) {
        Failures f = failures.get(endpoint);
        if (f == null) {
            return 0;
        }
        if (now - f.last() >= FORGET_MILLIS) {
            failures.remove(endpoint);
            return 0;
        }
        return Math.max(0, f.until() - now);
    }

    /** A connect to {@code endpoint} failed (or reached another node than the one named). */
    public void failed(String endpoint, long now) {
        Failures f = failures.get(endpoint);
        int count = f == null || now - f.last() >= FORGET_MILLIS ? 1 : f.count() + 1;
        long wait = Math.min(MAX_MILLIS, FIRST_MILLIS << Math.min(count - 1, 20));
        failures.put(endpoint, new Failures(count, now + wait, now));
    }

    /** A connect to {@code endpoint} succeeded. */
    public void succeeded(String endpoint) {
        failures.remove(endpoint);
    }

    /** Failed connects in a row to {@code endpoint} (0 if none remembered). */
    public int failures(String endpoint) {
        Failures f = failures.get(endpoint);
        return f == null ? 0 : f.count();
    }
}
