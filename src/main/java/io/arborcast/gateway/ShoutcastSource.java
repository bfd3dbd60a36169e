package io.arborcast.gateway;

import io.arborcast.core.Limit;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.ChannelInfo;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A SHOUTcast v1 source client on port + 1: it sends its password on a line of its own,
 * we answer {@code OK2} (or {@code invalid password}), it sends {@code icy-*} header lines
 * up to an empty one, then the stream. Lines may end in CRLF or a bare LF.
 */
final class ShoutcastSource extends ByteToMessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(ShoutcastSource.class);
    private static final int MAX_LINE = 1024;
    private static final int MAX_HEADERS = 64;

    private enum State { PASSWORD, HEADERS, DATA }

    private final HttpGateway gateway;
    private final Map<String, String> headers = new HashMap<>();
    private State state = State.PASSWORD;
    private HttpGateway.Mount mount;

    ShoutcastSource(HttpGateway gateway) {
        this.gateway = gateway;
    }

    /** A source that has not sent its password and headers within the handshake timeout is closed (slow-loris). */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        long timeout = gateway.node().config().net().limits().handshakeTimeoutMillis();
        ctx.executor().schedule(() -> {
            if (state != State.DATA && ctx.channel().isActive()) {
                gateway.node().limits().hit(Limit.HANDSHAKE_TIMEOUT);
                ctx.close();
            }
        }, timeout, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws IOException {
        while (state != State.DATA) {
            String line = IcyLines.next(in, MAX_LINE, "SHOUTcast source " + PeerAddress.endpoint(ctx.channel().remoteAddress()));
            if (line == null) {
                return;
            }
            if (state == State.PASSWORD) {
                mount = gateway.mountByPassword(line);
                if (mount == null) {
                    log.info("refused SHOUTcast source from {}: wrong password",
                            PeerAddress.endpoint(ctx.channel().remoteAddress()));
                    in.skipBytes(in.readableBytes());
                    ctx.writeAndFlush(HttpGateway.ascii("invalid password\r\n")).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                if (!gateway.claimSource(mount)) {
                    log.info("refused SHOUTcast source from {}: {} already has a live source",
                            PeerAddress.endpoint(ctx.channel().remoteAddress()), mount.path());
                    mount = null;
                    in.skipBytes(in.readableBytes());
                    ctx.writeAndFlush(HttpGateway.ascii("Mountpoint in use\r\n")).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                ctx.writeAndFlush(HttpGateway.ascii("OK2\r\nicy-caps:11\r\n\r\n"));
                state = State.HEADERS;
            } else if (line.isEmpty()) {
                String type = headers.getOrDefault("content-type", "audio/mpeg");
                state = State.DATA;
                // from here the connection is the session's; the bytes after the headers go to it
                SourceSession.start(gateway, ctx, mount, type, HttpGateway.parseBitrate(headers.get("icy-br")),
                        ChannelInfo.fromHeaders(headers::get));
                return;
            } else if (headers.size() < MAX_HEADERS) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (mount != null && state != State.DATA) {
            gateway.releaseSource(mount); // went between its password and its headers
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        gateway.connectionFailed(ctx, "SHOUTcast source", cause);
    }
}
