package io.arborcast.node;

import io.arborcast.core.ChannelInfo;
import io.arborcast.core.ChannelRecord;
import io.arborcast.core.DhtMessage;
import io.arborcast.core.GossipMessage;
import io.arborcast.core.LinkMessage;
import io.arborcast.core.LimitCounters;
import io.arborcast.core.Message;
import io.arborcast.core.MessageRouter;
import io.arborcast.core.Lru;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.ProviderInfo;
import io.arborcast.core.Reachability;
import io.arborcast.core.SelfAddress;
import io.arborcast.core.SourceMessage;
import io.arborcast.core.StreamMessage;
import io.arborcast.core.TreeMessage;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.crypto.NodeIdentity;
import io.arborcast.dht.ChannelRecords;
import io.arborcast.dht.DhtNode;
import io.arborcast.dht.RoutingTable;
import io.arborcast.dht.DhtStats;
import io.arborcast.dht.DhtResults.FindResult;
import io.arborcast.dht.DhtResults.JoinResult;
import io.arborcast.dht.DhtResults.ListingsResult;
import io.arborcast.dht.DhtResults.LookupResult;
import io.arborcast.dht.DhtResults.StoreOutcome;
import io.arborcast.net.NettyEnvironment;
import io.arborcast.net.NettyTransport;
import io.arborcast.net.PortMapper;
import io.arborcast.stream.Playout;
import io.arborcast.tree.TreeConfig;
import io.arborcast.channel.ChannelPeer;
import io.arborcast.wire.MessageCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The composition root of a real node: the Netty transport and the protocols on top of it,
 * all run on the transport's one event-loop thread. Its methods may be called from any
 * thread; they hop onto the loop and answer with futures.
 */
