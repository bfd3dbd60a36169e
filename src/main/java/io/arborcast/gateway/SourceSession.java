package io.arborcast.gateway;

import io.arborcast.core.Limit;
import io.arborcast.node.LocalChannel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * One connected source client (Icecast SOURCE/PUT or SHOUTcast v1) feeding a mount's channel:
 * publishes the channel (or takes it over again when the same key's source comes back, or
 * from another node with {@link HttpGateway.Mount#takeover}),
 * holds the first bytes until that is done, then writes every byte into the channel. When
 * the client goes, the channel stays and its listeners stay connected, and the mount is free
 * for the next source at once. A session exists only for a source that claimed its mount
 * ({@link HttpGateway#claimSource}).
 */
final class SourceSession {
    private static final Logger log = LoggerFactory.getLogger(SourceSession.class);
    private final HttpGateway gateway;
    private final ChannelHandlerContext ctx;
    private final HttpGateway.Mount mount;
    private List<byte[]> early = new ArrayList<>();
    private long earlyBytes;
    private LocalChannel channel;
    private boolean ended;

    SourceSession(HttpGateway gateway, ChannelHandlerContext ctx, HttpGateway.Mount mount, String contentType,
                  int bitrateKbps) {
        this.gateway = gateway;
        this.ctx = ctx;
        this.mount = mount;
        gateway.node().publish(mount.key(), mount.name(), contentType, bitrateKbps, mount.takeover())
                .whenComplete((c, err) -> ctx.executor().execute(() -> {
                    if (err != null) {
                        log.warn("cannot publish {}: {}", mount.name(), err.toString());
                        ctx.close();
                        return;
                    }
                    channel = c;
                    log.info("source connected on {} ({}, {} kbit/s): channel {}", mount.path(), contentType,
                            bitrateKbps, c.record().channelId().toHex());
                    early.forEach(b -> c.write(b, 0, b.length));
                    early = null;
                    if (ended) {
                        end();
                    }
                }));
    }

    void bytes(ByteBuf b) {
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        if (early != null) {
            earlyBytes += bytes.length;
            if (earlyBytes > gateway.config().maxSourceBacklogBytes()) {
                gateway.node().limits().hit(Limit.SOURCE_BACKLOG);
                log.info("disconnecting the source of {}: {} bytes sent before its channel was published", mount.path(),
                        earlyBytes);
                early = List.of();
                ctx.close();
                return;
            }
            early.add(bytes);
        } else if (channel != null && channel.handedOver()) {
            log.info("disconnecting the source of {}: another node took its channel over", mount.path());
            ctx.close();
        } else if (channel != null) {
            channel.write(bytes, 0, bytes.length);
        }
    }

    void end() {
        if (!ended) {
            gateway.releaseSource(mount);
        }
        ended = true;
        if (channel != null) {
            log.info("source of {} disconnected; listeners stay connected", mount.path());
            channel.endOfInput();
        }
    }
}
