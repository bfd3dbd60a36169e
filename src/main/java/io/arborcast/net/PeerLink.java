package io.arborcast.net;

import io.arborcast.core.Message;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.wire.CodecException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * One TCP link to a peer: the last handler of its pipeline, plus the link's state (who is at
 * the other end once the preamble arrived, frames queued until then, why it closed).
 * Runs on the transport's event loop only.
 */
final class PeerLink extends ChannelInboundHandlerAdapter {
    /** Fired down the pipeline by {@link PreambleDecoder} when the peer's preamble arrived. */
    record Ready(Preamble preamble) {
    }

    private final NettyTransport transport;
    private final Channel channel;
    private final boolean outbound;
    private final ArrayDeque<byte[]> queued = new ArrayDeque<>();
    private PeerAddress remote;
    private String closeReason;
    private boolean silent;
    private boolean ready;
    private long queuedBytes;
    /** When the link was last handed a stream chunk; -1: never. */
    private long chunkAt = -1;

    PeerLink(NettyTransport transport, Channel channel, boolean outbound, PeerAddress expected) {
        this.transport = transport;
        this.channel = channel;
        this.outbound = outbound;
        this.remote = expected;
    }

    boolean outbound() {
        return outbound;
    }

    boolean ready() {
        return ready;
    }

    PeerAddress remote() {
        return remote;
    }

    Channel channel() {
        return channel;
    }

    /** The node that opened this link. */
    NodeId initiator() {
        return outbound ? transport.localAddress().id() : remote.id();
    }

    String closeReason() {
        return closeReason;
    }

    boolean silent() {
        return silent;
    }

    /**
     * Sends an encoded frame now, or queues it until the preamble exchange completed;
     * {@code chunk}: it carries a stream chunk (the link streams, see {@link #streamedSince}).
     */
    void send(byte[] frame, boolean chunk) {
        transport.handedOut(frame.length);
        if (chunk) {
            chunkAt = transport.environment().now();
        }
        take(frame);
    }

    /** Queues {@code frame} until the link is up, or writes it (counted as handed out already). */
    private void take(byte[] frame) {
        if (!ready) {
            queuedBytes += frame.length;
            if (queuedBytes > transport.config().maxQueuedBytesPerLink()) {
                close("more than " + transport.config().maxQueuedBytesPerLink() + " bytes queued before the link came up",
                        false);
                return;
            }
            queued.add(frame);
            return;
        }
        if (!channel.isWritable() && pendingBytes() > transport.config().maxQueuedBytesPerLink()) {
            close("peer too slow: more than " + transport.config().maxQueuedBytesPerLink() + " bytes unsent", false);
            return;
        }
        channel.writeAndFlush(Unpooled.wrappedBuffer(frame), channel.voidPromise());
    }

    /** Moves frames still queued here onto another link (when a duplicate link loses). */
    void handOverQueueTo(PeerLink other) {
        while (!queued.isEmpty()) {
            other.take(queued.poll());
        }
    }

    /** True while the link can take more frames without growing its send buffer past the high mark. */
    boolean writable() {
        return ready ? channel.isWritable() : queuedBytes < transport.config().maxQueuedBytesPerLink() / 2;
    }

    /** Whether the link is up and was handed a stream chunk at {@code since} or later. */
    boolean streamedSince(long since) {
        return ready && chunkAt >= since;
    }

    /** Bytes handed to the channel that it has not written to the socket yet. */
    long pendingBytes() {
        if (!ready) {
            return 0; // frames held until the link is up are no backlog of the uplink
        }
        return channel.unsafe().outboundBuffer() == null ? 0 : channel.unsafe().outboundBuffer().totalPendingWriteBytes();
    }

    /** Closes the link; {@code silent} suppresses the link-closed event (a losing duplicate). */
    void close(String reason, boolean silentClose) {
        if (closeReason == null) {
            closeReason = reason;
        }
        this.silent |= silentClose;
        channel.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof Ready r) {
            String host = ((InetSocketAddress) channel.remoteAddress()).getAddress().getHostAddress();
            PeerAddress actual = new PeerAddress(r.preamble().nodeId(), host, r.preamble().listenPort());
            if (outbound && remote.id() != null && !remote.id().equals(actual.id())) {
                transport.dialFailed(remote); // someone named this address for a node that is not there
                close("connected to " + actual.id().shortHex() + " instead of " + remote.id().shortHex(), false);
                return;
            }
            if (actual.id().equals(transport.localAddress().id())) {
                close("connected to ourselves", false);
                return;
            }
            remote = outbound ? remote.withId(actual.id()) : actual;
            ready = true;
            if (outbound) {
                transport.dialSucceeded(remote);
            }
            transport.observed(actual, r.preamble().seenHost());
            if (transport.linkReady(this)) {
                while (!queued.isEmpty() && channel.isActive()) {
                    take(queued.poll());
                }
                queuedBytes = 0;
            }
        } else if (evt instanceof IdleStateEvent) {
            close("idle: nothing received for " + transport.config().linkIdleMillis() + " ms", false);
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
            if (!ready) {
                close("frame before preamble", false);
                return;
            }
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            Message m;
            try {
                m = transport.linkCodec().decode(bytes);
            } catch (CodecException e) {
                transport.drops().count(e.reason());
                close("decode error: " + e.getMessage(), false);
                return;
            }
            transport.deliver(remote, m);
        } finally {
            buf.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException || cause.getCause() instanceof TooLongFrameException) {
            transport.drops().count(CodecException.Reason.OVERSIZE);
            close("oversize frame: " + cause.getMessage(), false);
        } else {
            close(cause.getClass().getSimpleName() + ": " + cause.getMessage(), false);
        }
    }
}