public final class Node implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Node.class);
    private static final int LIMIT_REPORT_SECONDS = 10;
    /** Reachability is checked again this often (a router restarted, a port forward added). */
    private static final int RECHECK_MINUTES = 10;
    /** Ended channels the status page lists. */
    static final int ENDED_KEPT = 16;

    private final NodeConfig config;
    private final NettyTransport transport;
    private final DhtNode dht;
    /** The channels this node publishes or listens to; touched on the event loop only. */
    private final Map<NodeId, LocalChannel> channels = new HashMap<>();
    private final ChannelPeer.Directory directory;
    /** One publisher per key: publishing, taking over and handing over, and passing questions on. */
    private final Publishers publishers;
    private final ChannelLister lister;
    /** Asks the home router to forward our port (null: port mapping off). */
    private PortMapper portMapper;
    private boolean mappingSeen;
    private Consumer<Reachability> reachabilityListener = r -> { };
    /** What the last reachability check found; touched on the event loop only. */
    private Reachability reachability = Reachability.UNCHECKED;
    /** Channels that ended here lately, for the status page. */
    private final Map<NodeId, EndedChannel> ended = Lru.map(ENDED_KEPT);


    private Node(NodeConfig config, NettyTransport transport, DhtNode dht) {
        this.config = config;
        this.transport = transport;
        this.dht = dht;
        this.directory = new ChannelPeer.Directory() {
            @Override
            public void findProviders(NodeId channel, Consumer<List<ProviderInfo>> done) {
                dht.find(channel, r -> done.accept(r.providers()));
            }

            @Override
            public void announce(NodeId channel, ProviderInfo info) {
                dht.announce(channel, info, o -> log.debug("announced {} as provider of {}: {}/{} accepted",
                        info, channel.shortHex(), o.accepted(), o.accepted() + o.refused() + o.unreachable()));
            }

            @Override
            public void withdraw(NodeId channel) {
                dht.withdraw(channel);
            }
        };
        this.publishers = new Publishers(this, config, transport, dht, directory, channels);
        this.lister = new ChannelLister(dht, transport.environment(), channels);
    }

    /** Binds the port and starts the protocols under a new identity; does not join yet. */
    public static Node start(NodeConfig config) throws InterruptedException {
        return start(config, NodeIdentity.generate(config.net().idDifficulty()));
    }

    /** Binds the port and starts the protocols under {@code identity}; does not join yet. */
    public static Node start(NodeConfig config, NodeIdentity identity) throws InterruptedException {
        if (!NodeIdentity.solves(identity.id(), config.net().idDifficulty())) {
            throw new IllegalArgumentException("node key does not solve the id puzzle at "
                    + config.net().idDifficulty() + " bits");
        }
        NettyTransport transport = NettyTransport.start(config.net(), identity);
        DhtNode dht = new DhtNode(config.dht(), transport.environment(), transport,
                new MessageCodec(config.net().maxLinkFrameBytes()));
        Node node = new Node(config, transport, dht);
        transport.setHandler(new MessageRouter().on(DhtMessage.class, dht::onMessage)
                .on(GossipMessage.class, (from, m) -> node.toChannel(m.channel(), from, m))
                .on(TreeMessage.class, (from, m) -> node.toChannel(m.channel(), from, m))
                .on(StreamMessage.class, (from, m) -> node.toChannel(m.channel(), from, m))
                .on(SourceMessage.class, node.publishers::onMessage)
                .on(LinkMessage.Heartbeat.class, (from, m) -> { }) // link liveness: arriving is all it does
                .onDialedBack(dht::onDialedBack)
                .onLinkClosed((peer, why) -> node.channels.values().forEach(c -> c.peer().onLinkClosed(peer, why))));
        transport.eventLoop().scheduleAtFixedRate(node::reportLimits, LIMIT_REPORT_SECONDS, LIMIT_REPORT_SECONDS,
                TimeUnit.SECONDS);
        transport.eventLoop().scheduleAtFixedRate(() -> dht.checkReachability(node::reachabilityFound),
                RECHECK_MINUTES, RECHECK_MINUTES, TimeUnit.MINUTES);
        long endCheck = Math.max(250, Math.min(5_000, config.tree().endAfterMillis() / 4));
        transport.eventLoop().scheduleAtFixedRate(node::endSilentChannels, endCheck, endCheck, TimeUnit.MILLISECONDS);
        transport.onAddressChange(node::recheckReachability); // a new address may be reachable, or not
        if (config.net().portMapping()) {
            node.portMapper = PortMapper.start(transport.localAddress().port(), config.net().bindHost(),
                    m -> transport.execute(() -> node.mapped(m)));
        }
        log.debug("node {} listening on {}", dht.id().shortHex(), transport.localAddress().endpoint());
        return node;
    }

    private void toChannel(NodeId channel, PeerAddress from, Message m) {
        LocalChannel c = channels.get(channel);
        if (c != null) {
            c.peer().onMessage(from, m);
        } else if (m instanceof TreeMessage.Attach) {
            transport.send(from, new TreeMessage.Refuse(channel, "not in this channel", List.of()));
        }
    }

    /** One line per limit hit since the last report: a flood costs a log line per period, not per packet. */
    private void reportLimits() {
        limits().sinceLastReport().forEach((limit, n) -> log.warn("limit {} reached {} times in the last {} s",
                limit.setting, n, LIMIT_REPORT_SECONDS));
    }

    /** How often each resource limit was hit (read on the event loop). */
    public LimitCounters limits() {
        return transport.environment().limits();
    }

    public NodeConfig config() {
        return config;
    }

    NettyEnvironment environment() {
        return transport.environment();
    }

    public PeerAddress address() {
        return transport.localAddress();
    }

    /** The address this node goes by and how it learned it (read on the loop, or racily for a print). */
    public SelfAddress.Belief addressBelief() {
        return transport.addressBelief();
    }

    /** The key this node's id derives from. */
    public NodeIdentity identity() {
        return transport.identity();
    }

    public NettyTransport transport() {
        return transport;
    }

    /** Resolves {@code HOST:PORT} to an IP literal address with unknown id (DNS happens here, not on the loop). */
    public static PeerAddress resolve(String hostPort) {
        PeerAddress p = PeerAddress.parseEndpoint(hostPort);
        try {
            return PeerAddress.unknownId(InetAddress.getByName(p.host()).getHostAddress(), p.port());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve " + p.host());
        }
    }

    /**
     * Asks a few DHT contacts outside our network to dial us back (see
     * {@link DhtNode#checkReachability}), once the port mapper's first attempt is over; done
     * after the join, then every {@value #RECHECK_MINUTES} minutes.
     */
    public CompletableFuture<Reachability> checkReachability() {
        CompletableFuture<Void> ready = portMapper == null ? CompletableFuture.completedFuture(null) : portMapper.settled();
        return ready.thenCompose(mapped -> onLoop(done -> dht.checkReachability(r -> done.accept(reachabilityFound(r)))));
    }

    /**
     * A port mapping was made or renewed (null: the router stopped forwarding our port): when it
     * is new or gone, check again whether peers can reach us.
     */
    private void mapped(PortMapper.Mapping m) {
        if (m != null && mappingSeen) {
            return; // a renewal
        }
        mappingSeen = m != null;
        log.info("port mapping: {}", m != null ? m.describe() : "the router no longer forwards our port");
        recheckReachability();
    }

    /** Checks again whether peers can reach us, unless the first check is still to come. */
    private void recheckReachability() {
        if (reachability != Reachability.UNCHECKED) {
            dht.checkReachability(this::reachabilityFound);
        }
    }

    /** {@code l} hears (on the loop) each reachability that differs from the one before. */
    public void onReachabilityChange(Consumer<Reachability> l) {
        reachabilityListener = l;
    }

    /** On the loop: source messages passed on as the via of a publisher nobody can dial, either way. */
    public long sourceMessagesPassed() {
        return publishers.passed();
    }

    /** Keeps what a check found (with the port mapping in force, if any) and returns it. */
    Reachability reachabilityFound(Reachability found) {
        PortMapper.Mapping m = portMapper == null ? null : portMapper.mapping();
        Reachability r = m == null ? found : found.mappedBy(m.by());
        boolean changed = reachability == Reachability.UNCHECKED || !r.summary().equals(reachability.summary());
        reachability = r;
        channels.values().forEach(c -> c.peer().setDialable(dialable()));
        dht.setClient(reachability.udp() == Reachability.Status.UNREACHABLE);
        if (changed) {
            log.info("reachability: {}{}", r.summary(), r.advice(address().port()).isEmpty() ? ""
                    : " (" + r.advice(address().port()) + ")");
            reachabilityListener.accept(r);
        }
        return r;
    }

    /**
     * Whether peers can dial us, as far as we know (until a check says otherwise, we assume so):
     * each channel's tree and gossip state follow it (see {@link ChannelPeer#setDialable}).
     */
    boolean dialable() {
        return reachability.tcp() != Reachability.Status.UNREACHABLE;
    }

    /** On the loop: what the last reachability check found. */
    public Reachability reachability() {
        return reachability;
    }

    public CompletableFuture<JoinResult> join(PeerAddress bootstrap) {
        return onLoop(done -> dht.join(bootstrap, done));
    }

    public CompletableFuture<LookupResult> lookup(NodeId target) {
        return onLoop(done -> dht.lookup(target, done));
    }

    /**
     * The live channels the directory lists in {@code genre}, or (null) every one, whose names
     * have a word beginning with {@code search} (empty: all).
     */
    public CompletableFuture<ListingsResult> findListings(String genre, String search) {
        return onLoop(done -> dht.findListings(genre, search, done));
    }

    public CompletableFuture<FindResult> find(NodeId channel) {
        return onLoop(done -> dht.find(channel, done));
    }

    public CompletableFuture<StoreOutcome> publish(ChannelRecord record) {
        return onLoop(done -> dht.publish(record, done));
    }

    /** Announces this node as a provider of {@code channel} at the given depth with the given free slots. */
    public CompletableFuture<StoreOutcome> announce(NodeId channel, int depth, int freeSlots) {
        return onLoop(done -> dht.announce(channel, new ProviderInfo(address(), depth, freeSlots), done));
    }

    /**
     * Publishes {@code key}'s channel from this node: stores its signed record in the DHT and
     * becomes the root of its relay tree; completes once the record is stored. Publishing a
     * channel already published here returns the existing one (a source client that reconnects).
     * One publisher per key: if another node publishes the channel and answers, this fails with
     * {@link ChannelInUseException}, unless {@code takeover}: then that node is asked to hand the
     * channel over (signed by the key), stops, and its children move here; the seqs go on from
     * its last, so listeners skip nothing. Once published, the channel is listed in the
     * directory with {@code info} and its audience (see {@link ChannelLister}).
     */
    public CompletableFuture<LocalChannel> publish(ChannelKey key, String name, String contentType, int bitrateKbps,
                                                  boolean takeover, ChannelInfo info) {
        CompletableFuture<LocalChannel> f = new CompletableFuture<>();
        transport.execute(() -> publishers.publish(key, name, contentType, bitrateKbps, takeover, f));
        return f.thenApply(c -> {
            execute(() -> {
                c.setInfo(info);
                lister.start(c);
            });
            return c;
        });
    }

    /**
     * New words for {@code c}, a channel published here: to its listeners with the stream head,
     * and to the directory at once. A new name also goes into the channel's record, stored again
     * under a newer sequence, so that those who tune in later find it there.
     */
    public void setInfo(LocalChannel c, ChannelInfo info) {
        execute(() -> {
            c.setInfo(info);
            ChannelRecord r = c.record();
            if (!c.name().equals(r.name())) {
                ChannelRecord renamed = ChannelRecords.create(c.key(), c.name(), r.contentType(), r.bitrateKbps(),
                        r.createdAtMillis(), Math.max(r.sequence() + 1, System.currentTimeMillis()));
                c.setRecord(renamed);
                dht.publish(renamed, o -> log.info("channel {} renamed '{}': record stored on {} nodes",
                        renamed.channelId().shortHex(), renamed.name(), o.accepted()));
            }
            lister.changed(c);
        });
    }

    /** Publishes with no directory info: see {@link #publish(ChannelKey, String, String, int, boolean, ChannelInfo)}. */
    public CompletableFuture<LocalChannel> publish(ChannelKey key, String name, String contentType, int bitrateKbps,
                                                  boolean takeover) {
        return publish(key, name, contentType, bitrateKbps, takeover, ChannelInfo.EMPTY);
    }

    /** Publishes with no takeover: see {@link #publish(ChannelKey, String, String, int, boolean)}. */
    public CompletableFuture<LocalChannel> publish(ChannelKey key, String name, String contentType, int bitrateKbps) {
        return publish(key, name, contentType, bitrateKbps, false);
    }

    /**
     * The nodes other than this one that publish {@code channel} now: depth-0 providers in the
     * DHT that say so when asked (a provider entry outlives a publisher that stopped or died).
     */
    public CompletableFuture<List<PeerAddress>> livePublishers(NodeId channel) {
        return onLoop(done -> publishers.livePublishers(channel, live -> done.accept(live.stream()
                .map(Publishers.Publisher::address).toList())));
    }

    /**
     * Calls {@code l} (on the loop) with the channel and the new publisher when a channel this
     * node published is taken over by another node.
     */
    public void onTakenOver(BiConsumer<NodeId, PeerAddress> l) {
        execute(() -> publishers.onTakenOver(l));
    }

    /**
     * Joins {@code channel} as a listener (and relay, with relay slots): finds its record and
     * providers in the DHT, then a parent. Fails with {@link UnknownChannelException} when the
     * DHT has no record of it. Already joined: the existing channel.
     */
    public CompletableFuture<LocalChannel> tune(NodeId channel) {
        CompletableFuture<LocalChannel> f = new CompletableFuture<>();
        transport.execute(() -> {
            LocalChannel existing = channels.get(channel);
            if (existing != null) {
                f.complete(existing);
                return;
            }
            long askedAt = environment().now();
            dht.find(channel, r -> {
                LocalChannel again = channels.get(channel);
                if (again != null) {
                    f.complete(again);
                } else if (!r.found()) {
                    f.completeExceptionally(new UnknownChannelException(channel, r.queried()));
                } else {
                    f.complete(listen(r.record(), r.providers(), askedAt));
                }
            });
        });
        return f;
    }

    private LocalChannel listen(ChannelRecord record, List<ProviderInfo> providers, long askedAt) {
        LocalChannel[] holder = new LocalChannel[1];
        Playout playout = new Playout(environment(), config.tree().playoutDelayMillis(), c -> holder[0].deliver(c));
        TreeConfig tree = config.tree().withRelays(config.tree().slotsFor(record.bitrateKbps(),
                config.tree().maxRelays()));
        ChannelPeer peer = ChannelPeer.listener(record.channelId(), record.publicKey(), tree,
                config.gossip(), environment(), transport, directory, record.bitrateKbps() * tree.maxRelays(),
                playout::onChunk);
        peer.tree().setEvents(new TreeLog(dht.id(), record.channelId()));
        peer.setDialable(dialable());
        LocalChannel c = new LocalChannel(this, record, peer, null, playout, askedAt);
        holder[0] = c;
        // the end of the stream: leave once what came before it has played
        peer.tree().setEndListener(e -> environment().schedule(config.tree().playoutDelayMillis() + config.chunkMillis(),
                () -> end(c, "its source ended the stream")));
        channels.put(record.channelId(), c);
        ended.remove(record.channelId());
        peer.start(providers);
        log.info("node {} tuned in to channel {} '{}' ({} providers known)", dht.id().shortHex(),
                record.channelId().shortHex(), record.name(), providers.size());
        return c;
    }

    /**
     * Leaves {@code channel} cleanly (parent, children and neighbours are told; a channel
     * published here ends: listeners get the signed end of the stream, and its listing leaves
     * the directory). Completes once the directory took the end, or at once for a listener.
     */
    public CompletableFuture<Boolean> leave(NodeId channel) {
        return onLoop(done -> {
            LocalChannel c = channels.remove(channel);
            if (c == null) {
                done.accept(false);
                return;
            }
            leave(c);
            lister.end(c, o -> done.accept(true));
        });
    }

    private static void leave(LocalChannel c) {
        if (c.isSource()) {
            c.endStream();
        }
        c.peer().leave();
    }

    /** Ends channels whose source has shown no sign of life for {@code stream.end-after-silence}. */
    private void endSilentChannels() {
        long limit = config.tree().endAfterMillis();
        for (LocalChannel c : List.copyOf(channels.values())) {
            long silent = c.peer().tree().sourceSilentMillis();
            if (silent > limit) {
                end(c, "no sign of its source for " + silent / 1000 + " s");
            }
        }
    }

    /** The channel ended: this node leaves it, its players are let go, and the status page says why. */
    private void end(LocalChannel c, String why) {
        NodeId id = c.record().channelId();
        if (channels.get(id) != c) {
            return; // left already
        }
        channels.remove(id);
        c.peer().leave();
        c.end(why);
        ended.put(id, new EndedChannel(id, c.name(), why, System.currentTimeMillis()));
        log.info("channel {} '{}' ended: {}; left it", id.shortHex(), c.name(), why);
    }

    /** A channel that ended here lately: which, why, and when (wall clock, ms). */
    public record EndedChannel(NodeId id, String name, String why, long atMillis) {
    }

    /** On the loop: the channels that ended here lately, oldest first (the last {@value #ENDED_KEPT}). */
    public List<EndedChannel> endedChannels() {
        return List.copyOf(ended.values());
    }

    /** On the loop: the DHT's counters. */
    public DhtStats dhtStats() {
        return dht.stats();
    }

    /** On the loop: the DHT's estimate of the whole network's size (see {@link RoutingTable#estimateNetworkSize}). */
    public long networkSizeEstimate() {
        return dht.routingTable().estimateNetworkSize(dht.config().k());
    }

    /** On the loop: channel records and provider entries this node stores for the DHT. */
    public int storedRecords() {
        return dht.storedRecords();
    }

    public int storedProviders() {
        return dht.storedProviders();
    }

    /** On the loop: contacts in the DHT routing table. */
    public int routingTableSize() {
        return dht.routingTable().size();
    }

    /** Runs {@code task} on the node's event loop (where {@link LocalChannel} lives). */
    public void execute(Runnable task) {
        transport.execute(task);
    }

    /** On the loop: the channel {@code id} if this node is in it, else null. */
    public LocalChannel channel(NodeId id) {
        return channels.get(id);
    }

    /** On the loop: the channels this node is in, by id (a read-only view). */
    public Map<NodeId, LocalChannel> channels() {
        return Collections.unmodifiableMap(channels);
    }

    private <T> CompletableFuture<T> onLoop(Consumer<Consumer<T>> op) {
        CompletableFuture<T> f = new CompletableFuture<>();
        transport.execute(() -> {
            try {
                op.accept(f::complete);
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** Leaves every channel cleanly, then stops. */
    @Override
    public void close() {
        if (portMapper != null) {
            portMapper.close();
        }
        if (!transport.eventLoop().isShuttingDown()) {
            try {
                onLoop(done -> {
                    List<LocalChannel> all = List.copyOf(channels.values());
                    channels.clear();
                    all.forEach(Node::leave);
                    int[] listed = {all.size()};
                    Runnable last = () -> {
                        dht.leave();
                        done.accept(null);
                    };
                    if (all.isEmpty()) {
                        last.run();
                    }
                    for (LocalChannel c : all) { // the listings end before we tell our DHT contacts we leave
                        lister.end(c, o -> {
                            if (--listed[0] == 0) {
                                last.run();
                            }
                        });
                    }
                }).get(4, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.debug("clean leave incomplete: {}", e.toString());
            }
        }
        transport.close();
    }

    /** Stops at once, telling no one: peers see the links drop, as when the process is killed. */
    public void closeAbruptly() {
        transport.close();
    }
}
