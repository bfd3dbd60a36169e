package io.arborcast.channel;

import io.arborcast.core.DhtMessage;
import io.arborcast.core.Environment;
import io.arborcast.core.GossipMessage;
import io.arborcast.core.LinkMessage;
import io.arborcast.core.Message;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.PeerState;
import io.arborcast.core.ProviderInfo;
import io.arborcast.core.StreamMessage;
import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.core.StreamMessage.Head;
import io.arborcast.core.Transport;
import io.arborcast.core.SourceMessage;
import io.arborcast.core.TreeMessage;
import io.arborcast.gossip.ChannelGossip;
import io.arborcast.gossip.GossipConfig;
import io.arborcast.tree.ChannelTree;
import io.arborcast.tree.TreeConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One node's membership of one channel: the channel's gossip overlay and relay tree wired
 * together, the provider directory (the DHT in a real node) used to find a first contact and
 * parent candidates, and announcing ourselves there while we have free relay slots. Real nodes
 * and the simulator both run exactly this. Sans-IO.
 */
public final class ChannelPeer {
    /** Where a channel's providers are found and announced: the DHT in a real node. */
    public interface Directory {
        /** Fresh providers of {@code channel} (possibly none). */
        void findProviders(NodeId channel, Consumer<List<ProviderInfo>> done);

        /** Announces (or updates) {@code info} as a provider of {@code channel}, kept fresh until withdrawn. */
        void announce(NodeId channel, ProviderInfo info);

        /** Stops announcing us for {@code channel}. */
        void withdraw(NodeId channel);
    }

    /** Gossip neighbours the source keeps at most. */
    static final int SOURCE_ACTIVE_VIEW = 2;
    /** Maintenance period: gossip state, backup ranking, announcements. */
    static final long TICK_MILLIS = 1_000;
    /** An unchanged announcement is not repeated (the directory refreshes it); a changed one waits this long. */
    static final long REANNOUNCE_MILLIS = 15_000;
    /** A listener without a parent asks the directory for fresh providers this often. */
    static final long REFIND_MILLIS = 3_000;

    private final NodeId channel;
    private final Environment env;
    private final Transport transport;
    private final Directory directory;
    private final ChannelGossip gossip;
    private final ChannelTree tree;
    private final boolean source;
    private final int uploadKbps;
    private List<PeerState> providers = List.of();
    private long providersAt;
    private ProviderInfo announced;
    private long announcedAt = Long.MIN_VALUE / 2;
    private long lastFind = Long.MIN_VALUE / 2;
    private boolean finding;
    private boolean gossipJoined;
    private boolean running = true;
    private boolean dialable = true;

    private ChannelPeer(NodeId channel, byte[] publicKey, TreeConfig tree, GossipConfig gossip, Environment env,
                        Transport transport, Directory directory, int uploadKbps, Consumer<Chunk> deliver,
                        boolean source) {
        this.channel = channel;
        this.env = env;
        this.transport = transport;
        this.directory = directory;
        this.source = source;
        this.uploadKbps = uploadKbps;
        // the source's upload is the channel's bottleneck: it keeps fewer gossip neighbours (each
        // costs heartbeats); newcomers reach it through the directory and its children anyway
        GossipConfig g = source ? gossip.withActiveSize(Math.min(gossip.activeSize(), SOURCE_ACTIVE_VIEW)) : gossip;
        this.gossip = new ChannelGossip(channel, g, env, transport, (peer, why) -> { });
        if (source) {
            this.gossip.refuseBySilence();
        }
        this.tree = source
                ? ChannelTree.source(channel, publicKey, tree, env, transport, this::candidates)
                : ChannelTree.listener(channel, publicKey, tree, env, transport, this::candidates, deliver);
        this.gossip.setObserver(this.tree::learn);
    }

    /** The channel's root: call {@link #publish} with each signed chunk. */
    public static ChannelPeer source(NodeId channel, byte[] publicKey, TreeConfig tree, GossipConfig gossip,
                                     Environment env, Transport transport, Directory directory, int uploadKbps) {
        return new ChannelPeer(channel, publicKey, tree, gossip, env, transport, directory, uploadKbps, c -> { }, true);
    }

