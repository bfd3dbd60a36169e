package io.arborcast.gateway;

import io.arborcast.core.Limit;
import io.arborcast.core.ChannelListing;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.core.ChannelInfo;
import io.arborcast.core.ChannelRecord;
import io.arborcast.node.LocalChannel;
import io.arborcast.node.Node;
import io.arborcast.node.UnknownChannelException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The node's HTTP face on its one port, so it looks like an ordinary Icecast server to
 * players and source clients: {@code GET /stream/<channel>} plays a channel (joining it
 * first if needed), with ICY metadata on request; {@code /pls/} and {@code /m3u/} give
 * playlists; Icecast {@code SOURCE} and {@code PUT} with Basic auth publish to a mount.
 * Everything runs on the node's event loop.
 */
public final class HttpGateway {
    private static final Logger log = LoggerFactory.getLogger(HttpGateway.class);
    static final String SERVER = "arborcast/0.1";
    private static final String ALLOW = "GET, SOURCE, PUT, OPTIONS";
    private static final String REALM = "Basic realm=\"arborcast\"";

    /**
     * A mount a source client may push to: the channel it feeds and the password it needs;
     * {@code takeover}: its first source takes the channel over from another node publishing it.
     */
    public record Mount(String path, ChannelKey key, String name, String password, boolean takeover, ChannelInfo info) {
    }

    private final Node node;
    private final GatewayConfig config;
    private final Map<String, Mount> mounts = new HashMap<>();
    /** Channels a source client feeds right now: one source per channel, as Icecast has one per mount. */
    private final Set<NodeId> liveSources = new HashSet<>();
    /** Mounts whose channel another node took over, and by whom: their sources are refused. */
    private final Map<String, String> takenOver = new HashMap<>();
    private final NodeMetrics metrics;
    private final StatusPage status;
    /** What a GET or HEAD serves: exact paths first, then the first matching path prefix. */
    private final Map<String, Route> pages = new HashMap<>();
    private final Map<String, Route> prefixes = new LinkedHashMap<>();
    private final HttpPlayer.SharedChunks shared = new HttpPlayer.SharedChunks();
    private int listeners;
    private long internalErrors;
    private Channel shoutcast;
    private Channel rtmp;

