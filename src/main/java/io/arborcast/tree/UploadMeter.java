package io.arborcast.tree;

/**
 * What this node's uplink carries, learned from what it sends, with no test traffic: sampled
 * every keepalive period with the bytes handed to the transport so far and the bytes of them
 * still waiting to leave ({@link io.arborcast.core.Transport#bytesOut}, {@code bytesWaiting}).
 * A period that began with more bytes waiting than left in it, the uplink full at both ends,
 * had it busy throughout, so what left in it is the uplink's rate: the estimate is what left in
 * such periods over their time, the newest weighing most and the first of each run of them left
 * out (what leaves then may go into buffers below the transport, such as a socket's). Periods
 * with nothing waiting at either end that carried more raise it, but only a run of
 * {@link #TREND} of them or more, weighed like full ones: all that was handed over in one such
 * period may have gone into the sockets' buffers, which had room, and not onto the wire (three
 * copies of a 1 Mbit/s stream read 3.3 Mbit/s on a 2.8 Mbit/s uplink). With the uplink never full
 * again for {@link #FORGET_MILLIS} the estimate is dropped (what filled it may have been other
 * traffic), and the node offers its configured slots again until a full uplink says otherwise.
 *
 * <p>Beside it, the channel's own rate (the chunk bytes that come in, or that the source cuts),
 * so a relay knows how many copies its uplink feeds ({@link #copies}) and how far behind it is
 * ({@link #behindMillis}).
 */
final class UploadMeter {
    static final long FORGET_MILLIS = 120_000;
    /** Share of the uplink a relay fills with copies of the stream; the rest is for control and pulls. */
    static final double COPY_SHARE = 0.9;
    /** Weight of what a full period measured against the newer ones, a period later (about 5 s of memory). */
    static final double RUN_DECAY = 0.9;
    /** Samples over which the queue's growth is judged (2 s at the 500 ms keepalive): one period's swings are noise. */
    static final int TREND = 4;

    private long lastAt = -1;
    private long lastLeft;
    private long lastWaiting;
    private boolean lastFull;
    /** The bytes waiting at the last {@link #TREND} samples, a ring, and whether each was full. */
    private final long[] recentWaiting = new long[TREND];
    private final boolean[] recentFull = new boolean[TREND];
    private int samples;
    private long lastFullAt;
    /** Bytes per second the uplink carries; 0 while unknown. */
    private double capacity;
    /** Full periods in a row, and what left in full periods (each run's first left out). */
    private int fullPeriods;
    private final DecayedRate fullRuns = new DecayedRate();
    /** The same for periods with nothing waiting at either end (the current run only). */
    private int idlePeriods;
    private final DecayedRate idleRun = new DecayedRate();
    private long streamBytes;
    private long lastStreamBytes;
    /** The channel's bytes per second, as a moving mean over periods. */
    private double streamRate;

    /** The channel's next {@code bytes} of chunk payload passed through this node. */
    void streamed(int bytes) {
        streamBytes += bytes;
    }

