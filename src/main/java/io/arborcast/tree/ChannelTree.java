package io.arborcast.tree;

import io.arborcast.core.Environment;
import io.arborcast.core.Lru;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.PeerState;
import io.arborcast.core.RateLimiter;
import io.arborcast.core.StreamMessage;
import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.core.StreamMessage.Head;
import io.arborcast.core.Transport;
import io.arborcast.core.TreeMessage;
import io.arborcast.stream.ChunkBuffer;
import io.arborcast.stream.Chunks;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One node's place in one channel's relay tree. A listener attaches to a parent with "resume
 * from seq", verifies every chunk before storing and forwarding it, feeds its children from
 * its window, and when its parent is lost attaches to its grandparent or a backup (the
 * shallower first), then any candidate, resuming at the first chunk it misses: nothing
 * skipped, nothing repeated. The source is the root. Sans-IO: inputs are method calls,
 * output goes through the transport.
 *
 * <p>This class dispatches between the two sides of that place, the chunk buffer and the
 * transport: {@link Upstream} (the parent: attaching, repair, moving up) and
 * {@link Downstream} (the children: admission, feeding, their keepalives), plus
 * {@link GapPull} (asking neighbours for what a repair would otherwise skip).
 */
public final class ChannelTree {
    /** Re-balancing is considered every this many keepalive periods. */
    private static final int REBALANCE_TICKS = 10;
    /** Subtree reports go up at most every this many keepalive periods, and only when changed. */
    private static final int REPORT_TICKS = 10;
    /** Reversals (see {@link #onAttachVia}) passed on or served per asking host per minute. */
    static final int REVERSALS_PER_MINUTE = 20;

    private final NodeId channel;
    private final byte[] publicKey;
    private final TreeConfig config;
    private final Environment env;
    private final Transport transport;
    private final Consumer<Chunk> deliver;
    private final boolean source;
    private ChunkVerifier verifier = Chunks::verify;
    private final ChunkBuffer buffer;
    private final TreeStats stats = new TreeStats();
    private final ParentCandidates candidates;
    private final GapPull pull;
    private final Upstream up;
    private final Downstream down;
    private final RateLimiter reversals = new RateLimiter(REVERSALS_PER_MINUTE, 1024);
    /** Reversals we passed to a child lately, by (child, asker): the PUNCHes we pass back. */
    private final Map<List<NodeId>, Passed> passed = Lru.map(256);

    private record Passed(PeerAddress asker, long at) {
    }

    /** Punches we served whose link has not shown yet whether it came up, by asker. */
    private final Map<NodeId, Long> punchesServed = Lru.map(256);
    /** Our hole punches as a relay: while they are paused, punch asks get a refusing PUNCH. */
    private final PunchStreak servedPunches = new PunchStreak();
    private int ticks;
    private boolean running = true;
    private Head head;
    private Consumer<Head> headListener = h -> { };
    private Consumer<StreamMessage.End> endListener = e -> { };
    /** When the source last showed it is alive: a chunk, or a growing beacon (see {@link #sourceSilentMillis}). */
    private long sourceHeardAt;

    private ChannelTree(NodeId channel, byte[] publicKey, TreeConfig config, Environment env, Transport transport,
                        Supplier<List<PeerState>> candidates, Consumer<Chunk> deliver, boolean source) {
        this.channel = channel;
        this.publicKey = publicKey.clone();
        this.config = config;
        this.env = env;
        this.transport = transport;
        this.deliver = deliver;
        this.source = source;
        this.sourceHeardAt = env.now();
        this.buffer = new ChunkBuffer(config.bufferChunks());
        Children children = new Children();
        this.candidates = new ParentCandidates(env, candidates, () -> transport.localAddress().id(),
                children::contains, config.maxRelays() > 0);
        ReplayBudget replays = new ReplayBudget(env, config.maxReplayPerMinute());
        this.pull = new GapPull(channel, env, transport, stats, config.keepaliveMillis(), replays);
        Upstream.Below below = new Upstream.Below() {
            @Override
            public void pathChanged(List<PeerAddress> ancestors) {
                down.pathChanged(ancestors);
            }

            @Override
            public void parentChanged() {
                down.parentChanged();
            }
        };
        this.up = new Upstream(source, channel, config, env, transport, this.candidates, buffer, stats, below);
        this.down = new Downstream(channel, config, env, transport, buffer, this.candidates, replays, stats, up,
                children);
        env.schedule(config.keepaliveMillis(), this::keepalive);
    }

