package io.arborcast.node;

import io.arborcast.core.ChannelInfo;
import io.arborcast.core.ChannelRecord;
import io.arborcast.core.RecentMillis;
import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.core.StreamMessage.Head;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.stream.Chunker;
import io.arborcast.stream.Chunks;
import io.arborcast.stream.FrameSplitter;
import io.arborcast.stream.Mp3Frames;
import io.arborcast.stream.Playout;
import io.arborcast.stream.MalformedStreamException;
import io.arborcast.stream.Flv;
import io.arborcast.stream.StreamHeads;
import io.arborcast.channel.ChannelPeer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A channel this node takes part in: as its source (then {@link #write} feeds the live stream
 * in) or as a listener (then the chunks come from the tree, in seq order, to every
 * {@linkplain #addPlayer player}). All methods run on the node's event loop; {@link Node}
 * hops there for callers on other threads.
 */
public final class LocalChannel {
    /** Where a channel's chunks go in seq order: an HTTP player, a pipe, a test. */
    @FunctionalInterface
    public interface Player {
        void accept(Chunk c);

        /** The channel ended ({@code why}): no chunk follows; close what plays it. */
        default void ended(String why) {
        }
    }

    private final Node node;
    /** The channel's signed record; at the source, replaced when the channel is renamed ({@link Node#setInfo}). */
    private ChannelRecord record;
    private final ChannelPeer peer;
    private final ChannelKey key;
    private final Playout playout;
    private final List<Player> players = new ArrayList<>();
    private final ArrayDeque<Chunk> recent = new ArrayDeque<>();
    /** At the source: cuts the input into chunks and owns the channel's seqs (null at a listener). */
    private final Chunker chunker;
    /** At the source: whether a source client is sending now. */
    private boolean inputOpen;
    /** At the source: bytes of this input still to drop (an MP3 encoder's ID3v2 tag: players get frames). */
    private long skipping;
    /** At the source: another node took the channel over; input is ignored. */
    private boolean handedOver;
    /** At the source: the version of the last head published (see {@link #publishHead}). */
    private long headVersion = -1;
    /** At the source: what the publisher says of the channel (see {@link #setInfo}). */
    private ChannelInfo info = ChannelInfo.EMPTY;
    private long bytesIn;
    /** When this node asked for the channel (tune or publish), and first played a chunk of it (-1: not yet). */
    private final long startedAt;
    private long firstPlayedAt = -1;
    /** How far behind the source's cut the last minute's chunks played here, once the source's time is known. */
    private final RecentMillis lags;
    /** Chunks kept for a new player of video, which starts at the last keyframe among them. */
    private static final int MAX_GOP_CHUNKS = 48;
    /** The lag is reported over the chunks of this long (240 of normal mode's 250 ms, 600 of low mode's 100 ms). */
    private static final long LAG_WINDOW_MILLIS = 60_000;
    /** Whether the channel's players must start at a keyframe (video), not at any chunk. */
    private final boolean keyframeStarts;
    /** Which chunks a player may start with, for the head {@link #startsFor} (see {@link #startsHere}). */
    private java.util.function.Predicate<byte[]> startsOf;
    private Head startsFor;
    /** At the source: bytes held until the stream head is complete (null once it is). */
    private byte[] headBuf;
    private int headLen;

    LocalChannel(Node node, ChannelRecord record, ChannelPeer peer, ChannelKey key, Playout playout, long startedAt) {
        this.node = node;
        this.startedAt = startedAt;
        this.record = record;
        this.peer = peer;
        this.key = key;
        this.playout = playout;
        this.keyframeStarts = StreamHeads.startsAtKeyframes(record.contentType());
        this.lags = new RecentMillis((int) Math.max(1, LAG_WINDOW_MILLIS / node.config().chunkMillis()));
        // seqs of a publisher start at the number of chunk intervals since the epoch, so a source
        // node that restarts with the same key goes on with larger seqs than any it used before
        this.chunker = key == null ? null : new Chunker(key, FrameSplitter.forContentType(record.contentType()),
                node.environment(), node.config().chunkMillis(), node.config().maxChunkBytes(),
                System.currentTimeMillis() / node.config().chunkMillis(), this::published);
    }

    public ChannelRecord record() {
        return record;
    }

    /** At the source, after a rename: the newer record, stored in the DHT. */
    void setRecord(ChannelRecord renamed) {
        record = renamed;
    }

    /** The channel's name: the newest its publisher gave (with the stream head), or its record's. */
    public String name() {
        return info().nameOr(record.name());
    }

    public ChannelPeer peer() {
        return peer;
    }

    public boolean isSource() {
        return key != null;
    }

    /** The channel key, at the source; null elsewhere. */
    ChannelKey key() {
        return key;
    }

    /**
     * At the source: bytes of the live stream, cut into signed chunks on frame boundaries.
     *
     * @throws MalformedStreamException if they are no stream of the channel's type: this input is
     *                                  dropped up to its end ({@link #endOfInput}), and nothing of it
     *                                  reaches a listener
     */
    public void write(byte[] data, int off, int len) {
        if (key == null) {
            throw new IllegalStateException("only the channel's source writes to it");
        }
        if (handedOver) {
            return;
        }
        if (chunker.rejected() != null) {
            throw chunker.rejected();
        }
        bytesIn += len;
        if (!inputOpen) {
            inputOpen = true;
            headBuf = StreamHeads.hasHead(record.contentType()) ? new byte[4096] : null;
            headLen = 0;
            if (chunker.splitter() instanceof Mp3Frames) {
                skipping = Mp3Frames.id3Length(data, off, len);
            }
        }
        if (skipping > 0) {
            int n = (int) Math.min(skipping, len);
            skipping -= n;
            off += n;
            len -= n;
        }
        if (headBuf != null) {
            captureHead(data, off, len);
            return;
        }
        chunker.write(data, off, len);
    }

    /**
     * At the source: the input read so far goes out now (complete frames; the rest waits), rather
     * than at the next chunk interval. A source read once per interval calls this after each read.
     */
    public void cutNow() {
        if (key != null && !handedOver) {
            chunker.cut();
        }
    }

    /** The first bytes of a source's stream, until its head is complete: the head goes out on its own. */
    private void captureHead(byte[] data, int off, int len) {
        if (headLen + len > headBuf.length) {
            headBuf = Arrays.copyOf(headBuf, Math.max(headBuf.length * 2, headLen + len));
        }
        System.arraycopy(data, off, headBuf, headLen, len);
        headLen += len;
        int n;
        try {
            n = StreamHeads.headLength(record.contentType(), headBuf, headLen);
        } catch (MalformedStreamException e) {
            headBuf = null;
            chunker.reject(e);
            throw e;
        }
        if (n < 0 && headLen < StreamHeads.MAX_HEAD_BYTES) {
            return;
        }
        byte[] held = headBuf;
        headBuf = null;
        if (n > 0) {
            byte[] head = Arrays.copyOf(held, n);
            publishHead(head, title());
            if (chunker.splitter() instanceof Flv flv) {
                flv.begin(head);
            }
        }
        int from = Math.max(n, 0);
        if (headLen > from) {
            chunker.write(held, from, headLen - from);
        }
    }

    /**
     * At the source: the source client went away. What is complete goes out; the channel stays
     * (listeners keep their connections) and a returning source goes on with the next seq.
     */
    public void endOfInput() {
        if (inputOpen) {
            if (headBuf != null && headLen > 0) {
                chunker.write(headBuf, 0, headLen); // ended before a head was complete: it was data
            }
            headBuf = null;
            chunker.pause();
            inputOpen = false;
        }
    }

    /**
     * At the source, when another node takes the channel over: the input stops here (what is
     * complete goes out first) and nothing written later reaches the stream. Answers the seq the
     * new source goes on from.
     */
    long handOver() {
        endOfInput();
        handedOver = true;
        return chunker.nextSeq();
    }

    /** Whether another node took this channel's source role over (a source client still here should go). */
    public boolean handedOver() {
        return handedOver;
    }

    /** At a source taking the channel over: its seqs go on from {@code seq}, the old source's next. */
    void continueFrom(long seq) {
        chunker.continueFrom(seq);
    }

    /**
     * At the source, stopping cleanly: what is complete goes out, then the signed end of the
     * stream, so listeners leave at once instead of waiting for the source's silence to last.
     */
    void endStream() {
        endOfInput();
        peer.tree().publishEnd(Chunks.signEnd(key, chunker.nextSeq()));
    }

    /** The channel ended here ({@code why}): every player is told and let go. */
    void end(String why) {
        List<Player> all = List.copyOf(players);
        players.clear();
        all.forEach(p -> p.ended(why));
    }

    private void published(Chunk c) {
        peer.publish(c);
        deliver(c);
        if (chunker.splitter() instanceof Flv flv) {
            byte[] changed = flv.changedHead();
            if (changed != null) { // for those who join from the next chunk on
                publishHead(changed, title());
            }
        }
    }

    /** The stream head and title every player needs first, or null (none yet). */
    public Head head() {
        return peer.tree().head();
    }

    /** The channel's current title ("" if none was set). */
    public String title() {
        Head h = head();
        return h == null ? "" : h.title();
    }

    /** At the source: a new title, carried down the tree to every listener's ICY metadata. */
    public void setTitle(String title) {
        if (key == null) {
            throw new IllegalStateException("only the channel's source sets its title");
        }
        String t = title.length() > Head.MAX_TITLE ? title.substring(0, Head.MAX_TITLE) : title;
        Head h = head();
        publishHead(h == null ? new byte[0] : h.payload(), t);
    }

    /** What the publisher says of the channel (genre, description, URL), as the stream head carries it. */
    public ChannelInfo info() {
        Head h = head();
        return h == null ? info : h.info();
    }

    /**
     * At the source: new words for the channel, carried down the tree with the stream head (every
     * listener's status page shows them) and to the directory ({@link ChannelLister}).
     */
    void setInfo(ChannelInfo newInfo) {
        if (key == null) {
            throw new IllegalStateException("only the channel's source says what the channel is");
        }
        if (newInfo.equals(info)) {
            return;
        }
        info = newInfo;
        Head h = head();
        publishHead(h == null ? new byte[0] : h.payload(), h == null ? "" : h.title());
    }

    /**
     * A new head, before the next chunk. Its version is the wall clock in ms, or one more than
     * the last if that is not later, so a source node that restarts with the same key publishes
     * heads newer than any it published before.
     */
    private void publishHead(byte[] payload, String title) {
        headVersion = Math.max(headVersion + 1, System.currentTimeMillis());
        peer.tree().publishHead(Chunks.signHead(key, headVersion, chunker.nextSeq(), payload, title, info));
    }

    /**
     * Chunks in seq order from now on go to {@code player} too, from the first a decoder can
     * start with (in video, a keyframe's: see {@link #startsHere}).
     */
    public void addPlayer(Player player) {
        players.add(new FromStart(player));
    }

    /**
     * Like {@link #addPlayer}, but the player first gets the last few chunks played (the
     * preroll: in video, from the last keyframe), so it can start playing at once rather than
     * wait for the next chunk.
     */
    public void addPlayerWithPreroll(Player player) {
        FromStart p = new FromStart(player);
        List<Chunk> held = List.copyOf(recent);
        int from = held.size() - Math.min(held.size(), node.config().tree().prerollChunks());
        if (keyframeStarts) {
            from = held.size(); // no keyframe held: the player waits for the next
            for (int i = held.size() - 1; i >= 0; i--) {
                if (startsHere(held.get(i))) {
                    from = i;
                    break;
                }
            }
        }
        held.subList(from, held.size()).forEach(p::accept);
        players.add(p);
    }

    public void removePlayer(Player player) {
        players.removeIf(p -> p instanceof FromStart f && f.player == player);
    }

    /** A player, and whether it has had the chunk a decoder can start with. */
    private final class FromStart implements Player {
        private final Player player;
        private boolean started;

        FromStart(Player player) {
            this.player = player;
        }

        @Override
        public void accept(Chunk c) {
            started = started || startsHere(c);
            if (started) {
                player.accept(c);
            }
        }

        @Override
        public void ended(String why) {
            player.ended(why);
        }
    }

    /** Whether a decoder can start with {@code c}: any chunk of audio, a keyframe's of video. */
    private boolean startsHere(Chunk c) {
        if (!keyframeStarts) {
            return true;
        }
        Head h = head();
        if (startsOf == null || h != startsFor) {
            startsFor = h;
            startsOf = StreamHeads.playerStarts(record.contentType(), h == null ? null : h.payload());
        }
        return startsOf.test(c.payload());
    }

    public int players() {
        return players.size();
    }

    /** Stream bytes in: from the source client at the source, from the tree (parent and gap pull) elsewhere. */
    public long bytesIn() {
        return isSource() ? bytesIn : peer.tree().stats().bytesReceived;
    }

    /** The listener's playout (null at the source): skipped and duplicate counts. */
    public Playout playout() {
        return playout;
    }

    /** Milliseconds from asking for the channel to its first chunk played here, or -1 before that. */
    public long startupMillis() {
        return firstPlayedAt < 0 ? -1 : firstPlayedAt - startedAt;
    }

    /** When this node asked for the channel, in the node's clock ({@code environment().now()}). */
    public long startedAt() {
        return startedAt;
    }

    /**
     * The {@code q} quantile of how far behind the source's cut of each chunk (its own clock) this
     * node handed it to its players, over the last minute's chunks (about 0 at the
     * source); -1 before any chunk played with the source's time known (see {@code tree.SourceClock}).
     */
    public long lagMillis(double q) {
        return lags.samples() == 0 ? -1 : lags.quantileMillis(q);
    }

    /**
     * The least lag a chunk can have here: the one-way delay from the source down the tree; -1 at
     * the source or while unknown. (Lag counts from the source's cut of a chunk; the sound in it
     * began up to one chunk interval before.)
     */
    public long lagFloorMillis() {
        return isSource() ? -1 : peer.tree().pathMillis();
    }

    void deliver(Chunk c) {
        if (firstPlayedAt < 0) {
            firstPlayedAt = node.environment().now();
        }
        long lag = peer.tree().lagMillis(c.timestamp());
        if (lag >= 0) {
            lags.add(lag);
        }
        recent.addLast(c);
        int keep = keyframeStarts ? MAX_GOP_CHUNKS : Math.max(1, node.config().tree().prerollChunks());
        while (recent.size() > keep) {
            recent.removeFirst();
        }
        for (Player p : List.copyOf(players)) {
            p.accept(c);
        }
    }
}
