package io.arborcast.gateway;

import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.core.StreamMessage.Head;
import io.arborcast.node.LocalChannel;
import io.arborcast.stream.StreamHeads;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One HTTP player of a channel, after its response head: the stream head first (and again when
 * a returning source brings a new one), then every chunk's audio, with ICY metadata blocks if it
 * asked for them; dropped when it falls more than {@code gateway.max-player-backlog} behind (its
 * connection's write-buffer high-water mark); its response ends when the channel does.
 */
final class HttpPlayer implements LocalChannel.Player {
    private static final Logger log = LoggerFactory.getLogger(HttpPlayer.class);

    private final ChannelHandlerContext ctx;
    private final IcyMetadata meta;
    private final LocalChannel channel;
    private final NodeId id;
    private final SharedChunks shared;
    private final long maxBacklog;
    private byte[] sentHead = new byte[0];

    /** Starts playing {@code channel} on {@code ctx}'s connection, its preroll first. */
    HttpPlayer(ChannelHandlerContext ctx, IcyMetadata meta, LocalChannel channel, SharedChunks shared, long maxBacklog) {
        this.ctx = ctx;
        this.meta = meta;
        this.channel = channel;
        this.id = channel.record().channelId();
        this.shared = shared;
        this.maxBacklog = maxBacklog;
        int high = (int) Math.min(Integer.MAX_VALUE, maxBacklog);
        ctx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
        Head head = channel.head();
        if (head != null) {
            sendHead(head.payload(), head.payload());
        }
        channel.addPlayerWithPreroll(this);
    }

    /** The connection went: the channel stops feeding this player. */
    void stop() {
        channel.removePlayer(this);
    }

    @Override
    public void accept(Chunk chunk) {
        Head now = channel.head();
        if (now != null && !Arrays.equals(now.payload(), sentHead) && chunk.seq() >= now.firstSeq()) {
            // the first head (it came after the player), or a new one: the source restarted (chained
            // Ogg), or its encoder changed settings
            sendHead(now.payload(), sentHead.length == 0 ? now.payload()
                    : StreamHeads.headAgain(channel.record().contentType(), now.payload()));
        }
        if (!ctx.channel().isWritable()) { // more than the backlog unsent
            log.info("dropping a player that fell {} bytes behind", maxBacklog);
            ctx.close();
            return;
        }
        if (chunk.payload().length > 0) {
            send(shared.of(id, chunk, ctx.alloc()).retainedDuplicate());
        }
    }

    @Override
    public void ended(String why) {
        log.info("player {}: channel {} ended ({})", PeerAddress.endpoint(ctx.channel().remoteAddress()),
                id.shortHex(), why);
        shared.drop(id);
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** {@code head} is the channel's head now; {@code bytes} of it go to the player. */
    private void sendHead(byte[] head, byte[] bytes) {
        sentHead = head;
        if (bytes.length > 0) {
            send(Unpooled.wrappedBuffer(bytes));
        }
    }

    /** Writes {@code audio} (and releases it), with ICY metadata blocks if this player asked for them. */
    private void send(ByteBuf audio) {
        if (meta == null) {
            ctx.writeAndFlush(audio);
            return;
        }
        try {
            ctx.writeAndFlush(meta.interleave(audio, channel.title(), ctx.alloc()));
        } finally {
            audio.release();
        }
    }

    /**
     * Per channel, its latest chunk as one direct buffer that all its players write (each a
     * retained duplicate), instead of a copy per player. On the event loop.
     */
    static final class SharedChunks {
        private final Map<NodeId, Latest> latest = new HashMap<>();

        private record Latest(Chunk chunk, ByteBuf bytes) {
        }

        /** {@code chunk}'s audio: made once, for the first player that gets it; the channel's previous one is released. */
        ByteBuf of(NodeId channel, Chunk chunk, ByteBufAllocator alloc) {
            Latest l = latest.get(channel);
            if (l == null || l.chunk() != chunk) {
                if (l != null) {
                    l.bytes().release();
                }
                l = new Latest(chunk, alloc.directBuffer(chunk.payload().length).writeBytes(chunk.payload()));
                latest.put(channel, l);
            }
            return l.bytes();
        }

        /** The channel ended: its shared chunk goes. */
        void drop(NodeId channel) {
            Latest l = latest.remove(channel);
            if (l != null) {
                l.bytes().release();
            }
        }
    }
}