    /** The root of the channel's tree: feeds its children the chunks given to {@link #publish}. */
    public static ChannelTree source(NodeId channel, byte[] publicKey, TreeConfig config, Environment env,
                                     Transport transport, Supplier<List<PeerState>> candidates) {
        return new ChannelTree(channel, publicKey, config, env, transport, candidates, c -> { }, true);
    }

    /**
     * A listener (and relay, if {@code config.maxRelays() > 0}) that hands every verified chunk to
     * {@code deliver} (its playout) and finds parents among {@code candidates}.
     */
    public static ChannelTree listener(NodeId channel, byte[] publicKey, TreeConfig config, Environment env,
                                       Transport transport, Supplier<List<PeerState>> candidates,
                                       Consumer<Chunk> deliver) {
        return new ChannelTree(channel, publicKey, config, env, transport, candidates, deliver, false);
    }

    /** How chunk signatures are checked: Ed25519 by default; a simulator may memoize per chunk. */
    public interface ChunkVerifier {
        boolean verify(byte[] publicKey, Chunk c);
    }

    /** Replaces the signature check (e.g. with a cache of already verified chunks). */
    public void setVerifier(ChunkVerifier v) {
        this.verifier = v;
    }

    /** Where this tree's events go (logs, say). */
    public void setEvents(TreeEvents e) {
        up.events = e;
        down.events = e;
    }

    // ---------------------------------------------------------------- state

    public NodeId channel() {
        return channel;
    }

    public TreeStats stats() {
        return stats;
    }

    public PeerAddress parent() {
        return up.parent();
    }

    /** Whether our parent was reached by a hole punch: nobody can dial it, nor reach us through it. */
    public boolean parentPunched() {
        return up.parentPunched();
    }

    /** The path to the source, parent first (empty at the source or while detached). */
    public List<PeerAddress> ancestors() {
        return up.ancestors();
    }

    /**
     * How far behind the source's clock a chunk cut at {@code timestamp} (its own) is now, or -1
     * while this node does not know the source's time yet (see {@link SourceClock}).
     */
    public long lagMillis(long timestamp) {
        return up.clock().lagMillis(timestamp, env.now());
    }

    /** The one-way delay from the source to us along the tree (the least lag a chunk can have here), or -1 while unknown. */
    public long pathMillis() {
        return up.clock().pathMillis();
    }

    /** Hops from the source: 0 at the source; -1 while not attached. */
    public int depth() {
        return up.depth();
    }

    /** True at the source and while attached to a parent. */
    public boolean receiving() {
        return up.receiving();
    }

    /** The peers a repair would ask first, best first (ranked now from the candidates known). */
    public List<PeerAddress> backups() {
        return up.backups().stream().map(PeerState::address).toList();
    }

    public List<PeerAddress> children() {
        return down.addresses();
    }

    /** Children that relay nothing: their slots go to relays that ask. */
    public int listenerChildren() {
        return down.listenerChildren();
    }

    public int freeSlots() {
        return down.freeSlots();
    }

    /** What this node's uplink carries as measured from what it sent, kbit/s; 0 while unknown (never seen full). */
    public int uplinkKbps() {
        return down.uplinkKbps();
    }

    /**
     * How many nodes are below us in the tree (at the source: the channel's audience, in nodes),
     * as our children's subtree reports tell it; reports go up every few keepalive periods, so
     * it lags a change by about that much per level.
     */
    public int nodesBelow() {
        return down.nodesBelow();
    }

    /**
     * The tree below this node as far as it knows it (its children and what they reported),
     * breadth-first, each entry with its parent's index (-1: a child of ours).
     */
    public List<TreeMessage.Subtree.Entry> subtree(int limit) {
        return down.subtree(limit);
    }

    public ChunkBuffer buffer() {
        return buffer;
    }

    /** The latest stream head, or null (a format without one). */
    public Head head() {
        return head;
    }

    /** {@code l} hears of each new stream head. */
    public void setHeadListener(Consumer<Head> l) {
        this.headListener = l;
    }

    // ---------------------------------------------------------------- the source

    /** At the source: the stream head (sent to every child before its first chunk). */
    public void publishHead(Head h) {
        requireSource();
        setHead(h);
    }

    /** At the source: a new signed chunk of the live stream. */
    public void publish(Chunk c) {
        requireSource();
        if (buffer.put(c)) {
            down.forward(c);
        }
    }

    private void requireSource() {
        if (!source) {
            throw new IllegalStateException("only the source publishes");
        }
    }

    private void setHead(Head h) {
        head = h;
        headListener.accept(h);
        down.forward(h);
    }

