package io.arborcast.gateway;

import io.arborcast.core.Limit;
import io.arborcast.core.ChannelInfo;
import io.arborcast.stream.MalformedStreamException;
import io.arborcast.node.LocalChannel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connected source client (Icecast SOURCE/PUT, SHOUTcast v1 or RTMP) feeding a mount's
 * channel, the handler of its connection once the client's request or handshake is done:
 * publishes the channel (or takes it over again when the same key's source comes back, or
 * from another node with {@link HttpGateway.Mount#takeover}),
 * holds the first bytes until that is done, then writes every byte into the channel. When
 * the client goes, the channel stays and its listeners stay connected, and the mount is free
 * for the next source at once; a client that sends no stream byte for {@code
 * gateway.source-timeout} is disconnected, so a silent one cannot hold the mount. A session
 * exists only for a source that claimed its mount ({@link HttpGateway#claimSource}).
 *
 * <p>The source's bytes are read once per chunk interval, not as they trickle in (an encoder
 * sends each MP3 frame on its own, about 40 a second): one wake-up of the node per chunk, and
 * the chunk is cut right after the read, so it leaves no later than if read byte by byte. What
 * the source sends meanwhile waits in the socket (TCP slows a source that sends faster).
 */
final class SourceSession extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(SourceSession.class);
    private final HttpGateway gateway;
    private final Channel connection;
    private final HttpGateway.Mount mount;
    private List<byte[]> early = new ArrayList<>();
    private long earlyBytes;
    private LocalChannel channel;
    private boolean ended;
    private final ScheduledFuture<?> reader;
    /** When the source last sent a byte (System.nanoTime). */
    private long lastBytesAt = System.nanoTime();

    /**
     * Takes over {@code handshake}'s connection: replaces that handler (bytes it still holds
     * come here) and publishes the mount's channel.
     */
    static void start(HttpGateway gateway, ChannelHandlerContext handshake, HttpGateway.Mount mount,
                      String contentType, int bitrateKbps, ChannelInfo said) {
        handshake.pipeline().replace(handshake.handler(), "source",
                new SourceSession(gateway, handshake.channel(), mount, contentType, bitrateKbps, said));
    }

    /**
     * Takes the bytes {@code ingest} passes on (a protocol's payload, as RTMP's FLV) from behind
     * it on its connection, and publishes the mount's channel.
     */
    static void behind(HttpGateway gateway, ChannelHandlerContext ingest, HttpGateway.Mount mount, String contentType,
                       int bitrateKbps, ChannelInfo said) {
        ingest.pipeline().addAfter(ingest.name(), "source",
                new SourceSession(gateway, ingest.channel(), mount, contentType, bitrateKbps, said));
    }

    private SourceSession(HttpGateway gateway, Channel connection, HttpGateway.Mount mount, String contentType,
                          int bitrateKbps, ChannelInfo said) {
        this.gateway = gateway;
        this.connection = connection;
        this.mount = mount;
        connection.config().setAutoRead(false);
        long interval = gateway.node().config().chunkMillis();
        reader = connection.eventLoop().scheduleAtFixedRate(this::read, 0, interval, TimeUnit.MILLISECONDS);
        gateway.node().publish(mount.key(), mount.name(), contentType, bitrateKbps, mount.takeover(),
                        mount.info().orElse(said))
                .whenComplete((c, err) -> connection.eventLoop().execute(() -> {
                    if (err != null) {
                        log.warn("cannot publish {}: {}", mount.name(), err.toString());
                        connection.close();
                        return;
                    }
                    channel = c;
                    log.info("source connected on {} ({}, {} kbit/s): channel {}", mount.path(), contentType,
                            bitrateKbps, c.record().channelId().toHex());
                    List<byte[]> held = early;
                    early = null;
                    held.forEach(this::feed);
                    if (ended) {
                        end();
                    }
                }));
    }

    /** Once per chunk interval: a read of the socket, unless the source fell silent too long ago. */
    private void read() {
        long silentMillis = (System.nanoTime() - lastBytesAt) / 1_000_000;
        if (silentMillis > gateway.config().sourceTimeoutMillis() && connection.isOpen()) {
            log.info("disconnecting the source of {}: nothing received for {} ms (gateway.source-timeout)", mount.path(),
                    silentMillis);
            connection.close();
            return;
        }
        connection.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        try {
            if (msg instanceof ByteBuf b) {
                bytes(b);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** A read of the source's socket is done: what it brought goes out as a chunk now. */
    @Override
    public void channelReadComplete(ChannelHandlerContext c) {
        if (channel != null) {
            try {
                channel.cutNow();
            } catch (MalformedStreamException e) {
                drop(e);
            }
        }
    }

    /** Source bytes into the channel; a source whose bytes are no stream of its type is disconnected. */
    private void feed(byte[] bytes) {
        try {
            channel.write(bytes, 0, bytes.length);
        } catch (MalformedStreamException e) {
            drop(e);
        }
    }

    private void drop(MalformedStreamException e) {
        if (connection.isOpen()) {
            log.warn("disconnecting the source of {}: {}", mount.path(), e.getMessage());
            connection.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
        end();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        gateway.connectionFailed(c, "source", cause);
    }

    private void bytes(ByteBuf b) {
        if (b.isReadable()) {
            lastBytesAt = System.nanoTime();
        }
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        if (early != null) {
            earlyBytes += bytes.length;
            if (earlyBytes > gateway.config().maxSourceBacklogBytes()) {
                gateway.node().limits().hit(Limit.SOURCE_BACKLOG);
                log.info("disconnecting the source of {}: {} bytes sent before its channel was published", mount.path(),
                        earlyBytes);
                early = List.of();
                connection.close();
                return;
            }
            early.add(bytes);
        } else if (channel != null && channel.handedOver()) {
            log.info("disconnecting the source of {}: another node took its channel over", mount.path());
            connection.close();
        } else if (channel != null) {
            feed(bytes);
        }
    }

    private void end() {
        reader.cancel(false);
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
