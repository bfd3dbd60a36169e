package io.arborcast.tree;

/**
 * What this node's uplink carries, learned from what it sends, with no test traffic: sampled
 * every keepalive period with the bytes handed to the transport so far and the bytes of them
 * still waiting to leave ({@link io.arborcast.core.Transport#bytesOut}, {@code bytesWaiting}).
 * A period that began with more bytes waiting than left in it, and ended with bytes waiting, had
 * the uplink busy throughout, so what left in it is the uplink's rate: the estimate follows those periods (a moving mean), and a period
 * that carried more raises it. With the uplink never full again for {@link #FORGET_MILLIS} the
 * estimate is dropped (what filled it may have been other traffic), and the node offers its
 * configured slots again until a full uplink says otherwise.
 *
 * <p>Beside it, the channel's own rate (the chunk bytes that come in, or that the source cuts),
 * so a relay knows how many copies its uplink feeds ({@link #copies}) and how far behind it is
 * ({@link #behindMillis}).
 */
final class UploadMeter {
    static final long FORGET_MILLIS = 120_000;
    /** Share of the uplink a relay fills with copies of the stream; the rest is for control and pulls. */
    static final double COPY_SHARE = 0.9;

    private long lastAt = -1;
    private long lastLeft;
    private long lastWaiting;
    /** Whether more waited at the last sample than at the one before. */
    private boolean growing;
    private long lastFullAt;
    /** Bytes per second the uplink carries; 0 while unknown. */
    private double capacity;
    private long streamBytes;
    private long lastStreamBytes;
    /** The channel's bytes per second, as a moving mean over periods. */
    private double streamRate;

    /** The channel's next {@code bytes} of chunk payload passed through this node. */
    void streamed(int bytes) {
        streamBytes += bytes;
    }

    /** A sample at {@code now}: {@code out} bytes handed to the transport so far, {@code waiting} of them not sent. */
    void sample(long now, long out, long waiting) {
        long left = out - waiting;
        if (lastAt >= 0 && now > lastAt) {
            double rate = (left - lastLeft) * 1000.0 / (now - lastAt);
            // what waited at the start was more than what left since: the uplink never idled
            if (waiting > 0 && lastWaiting >= left - lastLeft) {
                capacity = capacity == 0 ? rate : 0.75 * capacity + 0.25 * rate;
                lastFullAt = now;
            } else if (capacity > 0 && rate > capacity) {
                capacity = rate;
            }
            if (capacity > 0 && now - lastFullAt > FORGET_MILLIS) {
                capacity = 0;
            }
            double stream = (streamBytes - lastStreamBytes) * 1000.0 / (now - lastAt);
            streamRate = streamRate == 0 ? stream : 0.9 * streamRate + 0.1 * stream;
        }
        lastAt = now;
        lastLeft = left;
        growing = waiting > lastWaiting;
        lastWaiting = waiting;
        lastStreamBytes = streamBytes;
    }

    /** What the uplink carries, bytes per second; 0 while unknown (never seen full). */
    double capacity() {
        return capacity;
    }

    /** How long what waits now takes to leave at the uplink's rate (0 if nothing waits or the rate is unknown). */
    long behindMillis() {
        return lastWaiting == 0 || capacity == 0 ? 0 : (long) (lastWaiting * 1000 / capacity);
    }

    /**
     * Whether the uplink carries a copy of the channel: as measured, else as configured
     * ({@code uploadKbps}, 0: not set); true while either rate is unknown.
     */
    boolean carriesACopy(int uploadKbps) {
        double upload = capacity > 0 ? capacity : uploadKbps * 125.0;
        return upload == 0 || streamRate == 0 || upload >= streamRate;
    }

    /** Whether the queue grew over the last period: what the node sends outruns its uplink. */
    boolean growing() {
        return growing;
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
}
