package io.arborcast.sim.workload;

/**
 * A listener's player, modelled: it starts on the first chunk its node hands it, at once, and
 * plays one chunk interval of media per chunk. A chunk that is not there on its turn stalls it
 * (it waits, and plays everything after that much later). A player that {@linkplain #catchUpRate
 * catches up} plays faster than real time while it holds more than its target buffer ahead of
 * the play position, as low-latency HLS and DASH players do with their playback rate (audio
 * with its pitch kept); its target starts at {@code minBufferMillis}, grows by each stall (up
 * to {@code maxBufferMillis}: the gap it just waited through may come again) and shrinks back
 * by half every {@link #SHRINK_HALF_LIFE_MILLIS} of play. A player with rate 1 keeps time: a
 * stall's lag stays to the end of its session (an Icecast-style HTTP player such as VLC or ffplay).
 */
final class PlayerModel {
    /** Half-life of the grown target buffer, in media time played. */
    static final long SHRINK_HALF_LIFE_MILLIS = 30_000;

    private final long chunkMillis;
    private final double catchUpRate;
    private final long minBufferMillis;
    private final long maxBufferMillis;
    /** What is left of the target's growth after one chunk's play. */
    private final double shrinkPerChunk;
    /** When seq 0 plays (seq s at clock + s chunk intervals); Long.MIN_VALUE before the first chunk. */
    private long clock = Long.MIN_VALUE;
    private double targetMillis;
    private long stalls;
    private long stalledMillis;

    /**
     * @param catchUpRate     playback rate while the buffer is above target (1: keeps time; at least 1)
     * @param minBufferMillis the target buffer it starts with and shrinks back to
     * @param maxBufferMillis the most its target grows to after stalls (at least minBufferMillis;
     *                        {@link io.arborcast.sim.scenario.Scenario.Player} checks both)
     */
    PlayerModel(long chunkMillis, double catchUpRate, long minBufferMillis, long maxBufferMillis) {
        this.chunkMillis = chunkMillis;
        this.catchUpRate = catchUpRate;
        this.minBufferMillis = minBufferMillis;
        this.maxBufferMillis = maxBufferMillis;
        this.targetMillis = minBufferMillis;
        this.shrinkPerChunk = Math.pow(0.5, (double) chunkMillis / SHRINK_HALF_LIFE_MILLIS);
    }

    /** A player that keeps time: one chunk interval per chunk, a stall's lag kept to the end. */
    static PlayerModel keepingTime(long chunkMillis) {
        return new PlayerModel(chunkMillis, 1, 0, 0);
    }

    /** When the player plays chunk {@code seq}, handed to it (in seq order) at {@code now}. */
    long play(long seq, long now) {
        if (clock == Long.MIN_VALUE) {
            clock = now - seq * chunkMillis;
            return now;
        }
        long turn = clock + seq * chunkMillis;
        if (now > turn) {
            long stall = now - turn;
            clock += stall;
            stalls++;
            stalledMillis += stall;
            targetMillis = Math.min(maxBufferMillis, targetMillis + stall);
            return now;
        }
        // playing this chunk's interval faster than real time wins back at most interval * (1 - 1/rate)
        double excess = turn - now - targetMillis;
        if (catchUpRate > 1 && excess > 0) {
            long shave = (long) Math.min(excess, chunkMillis * (1 - 1 / catchUpRate));
            clock -= shave;
            turn -= shave;
        }
        targetMillis = minBufferMillis + (targetMillis - minBufferMillis) * shrinkPerChunk;
        return turn;
    }

    /** Times it waited for a chunk that was not there on its turn. */
    long stalls() {
        return stalls;
    }

    /** How long it waited in all. */
    long stalledMillis() {
        return stalledMillis;
    }
}
