package io.arborcast.stream;

import io.arborcast.core.StreamMessage.Chunk;

import java.util.ArrayList;
import java.util.List;

/**
 * The window of recent chunks every node keeps, by seq, so it can serve a new child or a
 * neighbour's gap from any seq in the window. A ring indexed by seq: newer chunks push the
 * oldest out; duplicates and chunks older than the window are refused.
 */
public final class ChunkBuffer {
    private final Chunk[] ring;
    private long highest = -1;

    /** A buffer of {@code capacity} chunks (window = capacity x chunk interval). */
    public ChunkBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.ring = new Chunk[capacity];
    }

    /** Stores {@code c}; false if it is a duplicate or already outside the window. */
    public boolean put(Chunk c) {
        long seq = c.seq();
        if (highest >= 0 && seq <= highest - ring.length) {
            return false;
        }
        int i = (int) (seq % ring.length);
        Chunk old = ring[i];
        if (old != null && old.seq() == seq) {
            return false;
        }
        if (old != null && old.seq() > seq) {
            return false; // a newer chunk already took the slot: seq is outside the window
        }
        ring[i] = c;
        highest = Math.max(highest, seq);
        return true;
    }

    /** The chunk with {@code seq}, or null if not held. */
    public Chunk get(long seq) {
        if (seq < 0) {
            return null;
        }
        Chunk c = ring[(int) (seq % ring.length)];
        return c != null && c.seq() == seq ? c : null;
    }

    /** Highest seq held, -1 when empty. */
    public long highestSeq() {
        return highest;
    }

    /**
     * Where this node's stream needs filling from: the lowest seq missing between held chunks
     * stamped at most {@code recentMillis} before the newest (a hole playout may still fill),
     * else the seq after the newest; -1 when empty. Holes below our first chunk are not ours
     * to fill, and older ones playout has skipped already.
     */
    public long firstMissing(long recentMillis) {
        if (highest < 0) {
            return -1;
        }
        long since = get(highest).timestamp() - recentMillis;
        long hole = highest + 1;
        long unconfirmed = -1; // a hole counts once a held chunk below it shows we had the stream there
        for (long s = highest; s >= windowStart(); s--) {
            Chunk c = get(s);
            if (c == null) {
                unconfirmed = s;
                continue;
            }
            if (unconfirmed >= 0) {
                hole = unconfirmed;
                unconfirmed = -1;
            }
            if (c.timestamp() < since) {
                break;
            }
        }
        return hole;
    }

    /** How many seqs from {@code seq} on are missing in a row, up to the newest held. */
    public int missingFrom(long seq) {
        int n = 0;
        for (long s = Math.max(seq, windowStart()); s <= highest && get(s) == null; s++) {
            n++;
        }
        return n;
    }

    /** Chunks held in the window now (fewer than its capacity while filling, or with gaps). */
    public int held() {
        long start = windowStart();
        int n = 0;
        for (Chunk c : ring) {
            if (c != null && c.seq() >= start) {
                n++;
            }
        }
        return n;
    }

    /** Lowest seq the window can still hold. */
    public long windowStart() {
        return Math.max(0, highest - ring.length + 1);
    }

    /** The chunks held from {@code seq} on, in seq order (gaps skipped): what a resuming child is sent. */
    public List<Chunk> from(long seq) {
        List<Chunk> out = new ArrayList<>();
        for (long s = Math.max(seq, windowStart()); s <= highest; s++) {
            Chunk c = get(s);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }
}
