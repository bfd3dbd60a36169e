package io.arborcast.net;

import io.arborcast.crypto.NodeIdentity;
import io.arborcast.wire.CodecException;
import io.arborcast.wire.DropCounters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The link handshake. Sends our preamble as soon as the link is up and reads the peer's (its
 * key must be a valid node identity); answers the peer's challenge with a signature and checks
 * the peer's answer to ours. Only then does it replace itself with the length-prefixed frame
 * decoder and tell the {@link PeerLink} who is at the other end. Any failure closes the link.
 */
final class PreambleDecoder extends ByteToMessageDecoder {
    private final NodeIdentity identity;
    private final int listenPort;
    private Preamble ours;
    private final int difficulty;
    private final int maxFrameBytes;
    private final DropCounters drops;
    private boolean sent;
    private Preamble theirs;

    PreambleDecoder(NodeIdentity identity, int listenPort, int difficulty, int maxFrameBytes, DropCounters drops) {
        this.identity = identity;
        this.listenPort = listenPort;
        this.difficulty = difficulty;
        this.maxFrameBytes = maxFrameBytes;
        this.drops = drops;
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
            ours = Preamble.of(identity, listenPort, (InetSocketAddress) ctx.channel().remoteAddress());
            ctx.writeAndFlush(ours.encode(ctx.alloc()));
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (theirs == null) {
            if (in.readableBytes() < Preamble.LENGTH) {
                return;
            }
            try {
                theirs = Preamble.read(in, difficulty);
            } catch (IllegalArgumentException e) {
                fail(ctx, in, e.getMessage());
                return;
            }
            ctx.writeAndFlush(Unpooled.wrappedBuffer(identity.proveLink(theirs.nonce())));
        }
        if (in.readableBytes() < Preamble.PROOF_LENGTH) {
            return;
        }
        byte[] proof = new byte[Preamble.PROOF_LENGTH];
        in.readBytes(proof);
        if (!NodeIdentity.verifyLinkProof(theirs.publicKey(), ours.nonce(), proof)) {
            fail(ctx, in, "peer could not prove it holds the key of node " + theirs.nodeId().shortHex());
            return;
        }
        ctx.pipeline().replace(this, "frames",
                new LengthFieldBasedFrameDecoder(maxFrameBytes + 4, 0, 4, 0, 4));
        ctx.pipeline().fireUserEventTriggered(new PeerLink.Ready(theirs));
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, String why) {
        drops.count(CodecException.Reason.IDENTITY);
        in.skipBytes(in.readableBytes());
        ctx.fireExceptionCaught(new IllegalArgumentException(why));
    }
}
