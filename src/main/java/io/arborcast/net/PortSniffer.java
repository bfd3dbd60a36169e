package io.arborcast.net;

import io.arborcast.core.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * First handler of every inbound TCP connection: looks at the first four bytes and hands
 * the connection to the peer-link pipeline (magic {@code ARBC}) or to the gateway (HTTP, or
 * RTMP, whose first byte is its version, 3), or
 * takes a reachability probe (magic {@code ARBR} and its nonce, see
 * {@link io.arborcast.core.Transport#dialBack}) and closes. Anything else is closed.
 */
final class PortSniffer extends ByteToMessageDecoder {
    private final NettyTransport transport;

    PortSniffer(NettyTransport transport) {
        this.transport = transport;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < Preamble.MAGIC.length) {
            return;
        }
        if (NettyTransport.startsWith(in, Transport.PROBE_MAGIC)) {
            if (in.readableBytes() < Transport.PROBE_BYTES) {
                return;
            }
            transport.probeArrived(in.getLong(in.readerIndex() + Transport.PROBE_MAGIC.length), true);
            in.skipBytes(in.readableBytes());
            ctx.close();
            return;
        }
        if (Preamble.startsWithMagic(in)) {
            transport.acceptLink(ctx.channel());
        } else if (!transport.handOffGateway(ctx.pipeline(), in.getUnsignedByte(in.readerIndex()))) {
            in.skipBytes(in.readableBytes());
            ctx.close();
            return;
        }
        ctx.pipeline().remove(this);
    }
}
