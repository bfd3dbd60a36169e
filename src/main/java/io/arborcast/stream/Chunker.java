package io.arborcast.stream;

import io.arborcast.core.Cancellable;
import io.arborcast.core.Scheduler;
import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.crypto.ChannelKey;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The source side: cuts the incoming byte stream into signed chunks, one per chunk interval
 * (or sooner when {@code maxChunkBytes} is reached), each ending on a frame boundary so a
 * listener can start decoding at any chunk. Seqs increase strictly from {@code firstSeq}, across
 * pauses (a source client that leaves and comes back): the chunker is the one owner of a
 * channel's seqs. The interval timer runs only while input flows.
 */
public final class Chunker {
    private final ChannelKey key;
    private final FrameSplitter splitter;
    private final Scheduler scheduler;
    private final long chunkMillis;
    private final int maxChunkBytes;
    private final Consumer<Chunk> out;
    private byte[] pending = new byte[8192];
    private int pendingLen;
    private long nextSeq;
    private boolean cut;
    /** The interval timer; null while paused (no input since the last {@link #pause}). */
    private Cancellable timer;
    /** Why the input since the last pause was dropped (malformed), or null. */
    private MalformedStreamException malformed;

    public Chunker(ChannelKey key, FrameSplitter splitter, Scheduler scheduler, long chunkMillis, int maxChunkBytes,
                   long firstSeq, Consumer<Chunk> out) {
        this.key = key;
        this.splitter = splitter;
        this.scheduler = scheduler;
        this.chunkMillis = chunkMillis;
        this.maxChunkBytes = maxChunkBytes;
        this.nextSeq = firstSeq;
        this.out = out;
    }

    /**
     * Feeds source bytes (the first after a pause start the interval timer again).
     *
     * @throws MalformedStreamException if the input is no stream of its format: what is pending
     *                                  is dropped, and so is all input until the next {@link #pause}
     */
    public void write(byte[] data, int off, int len) {
        if (malformed != null) {
            throw malformed;
        }
        if (timer == null) {
            timer = scheduler.schedule(chunkMillis, this::tick);
        }
        if (pendingLen + len > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLen + len));
        }
        System.arraycopy(data, off, pending, pendingLen, len);
        pendingLen += len;
        while (pendingLen >= maxChunkBytes && emit(maxChunkBytes)) {
            // a fast source: cut full chunks now rather than wait for the timer
        }
        if (malformed != null) {
            throw malformed;
        }
    }

    /** How the input is cut (MP3 frames, Ogg pages, ...). */
    public FrameSplitter splitter() {
        return splitter;
    }

    /** The seq the next chunk will carry. */
    public long nextSeq() {
        return nextSeq;
    }

    /**
     * Goes on from {@code seq}, where another source of the channel stopped (a takeover); only
     * before the first chunk.
     */
    public void continueFrom(long seq) {
        if (cut) {
            throw new IllegalStateException("the seqs of a chunker that has cut chunks are its own");
        }
        nextSeq = seq;
    }

    /**
     * The input ended for now: what is complete goes out (a frame cut off at the end is dropped,
     * so the next input starts afresh), the timer stops; seqs go on after it.
     */
    public void pause() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        if (malformed == null) {
            emit(pendingLen);
        }
        pendingLen = 0;
        splitter.reset();
        malformed = null;
    }

    /**
     * Cuts what is complete now and starts the interval again: for an input read in one go per
     * interval, so each chunk leaves as soon as its bytes are in and the timer never fires.
     */
    public void cut() {
        if (timer == null) {
            return; // nothing written since the last pause
        }
        timer.cancel();
        tick();
        if (malformed != null) {
            throw malformed;
        }
    }

    private void tick() {
        emit(Math.min(pendingLen, maxChunkBytes));
        timer = malformed == null ? scheduler.schedule(chunkMillis, this::tick) : null;
    }

    /**
     * The input is no stream of its format, as something before this chunker found (its head):
     * what is pending is dropped, and so is all input until the next {@link #pause}.
     */
    public void reject(MalformedStreamException why) {
        malformed = why;
        pendingLen = 0;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /** Why the input since the last pause is dropped, or null while it is not. */
    public MalformedStreamException rejected() {
        return malformed;
    }

    /** Emits the complete frames among the first {@code limit} pending bytes; false if none (or malformed). */
    private boolean emit(int limit) {
        int n;
        try {
            n = splitter.completeLength(pending, limit);
        } catch (MalformedStreamException e) {
            reject(e);
            return false;
        }
        if (n == 0 && limit >= maxChunkBytes) {
            n = limit; // no frame boundary in a whole chunk's worth: not this format, pass it on as is
        }
        if (n == 0) {
            return false;
        }
        splitter.consumed(n);
        byte[] payload = Arrays.copyOf(pending, n);
        System.arraycopy(pending, n, pending, 0, pendingLen - n);
        pendingLen -= n;
        cut = true;
        out.accept(Chunks.sign(key, nextSeq++, scheduler.now(), payload));
        return true;
    }
}
