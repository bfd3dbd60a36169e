package io.arborcast.tree;

import io.arborcast.core.Cancellable;
import io.arborcast.core.Environment;
import io.arborcast.core.Message;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.PeerState;
import io.arborcast.core.StreamMessage.Chunk;
import io.arborcast.core.StreamMessage.Head;
import io.arborcast.core.Transport;
import io.arborcast.core.TreeMessage;
import io.arborcast.stream.ChunkBuffer;
import io.arborcast.stream.Chunks;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.LongStream;

/**
 * One node's place in one channel's relay tree. A listener attaches to a parent with "resume
 * from seq", verifies every chunk before storing and forwarding it, feeds its children from
 * its window, and when its parent is lost attaches to its grandparent or a backup (the
 * shallower first), then any candidate, resuming where it stopped: nothing skipped, nothing
 * repeated. The source is the root. Sans-IO: inputs are method calls, output goes through
 * the transport.
 */
public final class ChannelTree {
    private final NodeId channel;
    private final byte[] publicKey;
    private final TreeConfig config;
    private final Environment env;
    private final Transport transport;
    private final Consumer<Chunk> deliver;
    private final boolean source;
    private ChunkVerifier verifier = Chunks::verify;
    private final ChunkBuffer buffer;
    private final Children children = new Children();
    private final TreeStats stats = new TreeStats();
    private final SubtreeView subtree = new SubtreeView();
    private final RoomAbove room = new RoomAbove();
    private final ParentCandidates candidates;
    private final GapPull pull;
    private final ReplayBudget replays;
    private final Deque<PeerAddress> redirects = new ArrayDeque<>();
    private List<PeerAddress> ancestors = List.of();
    /** Backup parents, best first, in the states they were ranked by. */
    private List<PeerState> backups = List.of();
    private PeerAddress parent;
    /**
     * ATTACHes awaiting an answer, oldest first: one, or during a repair up to
     * {@link #MAX_ATTEMPTS} when the newest stayed unanswered for {@link #HEDGE_MILLIS} (a
     * crashed candidate costs that, not the whole attach timeout; whichever accepts first is
     * taken, a later accept is detached).
     */
    private final Map<NodeId, Attempt> attempts = new LinkedHashMap<>(4);
    private record Attempt(long sentAt, Cancellable timeout) {
    }
    /** An ATTACH unanswered this long during a repair: ask the next candidate too. */
    static final long HEDGE_MILLIS = 750;
    /** At most this many ATTACHes out at once during a repair. */
    private static final int MAX_ATTEMPTS = 3;
    /**
     * ATTACHes sent in any one second, at most: an orphan whose candidates all fail at once (dead
     * addresses, connects refused) waits instead of asking 100-150 times a second, as one did
     * when every address it knew was unreachable.
     */
    static final int MAX_ATTACHES_PER_SECOND = 5;
    private final long[] recentAttaches = LongStream.generate(() -> Long.MIN_VALUE / 2)
            .limit(MAX_ATTACHES_PER_SECOND).toArray();
    private int nextAttachSlot;
    private Cancellable retryTimer;
    private Cancellable rateTimer;
    private int emptyRounds;
    private long lostAt = -1;
    private long lastFromParent;
    private long lastChunkFromParent;
    private long lastMoveAt;
    private int ticks;
    private boolean moving;
    private int moveHops;
    private boolean running = true;
    private boolean joined;
    /** The latest source beacon heard from the parent (see {@link #onKeepalive}). */
    private long beacon = -1;
    private Head head;
    private Consumer<Head> headListener = h -> { };
    private TreeEvents events = new TreeEvents() { };

    private ChannelTree(NodeId channel, byte[] publicKey, TreeConfig config, Environment env, Transport transport,
                        Supplier<List<PeerState>> candidates, Consumer<Chunk> deliver, boolean source) {
        this.channel = channel;
        this.publicKey = publicKey.clone();
        this.config = config;
        this.env = env;
        this.transport = transport;
        this.candidates = new ParentCandidates(env, candidates, this::self, children::contains,
                config.maxRelays() > 0);
        this.deliver = deliver;
        this.source = source;
        this.buffer = new ChunkBuffer(config.bufferChunks());
        this.replays = new ReplayBudget(env, config.maxReplayPerMinute());
        this.pull = new GapPull(channel, env, transport, stats, config.keepaliveMillis(), replays);
        env.schedule(config.keepaliveMillis(), this::keepalive);
    }