    /**
     * A sample at {@code now}: {@code out} bytes handed to the transport so far, {@code waiting}
     * of them not sent, and whether the uplink is {@code full} (the transport's backlog is the
     * uplink's, not one slow receiver's).
     */
    void sample(long now, long out, long waiting, boolean full) {
        long left = out - waiting;
        if (lastAt >= 0 && now > lastAt) {
            long gone = left - lastLeft;
            // full at both ends, and what waited at the start was more than what left since:
            // the uplink never idled
            if (lastFull && full && gone > 0 && lastWaiting > gone) {
                if (fullPeriods++ > 0) { // the first may end a burst into buffers below the transport
                    fullRuns.add(gone, now - lastAt);
                    capacity = fullRuns.perSecond();
                }
                lastFullAt = now;
            } else {
                fullPeriods = 0;
            }
            if (lastWaiting == 0 && waiting == 0) {
                idleRun.add(gone, now - lastAt);
                if (++idlePeriods >= TREND && capacity > 0 && idleRun.perSecond() > capacity) {
                    // all that was handed over left, but for what the buffers below hold
                    capacity = idleRun.perSecond();
                }
            } else {
                idlePeriods = 0;
                idleRun.clear();
            }
            if (capacity > 0 && now - lastFullAt > FORGET_MILLIS) {
                capacity = 0;
                fullRuns.clear();
            }
            double stream = (streamBytes - lastStreamBytes) * 1000.0 / (now - lastAt);
            streamRate = streamRate == 0 ? stream : 0.9 * streamRate + 0.1 * stream;
        }
        recentWaiting[samples % TREND] = waiting;
        recentFull[samples % TREND] = full;
        samples++;
        lastAt = now;
        lastLeft = left;
        lastFull = full;
        lastWaiting = waiting;
        lastStreamBytes = streamBytes;
    }

    /** Bytes waiting to leave at the last sample. */
    long waiting() {
        return lastWaiting;
    }

    /** What the uplink carries, bytes per second; 0 while unknown (never seen full). */
    double capacity() {
        return capacity;
    }

    /** How long what waits now takes to leave at the uplink's rate (0 unless it is full and the rate known). */
    long behindMillis() {
        return !lastFull || lastWaiting == 0 || capacity == 0 ? 0 : (long) (lastWaiting * 1000 / capacity);
    }

    /**
     * Whether the uplink carries a copy of the channel: as measured, else as configured
     * ({@code uploadKbps}, 0: not set); true while either rate is unknown.
     */
    boolean carriesACopy(int uploadKbps) {
        double upload = capacity > 0 ? capacity : uploadKbps * 125.0;
        return upload == 0 || streamRate == 0 || upload >= streamRate;
    }

    /**
     * Bytes the uplink can take on top of {@code waiting} (what waits to leave now) and still
     * have everything gone within {@code millis}, at its measured rate, else at the configured
     * {@code uploadKbps}; unbounded while both are unknown.
     */
    long roomWithin(long millis, long waiting, int uploadKbps) {
        double rate = capacity > 0 ? capacity : uploadKbps * 125.0;
        return rate == 0 ? Long.MAX_VALUE : Math.max(0, (long) (rate * millis / 1000) - waiting);
    }

    /** Whether an uplink of {@code kbps} (another node's, as gossiped; 0: unknown) carries a copy of the channel. */
    boolean copyFits(int kbps) {
        return kbps == 0 || streamRate == 0 || kbps * 125.0 >= streamRate;
    }

    /**
     * Whether the queue grew over the last {@link #TREND} samples, the uplink full throughout:
     * what the node sends outruns it (not one period's swing).
     */
    boolean growing() {
        if (samples < TREND) {
            return false;
        }
        for (boolean f : recentFull) {
            if (!f) {
                return false;
            }
        }
        return lastWaiting > recentWaiting[samples % TREND]; // the oldest of the ring
    }

    /**
     * Copies of the channel the uplink feeds, at most {@code slots}: all of them while the
     * uplink's rate or the channel's is unknown.
     */
    int copies(int slots) {
        if (capacity == 0 || streamRate <= 0) {
            return slots;
        }
        return (int) Math.min(slots, Math.floor(capacity * COPY_SHARE / streamRate));
    }

    /** Bytes that left in some periods over their time, each older period weighing {@link #RUN_DECAY} less. */
    private static final class DecayedRate {
        private double bytes;
        private double millis;

        void add(long periodBytes, long periodMillis) {
            bytes = bytes * RUN_DECAY + periodBytes;
            millis = millis * RUN_DECAY + periodMillis;
        }

        /** Bytes per second (NaN before any period). */
        double perSecond() {
            return bytes * 1000 / millis;
        }

        void clear() {
            bytes = 0;
            millis = 0;
        }
    }
}