    /** A listener (and relay, with slots) handing each verified chunk to {@code deliver}, in arrival order. */
    public static ChannelPeer listener(NodeId channel, byte[] publicKey, TreeConfig tree, GossipConfig gossip,
                                       Environment env, Transport transport, Directory directory, int uploadKbps,
                                       Consumer<Chunk> deliver) {
        return new ChannelPeer(channel, publicKey, tree, gossip, env, transport, directory, uploadKbps, deliver,
                false);
    }

    /**
     * Starts: the source announces itself; a listener joins gossip through one of the
     * {@code known} providers (or asks the directory for some) and looks for a parent.
     */
    public void start(List<ProviderInfo> known) {
        if (!source) {
            if (known.isEmpty()) {
                find();
            } else {
                lastFind = env.now();
                found(known);
            }
        }
        tick();
    }

    /** Leaves cleanly: parent, children and gossip neighbours are told; the announcement is withdrawn. */
    public void leave() {
        if (!running) {
            return;
        }
        running = false;
        tree.leave();
        gossip.leave();
        directory.withdraw(channel);
    }

    /**
     * At the source: the source role went to {@code newSource}; the children move there and
     * this node leaves the channel (gossip neighbours are told, the announcement withdrawn).
     */
    public void handOver(PeerState newSource) {
        if (!running) {
            return;
        }
        running = false;
        tree.handOver(newSource);
        gossip.leave();
        directory.withdraw(channel);
    }

    public NodeId channel() {
        return channel;
    }

    public ChannelTree tree() {
        return tree;
    }

    public ChannelGossip gossip() {
        return gossip;
    }

    /**
     * Whether peers can dial this node (its reachability check's answer; assumed until there is
     * one). One nobody can dial names its parent as its {@code via} in gossip and the directory,
     * and relays to children that reach it through that parent (connection reversal).
     */
    public void setDialable(boolean d) {
        dialable = d;
        tree.setDialable(d);
        shareState(); // before gossip's next message: one that says "dial me" would be believed
    }

    /** At the source: a new signed chunk of the live stream. */
    public void publish(Chunk c) {
        tree.publish(c);
    }

    /** A message for this channel (the owner routes by channel id; link heartbeats go to every channel). */
    public void onMessage(PeerAddress from, Message m) {
        if (!running) {
            return;
        }
        switch (m) {
            case GossipMessage g -> gossip.onMessage(from, g);
            case TreeMessage t -> {
                tree.onMessage(from, t);
                if (announced != null && announced.freeSlots() > 0 && tree.freeSlots() == 0) {
                    // just filled up: off the directory now, not at the next tick (a crowd keeps finding us)
                    announce(tree.receiving(), tree.depth(), 0, announced.via());
                }
            }
            case Chunk c -> tree.onChunk(from, c);
            case Head h -> tree.onHead(from, h);
            case StreamMessage.End e -> tree.onEnd(from, e);
            case DhtMessage _, LinkMessage _, SourceMessage _ -> { } // not a channel's: the node routes them elsewhere
        }
    }

    public void onLinkClosed(PeerAddress peer, String reason) {
        if (running) {
            gossip.onLinkClosed(peer, reason);
            tree.onLinkClosed(peer, reason);
        }
    }

    /**
     * Parent candidates: everyone gossip told us about, and the directory's providers while
     * that answer is fresh. It is a snapshot: kept for good, the source's four free slots at
     * the first seconds of a flash crowd drew re-balancing moves to it for minutes (nine in
     * ten of the refusals it sent).
     */
    private List<PeerState> candidates() {
        List<PeerState> out = gossip.knownPeers(); // a fresh list
        if (env.now() - providersAt <= PROVIDERS_FRESH_MILLIS) {
            out.addAll(providers);
        }
        return out;
    }

