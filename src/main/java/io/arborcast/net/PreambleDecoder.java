package io.arborcast.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

import java.util.List;

/**
 * Sends our preamble as soon as the link is up, reads the peer's, then replaces itself with
 * the length-prefixed frame decoder and tells the {@link PeerLink} who is at the other end.
 */
final class PreambleDecoder extends ByteToMessageDecoder {
    private final Preamble ours;
    private final int maxFrameBytes;
    private boolean sent;

    PreambleDecoder(Preamble ours, int maxFrameBytes) {
        this.ours = ours;
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            sendPreamble(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        sendPreamble(ctx);
        super.channelActive(ctx);
    }

    private void sendPreamble(ChannelHandlerContext ctx) {
        if (!sent) {
            sent = true;
            ctx.writeAndFlush(ours.encode(ctx.alloc()));
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < Preamble.LENGTH) {
            return;
        }
        Preamble theirs;
        try {
            theirs = Preamble.read(in);
        } catch (IllegalArgumentException e) {
            in.skipBytes(in.readableBytes());
            ctx.fireExceptionCaught(e);
            return;
        }
        ctx.pipeline().replace(this, "frames",
                new LengthFieldBasedFrameDecoder(maxFrameBytes + 4, 0, 4, 0, 4));
        ctx.pipeline().fireUserEventTriggered(new PeerLink.Ready(theirs));
    }
}
