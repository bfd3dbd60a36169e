package io.arborcast.stream;

import io.arborcast.core.Cancellable;
import io.arborcast.core.Scheduler;
import io.arborcast.core.StreamMessage.Chunk;

import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Hands a listener the stream's bytes strictly in seq order. When the next chunk is missing
 * but later ones are here, it waits up to the playout delay (counted from the arrival of the
 * first later chunk) for it to arrive (from a new parent or a neighbour) before skipping it.
 */
public final class Playout {
    private final Scheduler scheduler;
    private final long playoutDelayMillis;
    private final Consumer<Chunk> sink;
    private final TreeMap<Long, Chunk> waiting = new TreeMap<>();
    private long next = -1;
    private long played;
    private long skipped;
    private long duplicates;
    private Cancellable gapTimer;
    private long gapFor = -1;

    public Playout(Scheduler scheduler, long playoutDelayMillis, Consumer<Chunk> sink) {
        this.scheduler = scheduler;
        this.playoutDelayMillis = playoutDelayMillis;
        this.sink = sink;
    }

    /** A chunk arrived (already verified). */
    public void onChunk(Chunk c) {
        if (next < 0) {
            next = c.seq();
        }
        if (c.seq() < next || waiting.putIfAbsent(c.seq(), c) != null) {
            duplicates++;
            return;
        }
        drain();
    }

    private void drain() {
        Chunk c;
        while ((c = waiting.remove(next)) != null) {
            sink.accept(c);
            played++;
            next++;
        }
        if (gapTimer != null && (waiting.isEmpty() || gapFor != next)) {
            gapTimer.cancel(); // the gap it waited for is filled (or skipped)
            gapTimer = null;
        }
        if (!waiting.isEmpty() && gapTimer == null) {
            long missing = next;
            gapFor = missing;
            gapTimer = scheduler.schedule(playoutDelayMillis, () -> {
                gapTimer = null;
                if (next == missing && !waiting.isEmpty()) {
                    long firstHere = waiting.firstKey();
                    skipped += firstHere - next;
                    next = firstHere;
                    drain();
                }
            });
        }
    }

    /** The seq this listener waits for next. */
    public long nextSeq() {
        return next;
    }

    public long played() {
        return played;
    }

    /** Chunks that never came in time and were skipped. */
    public long skipped() {
        return skipped;
    }

    /** Chunks that came twice or after their turn (never played twice). */
    public long duplicates() {
        return duplicates;
    }
}
