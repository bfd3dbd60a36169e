package io.arborcast.gateway;

import io.arborcast.crypto.ChannelKey;
import io.arborcast.core.ChannelInfo;
import io.arborcast.node.LocalChannel;
import io.arborcast.node.Node;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Relays an existing HTTP/ICY stream (an Icecast or SHOUTcast server's mount), http:// or
 * https://, into a channel: asks for inline metadata, strips it from the audio and turns each
 * {@code StreamTitle} into the channel's title. Runs on the node's event loop; reconnects, with
 * a growing pause, when the remote stream drops. TLS uses the JDK's trust store and checks the
 * server's name against its certificate, as a browser does.
 */
public final class Puller {
    private static final Logger log = LoggerFactory.getLogger(Puller.class);
    private static final int MAX_HEADER_BYTES = 16_384;
    private static final int MAX_LINE = 8_192;
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final int READ_TIMEOUT_SECONDS = 30;
    private static final Pattern TITLE = Pattern.compile("StreamTitle='(.*?)';");

    private final URI uri;
    private final Node node;
    private final EventLoop loop;
    private final SslContext tls;
    private volatile boolean stopped;
    /** On the loop: the channel relayed into, once published; the connection now. */
    private LocalChannel channel;
    private volatile String contentType;
    private Channel connection;
    private long backoff = 1_000;

    private Puller(URI uri, Node node) throws SSLException {
        this.uri = uri;
        this.node = node;
        this.loop = node.transport().eventLoop();
        this.tls = "https".equalsIgnoreCase(uri.getScheme()) ? SslContextBuilder.forClient().build() : null;
    }

    /**
     * Connects to {@code url} (failing clearly if it is not an audio stream), publishes
     * {@code key}'s channel with the remote content type and starts relaying.
     */
    public static Puller start(String url, Node node, ChannelKey key, String name, boolean takeover) throws Exception {
        return start(url, node, key, name, takeover, ChannelInfo.EMPTY);
    }

    /** As {@link #start(String, Node, ChannelKey, String, boolean)}, listed with {@code info} (the stream's icy- headers fill its gaps). */
    public static Puller start(String url, Node node, ChannelKey key, String name, boolean takeover, ChannelInfo info)
            throws Exception {
        URI uri = URI.create(url);
        if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                || uri.getHost() == null) {
            throw new IllegalArgumentException("--from needs an http:// or https:// stream URL, got " + url);
        }
        Puller p = new Puller(uri, node);
        Response first;
        try {
            first = p.open().get(CONNECT_TIMEOUT_MILLIS + READ_TIMEOUT_SECONDS * 1000L, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
        String type = first.headers().getOrDefault("content-type", "");
        int bitrate = HttpGateway.parseBitrate(first.headers().get("icy-br"));
        LocalChannel channel = node.publish(key, name, type, bitrate, takeover,
                info.orElse(ChannelInfo.fromHeaders(first.headers()::get))).get(60, TimeUnit.SECONDS);
        p.contentType = type;
        p.loop.execute(() -> {
            p.channel = channel;
            first.relay();
        });
        return p;
    }

    public String contentType() {
        return contentType;
    }

    public void stop() {
        stopped = true;
        loop.execute(() -> {
            if (connection != null) {
                connection.close();
            }
        });
    }

    /** Connects and asks for the stream; completes with the response once its head is in and looks like audio. */
    private CompletableFuture<Response> open() {
        boolean secure = tls != null;
        int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
        CompletableFuture<Response> head = new CompletableFuture<>();
        Response response = new Response(head);
        ChannelFuture connect = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (secure) {
                            SslHandler ssl = tls.newHandler(ch.alloc(), uri.getHost(), port);
                            SSLEngine engine = ssl.engine();
                            SSLParameters params = engine.getSSLParameters();
                            params.setEndpointIdentificationAlgorithm("HTTPS");
                            engine.setSSLParameters(params);
                            ssl.handshakeFuture().addListener(f -> {
                                if (!f.isSuccess()) {
                                    head.completeExceptionally(new IOException("TLS with " + uri + " failed: "
                                            + tlsProblem(f.cause()), f.cause()));
                                }
                            });
                            ch.pipeline().addLast(ssl);
                        }
                        ch.pipeline().addLast(new ReadTimeoutHandler(READ_TIMEOUT_SECONDS), response);
                    }
                })
                .connect(uri.getHost(), port);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                head.completeExceptionally(new IOException("cannot connect to " + uri + ": " + f.cause().getMessage(),
                        f.cause()));
            }
        });
        return head;
    }

    private static String tlsProblem(Throwable cause) {
        if (cause instanceof NotSslRecordException || cause.getCause() instanceof NotSslRecordException) {
            return "the server did not answer in TLS";
        }
        String m = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    /** After a drop: connects again after a pause that doubles up to 30 s while it fails. */
    private void reconnect() {
        if (stopped) {
            return;
        }
        loop.schedule(() -> open().whenComplete((r, err) -> loop.execute(() -> {
            if (err != null) {
                log.warn("cannot reconnect to {}: {}", uri, err.getMessage());
                backoff = Math.min(backoff * 2, 30_000);
                reconnect();
            } else if (stopped) {
                r.close();
            } else {
                log.info("reconnected to {}", uri);
                backoff = 1_000;
                r.relay();
            }
        })), backoff, TimeUnit.MILLISECONDS);
    }

    /**
     * One response of the remote server: its head (status line, headers), then the audio with
     * metadata blocks every {@code icy-metaint} bytes. Reading pauses between the head and
     * {@link #relay()} (the channel is published meanwhile); the bytes after the head wait here.
     */
    private final class Response extends ByteToMessageDecoder {
        private final CompletableFuture<Response> head;
        private final Map<String, String> headers = new HashMap<>();
        private ChannelHandlerContext ctx;
        private boolean statusSeen;
        private int headerBytes;
        private boolean relaying;
        private int metaint;
        private int untilMeta;

        Response(CompletableFuture<Response> head) {
            this.head = head;
        }

        Map<String, String> headers() {
            return headers;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            this.ctx = ctx;
            connection = ctx.channel();
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath()
                    + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
            ctx.writeAndFlush(Unpooled.copiedBuffer("GET " + path + " HTTP/1.0\r\nHost: " + uri.getHost()
                    + "\r\nUser-Agent: " + HttpGateway.SERVER + "\r\nIcy-MetaData: 1\r\n\r\n", StandardCharsets.ISO_8859_1));
            super.channelActive(ctx);
        }

        /** On the loop: the channel is published; the audio goes to it from now on. */
        void relay() {
            if (!ctx.channel().isActive()) { // it went while the channel was being published
                reconnect();
                return;
            }
            relaying = true;
            metaint = parseInt(headers.get("icy-metaint"));
            untilMeta = metaint;
            ctx.channel().config().setAutoRead(true);
            ctx.pipeline().fireChannelRead(Unpooled.EMPTY_BUFFER); // what came with the head
        }

        void close() {
            ctx.close();
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws IOException {
            if (!head.isDone()) {
                readHead(ctx, in);
            }
            if (!relaying) {
                return; // the bytes after the head wait for the channel
            }
            while (in.isReadable()) {
                if (metaint > 0 && untilMeta == 0) {
                    int len = (in.getUnsignedByte(in.readerIndex()) & 0xff) * 16;
                    if (in.readableBytes() < 1 + len) {
                        return; // the rest of the block comes with the next read
                    }
                    in.skipBytes(1);
                    Matcher m = TITLE.matcher(in.readCharSequence(len, StandardCharsets.UTF_8));
                    if (m.find()) {
                        channel.setTitle(m.group(1));
                    }
                    untilMeta = metaint;
                    continue;
                }
                int n = metaint > 0 ? Math.min(in.readableBytes(), untilMeta) : in.readableBytes();
                byte[] audio = ByteBufUtil.getBytes(in, in.readerIndex(), n);
                in.skipBytes(n);
                untilMeta -= metaint > 0 ? n : 0;
                channel.write(audio, 0, audio.length);
            }
        }

        private void readHead(ChannelHandlerContext ctx, ByteBuf in) throws IOException {
            String line;
            while ((line = IcyLines.next(in, MAX_LINE, uri.toString())) != null) {
                if (!statusSeen) {
                    statusSeen = true;
                    if (!line.matches("(HTTP/1\\.[01]|ICY) 200.*")) {
                        throw new IOException(uri + " answered '" + line + "', not a stream");
                    }
                } else if (line.isEmpty()) {
                    String type = headers.getOrDefault("content-type", "").toLowerCase(Locale.ROOT);
                    if (!(type.startsWith("audio/") || type.startsWith("application/ogg") || type.startsWith("video/"))) {
                        throw new IOException(uri + " is not an audio stream (content type '" + type + "')");
                    }
                    ctx.channel().config().setAutoRead(false);
                    head.complete(this);
                    return;
                } else {
                    headerBytes += line.length();
                    if (headerBytes > MAX_HEADER_BYTES) {
                        throw new IOException(uri + " sent more than " + MAX_HEADER_BYTES + " bytes of headers");
                    }
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                                line.substring(colon + 1).trim());
                    }
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            super.channelInactive(ctx);
            if (!head.isDone()) {
                head.completeExceptionally(new IOException(uri + " closed the connection before the response"));
            } else if (relaying) {
                log.warn("stream {} dropped", uri);
                channel.endOfInput();
                reconnect();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable c = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null
                    ? cause.getCause() : cause;
            if (!head.isDone() && !(c instanceof SSLException || c instanceof NotSslRecordException)) {
                head.completeExceptionally(c instanceof IOException ? c : new IOException(uri + ": " + c, c));
            } else if (relaying) {
                log.warn("stream {}: {}", uri, c.toString());
            }
            ctx.close();
        }
    }

    private static int parseInt(String v) {
        try {
            return v == null ? 0 : Math.max(0, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