    /** How long a directory answer stays a source of parent candidates. */
    static final long PROVIDERS_FRESH_MILLIS = 10_000;

    private void find() {
        if (finding) {
            return;
        }
        finding = true;
        lastFind = env.now();
        directory.findProviders(channel, found -> {
            finding = false;
            if (running) {
                found(found);
            }
        });
    }

    private void found(List<ProviderInfo> found) {
        List<PeerState> ps = new ArrayList<>();
        for (ProviderInfo p : found) {
            if (p.address().id() != null && !p.address().id().equals(transport.localAddress().id())) {
                ps.add(PeerState.offering(p.address(), p.depth(), p.freeSlots(), 0, p.via()));
            }
        }
        providers = List.copyOf(ps);
        providersAt = env.now();
        // through a provider we can connect to: one nobody can dial takes only links it opens
        List<PeerState> contacts = providers.stream().filter(PeerState::dialable).toList();
        if (!gossipJoined && !contacts.isEmpty()) {
            gossipJoined = true;
            gossip.join(contacts.get(env.random().nextInt(contacts.size())).address());
        }
        tree.join();
    }

    /**
     * Once a second: tell gossip our tree state, tell children of free slots above them, keep
     * the announcement true.
     */
    private void tick() {
        if (!running) {
            return;
        }
        boolean on = tree.receiving();
        int depth = on ? tree.depth() : 0;
        int free = on ? tree.freeSlots() : 0;
        PeerAddress via = shareState();
        if (on && !source) {
            tree.shareRoom(gossip.self());
        }
        if (!source && !on && env.now() - lastFind >= REFIND_MILLIS) {
            // still no parent: the directory lists relays that have a free slot right now
            if (gossip.activeView().isEmpty()) {
                gossipJoined = false; // lost every neighbour (or never had one): join gossip again too
            }
            find();
        }
        announce(on, depth, free, via);
        env.schedule(TICK_MILLIS, this::tick);
    }

    /**
     * Tells gossip our tree state; returns our {@code via}: null if peers can dial us, else a
     * node that holds a tree link to us ({@link ChannelTree#via}), or our own address while there
     * is none (see {@link PeerState#via}).
     */
    private PeerAddress shareState() {
        boolean on = tree.receiving();
        PeerAddress via = dialable ? null : tree.via() != null ? tree.via() : transport.localAddress();
        // the source offers its slots only through the directory, whose answers are fresh: gossip
        // keeps old states for minutes, and each node holding one asked the full source in vain
        gossip.setLocalState(on ? tree.depth() : 0, source || !on ? 0 : tree.freeSlots(),
                on && !source ? tree.listenerChildren() : 0, uploadKbps, via);
        return via;
    }

    /**
     * Announced while receiving with a free relay slot, withdrawn when full; the source stays
     * announced, full or not (a node about to publish the channel asks the depth-0 providers
     * whether they publish it), but shows itself full at once, so newcomers ask the relays.
     * Changes are re-announced at most every {@link #REANNOUNCE_MILLIS}, filling up at once.
     */
    private void announce(boolean on, int depth, int free, PeerAddress via) {
        boolean want = on && (free > 0 || source);
        if (!want) {
            if (announced != null) {
                withdraw();
            }
            return;
        }
        ProviderInfo info = new ProviderInfo(transport.localAddress(), depth, free, via);
        boolean changed = announced == null || announced.depth() != info.depth()
                || (announced.freeSlots() > 0) != (info.freeSlots() > 0);
        boolean moved = announced != null && !java.util.Objects.equals(announced.via(), via); // stale at once
        boolean filled = announced != null && announced.freeSlots() > 0 && free == 0;
        if (announced == null || moved || filled || (changed && env.now() - announcedAt >= REANNOUNCE_MILLIS)) {
            directory.announce(channel, info);
            announced = info;
            announcedAt = env.now();
        }
    }

    private void withdraw() {
        directory.withdraw(channel);
        announced = null;
    }

    /** What this peer has announced to the directory, or null. */
    public ProviderInfo announced() {
        return announced;
    }
}