    // ---------------------------------------------------------------- joining, leaving, candidates

    /** Starts looking for a parent (a listener's first join). */
    public void join() {
        up.join();
    }

    /** Leaves the tree cleanly: parent and children are told at once. */
    public void leave() {
        running = false;
        up.leave();
        down.leave();
    }

    /**
     * At the source: another node took the source role over ({@code newSource}, depth 0). The
     * children are displaced there (a planned move: they keep playing from their buffers and
     * resume at the first chunk they miss, which the new source cuts next) and the tree stops.
     */
    public void handOver(PeerState newSource) {
        if (!source) {
            throw new IllegalStateException("only the source hands the channel over");
        }
        running = false;
        down.handOver(newSource);
    }

    /**
     * Whether peers can dial this node (its reachability check's answer; assumed until there is
     * one). A node nobody can dial says so in its ATTACHes, and asks no parent nobody can dial.
     */
    public void setDialable(boolean dialable) {
        candidates.setDialable(dialable);
    }

    /** A peer state seen by gossip (or told by our parent, see {@link #shareRoom}): kept as a parent candidate. */
    public void learn(PeerState s) {
        up.learn(s);
    }

    /**
     * Tells each child that has not heard it yet where the nearest free slots above it are:
     * ourselves ({@code self}, our gossip state) if we have one, then what our parent told us
     * (call periodically, e.g. with each gossip state update). Not while repairing, nor at the
     * source (it offers its slots through the directory only).
     */
    public void shareRoom(PeerState self) {
        if (!source && up.parent() != null) {
            down.shareRoom(self);
        }
    }

    // ---------------------------------------------------------------- every keepalive period

    private void keepalive() {
        if (!running) {
            return;
        }
        down.tick(source ? env.now() : up.beacon());
        up.tick();
        pull.expire();
        if (!source && buffer.highestSeq() >= 0) {
            pullGap();
        }
        if (++ticks % REBALANCE_TICKS == 0) {
            up.rebalance();
        }
        PeerAddress parent = up.parent();
        if (ticks % REPORT_TICKS == 0 && parent != null) {
            TreeMessage.Subtree report = down.report(channel, parent.id());
            if (report != null) {
                transport.send(parent, report);
            }
        }
        env.schedule(config.keepaliveMillis(), this::keepalive);
    }

    /**
     * Gap pull (swarming): while our parent is lost or feeding us nothing, ask gossip
     * neighbours for what follows the first chunk we miss; while it feeds us, ask them only for
     * a hole below the newest chunk that playout can still fill (a chunk lost with a parent
     * that a new parent no longer holds). Their answers are verified, played and forwarded to
     * our children like the parent's chunks, so a repair that takes longer than the playout
     * delay skips nothing as long as some neighbour has the chunks. Never asks the source
     * (depth 0): its upload is the channel's bottleneck; nor a peer nobody can dial, nor one whose
     * uplink carries less than a copy (it answers no pull).
     */
    private void pullGap() {
        long from = buffer.firstMissing(config.playoutDelayMillis());
        boolean fed = up.fedWithin(config.gapPullAfterMillis());
        if (fed && from > buffer.highestSeq()) {
            return;
        }
        List<PeerState> cs = candidates.newest();
        // (a peer nobody can dial is no use: a pull opens no reversal or punch, and the connect fails)
        cs.removeIf(st -> st.depth() == 0 || !st.dialable() || !candidates.eligible(st.address())
                || up.isParent(st.id()) || !down.couldServePulls(st));
        pull.ask(cs, from, fed ? buffer.missingFrom(from) : GapPull.MAX_CHUNKS);
    }

    // ---------------------------------------------------------------- incoming

