package io.arborcast.net;

import io.arborcast.core.AddressFilter;
import io.arborcast.core.AddressScope;
import io.arborcast.core.DialBackoff;
import io.arborcast.core.Limit;
import io.arborcast.core.Lru;
import io.arborcast.core.Message;
import io.arborcast.core.MessageHandler;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.SelfAddress;
import io.arborcast.core.StreamMessage;
import io.arborcast.core.Transport;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.crypto.NodeIdentity;
import io.arborcast.wire.CodecException;
import io.arborcast.wire.DropCounters;
import io.arborcast.wire.MessageCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ObjIntConsumer;

/**
 * The Netty {@link Transport}: DHT messages as UDP datagrams, everything else over TCP peer
 * links, both on one port. One event-loop thread does all I/O and runs the protocol, so
 * protocol code never sees concurrency. Bad frames are dropped and counted (and a TCP link
 * that sent one is closed); nothing a peer sends raises out of here.
 */
public final class NettyTransport implements Transport, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);
    /**
     * Send buffer of each peer link's socket (Linux doubles it for its bookkeeping): small, so
     * that a backlog stays in the link's queue, where {@link #bytesWaiting} sees it (a buffer
     * left alone grows to megabytes: seconds of a stream nobody could count), and still a copy
     * of a 2.5 Mbit/s video channel in flight on a round trip of about 100 ms. (Tried on an
     * emulated internet: at 64 KiB the buffers' bursts made the uplink's rate unreadable.)
     */
    static final int LINK_SEND_BUFFER = 32 * 1024;
    /** A link handed a chunk this recently streams (see {@link #uplinkFull}). */
    static final long STREAMING_MILLIS = 2_000;
    /** Unsent bytes that make a link's queue a backlog (a few frames' headers are none). */
    static final long BACKLOG_BYTES = 4_096;

    private final NetConfig config;
    private final NodeIdentity identity;
    /** Node ids of recently seen datagram senders' keys (deriving one costs a hash; checking its puzzle, another). */
    private final Map<ByteBuffer, NodeId> senderIds = Lru.map(4096);
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final NettyEnvironment env;
    private final MessageCodec datagramCodec;
    private final MessageCodec linkCodec;
    private final DropCounters drops = new DropCounters();
    private final Map<NodeId, PeerLink> links = new HashMap<>();
    /** Datagrams received this second, by sender IP (cleared every second, so bounded by the rate). */
    private final Map<InetAddress, int[]> datagramsThisSecond = new HashMap<>();
    private long datagramSecond = -1;
    /**
     * The source of the last datagram from each peer id, beside the host it was seen from (canonical):
     * where answers go (a NAT's mapping, not the declared port) while the peer is at that host.
     */
    private final Map<NodeId, ReturnPath> datagramReturn = Lru.map(4096);

    private record ReturnPath(String host, InetSocketAddress source) {
    }
    private final DialBackoff backoff = new DialBackoff();
    private int inboundConnections;
    private long selfDialsAvoided;
    /**
     * The last message framed and its frame: a relay forwards each chunk to all its children in a
     * row, and they all get the same bytes, encoded once (frames are never changed once made).
     */
    private Message lastFramed;
    private byte[] lastFrame;
    private long framesEncoded;
    private long dialsBackedOff;
    /** Bytes handed to links and the UDP socket, framed (see {@link #bytesOut}). */
    private long bytesOut;
    private volatile ObjIntConsumer<ChannelPipeline> gatewayHandoff;
    private SelfAddress self;
    private AddressFilter filter;
    private volatile PeerAddress local;
    private volatile Runnable addressChanged = () -> { };
    /** The host our port is bound on (a wildcard, or one address): where punches connect from. */
    private String boundHost;
    private Channel udp;
    private Channel tcp;
    private volatile MessageHandler handler = new MessageHandler() {
        @Override
        public void onMessage(PeerAddress from, Message m) {
        }

        @Override
        public void onLinkClosed(PeerAddress peer, String reason) {
        }
    };

    /** Whether sockets here can share a port (SO_REUSEPORT: Linux, BSDs, macOS): hole punching needs it. */
    static final boolean REUSE_PORT = reusePortSupported();

    private static boolean reusePortSupported() {
        try (java.nio.channels.SocketChannel probe = java.nio.channels.SocketChannel.open()) {
            return probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private NettyTransport(NetConfig config, NodeIdentity identity) {
        this.config = config;
        this.identity = identity;
        this.group = new NioEventLoopGroup(1);
        this.loop = group.next();
        this.env = new NettyEnvironment(loop);
        this.datagramCodec = new MessageCodec(config.maxDatagramBytes() - DATAGRAM_HEADER_BYTES);
        this.linkCodec = new MessageCodec(config.maxLinkFrameBytes());
    }

    /**
     * Binds TCP and UDP on the configured port (with port 0, one free port for both) and
     * returns the running transport under {@code identity}. Fails with a clear message if the port is taken.
     */
    public static NettyTransport start(NetConfig config, NodeIdentity identity) throws InterruptedException {
        NettyTransport t = new NettyTransport(config, identity);
        try {
            t.bind(identity.id());
            return t;
        } catch (RuntimeException | InterruptedException e) {
            t.close();
            throw e;
        }
    }

    private void bind(NodeId localId) throws InterruptedException {
        try {
            bind(localId, config.bindHost());
        } catch (IllegalStateException e) {
            if (!config.bindHost().equals("::")) {
                throw e;
            }
            log.debug("cannot bind [::] ({}); IPv4 only", e.getMessage());
            bind(localId, "0.0.0.0"); // a host without IPv6
        }
    }

    private void bind(NodeId localId, String bindHost) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            ServerBootstrap server = new ServerBootstrap().group(group, group);
            if (REUSE_PORT) { // hole punching connects from this port; the UDP bind still fails if it is taken
                server.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
            }
            ChannelFuture tcpBind = server
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            admit(ch);
                        }
                    })
                    .bind(bindHost, config.port()).await();
            if (!tcpBind.isSuccess()) {
                throw new IllegalStateException("cannot bind TCP " + bindHost + ":" + config.port()
                        + ": " + tcpBind.cause().getMessage(), tcpBind.cause());
            }
            tcp = tcpBind.channel();
            int port = ((InetSocketAddress) tcp.localAddress()).getPort();
            ChannelFuture udpBind = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                    .handler(new DatagramHandler())
                    .bind(bindHost, port).await();
            if (udpBind.isSuccess()) {
                udp = udpBind.channel();
                self = new SelfAddress(config.advertisedHost(), Interfaces.hosts(bindHost),
                        Interfaces.isWildcard(bindHost) ? "127.0.0.1" : bindHost);
                local = new PeerAddress(localId, self.primary().host(), port);
                boundHost = bindHost;
                filter = new AddressFilter(localId, self, port, this::linkedAddress);
                return;
            }
            tcp.close().await();
            if (config.port() != 0 || attempt >= 5) {
                throw new IllegalStateException("cannot bind UDP " + bindHost + ":" + port + ": "
                        + udpBind.cause().getMessage(), udpBind.cause());
            }
        }
    }

    /** Installs the receiver of incoming messages and link events (called before traffic flows). */
    public void setHandler(MessageHandler handler) {
        this.handler = handler;
    }

    /**
     * Installs what to do with a TCP connection that is neither a peer link nor a probe (the
     * gateway's HTTP or RTMP), given its pipeline and first byte.
     */
    public void setGatewayHandoff(ObjIntConsumer<ChannelPipeline> handoff) {
        this.gatewayHandoff = handoff;
    }

    public NettyEnvironment environment() {
        return env;
    }

    public EventLoop eventLoop() {
        return loop;
    }

    /** Runs {@code task} on the protocol thread. */
    public void execute(Runnable task) {
        loop.execute(task);
    }

    @Override
    public PeerAddress localAddress() {
        return local;
    }

    /** The address we are known at and how it was learned (read on the loop). */
    public SelfAddress.Belief addressBelief() {
        return self.primary();
    }

    @Override
    public void observed(PeerAddress reporter, String host) {
        if (self.report(reporter, host)) {
            PeerAddress now = new PeerAddress(local.id(), self.primary().host(), local.port());
            log.info("address {} learned ({}); we go by {}", PeerAddress.endpoint(PeerAddress.canonicalHost(host),
                    local.port()), host.equals(now.host()) ? self.primary().source() : "not the one we go by",
                    now.endpoint());
            boolean moved = !now.host().equals(local.host());
            local = now;
            if (moved) {
                safely(addressChanged);
            }
        }
    }

    /** Runs {@code r} on the loop whenever the address we go by changes (as a new public address after a reconnect). */
    public void onAddressChange(Runnable r) {
        addressChanged = r;
    }

    /** The address of the ready link to {@code id}, or null: what we have observed of that peer. */
    private PeerAddress linkedAddress(NodeId id) {
        PeerLink l = links.get(id);
        return l != null && l.ready() ? l.remote() : null;
    }

    /** Link frames encoded so far (a message sent to several peers in a row is encoded once). */
    public long framesEncoded() {
        return framesEncoded;
    }

    /** Connects not made because the address was our own (a peer named it for someone else, or we learned it late). */
    public long selfDialsAvoided() {
        return selfDialsAvoided;
    }

    /** Connects not made because the address failed lately (see {@link DialBackoff}). */
    public long dialsBackedOff() {
        return dialsBackedOff;
    }

    /** The key this node's id derives from. */
    public NodeIdentity identity() {
        return identity;
    }

    NetConfig config() {
        return config;
    }

    MessageCodec linkCodec() {
        return linkCodec;
    }

    /** Frames and datagrams dropped, by reason. */
    public DropCounters drops() {
        return drops;
    }

    @Override
    public void send(PeerAddress to, Message m) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> send(to, m));
            return;
        }
        Message out = filter.outbound(to, m);
        if (out == null) {
            return;
        }
        if (out.isDatagram()) {
            sendDatagram(to, out);
        } else {
            sendOnLink(to, out);
        }
    }

    private void sendDatagram(PeerAddress to, Message m) {
        byte[] body;
        try {
            body = datagramCodec.encode(m);
        } catch (CodecException e) {
            log.warn("not sending {} to {}: {}", m.getClass().getSimpleName(), to, e.getMessage());
            return;
        }
        ByteBuf buf = udp.alloc().buffer(DATAGRAM_HEADER_BYTES + body.length);
        buf.writeBytes(identity.publicKey()).writeShort(local.port()).writeBytes(body);
        ReturnPath back = to.id() == null ? null : datagramReturn.get(to.id());
        InetSocketAddress target = back != null && back.host().equals(to.host()) ? back.source()
                : new InetSocketAddress(to.host(), to.port());
        bytesOut += buf.readableBytes();
        udp.writeAndFlush(new DatagramPacket(buf, target), udp.voidPromise());
    }

    /** A link took {@code bytes} of a frame to send. */
    void handedOut(int bytes) {
        bytesOut += bytes;
    }

    /** On the loop. */
    @Override
    public long bytesOut() {
        return bytesOut;
    }

    /**
     * On the loop. The bytes links hold that they have not written to their sockets (each
     * socket's buffer is kept small, {@link #LINK_SEND_BUFFER}, so a backlog shows here rather
     * than in the kernel).
     */
    @Override
    public long bytesWaiting() {
        long waiting = 0;
        for (PeerLink l : links.values()) {
            waiting += l.pendingBytes();
        }
        return waiting;
    }

    /**
     * On the loop. Whether most links that streamed chunks in the last {@link #STREAMING_MILLIS}
     * hold a backlog ({@link #BACKLOG_BYTES}): a full uplink backs the streams up (TCP shares it
     * unevenly, so one of them may drain now and then), while one slow receiver's backlog, or
     * frames a link holds until it is up, say nothing of the uplink.
     */
    @Override
    public boolean uplinkFull() {
        long since = env.now() - STREAMING_MILLIS;
        int streaming = 0;
        int backlogged = 0;
        for (PeerLink l : links.values()) {
            if (l.streamedSince(since)) {
                streaming++;
                backlogged += l.pendingBytes() >= BACKLOG_BYTES ? 1 : 0;
            }
        }
        return backlogged > 0 && 2 * backlogged > streaming;
    }

    private void sendOnLink(PeerAddress to, Message m) {
        if (to.id() == null) {
            throw new IllegalArgumentException("a link needs the peer's node id: " + to);
        }
        byte[] frame = lastFramed == m ? lastFrame : null;
        if (frame == null) {
            try {
                frame = linkCodec.encode(m);
            } catch (CodecException e) {
                log.warn("not sending {} to {}: {}", m.getClass().getSimpleName(), to, e.getMessage());
                return;
            }
            framesEncoded++;
            lastFramed = m;
            lastFrame = frame;
        }
        PeerLink link = links.get(to.id());
        if (link == null) {
            String refused = dialProblem(to);
            if (refused != null) {
                log.debug("not connecting to {}: {}", to, refused);
                loop.execute(() -> safely(() -> handler.onLinkClosed(to, refused)));
                return;
            }
            link = connect(to);
            links.put(to.id(), link);
        }
        link.send(frame, m instanceof StreamMessage.Chunk);
    }

    /** Why {@code to} must not be dialled now (our own address; backing off after failures), or null. */
    private String dialProblem(PeerAddress to) {
        if (ourOwn(to)) {
            selfDialsAvoided++;
            return "that is our own address";
        }
        long wait = backoff.waitMillis(to.endpoint(), env.now());
        if (wait > 0) {
            dialsBackedOff++;
            return "backing off for " + wait + " ms after " + backoff.failures(to.endpoint()) + " failed connects";
        }
        return null;
    }

    private boolean ourOwn(PeerAddress to) {
        return to.id().equals(local.id()) || to.port() == local.port()
                && (to.scope() == AddressScope.LOOPBACK || self.isOwn(to.host()));
    }

    /** A connect to {@code endpoint} failed, or reached another node than the one named there. */
    void dialFailed(PeerAddress to) {
        backoff.failed(to.endpoint(), env.now());
    }

    void dialSucceeded(PeerAddress to) {
        backoff.succeeded(to.endpoint());
    }

    /**
     * Hole punching: a connect to {@code to} from our listening port (SO_REUSEPORT), which a NAT
     * doing endpoint-independent mapping (as Linux MASQUERADE, most home routers) maps as it maps
     * that port, so the SYN {@code to} sends meanwhile from its own listening port gets in as the
     * answer to ours and the two become one connection (a TCP simultaneous open). The kernel
     * resends our SYN until the connect timeout, so the other end may be a second late.
     */
    @Override
    public void punch(PeerAddress to) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> punch(to));
            return;
        }
        if (!REUSE_PORT || to.id() == null || ourOwn(to)) {
            return; // then sending to it connects as usual (and fails as usual)
        }
        // no back-off here: plain connects to a peer behind a NAT fail (that is why we punch), and
        // a punch both ends agreed on is the one connect that can work
        backoff.succeeded(to.endpoint());
        PeerLink pending = links.get(to.id());
        if (pending != null && pending.ready()) {
            return;
        }
        log.debug("punching a hole to {}", to);
        PeerLink link = connect(to, true);
        links.put(to.id(), link);
        if (pending != null) { // a plain connect waiting on a SYN its NAT drops: what it holds was never going to arrive
            pending.close("replaced by a hole punch", true);
        }
    }

    private PeerLink connect(PeerAddress to) {
        return connect(to, false);
    }

    private PeerLink connect(PeerAddress to, boolean fromOurPort) {
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, config.connectTimeoutMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_SNDBUF, LINK_SEND_BUFFER)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                    }
                });
        if (fromOurPort) {
            b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true)
                    .option(ChannelOption.SO_REUSEADDR, true);
        }
        Channel ch = b.register().channel();
        PeerLink link = new PeerLink(this, ch, true, to);
        installLinkPipeline(ch.pipeline(), link);
        watchClose(link);
        ch.connect(new InetSocketAddress(to.host(), to.port()),
                fromOurPort ? new InetSocketAddress(boundHost, local.port()) : null).addListener(f -> {
            if (!f.isSuccess()) {
                dialFailed(to);
                link.close("connect to " + to.endpoint() + " failed: " + f.cause().getMessage(), false);
            }
        });
        return link;
    }

    /**
     * Reachability dial-back: the probe from a fresh UDP socket (bound to an ephemeral port, so
     * no NAT mapping of the target's matches it) and over a new TCP connection, closed once the
     * probe is written. What fails fails quietly: the target learns from what does not arrive.
     */
    @Override
    public void dialBack(PeerAddress to, long nonce) {
        InetSocketAddress target = new InetSocketAddress(to.host(), to.port());
        new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(new ChannelInboundHandlerAdapter())
                .bind(0).addListener((ChannelFutureListener) bound -> {
                    if (bound.isSuccess()) {
                        bound.channel().writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(probe(nonce)), target))
                                .addListener(sent -> bound.channel().close());
                    }
                });
        new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, config.connectTimeoutMillis())
                .handler(new ChannelInboundHandlerAdapter())
                .connect(target).addListener((ChannelFutureListener) connected -> {
                    if (connected.isSuccess()) {
                        connected.channel().writeAndFlush(Unpooled.wrappedBuffer(probe(nonce)))
                                .addListener(ChannelFutureListener.CLOSE);
                    }
                });
    }

    /** Whether {@code buf}'s readable bytes begin with {@code magic}. */
    static boolean startsWith(ByteBuf buf, byte[] magic) {
        if (buf.readableBytes() < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (buf.getByte(buf.readerIndex() + i) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] probe(long nonce) {
        return ByteBuffer.allocate(PROBE_BYTES).put(PROBE_MAGIC).putLong(nonce).array();
    }

    /** A reachability probe with {@code nonce} arrived (over TCP: {@code tcp}); called on the loop. */
    void probeArrived(long nonce, boolean tcp) {
        safely(() -> handler.onDialedBack(nonce, tcp));
    }

    /** Builds the peer-link pipeline after the first bytes said "peer" (inbound) or before connecting. */
    void installLinkPipeline(ChannelPipeline p, PeerLink link) {
        p.addLast("idle", new IdleStateHandler(config.linkIdleMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast("flush", new FlushConsolidationHandler(256, true));
        p.addLast("preamble", new PreambleDecoder(identity, local.port(), config.idDifficulty(),
                config.maxLinkFrameBytes(), drops));
        p.addLast("prepend", new LengthFieldPrepender(4));
        p.addLast("link", link);
    }

    /**
     * An inbound TCP connection: refused beyond {@code max-connections}; otherwise it must show
     * what it is (peer preamble, or HTTP to the gateway, which then times its request head
     * itself) within the handshake timeout.
     */
    private void admit(SocketChannel ch) {
        NetConfig.Limits l = config.limits();
        if (inboundConnections >= l.maxConnections()) {
            env.limits().hit(Limit.CONNECTIONS);
            ch.close();
            return;
        }
        inboundConnections++;
        ch.closeFuture().addListener(f -> inboundConnections--);
        ch.pipeline().addLast("sniff", new PortSniffer(this));
        ch.eventLoop().schedule(() -> {
            if (ch.isActive() && (ch.pipeline().get("sniff") != null || ch.pipeline().get("preamble") != null)) {
                env.limits().hit(Limit.HANDSHAKE_TIMEOUT);
                log.debug("closing {}: no preamble or request within {} ms", PeerAddress.endpoint(ch.remoteAddress()),
                        l.handshakeTimeoutMillis());
                ch.close();
            }
        }, l.handshakeTimeoutMillis(), TimeUnit.MILLISECONDS);
    }

    /** Called by the sniffer when an inbound connection started with the peer magic. */
    void acceptLink(Channel ch) {
        if (links.size() >= config.limits().maxLinks()) {
            env.limits().hit(Limit.PEER_LINKS);
            ch.close();
            return;
        }
        ch.config().setOption(ChannelOption.SO_SNDBUF, LINK_SEND_BUFFER); // players' connections keep the kernel's
        PeerLink link = new PeerLink(this, ch, false, null);
        installLinkPipeline(ch.pipeline(), link);
        watchClose(link);
    }

    /** Called by the sniffer for an inbound connection that is not a peer link. */
    boolean handOffGateway(ChannelPipeline p, int firstByte) {
        ObjIntConsumer<ChannelPipeline> h = gatewayHandoff;
        if (h == null) {
            return false;
        }
        h.accept(p, firstByte);
        return true;
    }

    private void watchClose(PeerLink link) {
        link.channel().closeFuture().addListener(f -> {
            PeerAddress peer = link.remote();
            if (peer == null || peer.id() == null || links.get(peer.id()) != link) {
                return; // never identified, or a duplicate that lost: nobody was told it existed
            }
            links.remove(peer.id());
            if (!link.silent()) {
                String reason = link.closeReason() != null ? link.closeReason() : "closed by peer";
                log.debug("link to {} closed: {}", peer, reason);
                safely(() -> handler.onLinkClosed(peer, reason));
            }
        });
    }

    /**
     * A link finished its preamble exchange. Returns false if it lost to an existing link to
     * the same peer: of two links between the same nodes, both keep the one opened by the
     * node with the smaller id.
     */
    boolean linkReady(PeerLink link) {
        NodeId peer = link.remote().id();
        PeerLink existing = links.get(peer);
        if (existing == null || existing == link) {
            links.put(peer, link);
            return true;
        }
        PeerLink keep = existing.initiator().compareTo(link.initiator()) <= 0 ? existing : link;
        PeerLink drop = keep == existing ? link : existing;
        links.put(peer, keep);
        drop.handOverQueueTo(keep);
        drop.close("duplicate link", true);
        return keep == link;
    }

    void deliver(PeerAddress from, Message m) {
        Message in = filter.inbound(from, m);
        if (in != null) {
            safely(() -> handler.onMessage(from, in));
        }
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.error("protocol handler failed", e);
        }
    }

    @Override
    public void closeLink(PeerAddress peer) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> closeLink(peer));
            return;
        }
        PeerLink link = peer.id() == null ? null : links.get(peer.id());
        if (link != null) {
            link.close("closed locally", false);
        }
    }

    /**
     * True if a frame sent to {@code peer} now would not wait behind a full send buffer (also true
     * when no link exists yet). Senders of bulk data use it for backpressure; call on the event loop.
     */
    public boolean linkWritable(PeerAddress peer) {
        PeerLink link = peer.id() == null ? null : links.get(peer.id());
        return link == null || link.writable();
    }

    /** Number of open (or opening) peer links. */
    public int linkCount() {
        return links.size();
    }

    @Override
    public void close() {
        if (group.isShuttingDown()) {
            return;
        }
        if (udp != null) {
            udp.close();
        }
        if (tcp != null) {
            tcp.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class DatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf content = packet.content();
            int len = content.readableBytes();
            if (len > config.maxDatagramBytes()) {
                drops.count(CodecException.Reason.OVERSIZE);
                return;
            }
            InetSocketAddress sender = packet.sender();
            if (!withinRate(sender.getAddress())) {
                env.limits().hit(Limit.DATAGRAM_RATE);
                return;
            }
            if (len == PROBE_BYTES && startsWith(content, PROBE_MAGIC)) { // a reachability probe (dialBack)
                probeArrived(content.getLong(content.readerIndex() + PROBE_MAGIC.length), false);
                return;
            }
            if (len <= DATAGRAM_HEADER_BYTES) {
                drops.count(CodecException.Reason.TRUNCATED);
                return;
            }

            byte[] bytes = new byte[len];
            content.readBytes(bytes);
            NodeId id = senderId(bytes);
            if (id == null) {
                drops.count(CodecException.Reason.IDENTITY);
                return;
            }
            int listenPort = (bytes[DATAGRAM_HEADER_BYTES - 2] & 0xff) << 8 | bytes[DATAGRAM_HEADER_BYTES - 1] & 0xff;
            if (listenPort == 0) {
                drops.count(CodecException.Reason.MALFORMED);
                return;
            }
            Message m;
            try {
                m = datagramCodec.decode(bytes, DATAGRAM_HEADER_BYTES, len - DATAGRAM_HEADER_BYTES);
            } catch (CodecException e) {
                drops.count(e.reason());
                return;
            }
            if (!m.isDatagram()) {
                drops.count(CodecException.Reason.MALFORMED);
                return;
            }
            // the port to reach it at is the one it listens on, whatever the source port a NAT gave
            PeerAddress from = new PeerAddress(id, sender.getAddress().getHostAddress(), listenPort);
            datagramReturn.put(id, new ReturnPath(from.host(), sender));
            deliver(from, m);
        }

        /** The node id of the key heading a datagram, or null if that key is no valid identity. */
        private NodeId senderId(byte[] datagram) {
            ByteBuffer key = ByteBuffer.wrap(Arrays.copyOf(datagram, ChannelKey.PUBLIC_KEY_BYTES));
            NodeId id = senderIds.get(key);
            if (id == null) {
                if (NodeIdentity.problem(key.array(), config.idDifficulty()) != null) {
                    return null;
                }
                id = NodeIdentity.idOf(key.array());
                senderIds.put(key, id);
            }
            return id;
        }

        private boolean withinRate(InetAddress sender) {
            long second = env.now() / 1000;
            if (second != datagramSecond) {
                datagramSecond = second;
                datagramsThisSecond.clear();
            }
            return ++datagramsThisSecond.computeIfAbsent(sender, a -> new int[1])[0]
                    <= config.limits().maxDatagramsPerSecond();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable and the like: the RPC layer's timeout covers it
            log.debug("udp: {}", cause.toString());
        }
    }
}