    /**
     * Every keepalive period: heartbeats to children that got nothing lately, and a parent
     * silent for too long (crashed, or the path to it broke) is treated as lost.
     */
    private void keepalive() {
        if (!running) {
            return;
        }
        long now = env.now();
        long sourceBeat = source ? now : beacon;
        List<PeerAddress> silent = new ArrayList<>();
        for (Children.Child c : children.all()) {
            if (now - c.lastHeard() > config.parentSilenceMillis()) {
                silent.add(c.address());
            } else if (now - c.lastSent() >= config.keepaliveMillis()) {
                send(c.address(), new TreeMessage.Keepalive(channel, sourceBeat));
            }
        }
        for (PeerAddress c : silent) {
            // a child that crashed: its slot is free for an orphan now, not when TCP gives up
            stats.childrenLost++;
            dropChild(c.id());
            events.childLost(c, "silent for over " + config.parentSilenceMillis() + " ms");
            // this channel only: the link may carry other channels (and gossip) with that peer
            transport.send(c, new TreeMessage.Detach(channel));
        }
        if (parent != null) {
            transport.send(parent, new TreeMessage.Keepalive(channel, -1)); // "still here": keeps our slot
        }
        if (parent != null && now - lastFromParent > config.parentSilenceMillis()) {
            parentLost("silent for " + (now - lastFromParent) + " ms", true);
        } else if (parent != null && now - lastChunkFromParent > starveMillis()) {
            // alive but feeding nothing: it lost its own feed, or a stale path made a cycle
            parentLost("no chunk for " + (now - lastChunkFromParent) + " ms", true);
        }
        pull.expire();
        if (!source && buffer.highestSeq() >= 0
                && (parent == null || now - lastChunkFromParent > GapPull.AFTER_MILLIS)) {
            pullGap();
        }
        if (++ticks % REBALANCE_TICKS == 0) {
            rebalance();
        }
        if (ticks % REPORT_TICKS == 0 && parent != null) {
            List<TreeMessage.Subtree.Entry> report = subtree.reportFor(parent.id(), children.addresses());
            if (report != null) {
                transport.send(parent, new TreeMessage.Subtree(channel, report));
            }
        }
        env.schedule(config.keepaliveMillis(), this::keepalive);
    }

    private static final int REBALANCE_TICKS = 10;
    /** Subtree reports go up at most every this many keepalive periods, and only when changed. */
    private static final int REPORT_TICKS = 10;

    /** A parent that sends heartbeats but no chunk for this long is starving us. */
    private long starveMillis() {
        return config.playoutDelayMillis() + 2_000;
    }
    private static final long MIN_MOVE_INTERVAL = 15_000;
    private static final long BIG_MOVE_INTERVAL = 5_000;
    private static final int BIG_GAIN = 3;

    /**
     * Gap pull (swarming): while our parent is lost or feeding us nothing, ask gossip
     * neighbours for what follows our highest seq. Their answers are verified, played and
     * forwarded to our children like the parent's chunks, so a repair that takes longer than
     * the playout delay skips nothing as long as some neighbour has the chunks. Never asks the
     * source (depth 0): its upload is the channel's bottleneck.
     */
    private void pullGap() {
        List<PeerState> cs = candidates.newest();
        cs.removeIf(st -> st.depth() == 0 || !candidates.eligible(st.address())
                || (parent != null && st.id().equals(parent.id())));
        pull.ask(cs, buffer.highestSeq() + 1);
    }

    /**
     * Re-balancing, slowly and without oscillation: never while repairing, only to a parent that
     * makes us shallower; a big gain (three levels or more, as after a repair that had to take
     * a deep parent) every 5 s at most, a small one every 15 s. A node only ever moves up, and
     * its subtree with it, so moves cannot cycle.
     */
    private void rebalance() {
        long sinceMove = env.now() - lastMoveAt;
        if (source || parent == null || !attempts.isEmpty() || sinceMove < BIG_MOVE_INTERVAL
                || env.now() - lastFromParent > 2 * config.keepaliveMillis()) {
            return; // (a parent gone quiet is about to be repaired, not moved away from)
        }
        int myDepth = depth();
        int minGain = sinceMove >= MIN_MOVE_INTERVAL ? 1 : BIG_GAIN;
        List<PeerState> better = candidates.ranked(SPREAD, candidates::usable, parent);
        // the source only for a slot it has free: its upload is the channel's bottleneck, and
        // every relay below it would otherwise keep asking it to displace a listener
        better.removeIf(c -> (c.depth() == 0 && c.freeSlots() == 0) || c.depth() + 1 > myDepth - minGain);
        if (!better.isEmpty()) {
            // one of the best few at random: deep nodes that all chose the single shallowest
            // candidate would all be refused but one
            lastMoveAt = env.now();
            moving = true;
            moveHops = 0;
            attachTo(better.get(env.random().nextInt(better.size())).address());
        }
    }