    /** A tree message from a peer. */
    public void onMessage(PeerAddress from, TreeMessage m) {
        if (!running || from.id() == null) {
            return;
        }
        if (!punchesServed.isEmpty()) {
            servedPunchEnded(from.id(), true);
        }
        switch (m) {
            case TreeMessage.Attach a -> down.onAttach(from, a, head);
            case TreeMessage.AttachVia v -> onAttachVia(from, v);
            case TreeMessage.Punch p -> onPunch(from, p);
            case TreeMessage.Accept a -> up.onAccepted(from, a);
            case TreeMessage.Refuse r -> up.onRefused(from, r);
            case TreeMessage.Displace d -> up.onDisplaced(from, d);
            case TreeMessage.PathUpdate p -> up.onPathUpdate(from, p);
            case TreeMessage.Detach _ -> {
                if (!down.onGone(from, "detached")) {
                    up.onDetached(from);
                }
            }
            case TreeMessage.Keepalive k -> {
                down.onKeepalive(from);
                if (up.onKeepalive(from, k)) {
                    sourceHeardAt = env.now();
                }
            }
            case TreeMessage.Clock c -> { // a parent's "I do not know yet" reads as an ask, and no child of ours asks it
                if (!c.asks()) {
                    up.onClock(from, c);
                } else if (down.isChild(from.id())) { // a child asks the source's time: what we believe it is
                    long now = env.now();
                    transport.send(from, new TreeMessage.Clock(channel, c.askedAt(), up.clock().sourceNow(now),
                            up.clock().pathMillis()));
                }
            }
            case TreeMessage.Subtree t -> down.onSubtree(from, t);
            case TreeMessage.Room r -> {
                if (up.isParent(from.id())) {
                    down.roomFromParent(r).forEach(this::learn); // candidates for re-balancing
                }
            }
            case TreeMessage.Pull p -> {
                if (!down.servesPulls()) {
                    stats.pullsRefused++;
                } else {
                    pull.serve(from, p, buffer, down.known(from), down.uplinkRoom());
                }
            }
        }
    }

    /**
     * Connection reversal. For us, from our parent or a child (the nodes we name as our {@code
     * via}): an ATTACH from the asker it saw, answered over a link we open to it (or, if nobody
     * can dial the asker either, by a hole punch). For our parent or a child nobody can dial:
     * passed over that link, naming the asker where we see it. Anything else, and more than
     * {@link #REVERSALS_PER_MINUTE} from one asker's host, is dropped: nobody can make us, or a
     * peer we are the via of, dial an address of their choosing or dial in a loop.
     */
    private void onAttachVia(PeerAddress from, TreeMessage.AttachVia v) {
        boolean forUs = v.parent().id().equals(transport.localAddress().id());
        PeerAddress asker = forUs ? v.child() : from;
        boolean allowed = linkedInTree(forUs ? from.id() : v.parent().id())
                && !asker.id().equals(v.parent().id()) && reversals.allow(asker.host(), env.now());
        if (!allowed) {
            stats.reversalsRefused++;
        } else if (!forUs) {
            stats.reversalsPassed++;
            passed.put(List.of(v.parent().id(), asker.id()), new Passed(asker, env.now()));
            transport.send(treeLink(v.parent().id()), new TreeMessage.AttachVia(v.parent(), asker, v.attach()));
        } else if (v.attach().dialable()) {
            stats.reversalsServed++;
            down.onAttach(asker, v.attach(), head);
        } else { // the asker cannot be dialled either: a hole punch, if one is worth trying
            boolean dialing = up.receiving() && down.hasRoomFor(v.attach()) && !servedPunches.paused(env.now());
            transport.send(from, new TreeMessage.Punch(channel, transport.localAddress(), asker, dialing));
            if (!dialing) {
                stats.reversalsRefused++;
                return;
            }
            stats.punchesServed++;
            punchesServed.put(asker.id(), env.now());
            transport.punch(asker); // our answer waits for the link the punch opens
            down.onAttach(asker, v.attach(), head);
        }
    }

    /** Whether {@code id} is our parent or a child: a peer we hold a tree link with (the only ones we are a via for). */
    private boolean linkedInTree(NodeId id) {
        return up.isParent(id) || down.isChild(id);
    }

    /** The address of our parent or child {@code id}, or null if it is neither (see {@link #linkedInTree}). */
    public PeerAddress treeLink(NodeId id) {
        return up.isParent(id) ? up.parent() : down.isChild(id) ? down.address(id) : null;
    }

    /**
     * A node that can reach us over a tree link and can be dialled, for peers nobody can dial to
     * be reached through (our {@code via}; see {@link PeerState#via}): our parent, unless it is
     * the source (whose upload is the channel's bottleneck) or was reached by a hole punch (nobody
     * can dial it either); else a child peers can dial; else our parent if it is the source; else
     * null (nobody can reach us).
     */
    public PeerAddress via() {
        PeerAddress parent = up.parent();
        if (parent != null && !up.parentPunched() && up.depth() > 1) {
            return parent;
        }
        PeerAddress child = down.dialableChild();
        return child != null ? child : parent != null && !up.parentPunched() ? parent : null;
    }

    /**
     * What came of a punch we served to {@code peer}: the link came up (it sent something) or
     * closed first. Failures in a row ({@link PunchStreak}) make us answer punch asks with a
     * refusal for a while, so askers go elsewhere at once.
     */
    private void servedPunchEnded(NodeId peer, boolean linked) {
        if (punchesServed.remove(peer) == null) {
            return;
        }
        if (linked) {
            servedPunches.succeeded();
        } else {
            servedPunches.failed(env.now());
        }
    }

