package io.arborcast.tree;

/**
 * Hole punches that failed in a row, on either end: after {@link #FAILURES_TO_PAUSE} of them and
 * no success between (a symmetric NAT, or a router that resets what comes unasked, where no
 * punch works) none is tried for {@link #PAUSE_MILLIS}. Failures learned during a pause (punches
 * already under way) count for nothing.
 */
final class PunchStreak {
    static final int FAILURES_TO_PAUSE = 3;
    static final long PAUSE_MILLIS = 10 * 60_000;

    private int failuresInRow;
    private long pausedUntil = Long.MIN_VALUE;

    void succeeded() {
        failuresInRow = 0;
    }

    void failed(long now) {
        if (!paused(now) && ++failuresInRow == FAILURES_TO_PAUSE) {
            failuresInRow = 0;
            pausedUntil = now + PAUSE_MILLIS;
        }
    }

    boolean paused(long now) {
        return now < pausedUntil;
    }
}
