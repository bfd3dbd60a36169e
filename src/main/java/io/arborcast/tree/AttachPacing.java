package io.arborcast.tree;

import io.arborcast.core.Cancellable;
import io.arborcast.core.Environment;

import java.util.Arrays;

/**
 * How fast a node looking for a parent may ask: at most {@link #MAX_PER_SECOND} ATTACHes in
 * any one second, and after a round with nobody left to ask one retry, soon at first (a crowd's
 * redirects fill up fast) and doubling up to the configured retry interval. Either wait ends
 * in {@code retry}.
 */
final class AttachPacing {
    /**
     * ATTACHes sent in any one second, at most: an orphan whose candidates all fail at once (dead
     * addresses, connects refused) waits instead of asking 100-150 times a second, as one did
     * when every address it knew was unreachable.
     */
    static final int MAX_PER_SECOND = 5;
    /** The first retry after running out of candidates. */
    private static final long FIRST_RETRY_MILLIS = 200;

    private final Environment env;
    private final long maxRetryMillis;
    private final Runnable retry;
    private final long[] recent = new long[MAX_PER_SECOND];
    private int next;
    private Cancellable rateTimer;
    private Cancellable retryTimer;
    private int emptyRounds;

    AttachPacing(Environment env, long maxRetryMillis, Runnable retry) {
        this.env = env;
        this.maxRetryMillis = maxRetryMillis;
        this.retry = retry;
        Arrays.fill(recent, Long.MIN_VALUE / 2);
    }

    /** True (and a retry due) while {@link #MAX_PER_SECOND} went out in the last second. */
    boolean overRate() {
        long wait = recent[next] + 1000 - env.now();
        if (wait <= 0) {
            return false;
        }
        if (rateTimer == null) {
            rateTimer = env.schedule(wait, () -> {
                rateTimer = null;
                retry.run();
            });
        }
        return true;
    }

    /** An ATTACH goes out now. */
    void sent() {
        recent[next] = env.now();
        next = (next + 1) % MAX_PER_SECOND;
    }

    /** Nobody left to ask this round: one retry pending, later after each empty round. */
    void nobodyLeft() {
        if (retryTimer == null) {
            long wait = Math.min(maxRetryMillis, FIRST_RETRY_MILLIS << Math.min(emptyRounds++, 8));
            retryTimer = env.schedule(wait, () -> {
                retryTimer = null;
                retry.run();
            });
        }
    }

    /** A parent accepted us: the next empty round waits the shortest time again. */
    void found() {
        emptyRounds = 0;
    }
}