    public HttpGateway(Node node, GatewayConfig config) {
        this.node = node;
        this.config = config;
        this.metrics = new NodeMetrics(node, this);
        this.status = new StatusPage(node, this);
        pages.put("/", (c, ctx, r, q) -> respondWith(ctx, HttpResponseStatus.OK, "text/html; charset=utf-8",
                status.html(), "Cache-Control", HttpHeaderValues.NO_CACHE));
        pages.put("/api/status", (c, ctx, r, q) -> respondWith(ctx, HttpResponseStatus.OK, "application/json",
                status.json(), "Cache-Control", HttpHeaderValues.NO_STORE));
        pages.put("/api/directory", (c, ctx, r, q) -> directory(ctx, q));
        pages.put("/static/mpegts.js", (c, ctx, r, q) -> {
            byte[] js = StatusPage.mpegtsJs();
            if (js == null) {
                respond(ctx, HttpResponseStatus.NOT_FOUND, "mpegts.js is not in this build (mvn package fetches it)");
            } else {
                respondWith(ctx, HttpResponseStatus.OK, "text/javascript; charset=utf-8", js, "Cache-Control",
                        "public, max-age=86400");
            }
        });
        pages.put("/metrics", (c, ctx, r, q) -> respondWith(ctx, HttpResponseStatus.OK,
                "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        pages.put("/admin/metadata", Connection::metadata);
        pages.put("/admin/info", Connection::info);
        pages.put("/admin.cgi", Connection::metadata);
        prefixes.put("/stream/", Connection::play);
        prefixes.put("/pls/", Connection::playlist);
        prefixes.put("/m3u/", Connection::playlist);
    }

    /**
     * {@code /api/directory[?genre=G][&search=S]}: the live channels the DHT's directory lists
     * (all, or one genre's; those with a word of their name beginning with S), most listeners
     * first, as JSON; 503 if the lookup fails.
     */
    private void directory(ChannelHandlerContext ctx, QueryStringDecoder q) {
        String search = Objects.requireNonNullElse(first(q, "search"), "");
        if (search.length() > ChannelRecord.MAX_NAME) {
            respond(ctx, HttpResponseStatus.BAD_REQUEST, "search longer than a channel name");
            return;
        }
        withListings(ctx, first(q, "genre"), search, listings ->
                respondWith(ctx, HttpResponseStatus.OK, "application/json", DirectoryJson.of(listings, false),
                        "Cache-Control", HttpHeaderValues.NO_STORE));
    }

    /**
     * The live channels the directory lists in {@code genre} (null: all) and finds for
     * {@code search}, handed to {@code answer} on {@code ctx}'s loop; a failed lookup is answered
     * 503 instead.
     */
    private void withListings(ChannelHandlerContext ctx, String genre, String search,
                              Consumer<List<ChannelListing>> answer) {
        node.findListings(genre, search).whenComplete((found, err) -> ctx.executor().execute(() -> {
            if (err != null) {
                respond(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "directory lookup failed: " + err.getMessage());
            } else {
                answer.accept(found.listings());
            }
        }));
    }

    /** Serves one GET or HEAD request on a connection. */
    private interface Route {
        void serve(Connection c, ChannelHandlerContext ctx, HttpRequest r, QueryStringDecoder q);
    }

    /** Players connected now (read on the loop). */
    int players() {
        return listeners;
    }

    /** Exceptions our own request handling raised (bugs; a client's connection failing is not one). */
    long internalErrors() {
        return internalErrors;
    }

    /**
     * Closes a connection whose handling failed. An I/O error is the client's connection going
     * away; anything else is ours, logged with its stack and counted, and the node carries on.
     */
    void connectionFailed(ChannelHandlerContext ctx, String what, Throwable cause) {
        if (cause instanceof java.io.IOException) {
            log.debug("{} {}: {}", what, PeerAddress.endpoint(ctx.channel().remoteAddress()), cause.toString());
        } else {
            internalErrors++;
            log.warn("{} {} failed; closed", what, PeerAddress.endpoint(ctx.channel().remoteAddress()), cause);
        }
        ctx.close();
    }


    /**
     * Takes the HTTP and RTMP connections of the node's port, binds port + 1 for SHOUTcast v1
     * sources if configured (any free port when the node's port is 0), and the RTMP port if set.
     */
    public HttpGateway install() throws InterruptedException {
        node.transport().setGatewayHandoff(this::handOff);
        node.onTakenOver((channel, by) -> mounts.values().removeIf(m -> {
            boolean ours = m.key().channelId().equals(channel);
            if (ours) {
                takenOver.put(m.path(), by.endpoint());
            }
            return ours;
        }));
        node.transport().eventLoop().scheduleAtFixedRate(status::sample, 0, 1, java.util.concurrent.TimeUnit.SECONDS);
        if (config.shoutcastSource()) {
            int port = node.config().net().port() == 0 ? 0 : node.address().port() + 1;
            shoutcast = bindSourcePort(port, () -> new ShoutcastSource(this), "SHOUTcast source port (the node's port + 1)",
                    "gateway.shoutcast-source = false");
        }
        if (config.rtmpPort() >= 0) {
            rtmp = bindSourcePort(config.rtmpPort(), () -> new RtmpSource(this), "RTMP port", "gateway.rtmp-port = -1");
        }
        return this;
    }

    /** Listens on {@code port} for source clients, each connection handled by a new {@code handler}; fails saying {@code off} turns it off. */
    private Channel bindSourcePort(int port, Supplier<ChannelHandler> handler, String what, String off)
            throws InterruptedException {
        io.netty.channel.ChannelFuture bound = new ServerBootstrap()
                .group(node.transport().eventLoop(), node.transport().eventLoop())
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(handler.get());
                    }
                })
                .bind(node.config().net().bindHost(), port).await();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("cannot bind the " + what + " "
                    + PeerAddress.endpoint(node.config().net().bindHost(), port) + ": " + bound.cause().getMessage()
                    + " (set " + off + " to go without it)", bound.cause());
        }
        Channel listening = bound.channel();
        listening.closeFuture().addListener(f -> log.debug("{} closed", what));
        node.transport().eventLoop().terminationFuture().addListener(f -> listening.close());
        return listening;
    }

    /** The port SHOUTcast v1 sources connect to (the node's port + 1), or -1 if not enabled. */
    public int shoutcastPort() {
        return port(shoutcast);
    }

    /** The RTMP port of its own ({@code gateway.rtmp-port}), or -1 if none (RTMP still reaches the node's port). */
    public int rtmpPort() {
        return port(rtmp);
    }

    private static int port(Channel listening) {
        return listening == null ? -1 : ((java.net.InetSocketAddress) listening.localAddress()).getPort();
    }

    Node node() {
        return node;
    }

    GatewayConfig config() {
        return config;
    }

    /**
     * On the loop: takes {@code m}'s channel for one source client; false while another feeds it
     * (a second source would interleave its frames with the first's in every listener's stream).
     */
    boolean claimSource(Mount m) {
        return liveSources.add(m.key().channelId());
    }

    /** On the loop: the source client of {@code m} went; the next one may connect at once. */
    void releaseSource(Mount m) {
        liveSources.remove(m.key().channelId());
    }

    /** On the loop: the mount a source with {@code password} and no mount path (SHOUTcast v1) feeds, or null. */
    Mount mountByPassword(String password) {
        if (mounts.size() == 1) {
            Mount only = mounts.values().iterator().next();
            return constantTimeEquals(password, only.password()) ? only : null;
        }
        return mounts.values().stream().filter(m -> constantTimeEquals(password, m.password())).findFirst()
                .orElse(null);
    }

    /**
     * On the loop: the mount an RTMP client publishing stream {@code key} of {@code app} feeds, or
     * null: the mount the app names ({@code rtmp://node/live/KEY} feeds {@code /live}) if the key
     * is its password, else the mount whose password the key is.
     */
    Mount rtmpMount(String app, String key) {
        Mount named = mounts.get("/" + app);
        if (named != null) {
            return constantTimeEquals(key, named.password()) ? named : null;
        }
        return mountByPassword(key);
    }

    /**
     * On the loop: why a source is refused on {@code path} whatever its password (the mount's
     * channel was taken over by another node, and the mount is gone), or null.
     */
    String takenOverRefusal(String path) {
        String by = mounts.containsKey(path) ? null : takenOver.get(path);
        return by == null ? null : "the channel of " + path + " was taken over by " + by + "; publish there";
    }

    /** Lets source clients publish {@code key}'s channel by pushing to {@code mount} with {@code password}. */
    public void addMount(String mount, ChannelKey key, String name, String password) {
        addMount(mount, key, name, password, false);
    }

    /** As {@link #addMount(String, ChannelKey, String, String)}; {@code takeover}: see {@link Mount}. */
    public void addMount(String mount, ChannelKey key, String name, String password, boolean takeover) {
        addMount(mount, key, name, password, takeover, ChannelInfo.EMPTY);
    }

    /**
     * As {@link #addMount(String, ChannelKey, String, String, boolean)}, listed in the directory
     * with {@code info} (what the source client's headers say fills what it leaves empty).
     */
    public void addMount(String mount, ChannelKey key, String name, String password, boolean takeover,
                         ChannelInfo info) {
        String path = mount.startsWith("/") ? mount : "/" + mount;
        node.execute(() -> mounts.put(path, new Mount(path, key, name, password, takeover, info)));
    }

    /** Takes a connection of the node's port that is no peer link: RTMP if its first byte says so, else HTTP. */
    void handOff(ChannelPipeline p, int firstByte) {
        if (firstByte == RtmpIngest.VERSION) {
            p.addLast("rtmp", new RtmpSource(this));
        } else {
            handOffHttp(p);
        }
    }

    void handOffHttp(ChannelPipeline p) {
        // old ICY clients end lines with a bare LF: accepted, as Icecast does
        p.addLast("http-decoder", new HttpRequestDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxRequestHeaderBytes()).setMaxHeaderSize(config.maxRequestHeaderBytes())
                .setMaxChunkSize(8192).setStrictLineParsing(false)));
        p.addLast("http-encoder", new HttpResponseEncoder());
        Connection c = new Connection();
        p.addLast("gateway", c);
        long timeout = node.config().net().limits().handshakeTimeoutMillis();
        p.channel().eventLoop().schedule(() -> {
            if (!c.answered && p.channel().isActive()) { // slow-loris: the request head never finished
                node.limits().hit(Limit.HANDSHAKE_TIMEOUT);
                log.debug("closing {}: no complete request within {} ms", PeerAddress.endpoint(p.channel().remoteAddress()),
                        timeout);
                p.channel().close();
            }
        }, timeout, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** One HTTP connection: a request, then either a response, a stream to play, or a source's stream in. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private HttpPlayer player;
        /** A request head arrived (whether it was served, refused or is streaming). */
        private boolean answered;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest r && player == null) {
                    answered = true;
                    if (r.decoderResult().cause() instanceof io.netty.handler.codec.TooLongFrameException) {
                        node.limits().hit(Limit.HTTP_HEADER_SIZE);
                    }
                    if (r.decoderResult().isFailure()) {
                        respond(ctx, HttpResponseStatus.BAD_REQUEST, "malformed request: " + r.decoderResult().cause());
                    } else {
                        request(ctx, r);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void request(ChannelHandlerContext ctx, HttpRequest r) {
            String method = r.method().name().toUpperCase(Locale.ROOT);
            QueryStringDecoder q = new QueryStringDecoder(r.uri());
            String path;
            try {
                path = q.path();
                q.parameters();
            } catch (IllegalArgumentException e) { // bad percent-encoding (found by GatewayFuzzTest)
                respond(ctx, HttpResponseStatus.BAD_REQUEST, "malformed URI: " + e.getMessage());
                return;
            }
            log.debug("{} {} from {}", method, r.uri(), PeerAddress.endpoint(ctx.channel().remoteAddress()));
            switch (method) {
                case "OPTIONS" -> respond(ctx, HttpResponseStatus.OK, "", "Allow", ALLOW);
                case "SOURCE", "PUT" -> ingest(ctx, r, path);
                case "GET", "HEAD" -> route(path).serve(this, ctx, r, q);
                default -> respond(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "method " + method + " not supported",
                        "Allow", ALLOW);
            }
        }

        // ------------------------------------------------------------ playback

        private void play(ChannelHandlerContext ctx, HttpRequest r, QueryStringDecoder q) {
            String idText = q.path().substring("/stream/".length());
            NodeId id = channelId(idText);
            if (id == null) {
                respond(ctx, HttpResponseStatus.BAD_REQUEST, "not a channel id: " + idText);
                return;
            }
            if (listeners >= config.maxListeners()) {
                node.limits().hit(Limit.HTTP_LISTENERS);
                respond(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "listener limit reached (" + config.maxListeners() + ")");
                return;
            }
            boolean icy = "1".equals(r.headers().get("Icy-MetaData"));
            boolean headOnly = r.method().name().equals("HEAD");
            node.tune(id).whenComplete((c, err) -> ctx.executor().execute(() -> {
                if (err != null) {
                    Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                    if (cause instanceof UnknownChannelException) {
                        respond(ctx, HttpResponseStatus.NOT_FOUND, cause.getMessage());
                    } else {
                        respond(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "cannot join channel: " + cause.getMessage());
                    }
                    return;
                }
                if (!ctx.channel().isActive()) {
                    return;
                }
                startPlaying(ctx, c, icy, headOnly);
            }));
        }

        private void startPlaying(ChannelHandlerContext ctx, LocalChannel c, boolean icy, boolean headOnly) {
            var rec = c.record();
            ChannelInfo info = c.info();
            // HTTP/1.0 with no length: the body is the stream, to the end of the connection (as Icecast)
            HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_0, HttpResponseStatus.OK);
            res.headers().set("Server", SERVER)
                    .set("Content-Type", headerValue(rec.contentType()))
                    .set("Cache-Control", "no-cache, no-store")
                    .set("Connection", HttpHeaderValues.CLOSE)
                    .set("icy-name", headerValue(c.name()))
                    .set("icy-description", headerValue(info.description().isEmpty()
                            ? c.name() + " (Arborcast channel " + rec.channelId().shortHex() + ")" : info.description()))
                    .set("icy-br", rec.bitrateKbps())
                    .set("icy-pub", 1);
            if (!info.genre().isEmpty()) {
                res.headers().set("icy-genre", headerValue(info.genre()));
            }
            if (!info.url().isEmpty()) {
                res.headers().set("icy-url", headerValue(info.url()));
            }
            if (icy) {
                res.headers().set("icy-metaint", config.icyMetaint());
            }
            if (headOnly) {
                ctx.write(res);
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ctx.write(res);
            listeners++;
            player = new HttpPlayer(ctx, icy ? new IcyMetadata(config.icyMetaint()) : null, c, shared,
                    config.maxPlayerBacklog());
            ctx.flush();
            log.info("player {} tuned to {} ({} listening here)", PeerAddress.endpoint(ctx.channel().remoteAddress()),
                    rec.channelId().shortHex(), listeners);
        }


        private void playlist(ChannelHandlerContext ctx, HttpRequest r, QueryStringDecoder q) {
            String path = q.path();
            String host = "http://" + r.headers().get(HttpHeaderNames.HOST, node.address().endpoint()) + "/stream/";
            boolean pls = path.startsWith("/pls/");
            if (path.startsWith("genre/", 5)) {
                genrePlaylist(ctx, pls, host, QueryStringDecoder.decodeComponent(
                        path.substring(11).replaceFirst("\\.(pls|m3u8?)$", "")));
                return;
            }
            String idText = path.substring(5).replaceFirst("\\.(pls|m3u8?)$", "");
            NodeId id = channelId(idText);
            if (id == null) {
                respond(ctx, HttpResponseStatus.BAD_REQUEST, "not a channel id: " + idText);
                return;
            }
            LocalChannel known = node.channel(id);
            String title = known != null ? known.name() : "Arborcast " + id.shortHex();
            respondPlaylist(ctx, pls, List.of(host + id.toHex()), List.of(title));
        }

        /** {@code /pls/genre/<genre>} and {@code /m3u/genre/<genre>}: every live channel the directory lists in it. */
        private void genrePlaylist(ChannelHandlerContext ctx, boolean pls, String host, String genre) {
            withListings(ctx, genre, "", listings -> {
                if (listings.isEmpty()) {
                    respond(ctx, HttpResponseStatus.NOT_FOUND, "no live channel is listed in genre " + genre);
                } else {
                    respondPlaylist(ctx, pls, listings.stream().map(l -> host + l.channelId().toHex()).toList(),
                            listings.stream().map(ChannelListing::name).toList());
                }
            });
        }

        private void respondPlaylist(ChannelHandlerContext ctx, boolean pls, List<String> urls, List<String> titles) {
            StringBuilder b = new StringBuilder(pls ? "[playlist]\nNumberOfEntries=" + urls.size() + "\n" : "#EXTM3U\n");
            for (int i = 0; i < urls.size(); i++) {
                String title = oneLine(titles.get(i));
                b.append(pls ? "File" + (i + 1) + "=" + urls.get(i) + "\nTitle" + (i + 1) + "=" + title + "\nLength"
                        + (i + 1) + "=-1\n" : "#EXTINF:-1," + title + "\n" + urls.get(i) + "\n");
            }
            respondWith(ctx, HttpResponseStatus.OK, pls ? "audio/x-scpls" : "audio/x-mpegurl",
                    b.append(pls ? "Version=2\n" : "").toString());
        }

        // ------------------------------------------------------------ ingest

        private void ingest(ChannelHandlerContext ctx, HttpRequest r, String path) {
            Mount m = mounts.get(path);
            String given = basicPassword(r.headers().get(HttpHeaderNames.AUTHORIZATION));
            if (given == null) {
                respond(ctx, HttpResponseStatus.UNAUTHORIZED, "authentication required", "Allow", ALLOW,
                        "WWW-Authenticate", REALM);
                return;
            }
            String takenOverBy = takenOverRefusal(path);
            if (takenOverBy != null) {
                respond(ctx, HttpResponseStatus.FORBIDDEN, takenOverBy);
                return;
            }
            if (m == null) {
                respond(ctx, HttpResponseStatus.NOT_FOUND, "no channel is published on mount " + path);
                return;
            }
            if (!constantTimeEquals(given, m.password())) {
                log.info("refused source on {} from {}: wrong password", path,
                        PeerAddress.endpoint(ctx.channel().remoteAddress()));
                respond(ctx, HttpResponseStatus.UNAUTHORIZED, "wrong password", "Allow", ALLOW,
                        "WWW-Authenticate", REALM);
                return;
            }
            if (!claimSource(m)) {
                log.info("refused source on {} from {}: the mount already has a live source", path,
                        PeerAddress.endpoint(ctx.channel().remoteAddress()));
                respond(ctx, HttpResponseStatus.FORBIDDEN, "Mountpoint in use: " + path + " already has a live source");
                return;
            }
            String contentType = r.headers().get("Content-Type", "audio/mpeg");
            int bitrate = parseBitrate(r.headers().get("ice-bitrate", r.headers().get("icy-br")));
            // the body follows the head with no length: from here on the connection is raw bytes
            if (HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(r.headers().get(HttpHeaderNames.EXPECT))) {
                ctx.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
            }
            FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_0, HttpResponseStatus.OK);
            ok.headers().set("Server", SERVER);
            ctx.writeAndFlush(ok);
            SourceSession.start(HttpGateway.this, ctx, m, contentType, bitrate,
                    ChannelInfo.fromHeaders(h -> r.headers().get(h)));
            ctx.pipeline().remove("http-decoder"); // hands the session what it buffered after the head
        }

        /**
         * The mount a source-password request names ({@code mount}, or the only one), once its
         * password ({@code pass} or Basic auth) is right; else null, the error answered.
         */
        private Mount sourceMount(ChannelHandlerContext ctx, HttpRequest r, QueryStringDecoder q) {
            String pass = first(q, "pass");
            if (pass == null) {
                pass = basicPassword(r.headers().get(HttpHeaderNames.AUTHORIZATION));
            }
            String mountPath = first(q, "mount");
            Mount m = mountPath != null ? mounts.get(mountPath.startsWith("/") ? mountPath : "/" + mountPath)
                    : mounts.size() == 1 ? mounts.values().iterator().next() : null;
            if (m == null) {
                respond(ctx, HttpResponseStatus.NOT_FOUND, "no such mount: " + mountPath);
            } else if (pass == null || !constantTimeEquals(pass, m.password())) {
                respond(ctx, HttpResponseStatus.UNAUTHORIZED, "wrong password", "WWW-Authenticate", REALM);
            } else {
                return m;
            }
            return null;
        }

        /**
         * {@code /admin/info?mount=&name=&genre=&description=&url=&comment=}: new words for a live
         * channel (each one not given stays; given empty, it is cleared), to its listeners with the
         * stream head and to the directory.
         */
        private void info(ChannelHandlerContext ctx, HttpRequest r, QueryStringDecoder q) {
            Mount m = sourceMount(ctx, r, q);
            if (m == null) {
                return;
            }
            LocalChannel c = node.channel(m.key().channelId());
            if (c == null || !c.isSource()) {
                respond(ctx, HttpResponseStatus.NOT_FOUND, "no source is streaming on " + m.path() + " yet");
                return;
            }
            ChannelInfo now;
            try {
                ChannelInfo was = c.info();
                now = new ChannelInfo(given(q, "name", was.name()), given(q, "genre", was.genre()),
                        given(q, "description", was.description()), given(q, "url", was.url()),
                        given(q, "comment", was.comment()));
            } catch (IllegalArgumentException e) {
                respond(ctx, HttpResponseStatus.BAD_REQUEST, e.getMessage());
                return;
            }
            node.setInfo(c, now);
            log.info("channel info of {} is now {}", m.path(), now);
            respondWith(ctx, HttpResponseStatus.OK, "text/plain; charset=utf-8", "channel info updated\n");
        }

        private static String given(QueryStringDecoder q, String name, String otherwise) {
            String v = first(q, name);
            return v != null ? v : otherwise;
        }

        private void metadata(ChannelHandlerContext ctx, HttpRequest r, QueryStringDecoder q) {
            String song = first(q, "song");
            Mount m = sourceMount(ctx, r, q);
            if (m == null) {
                return;
            } else if (song == null || !"updinfo".equals(first(q, "mode"))) {
                respond(ctx, HttpResponseStatus.BAD_REQUEST, "expected mode=updinfo&song=...");
            } else if (node.channel(m.key().channelId()) == null) {
                respond(ctx, HttpResponseStatus.NOT_FOUND, "no source is streaming on " + m.path() + " yet");
            } else {
                node.channel(m.key().channelId()).setTitle(song);
                log.info("title of {} is now '{}'", m.path(), song);
                respondWith(ctx, HttpResponseStatus.OK, "text/xml",
                        "<?xml version=\"1.0\"?>\n<iceresponse><message>Metadata update successful</message>"
                                + "<return>1</return></iceresponse>\n");
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (player != null) {
                player.stop();
                listeners--;
                player = null;
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            connectionFailed(ctx, "http connection", cause);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A channel id from {@code 40 hex digits[.ext]}, or null. */
    static NodeId channelId(String text) {
        String hex = text.replaceFirst("\\.[A-Za-z0-9]{1,5}$", "");
        if (!hex.matches("[0-9a-fA-F]{" + (NodeId.BYTES * 2) + "}")) {
            return null;
        }
        return NodeId.fromHex(hex.toLowerCase(Locale.ROOT));
    }

    /** The password of a Basic authorization header (any user name, as Icecast's "source"), or null. */
    static String basicPassword(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String userPass = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = userPass.indexOf(':');
            return colon < 0 ? null : userPass.substring(colon + 1);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static boolean constantTimeEquals(String a, String b) {
        return java.security.MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8),
                b.getBytes(StandardCharsets.UTF_8));
    }

    static int parseBitrate(String v) {
        if (v == null) {
            return 128;
        }
        try {
            return Math.max(0, Math.min(100_000, Integer.parseInt(v.split("[,;]", -1)[0].trim())));
        } catch (NumberFormatException e) {
            return 128;
        }
    }

    private static String first(QueryStringDecoder q, String name) {
        List<String> v = q.parameters().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** Text that comes from the network or a user, for a playlist or a header: one line, no control characters. */
    private static String oneLine(String s) {
        return s.replaceAll("\\p{Cntrl}", " ");
    }

    /** A header value: {@link #oneLine}, its UTF-8 bytes sent as they are (as Icecast passes a source's name on). */
    private static String headerValue(String s) {
        return new String(oneLine(s).getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    /** The route of a GET or HEAD to {@code path}: a page, a prefix's handler, or 404. */
    private Route route(String path) {
        Route exact = pages.get(path);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, Route> e : prefixes.entrySet()) {
            if (path.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return (c, ctx, r, q) -> respond(ctx, HttpResponseStatus.NOT_FOUND, "nothing at " + path);
    }

    private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String text,
                                CharSequence... headers) {
        respondWith(ctx, status, "text/plain; charset=utf-8", text.isEmpty() ? "" : text + "\n", headers);
    }

    private static void respondWith(ChannelHandlerContext ctx, HttpResponseStatus status, String type, String body,
                                    CharSequence... headers) {
        respondWith(ctx, status, type, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /**
     * A whole response, then the connection closes; {@code headers}: more names and values, in
     * pairs. Header names are written in their usual case (Icecast's), which some old players need.
     */
    private static void respondWith(ChannelHandlerContext ctx, HttpResponseStatus status, String type, byte[] body,
                                    CharSequence... headers) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        HttpHeaders h = res.headers().set("Server", SERVER)
                .set("Content-Type", type)
                .setInt("Content-Length", body.length)
                .set("Connection", HttpHeaderValues.CLOSE);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1]);
        }
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
}