    /** A move refused may follow this many redirects that are still shallower than we are. */
    private static final int MOVE_HOPS = 2;

    /** A peer state seen by gossip (or told by our parent, see {@link #shareRoom}): kept as a parent candidate. */
    public void learn(PeerState s) {
        if (!candidates.hear(s)) {
            return;
        }
        if (joined && parent == null && attempts.isEmpty() && running && s.slotsFor(relay()) > 0
                && candidates.usable(s.address())) {
            tryNext(); // waiting for a candidate: this one may do, no need to wait for the retry timer
        }
    }

    /**
     * A keepalive of this channel: from a child it keeps the child's slot; from our parent it proves the
     * parent alive. Its value is then the source's
     * beacon (the source's clock, passed down by every relay): while it grows, the path to the
     * source is whole and a silence is the source pausing, not our parent starving us. In a
     * cycle cut off from the source it stops growing, and the starvation rule breaks the cycle.
     */
    private void onKeepalive(PeerAddress from, TreeMessage.Keepalive h) {
        long resume = from.id() == null ? -1 : children.heard(from.id(), env.now());
        if (resume >= 0) { // established: what it missed while on probation, then the live stream
            for (Chunk c : buffer.from(resume)) {
                send(from, c);
            }
        }
        if (parent != null && parent.id().equals(from.id())) {
            lastFromParent = env.now();
            if (h.beacon() > beacon) {
                beacon = h.beacon();
                lastChunkFromParent = env.now();
            }
        }
    }