    /**
     * Hole punching: a PUNCH from our parent or a child, for an asker whose reversal we passed it within
     * the ATTACH timeout, goes on to that asker where we saw it; one for us goes to our own side
     * of the tree, which dials only a parent it asked through the node it came from.
     */
    private void onPunch(PeerAddress from, TreeMessage.Punch p) {
        if (p.child().id().equals(transport.localAddress().id())) {
            up.onPunch(from, p);
            return;
        }
        Passed pass = p.parent().id().equals(from.id()) && linkedInTree(from.id())
                ? passed.remove(List.of(from.id(), p.child().id())) : null;
        if (pass == null || env.now() - pass.at() > config.attachTimeoutMillis()) {
            stats.reversalsRefused++;
            return;
        }
        stats.punchesPassed++;
        transport.send(pass.asker(), new TreeMessage.Punch(channel, from, pass.asker(), p.dialing()));
    }

    /** The stream head from the parent: verified, kept, passed on to our children. */
    public void onHead(PeerAddress from, Head h) {
        if (!running || source || !up.isParent(from.id()) || (head != null && h.version() <= head.version())) {
            return;
        }
        if (!Chunks.verify(publicKey, h)) {
            up.faultyParent("forged stream head");
            return;
        }
        setHead(h);
    }

    /**
     * The end of the stream from the parent: verified, passed on to our children, then the
     * end listener is told (the owner leaves the channel once the chunks before it have played).
     * One naming a seq we already hold chunks from is an old one replayed, and ignored.
     */
    public void onEnd(PeerAddress from, StreamMessage.End e) {
        if (!running || source || !up.isParent(from.id()) || e.nextSeq() <= buffer.highestSeq()) {
            return;
        }
        if (!Chunks.verify(publicKey, e)) {
            up.faultyParent("forged end of stream");
            return;
        }
        publishEnd(e);
    }

    /** Sends the end of the stream to every child and tells the end listener (at the source: it stops cleanly). */
    public void publishEnd(StreamMessage.End e) {
        for (PeerAddress c : down.addresses()) {
            transport.send(c, e);
        }
        endListener.accept(e);
    }

    /** Called with the end of the stream once it has arrived (and been passed on). */
    public void setEndListener(Consumer<StreamMessage.End> l) {
        this.endListener = l;
    }

    /**
     * How long ago the source last showed it is alive here (a chunk, or a keepalive whose beacon
     * grew); 0 at the source. A channel whose source left without a word ends on this.
     */
    public long sourceSilentMillis() {
        return source ? 0 : env.now() - sourceHeardAt;
    }

    /**
     * A chunk from a peer: taken from the parent, from a neighbour we asked for a gap pull
     * lately, or from the parent we just moved away from, and only if the channel key signed it.
     */
    public void onChunk(PeerAddress from, Chunk c) {
        if (!running || source || from.id() == null) {
            return;
        }
        if (!up.isParent(from.id())) {
            onPulledChunk(from, c);
            return;
        }
        if (!verifier.verify(publicKey, c)) {
            up.faultyParent("forged or corrupted chunk");
            return;
        }
        stats.chunksReceived++;
        stats.bytesReceived += c.payload().length;
        sourceHeardAt = env.now();
        up.chunkFromParent();
        if (buffer.put(c)) {
            deliver.accept(c);
            down.forward(c);
        }
    }

    private void onPulledChunk(PeerAddress from, Chunk c) {
        if (!pull.answers(from) && !up.justLeft(from.id())) {
            stats.unaskedChunks++;
            return;
        }
        if (buffer.get(c.seq()) != null) {
            return;
        }
        if (!verifier.verify(publicKey, c)) {
            stats.badChunks++;
            pull.distrust(from);
            return;
        }
        if (buffer.put(c)) {
            sourceHeardAt = env.now();
            stats.chunksPulled++;
            stats.bytesReceived += c.payload().length;
            deliver.accept(c);
            down.forward(c);
        }
    }

    /** The link to {@code peer} closed: a lost parent is repaired, a lost child forgotten. */
    public void onLinkClosed(PeerAddress peer, String reason) {
        if (peer.id() != null) {
            servedPunchEnded(peer.id(), false);
            down.onGone(peer, "link closed: " + reason);
            up.onLinkClosed(peer, reason);
        }
    }
}
