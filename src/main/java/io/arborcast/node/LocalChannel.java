package io.arborcast.node;

import io.arborcast.core.ChannelRecord;
import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.stream.Chunker;
import io.arborcast.stream.FrameSplitter;
import io.arborcast.stream.Playout;
import io.arborcast.tree.ChannelPeer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A channel this node takes part in: as its source (then {@link #write} feeds the live stream
 * in) or as a listener (then the chunks come from the tree, in seq order, to every
 * {@linkplain #addPlayer player}). All methods run on the node's event loop; {@link Node}
 * hops there for callers on other threads.
 */
public final class LocalChannel {
    private final Node node;
    private final ChannelRecord record;
    private final ChannelPeer peer;
    private final ChannelKey key;
    private final Playout playout;
    private final List<Consumer<Chunk>> players = new ArrayList<>();
    private Chunker chunker;
    private long nextSeq;
    private long bytesIn;

    LocalChannel(Node node, ChannelRecord record, ChannelPeer peer, ChannelKey key, Playout playout) {
        this.node = node;
        this.record = record;
        this.peer = peer;
        this.key = key;
        this.playout = playout;
        this.nextSeq = key == null ? 0 : firstSeq(node);
    }

    /**
     * Seqs of a publisher start at the number of chunk intervals since the epoch, so a source
     * that restarts with the same key goes on with larger seqs than any it used before.
     */
    private static long firstSeq(Node node) {
        return System.currentTimeMillis() / node.config().chunkMillis();
    }

    public ChannelRecord record() {
        return record;
    }

    public ChannelPeer peer() {
        return peer;
    }

    public boolean isSource() {
        return key != null;
    }

    /** At the source: bytes of the live stream, cut into signed chunks on frame boundaries. */
    public void write(byte[] data, int off, int len) {
        if (key == null) {
            throw new IllegalStateException("only the channel's source writes to it");
        }
        if (chunker == null) {
            chunker = new Chunker(key, FrameSplitter.forContentType(record.contentType()), node.environment(),
                    node.config().chunkMillis(), node.config().maxChunkBytes(), nextSeq, this::published);
        }
        bytesIn += len;
        chunker.write(data, off, len);
    }

    /**
     * At the source: the source client went away. What is complete goes out; the channel stays
     * (listeners keep their connections) and a returning source goes on with the next seq.
     */
    public void endOfInput() {
        if (chunker != null) {
            chunker.close();
            nextSeq = chunker.nextSeq();
            chunker = null;
        }
    }

    private void published(Chunk c) {
        peer.publish(c);
        deliver(c);
    }

    /** Chunks in seq order from now on go to {@code player} too. */
    public void addPlayer(Consumer<Chunk> player) {
        players.add(player);
    }

    public void removePlayer(Consumer<Chunk> player) {
        players.remove(player);
    }

    public int players() {
        return players.size();
    }

    /** Stream bytes the source has taken in. */
    public long bytesIn() {
        return bytesIn;
    }

    /** The listener's playout (null at the source): skipped and duplicate counts. */
    public Playout playout() {
        return playout;
    }

    void deliver(Chunk c) {
        for (Consumer<Chunk> p : List.copyOf(players)) {
            p.accept(c);
        }
    }
}