    private void send(PeerAddress child, Message m) {
        children.sent(child.id(), env.now());
        transport.send(child, m);
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

    // ---------------------------------------------------------------- state

    public NodeId channel() {
        return channel;
    }

    public TreeStats stats() {
        return stats;
    }

    public PeerAddress parent() {
        return parent;
    }

    /** The path to the source, parent first (empty at the source or while detached). */
    public List<PeerAddress> ancestors() {
        return ancestors;
    }

    /** Hops from the source: 0 at the source; -1 while not attached. */
    public int depth() {
        return source ? 0 : parent == null ? -1 : ancestors.size();
    }

    /** Children that relay nothing: their slots go to relays that ask (see {@link #displaceListener}). */
    public int listenerChildren() {
        int n = 0;
        for (Children.Child c : children.all()) {
            if (c.slots() == 0) {
                n++;
            }
        }
        return n;
    }

    /** A child of ours that relays nothing (it asked with 0 relay slots). */
    private boolean isListener(NodeId child) {
        Children.Child c = children.get(child);
        return c == null || c.slots() == 0;
    }

    /** The depth of our children. */
    private int childDepth() {
        return Math.max(0, depth()) + 1;
    }

    /** Whether we can relay, so full parents with listener children are candidates for us too. */
    private boolean relay() {
        return config.maxRelays() > 0;
    }

    public int freeSlots() {
        return Math.max(0, config.maxRelays() - children.size());
    }

    public List<PeerAddress> children() {
        return children.addresses();
    }

    /**
     * The tree below this node as far as it knows it (its children and what they reported),
     * breadth-first, each entry with its parent's index (-1: a child of ours).
     */
    public List<TreeMessage.Subtree.Entry> subtree(int limit) {
        return subtree.below(children.addresses(), limit);
    }

    public List<PeerAddress> backups() {
        return backups.stream().map(PeerState::address).toList();
    }

    /** True at the source and while attached to a parent. */
    public boolean receiving() {
        return source || parent != null;
    }

    public ChunkBuffer buffer() {
        return buffer;
    }

    private NodeId self() {
        return transport.localAddress().id();
    }

    // ---------------------------------------------------------------- source

    /** At the source: the stream head (sent to every child before its first chunk). */
    public void publishHead(Head h) {
        if (!source) {
            throw new IllegalStateException("only the source publishes");
        }
        setHead(h);
    }

    /** The stream head from the parent: verified, kept, passed on to our children. */
    public void onHead(PeerAddress from, Head h) {
        if (!running || source || parent == null || !parent.id().equals(from.id())
                || (head != null && h.version() <= head.version())) {
            return;
        }
        if (!Chunks.verify(publicKey, h)) {
            stats.badChunks++;
            stats.faultyParents++;
            candidates.faulty(from.id());
            parentLost("forged stream head", true); // (which says Detach)
            return;
        }
        setHead(h);
    }

    private void setHead(Head h) {
        head = h;
        headListener.accept(h);
        for (PeerAddress c : children.addresses()) {
            send(c, h);
        }
    }

    /** {@code l} hears of each new stream head. */
    public void setHeadListener(Consumer<Head> l) {
        this.headListener = l;
    }

    /** The latest stream head, or null (a format without one). */
    public Head head() {
        return head;
    }

    /** At the source: a new signed chunk of the live stream. */
    public void publish(Chunk c) {
        if (!source) {
            throw new IllegalStateException("only the source publishes");
        }
        if (buffer.put(c)) {
            forward(c);
        }
    }

    // ---------------------------------------------------------------- joining and repair

    /** Where this tree's events go (logs, say). */
    public void setEvents(TreeEvents e) {
        events = e;
    }

    /** Starts looking for a parent (a listener's first join). */
    public void join() {
        joined = true;
        if (!source && parent == null && attempts.isEmpty()) {
            tryNext();
        }
    }

    /** Leaves the tree cleanly: parent and children are told at once. */
    public void leave() {
        running = false;
        if (parent != null) {
            transport.send(parent, new TreeMessage.Detach(channel));
        }
        for (PeerAddress c : children.addresses()) {
            transport.send(c, new TreeMessage.Detach(channel));
        }
        children.clear();
        parent = null;
    }

    private void tryNext() {
        if (!running || parent != null || !mayAttempt() || overAttachRate()) {
            return;
        }
        PeerAddress next = nextCandidate();
        if (next == null && !attempts.isEmpty()) {
            return; // nobody to hedge with: the ATTACH out answers or times out
        }
        if (next == null) {
            candidates.newRound();
            if (retryTimer == null) { // one pending retry; soon at first (a crowd's redirects fill up fast)
                long wait = Math.min(config.retryMillis(), FIRST_RETRY_MILLIS << Math.min(emptyRounds++, 8));
                retryTimer = env.schedule(wait, () -> {
                    retryTimer = null;
                    tryNext();
                });
            }
            return;
        }
        candidates.tried(next.id());
        attachTo(next);
    }

    /** True (and a retry due) while {@link #MAX_ATTACHES_PER_SECOND} went out in the last second. */
    private boolean overAttachRate() {
        long wait = recentAttaches[nextAttachSlot] + 1000 - env.now();
        if (wait <= 0) {
            return false;
        }
        if (rateTimer == null) {
            rateTimer = env.schedule(wait, () -> {
                rateTimer = null;
                tryNext();
            });
        }
        return true;
    }

    /** A move waits for its one ATTACH; a repair may hedge unanswered ones with another. */
    private boolean mayAttempt() {
        if (attempts.isEmpty()) {
            return true;
        }
        long newest = Long.MIN_VALUE;
        for (Attempt a : attempts.values()) {
            newest = Math.max(newest, a.sentAt());
        }
        return !moving && attempts.size() < MAX_ATTEMPTS && env.now() - newest >= HEDGE_MILLIS;
    }

    private void attachTo(PeerAddress next) {
        stats.attachesSent++;
        recentAttaches[nextAttachSlot] = env.now();
        nextAttachSlot = (nextAttachSlot + 1) % MAX_ATTACHES_PER_SECOND;
        long resume = buffer.highestSeq() >= 0 ? buffer.highestSeq() + 1 : -1;
        events.asking(next, resume);
        transport.send(next, new TreeMessage.Attach(channel, resume, config.maxRelays()));
        Cancellable timeout = env.schedule(config.attachTimeoutMillis(), () -> {
            if (attempts.remove(next.id()) != null) {
                candidates.silent(next.id());
                if (attempts.isEmpty()) {
                    moving = false;
                }
                tryNext();
            }
        });
        attempts.put(next.id(), new Attempt(env.now(), timeout));
        if (!moving) {
            env.schedule(HEDGE_MILLIS, this::tryNext);
        }
    }

    /** Forgets the ATTACH to {@code peer}; false if none was out. */
    private boolean endAttempt(NodeId peer) {
        Attempt a = attempts.remove(peer);
        if (a == null) {
            return false;
        }
        a.timeout().cancel();
        return true;
    }

    /**
     * Repair order: redirects just received, the source if it is the grandparent, the
     * grandparent if it is no deeper than the best backup, backups, the grandparent, then the
     * best other candidates.
     */
    private PeerAddress nextCandidate() {
        while (!redirects.isEmpty()) {
            PeerAddress r = redirects.poll();
            if (candidates.usable(r)) {
                return r;
            }
        }
        // the source as grandparent comes before backups: gossip always shows it full (it offers
        // its slots only through the directory), and its child's orphans are who should refill it
        if (ancestors.size() == 2 && candidates.usable(ancestors.get(1))) {
            return ancestors.get(1);
        }
        // in a repair, a grandparent no deeper than the best backup first: there (or at the lost
        // parent's sibling a full grandparent redirects to) our subtree sinks no deeper. Orphans
        // that took their shallowest backup, a level or more below, made the deep chains of churn
        int grandparentDepth = ancestors.size() - 2;
        boolean noDeeperThanBackups = backups.isEmpty() || grandparentDepth <= backups.get(0).depth();
        if (lostAt >= 0 && grandparentDepth >= 0 && noDeeperThanBackups && candidates.usable(ancestors.get(1))) {
            return ancestors.get(1);
        }
        for (PeerState b : backups) {
            if (candidates.usable(b.address())) {
                return b.address();
            }
        }
        for (PeerAddress a : ancestors) { // grandparent first (the lost parent failed already)
            if (candidates.usable(a)) {
                return a;
            }
        }
        // one of the best few, at random: joiners that all chose the single shallowest peer from
        // the same gossip would all be refused by it but the first
        List<PeerState> best = candidates.ranked(SPREAD, candidates::usable, parent);
        if (best.isEmpty()) { // nobody else: a peer that was silent may have been cut off for a moment
            best = candidates.ranked(SPREAD, candidates::untried, parent);
        }
        return best.isEmpty() ? null : best.get(env.random().nextInt(best.size())).address();
    }

    /** The first retry after running out of candidates; doubling up to the configured retry interval. */
    private static final long FIRST_RETRY_MILLIS = 200;

    /** A fresh candidate is drawn at random from this many of the best ranked. */
    private static final int SPREAD = 3;

    /**
     * Tells each child that has not heard it yet where the nearest free slots above it are:
     * ourselves ({@code self}, our gossip state) if we have one, then what our parent told us
     * (call periodically, e.g. with each gossip state update). Not while repairing, nor at the
     * source (it offers its slots through the directory only).
     */
    public void shareRoom(PeerState self) {
        if (source || parent == null) {
            return;
        }
        List<PeerState> above = room.share(self);
        for (Children.Child c : children.all()) {
            if (!c.onProbation() && room.tell(c.id())) {
                transport.send(c.address(), new TreeMessage.Room(channel, above));
            }
        }
    }

    /** Re-ranks the backup parents from the current candidates (call periodically, e.g. on gossip rounds). */
    public void refreshBackups() {
        backups = List.copyOf(candidates.ranked(config.backups(), candidates::eligible, parent));
    }

    /** The parent is gone (why); {@code tellIt}: say Detach in this channel (not when the link or the parent ended it). */
    private void parentLost(String why, boolean tellIt) {
        if (parent == null) {
            return;
        }
        stats.parentLosses++;
        PeerAddress lost = parent;
        events.parentLost(lost, why);
        parent = null;
        lostAt = env.now();
        candidates.newRound();
        candidates.tried(lost.id());
        moving = false; // a move under way becomes the repair (and may be hedged, as any)
        if (tellIt) { // in this channel only: the link may carry other channels (and gossip) with that peer
            transport.send(lost, new TreeMessage.Detach(channel));
        }
        if (!attempts.isEmpty()) {
            env.schedule(HEDGE_MILLIS, this::tryNext);
        }
        tryNext();
    }

    // ---------------------------------------------------------------- incoming

    /** A tree message from a peer. */
    public void onMessage(PeerAddress from, TreeMessage m) {
        if (!running || from.id() == null) {
            return;
        }
        if (m instanceof TreeMessage.Attach a) {
            onAttach(from, a);
        } else if (m instanceof TreeMessage.Accept a) {
            onAccept(from, a);
        } else if (m instanceof TreeMessage.Refuse r) {
            onRefuse(from, r);
        } else if (m instanceof TreeMessage.Detach) {
            if (dropChild(from.id())) {
                events.childLost(from, "detached");
            } else if (parent != null && parent.id().equals(from.id())) {
                parentLost("parent detached", false);
            }
        } else if (m instanceof TreeMessage.PathUpdate p) {
            if (parent != null && parent.id().equals(from.id())) {
                setPath(p.ancestors());
            }
        } else if (m instanceof TreeMessage.Pull p) {
            pull.serve(from, p, buffer, known(from));
        } else if (m instanceof TreeMessage.Displace d) {
            onDisplaced(from, d);
        } else if (m instanceof TreeMessage.Subtree t && children.contains(from.id())) {
            subtree.onReport(from.id(), t.entries());
        } else if (m instanceof TreeMessage.Keepalive k) {
            onKeepalive(from, k);
        } else if (m instanceof TreeMessage.Room r && parent != null && parent.id().equals(from.id())) {
            room.fromParent(r.above(), depth()).forEach(this::learn); // candidates for re-balancing
        }
    }

    private void onAttach(PeerAddress from, TreeMessage.Attach a) {
        boolean knownAsker = known(from);
        String refusal = null;
        if (!receiving()) {
            refusal = "not receiving the channel";
        } else if (ancestors.stream().anyMatch(x -> x.id().equals(from.id()))) {
            refusal = "would form a loop: you are above me";
        } else if (ancestors.size() + 1 >= TreeMessage.MAX_PATH) {
            refusal = "tree too deep here";
        } else if (!children.contains(from.id()) && children.size() >= config.maxRelays()
                && !displaceSilentNewcomer(from)
                && !(a.relaySlots() > 0 && displaceListener(from, a.relaySlots()))) {
            refusal = config.maxRelays() == 0 ? "not a relay" : "no free relay slot";
        }
        List<PeerState> elsewhere = null;
        if (refusal == null && source && a.relaySlots() == 0 && !children.contains(from.id())) {
            // the source feeds relays first: a pure listener goes below a relay when one has room
            elsewhere = alternatives(from, false);
            refusal = elsewhere.isEmpty() ? null : "the source feeds relays first";
        }
        if (refusal != null) {
            stats.refusalsSent++;
            transport.send(from, new TreeMessage.Refuse(channel, refusal,
                    elsewhere != null ? elsewhere : alternatives(from, a.relaySlots() > 0)));
            return;
        }
        if (children.admit(from, a.relaySlots(), env.now())) {
            events.childAdded(from);
        }
        List<PeerAddress> path = new ArrayList<>();
        path.add(transport.localAddress());
        path.addAll(ancestors);
        transport.send(from, new TreeMessage.Accept(channel, path));
        if (head != null) {
            send(from, head);
        }
        long start = a.resumeSeq() >= 0 ? a.resumeSeq() : Math.max(0, buffer.highestSeq() - config.prerollChunks());
        List<Chunk> replay = buffer.from(start);
        int n = replays.grantReplay(from.id(), replay.size(), knownAsker);
        for (Chunk c : replay.subList(0, n)) {
            send(from, c);
        }
        // live chunks from here on; what the budget cut off it must pull from neighbours
        children.probation(from.id(), buffer.highestSeq() + 1, env.now());
    }

    /**
     * Full, and a relay asks: a child that relays nothing gives its slot to the relay and is sent
     * below it (capacity moves up, so the tree stays shallow; PeerCast's full relays could only
     * refuse). Only pure listeners are displaced: they carry no subtree, and they never displace
     * anyone in turn, so nothing oscillates. False if no child can be displaced.
     */
    private boolean displaceListener(PeerAddress relay, int relaySlots) {
        PeerAddress leaf = null;
        for (Children.Child c : children.all()) {
            if (c.slots() == 0) {
                leaf = c.address();
                break;
            }
        }
        if (leaf == null) {
            return false;
        }
        List<PeerState> alternatives = new ArrayList<>();
        alternatives.add(new PeerState(relay, childDepth(), relaySlots, 0, 0, 0, 0));
        alternatives.addAll(alternatives(leaf, false));
        dropChild(leaf.id());
        stats.displacedOthers++;
        events.childLost(leaf, "displaced by relay " + relay);
        transport.send(leaf, new TreeMessage.Displace(channel, bounded(alternatives)));
        return true;
    }

    /**
     * Full, and someone asks: a child that has not sent a single heartbeat in the two keepalive
     * periods since we accepted it (an honest child sends one every period) gives its slot up.
     * So a peer that floods ATTACHes without running the protocol holds a slot for a second at
     * most and cannot keep honest listeners out. The newcomer is told where else to go.
     */
    private boolean displaceSilentNewcomer(PeerAddress asker) {
        long now = env.now();
        for (Children.Child c : children.all()) {
            if (c.onProbation() && now - c.probationSince() >= 2 * config.keepaliveMillis()) {
                PeerAddress silent = c.address(); // the oldest such newcomer
                dropChild(silent.id());
                stats.displacedOthers++;
                events.childLost(silent, "silent since accepted; slot given to " + asker);
                transport.send(silent, new TreeMessage.Displace(channel, bounded(alternatives(silent, false))));
                return true;
            }
        }
        return false;
    }

    /**
     * A peer we know: our parent, an established child (one that has sent a heartbeat), or one
     * gossip or the directory told us of. Anyone else gets a stranger's replay budget.
     */
    private boolean known(PeerAddress p) {
        Children.Child c = children.get(p.id());
        if (c != null && !c.onProbation()) {
            return true;
        }
        if (parent != null && parent.id().equals(p.id())) {
            return true;
        }
        return candidates.offers(p.id());
    }

    private static List<PeerState> bounded(List<PeerState> l) {
        return l.size() > ALTERNATIVES ? l.subList(0, ALTERNATIVES) : l;
    }

    /** Our parent gave our slot to a relay: re-attach at once, first below that relay. */
    private void onDisplaced(PeerAddress from, TreeMessage.Displace d) {
        if (parent == null || !parent.id().equals(from.id())) {
            return;
        }
        stats.displaced++;
        events.parentLost(from, "slot given to a relay");
        parent = null;
        candidates.newRound();
        candidates.tried(from.id());
        redirectTo(d.alternatives()); // not a failure: no repair is counted; buffer and gap pull bridge the move
    }

    /**
     * Peers to redirect a refused asker to: with a free slot, among the shallowest known, in
     * random order, so a crowd refused at once spreads over them instead of all trying the same.
     */
    private List<PeerState> alternatives(PeerAddress asker, boolean askerRelays) {
        List<PeerState> known = candidates.newest();
        Map<NodeId, PeerState> byId = new HashMap<>();
        known.forEach(st -> byId.put(st.id(), st));
        // our own children first, as PeerCast's full relays did: one level below us, fed right now
        List<PeerState> out = new ArrayList<>();
        for (Children.Child c : children.all()) {
            PeerState st = byId.get(c.id());
            if (st != null && st.depth() != childDepth()) {
                st = null; // gossip from before it was our child (it just joined): it has all its slots
            }
            int capacity = c.slots();
            if (!c.id().equals(asker.id()) && capacity > 0 && (st == null || st.slotsFor(askerRelays) > 0)) {
                out.add(new PeerState(c.address(), childDepth(), st == null ? capacity : st.freeSlots(),
                        st == null ? 0 : st.listenerChildren(), 0, 0, 0));
            }
        }
        java.util.Collections.shuffle(out, env.random());
        if (source) {
            // the source's upload is the channel's bottleneck: its refusals name its children only
            // (the best next step anyway); under churn, refusals were 6% of a stream at the source
            return out;
        }
        known.removeIf(st -> st.slotsFor(askerRelays) == 0 || st.id().equals(asker.id()) || st.id().equals(self())
                || children.contains(st.id()));
        known.sort(Comparator.comparingInt(PeerState::depth));
        List<PeerState> pool = new ArrayList<>(known.subList(0, Math.min(ALTERNATIVES * 3, known.size())));
        java.util.Collections.shuffle(pool, env.random());
        out.addAll(pool);
        return out.subList(0, Math.min(ALTERNATIVES, out.size()));
    }

    private static final int ALTERNATIVES = 8;

    private void onAccept(PeerAddress from, TreeMessage.Accept a) {
        if (!endAttempt(from.id())) {
            transport.send(from, new TreeMessage.Detach(channel)); // an accept we no longer want
            return;
        }
        boolean wasMoving = moving;
        moving = false;
        if (a.ancestors().stream().anyMatch(x -> x.id().equals(self()))) {
            transport.send(from, new TreeMessage.Detach(channel)); // it is below us: a loop
            if (!wasMoving) {
                tryNext();
            }
            return;
        }
        attempts.values().forEach(other -> other.timeout().cancel()); // hedges we no longer need:
        attempts.clear();                                                // an accept from one is detached
        if (wasMoving && parent != null) {
            stats.moves++;
            transport.send(parent, new TreeMessage.Detach(channel)); // the old parent frees our slot
        }
        parent = from;
        room.parentChanged();
        transport.send(from, new TreeMessage.Keepalive(channel, -1)); // ends our probation there: live chunks flow
        emptyRounds = 0;
        beacon = -1;
        lastFromParent = env.now();
        lastChunkFromParent = env.now();
        candidates.newRound();
        setPath(a.ancestors());
        refreshBackups();
        events.attached(from, depth(), wasMoving);
    }

    private void setPath(List<PeerAddress> path) {
        if (path.stream().anyMatch(x -> x.id().equals(self()))) {
            parentLost("path update names us: a loop", true);
            return;
        }
        if (path.size() + 1 > TreeMessage.MAX_PATH) {
            parentLost("path to the source too long", true);
            return;
        }
        ancestors = List.copyOf(path);
        List<PeerAddress> down = new ArrayList<>();
        down.add(transport.localAddress());
        down.addAll(ancestors);
        for (PeerAddress c : children.addresses()) {
            transport.send(c, new TreeMessage.PathUpdate(channel, down));
        }
    }

    private void onRefuse(PeerAddress from, TreeMessage.Refuse r) {
        stats.refusalsReceived++;
        stats.refusalReasons.merge(r.reason(), 1L, Long::sum);
        events.refused(from, r.reason());
        if (!endAttempt(from.id())) {
            return;
        }
        candidates.refused(from.id());
        if (moving) {
            for (PeerState alt : r.alternatives()) {
                if (moveHops < MOVE_HOPS && candidates.usable(alt.address()) && alt.slotsFor(relay()) > 0
                        && !candidates.refusedUs(alt) && alt.depth() + 1 < depth()) {
                    moveHops++;
                    attachTo(alt.address()); // still moving, and still shallower than where we are
                    return;
                }
            }
            moving = false; // keep the parent we have
            return;
        }
        redirectTo(r.alternatives());
    }

    /** Tries {@code alternatives} next, in order; they replace older redirects (likely full by now). */
    private void redirectTo(List<PeerState> alternatives) {
        redirects.clear();
        for (PeerState alt : alternatives) {
            if (candidates.usable(alt.address())) {
                redirects.add(alt.address());
            }
        }
        tryNext();
    }

    /**
     * A chunk from a peer: taken from the parent, or from a neighbour we asked for a gap pull
     * lately, and only if the channel key signed it.
     */
    public void onChunk(PeerAddress from, Chunk c) {
        if (!running || source || from.id() == null) {
            return;
        }
        if (parent == null || !parent.id().equals(from.id())) {
            onPulledChunk(from, c);
            return;
        }
        if (!verifier.verify(publicKey, c)) {
            stats.badChunks++;
            stats.faultyParents++;
            candidates.faulty(from.id());
            parentLost("forged or corrupted chunk", true); // (which says Detach)
            return;
        }
        stats.chunksReceived++;
        stats.bytesReceived += c.payload().length;
        lastFromParent = env.now();
        lastChunkFromParent = env.now();
        if (lostAt >= 0) {
            stats.repairs++;
            stats.repairMillis.add(env.now() - lostAt);
            events.repaired(from, env.now() - lostAt);
            lostAt = -1;
        }
        if (buffer.put(c)) {
            deliver.accept(c);
            forward(c);
        }
    }

    private void onPulledChunk(PeerAddress from, Chunk c) {
        if (!pull.answers(from)) {
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
            stats.chunksPulled++;
            stats.bytesReceived += c.payload().length;
            deliver.accept(c);
            forward(c);
        }
    }

    /** Forgets a child; false if it was none. */
    private boolean dropChild(NodeId id) {
        subtree.forget(id);
        room.forget(id);
        return children.remove(id);
    }

    private void forward(Chunk c) {
        for (Children.Child child : children.all()) {
            if (child.onProbation()) {
                continue; // sent when it has shown it runs the protocol
            }
            stats.chunksForwarded++;
            stats.bytesForwarded += c.payload().length;
            send(child.address(), c);
        }
    }

    /** The link to {@code peer} closed: a lost parent is repaired, a lost child forgotten. */
    public void onLinkClosed(PeerAddress peer, String reason) {
        if (peer.id() == null) {
            return;
        }
        if (dropChild(peer.id())) {
            events.childLost(peer, "link closed: " + reason);
        }
        if (parent != null && parent.id().equals(peer.id())) {
            parentLost("link closed: " + reason, false);
        } else if (endAttempt(peer.id())) {
            if (moving) {
                moving = false;
            } else {
                tryNext();
            }
        }
    }
}
