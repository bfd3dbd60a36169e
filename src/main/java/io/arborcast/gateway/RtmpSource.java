package io.arborcast.gateway;

import io.arborcast.core.ChannelInfo;
import io.arborcast.core.Limit;
import io.arborcast.core.PeerAddress;
import io.arborcast.stream.MalformedStreamException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An RTMP source client (OBS, ffmpeg) on the node's port or the RTMP port: runs the
 * connection's {@link RtmpIngest} and, once the client publishes with a mount's password as
 * its stream key and sends its first media, hands the FLV stream it makes to a
 * {@link SourceSession} placed behind it, as an Icecast source's bytes are. A client that has
 * not published within the handshake timeout, or breaks the protocol, is disconnected.
 */
final class RtmpSource extends ChannelInboundHandlerAdapter implements RtmpIngest.Sink {
    private static final Logger log = LoggerFactory.getLogger(RtmpSource.class);
    static final String CONTENT_TYPE = "video/x-flv";
    private final HttpGateway gateway;
    private final RtmpIngest ingest = new RtmpIngest(this);
    private ChannelHandlerContext ctx;
    /** The mount claimed by this client's publish. */
    private HttpGateway.Mount mount;
    private boolean started;

    RtmpSource(HttpGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext c) {
        ctx = c;
        long timeout = gateway.node().config().net().limits().handshakeTimeoutMillis();
        c.executor().schedule(() -> {
            if (mount == null && c.channel().isActive()) {
                gateway.node().limits().hit(Limit.HANDSHAKE_TIMEOUT);
                log.debug("closing RTMP client {}: no publish within {} ms", client(), timeout);
                c.close();
            }
        }, timeout, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        try {
            if (msg instanceof ByteBuf b && c.channel().isActive()) {
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                ingest.receive(bytes, 0, bytes.length);
                reply(c);
            }
        } catch (MalformedStreamException e) {
            log.warn("disconnecting RTMP client {}{}: {}", client(), mount == null ? "" : " of " + mount.path(),
                    e.getMessage());
            c.close();
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void reply(ChannelHandlerContext c) {
        byte[] r = ingest.replies();
        if (r.length > 0 || ingest.ended()) {
            var sent = c.writeAndFlush(Unpooled.wrappedBuffer(r));
            if (ingest.ended()) {
                sent.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    private String client() {
        return PeerAddress.endpoint(ctx.channel().remoteAddress());
    }

    @Override
    public String publish(String app, String key) {
        String refused = gateway.takenOverRefusal("/" + app);
        HttpGateway.Mount m = refused == null ? gateway.rtmpMount(app, key) : null;
        if (refused == null && m == null) {
            refused = "wrong stream key";
        } else if (m != null && !gateway.claimSource(m)) {
            refused = "Mountpoint in use: " + m.path() + " already has a live source";
        }
        if (refused != null) {
            log.info("refused RTMP source from {} (app {}): {}", client(), app, refused);
            return refused;
        }
        mount = m;
        return null;
    }

    @Override
    public void start(Map<String, Object> metadata) {
        started = true;
        int bitrate = RtmpIngest.bitrateKbps(metadata);
        SourceSession.behind(gateway, ctx, mount, CONTENT_TYPE,
                bitrate > 0 ? bitrate : HttpGateway.parseBitrate(null), ChannelInfo.EMPTY);
    }

    @Override
    public void flv(byte[] bytes) {
        ctx.fireChannelRead(Unpooled.wrappedBuffer(bytes));
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
        if (mount != null && !started) {
            gateway.releaseSource(mount); // published but went before its first frame
        }
        c.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        gateway.connectionFailed(c, "RTMP source", cause);
    }
}
