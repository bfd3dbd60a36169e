package io.arborcast.tree;

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

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.function.Predicate;
import java.util.Map;

/**
 * The downstream side of a node's place in one channel's tree: who may attach (and who is
 * displaced or redirected when we are full), feeding the children, keepalives to them, and
 * what they report of the tree below. A child is fed live chunks only once it has shown that
 * it runs the protocol (its first keepalive ends its probation).
 */
final class Downstream implements Upstream.Below {
    /** A refusal or displacement names at most this many other places to go. */
    private static final int ALTERNATIVES = 8;

    private final NodeId channel;
    private final TreeConfig config;
    private final Environment env;
    private final Transport transport;
    private final ChunkBuffer buffer;
    private final ParentCandidates candidates;
    private final ReplayBudget replays;
    private final TreeStats stats;
    private final Upstream up;
    TreeEvents events = new TreeEvents() { };
    private final Children children;
    private final SubtreeView subtree = new SubtreeView();
    private final RoomAbove room = new RoomAbove();
    private final UploadMeter uplink = new UploadMeter();
    /** Not before then does the uplink give up another child (the last one's going must show first). */
    private long nextShedAt;
    /** The uplink's backlog when it last gave up a child, while it stays behind; 0 once it caught up. */
    private long backlogAtShed;

    Downstream(NodeId channel, TreeConfig config, Environment env, Transport transport, ChunkBuffer buffer,
               ParentCandidates candidates, ReplayBudget replays, TreeStats stats, Upstream up, Children children) {
        this.channel = channel;
        this.config = config;
        this.env = env;
        this.transport = transport;
        this.buffer = buffer;
        this.candidates = candidates;
        this.replays = replays;
        this.stats = stats;
        this.up = up;
        this.children = children;
    }

    // ---------------------------------------------------------------- what we hold

    List<PeerAddress> addresses() {
        return children.addresses();
    }

    boolean isChild(NodeId id) {
        return children.contains(id);
    }

    /** The address a child of ours is linked at. */
    PeerAddress address(NodeId child) {
        return children.get(child).address();
    }

    /** Free slots: none while the uplink is behind, and no more than the copies it feeds. */
    int freeSlots() {
        return busy() ? 0 : Math.max(0, maxChildren() - children.size());
    }

    /** Children we take: the configured slots, or the copies of the channel the uplink feeds if fewer. */
    private int maxChildren() {
        return uplink.copies(config.maxRelays());
    }

    /** Whether the uplink is behind: what is queued takes longer to leave than a keepalive period. */
    boolean busy() {
        return uplink.behindMillis() > config.keepaliveMillis();
    }

    /**
     * Whether to answer a neighbour's gap pull: not while the uplink is behind (our children come
     * first), and never from an uplink known to carry less than one copy of the channel: an
     * answer of many chunks would hold its own keepalives back long enough for its parent to
     * count it gone.
     */
    boolean servesPulls() {
        return !busy() && uplink.carriesACopy(config.uploadKbps());
    }

    /** The uplink's measured rate, kbit/s; 0 while unknown. */
    int uplinkKbps() {
        return (int) (uplink.capacity() * 8 / 1000);
    }

    /** Whether {@code neighbour} could answer a pull: not if its uplink, as gossiped, carries less than a copy. */
    boolean couldServePulls(PeerState neighbour) {
        return uplink.copyFits(neighbour.uploadKbps());
    }

    /**
     * Bytes of a replay or pull answer the uplink sends within a keepalive period on top of what
     * waits already: at video rates a full answer (40 chunks of 62.5 KB) would hold a small
     * uplink's own children and keepalives back for seconds.
     */
    long uplinkRoom() {
        return uplink.roomWithin(config.keepaliveMillis(), transport.bytesWaiting(), config.uploadKbps());
    }

    /**
     * Where else an asker could go ({@link #alternatives}); for one nobody can dial, only peers it
     * can connect to without a hole punch (its last resort).
     */
    private List<PeerState> elsewhere(PeerAddress asker, TreeMessage.Attach a) {
        List<PeerState> out = alternatives(asker, a.relaySlots() > 0);
        if (!a.dialable()) {
            out.removeIf(st -> !st.dialable());
        }
        return out;
    }

    /** A child peers can dial whose link is up (it sent a keepalive since we accepted it), or null. */
    PeerAddress dialableChild() {
        for (Children.Child c : children.all()) {
            if (c.dialable() && !c.onProbation()) {
                return c.address();
            }
        }
        return null;
    }

    /** Whether an ATTACH like {@code a} would find a slot here (a free one, or a listener's for a relay). */
    boolean hasRoomFor(TreeMessage.Attach a) {
        return freeSlots() > 0 || a.relaySlots() > 0 && listenerChildren() > 0;
    }

    /** Children that relay nothing: their slots go to relays that ask (see {@link #displaceListener}). */
    int listenerChildren() {
        int n = 0;
        for (Children.Child c : children.all()) {
            if (c.slots() == 0) {
                n++;
            }
        }
        return n;
    }

    /** The tree below as far as it was reported, breadth-first (see {@link SubtreeView#below}). */
    List<TreeMessage.Subtree.Entry> subtree(int limit) {
        return subtree.below(children.addresses(), limit);
    }

    /** What to report to our parent of the tree below us; null when unchanged since the last report. */
    TreeMessage.Subtree report(NodeId channel, NodeId parent) {
        return subtree.reportFor(channel, parent, children.addresses());
    }

    /** How many nodes are below us, as our children's reports tell it. */
    int nodesBelow() {
        return subtree.nodesBelow(children.addresses());
    }

    /** The depth of our children. */
    private int childDepth() {
        return Math.max(0, up.depth()) + 1;
    }

    // ---------------------------------------------------------------- admission

    void onAttach(PeerAddress from, TreeMessage.Attach a, Head head) {
        stats.attachesReceived++;
        boolean knownAsker = known(from);
        String refusal = null;
        boolean newcomer = !children.contains(from.id());
        List<PeerState> elsewhere = null;
        if (!up.receiving()) {
            refusal = "not receiving the channel";
        } else if (up.ancestors().stream().anyMatch(x -> x.id().equals(from.id()))) {
            refusal = "would form a loop: you are above me";
        } else if (up.ancestors().size() + 1 >= TreeMessage.MAX_PATH) {
            refusal = "tree too deep here";
        } else if (up.root() && newcomer && !a.dialable() && !(elsewhere = elsewhere(from, a)).isEmpty()) {
            // the source feeds relays peers can dial: below one with room, a peer nobody can dial
            // is reached by a plain connect, and the source passes no reversals or punches
            refusal = "the source feeds relays peers can dial first";
        } else if (newcomer && busy() && config.maxRelays() > 0) {
            refusal = "uplink full";
        } else if (newcomer && children.size() >= maxChildren()
                && !displaceSilentChild(from)
                && !(a.relaySlots() > 0 && displaceListener(from, a))
                && !(a.relaySlots() > 0 && displaceSmallerRelay(from, a))
                && !(up.root() && a.relaySlots() > 0 && a.dialable() && displaceUndialable(from, a))
                && !(!a.dialable() && !up.root() && displaceDialableListener(from, a))) {
            refusal = config.maxRelays() == 0 ? "not a relay" : "no free relay slot";
        }
        if (refusal == null && up.root() && a.relaySlots() == 0 && newcomer) {
            // the source feeds relays first: a pure listener goes below a relay when one has room
            elsewhere = elsewhere != null ? elsewhere : elsewhere(from, a);
            refusal = elsewhere.isEmpty() ? null : "the source feeds relays first";
        }
        if (refusal != null) {
            stats.refusalsSent++;
            transport.send(from, new TreeMessage.Refuse(channel, refusal,
                    elsewhere != null ? elsewhere : elsewhere(from, a)));
            return;
        }
        if (children.admit(from, a, env.now())) {
            events.childAdded(from);
        }
        transport.send(from, new TreeMessage.Accept(channel, pathBelow()));
        if (head != null) {
            send(from, head);
        }
        boolean resumes = a.resumeSeq() >= 0;
        List<Chunk> replay = buffer.from(resumes ? a.resumeSeq() : Math.max(0, buffer.highestSeq() - config.prerollChunks()));
        int granted = replays.grantReplay(from.id(), replay.size(), knownAsker);
        if (resumes) {
            // what the uplink sends within a keepalive period now, the rest over the next periods
            if (granted > 0) {
                Children.Child child = children.get(from.id());
                child.owe(replay.get(0).seq(), replay.get(granted - 1).seq());
                payOwed(child);
            }
        } else {
            // a newcomer's preroll: the newest chunks that leave within a keepalive period
            replay = replay.subList(replay.size() - granted, replay.size());
            int n = ReplayBudget.fitting(replay, uplinkRoom(), true);
            replay.subList(replay.size() - n, replay.size()).forEach(c -> send(from, c));
        }
        // live chunks from here on; what the replay budget cut off it must pull from neighbours
        children.probation(from.id(), buffer.highestSeq() + 1, env.now());
    }

    /** Our children's path to the source: us, then our ancestors. */
    private List<PeerAddress> pathBelow() {
        List<PeerAddress> path = new ArrayList<>();
        path.add(transport.localAddress());
        path.addAll(up.ancestors());
        return path;
    }

    /**
     * Full, and a relay asks: a child that relays nothing gives its slot to the relay and is sent
     * below it (capacity moves up, so the tree stays shallow; PeerCast's full relays could only
     * refuse). Only pure listeners are displaced: they carry no subtree, and they never displace
     * anyone in turn, so nothing oscillates. False if no child can be displaced.
     */
    private boolean displaceListener(PeerAddress relay, TreeMessage.Attach asked) {
        return displace(relay, asked, c -> c.slots() == 0, "displaced by relay");
    }

    /**
     * Full, and a relay with more slots than a child of ours asks: the child with the fewest
     * gives its place to it and goes below it, subtree and all, so the larger uplinks end up
     * nearer the source (one-slot relays one below the other make a chain, and at video rates
     * every hop costs a chunk's transmission). Nothing oscillates: a child only ever gives way
     * to one with more slots than it has.
     */
    private boolean displaceSmallerRelay(PeerAddress relay, TreeMessage.Attach asked) {
        int fewest = Integer.MAX_VALUE;
        for (Children.Child c : children.all()) {
            if (!c.onProbation()) {
                fewest = Math.min(fewest, c.slots());
            }
        }
        int least = fewest;
        return least < asked.relaySlots()
                && displace(relay, asked, c -> c.slots() == least && !c.onProbation(), "displaced by a larger relay");
    }

    /**
     * The source, full, and a relay peers can dial asks: a child nobody can dial gives its slot
     * to it and is sent below it, subtree and all (the newcomer's is a plain connect away). Only
     * at the source, only for a dialable asker, so nothing oscillates: such a child only ever
     * moves down, and the top of the tree ends up reachable from everywhere below.
     */
    private boolean displaceUndialable(PeerAddress relay, TreeMessage.Attach asked) {
        return displace(relay, asked, c -> !c.dialable(), "displaced by relay peers can dial");
    }

    /**
     * Full, and a peer nobody can dial asks: a child peers can dial that relays nothing gives its
     * slot up and goes elsewhere (anyone can feed it, through reversal too), since the asker can
     * only be fed by a parent peers can dial (or a punch). Never at the source (it passes no such
     * listener on), and nothing oscillates: such a child never displaces anyone in turn.
     */
    private boolean displaceDialableListener(PeerAddress asker, TreeMessage.Attach asked) {
        return displace(asker, asked, c -> c.dialable() && c.slots() == 0 && !c.onProbation(),
                "displaced by one nobody can dial");
    }

    /**
     * Gives the slot of the first child {@code which} picks to {@code asker}, sending that child
     * elsewhere: below the asker first if it relays.
     */
    private boolean displace(PeerAddress asker, TreeMessage.Attach asked, Predicate<Children.Child> which,
                             String why) {
        Children.Child moved = null;
        for (Children.Child c : children.all()) {
            if (which.test(c)) {
                moved = c;
                break;
            }
        }
        if (moved == null) {
            return false;
        }
        PeerAddress leaf = moved.address();
        List<PeerState> alternatives = new ArrayList<>();
        if (asked.relaySlots() > 0) {
            alternatives.add(PeerState.offering(asker, childDepth(), asked.relaySlots(), 0, viaUs(asked.dialable())));
        }
        alternatives.addAll(alternatives(leaf, moved.slots() > 0));
        drop(leaf.id());
        stats.displacedOthers++;
        events.childLost(leaf, why + " " + asker);
        transport.send(leaf, new TreeMessage.Displace(channel, bounded(alternatives)));
        return true;
    }

    /**
     * Full, and someone asks: a child that missed a keepalive gives its slot up. A newcomer sends
     * its first at once, so one silent for two keepalive periods since we accepted it does not run
     * the protocol (a peer flooding ATTACHes holds a slot for a second at most and cannot keep
     * honest listeners out); an established child sends one every third of the child silence,
     * so one silent a keepalive period past that has most likely crashed, and the orphans it
     * left, asking their grandparent first, need its slot now rather than when the child
     * silence ends. The oldest such child goes, told where else to go.
     */
    private boolean displaceSilentChild(PeerAddress asker) {
        long now = env.now();
        long missed = config.childKeepaliveMillis() + config.keepaliveMillis();
        for (Children.Child c : children.all()) {
            if (c.onProbation() ? now - c.probationSince() >= 2 * config.keepaliveMillis() : now - c.lastHeard() > missed) {
                PeerAddress silent = c.address();
                drop(silent.id());
                stats.displacedOthers++;
                events.childLost(silent, "silent for " + (now - c.lastHeard()) + " ms; slot given to " + asker);
                transport.send(silent, new TreeMessage.Displace(channel, bounded(alternatives(silent, false))));
                return true;
            }
        }
        return false;
    }

    /**
     * A peer we know: our parent, an established child (one that has sent a keepalive), or one
     * gossip or the directory told us of. Anyone else gets a stranger's replay budget.
     */
    boolean known(PeerAddress p) {
        Children.Child c = children.get(p.id());
        if (c != null && !c.onProbation()) {
            return true;
        }
        return up.isParent(p.id()) || candidates.offers(p.id());
    }

    /** How others reach a child of ours: directly if {@code dialable}, else through us (null: dial it). */
    private PeerAddress viaUs(boolean dialable) {
        return dialable ? null : transport.localAddress();
    }

    private static List<PeerState> bounded(List<PeerState> l) {
        return l.size() > ALTERNATIVES ? l.subList(0, ALTERNATIVES) : l;
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
                // (a child that found it cannot be dialled after it attached says so in its gossip state)
                PeerAddress via = viaUs(c.dialable() && (st == null || st.dialable()));
                out.add(st == null ? PeerState.offering(c.address(), childDepth(), capacity, 0, via)
                        : PeerState.offering(c.address(), childDepth(), st.freeSlots(), st.listenerChildren(), via));
            }
        }
        Collections.shuffle(out, env.random());
        if (up.root()) {
            // the source's upload is the channel's bottleneck: its refusals name its children only
            // (the best next step anyway); under churn, refusals were 6% of a stream at the source
            return out;
        }
        NodeId self = transport.localAddress().id();
        known.removeIf(st -> st.slotsFor(askerRelays) == 0 || st.id().equals(asker.id()) || st.id().equals(self)
                || children.contains(st.id()));
        known.sort(Comparator.comparingInt(PeerState::depth));
        List<PeerState> pool = new ArrayList<>(known.subList(0, Math.min(ALTERNATIVES * 3, known.size())));
        Collections.shuffle(pool, env.random());
        out.addAll(pool);
        return out.subList(0, Math.min(ALTERNATIVES, out.size()));
    }

    // ---------------------------------------------------------------- feeding

    /** Sends {@code m} to a child, noting that it was sent something now. */
    void send(PeerAddress child, Message m) {
        children.sent(child.id(), env.now());
        transport.send(child, m);
    }

    /** A new chunk to every established child (one on probation is sent what it missed when it is heard). */
    void forward(Chunk c) {
        uplink.streamed(c.payload().length);
        for (Children.Child child : children.all()) {
            if (child.onProbation()) {
                continue;
            }
            stats.chunksForwarded++;
            stats.bytesForwarded += c.payload().length;
            send(child.address(), c);
        }
    }

    /** A new stream head to every child. */
    void forward(Head h) {
        for (PeerAddress c : children.addresses()) {
            send(c, h);
        }
    }

    @Override
    public void pathChanged(List<PeerAddress> ancestors) {
        List<PeerAddress> down = pathBelow();
        for (PeerAddress c : children.addresses()) {
            transport.send(c, new TreeMessage.PathUpdate(channel, down));
        }
    }

    @Override
    public void parentChanged() {
        room.parentChanged();
    }

    // ---------------------------------------------------------------- liveness

    /**
     * Every keepalive period: a keepalive with {@code beacon} to each child that got nothing
     * lately, and a child silent for too long (crashed) loses its slot, so it is free for an
     * orphan now, not when TCP gives up.
     */
    void tick(long beacon) {
        long now = env.now();
        List<PeerAddress> silent = new ArrayList<>();
        for (Children.Child c : children.all()) {
            if (now - c.lastHeard() > config.childSilenceMillis()) {
                silent.add(c.address());
            } else if (now - c.lastSent() >= config.keepaliveMillis()) {
                send(c.address(), new TreeMessage.Keepalive(channel, beacon));
            }
        }
        for (PeerAddress c : silent) {
            stats.childrenLost++;
            drop(c.id());
            events.childLost(c, "silent for over " + config.childSilenceMillis() + " ms");
            // this channel only: the link may carry other channels (and gossip) with that peer
            transport.send(c, new TreeMessage.Detach(channel));
        }
        uplink.sample(now, transport.bytesOut(), transport.bytesWaiting(), transport.uplinkFull());
        shedIfBehind(now);
        payOwedReplays();
    }

    /** Sends children the rest of their resume replays, as far as the uplink has room (none while it is behind). */
    private void payOwedReplays() {
        if (busy()) {
            return;
        }
        for (Children.Child c : children.all()) {
            if (c.owedFrom() >= 0) {
                payOwed(c);
            }
        }
    }

    /** Sends {@code c} what it is owed of its resume replay, as much as leaves within a keepalive period (a chunk at least). */
    private void payOwed(Children.Child c) {
        List<Chunk> due = buffer.from(c.owedFrom());
        due.removeIf(x -> x.seq() > c.owedTo());
        int n = ReplayBudget.fitting(due, uplinkRoom(), false);
        due.subList(0, n).forEach(x -> send(c.address(), x));
        c.owe(n < due.size() ? due.get(n).seq() : -1, c.owedTo());
    }

    /**
     * An uplink a third of the playout delay behind whose queue still grows gives up one child,
     * rather than starving them all: the newest that relays nothing, else the newest; the child
     * repairs elsewhere. Another only once what waited at the shed has had time to leave and the
     * growth is judged anew, and only if the queue grew past what it was at the last shed (what was
     * queued for the child given up still leaves, sharing the uplink with the others).
     */
    private void shedIfBehind(long now) {
        long behind = uplink.behindMillis();
        if (behind < config.playoutDelayMillis() / 3) {
            backlogAtShed = 0;
            return;
        }
        // another only once the backlog outgrew the one the last shed left (it drains slowly)
        if (!uplink.growing() || children.size() == 0 || now < nextShedAt || uplink.waiting() <= backlogAtShed) {
            return;
        }
        Children.Child shed = null;
        for (Children.Child c : children.all()) { // in the order admitted
            if (shed == null || c.slots() == 0 || shed.slots() > 0) {
                shed = c;
            }
        }
        // what waited still leaves, the shed child's share too, competing with the others' for the
        // uplink: its effect shows once that much has left, then judged anew over the trend
        nextShedAt = now + behind + UploadMeter.TREND * config.keepaliveMillis();
        backlogAtShed = uplink.waiting();
        stats.childrenShed++;
        drop(shed.id());
        events.childLost(shed.address(), "uplink full: " + behind + " ms behind");
        transport.send(shed.address(), new TreeMessage.Detach(channel));
    }

    /** A keepalive from a child keeps its slot; its first ends its probation: what it missed, then the live stream. */
    void onKeepalive(PeerAddress from) {
        long resume = children.heard(from.id(), env.now());
        if (resume >= 0) {
            for (Chunk c : buffer.from(resume)) {
                send(from, c);
            }
        }
    }

    /** A child's report of the tree below it. */
    void onSubtree(PeerAddress from, TreeMessage.Subtree t) {
        if (children.contains(from.id())) {
            subtree.onReport(from.id(), t);
        }
    }

    /** A child detached, or its link closed: forgotten; false if it was none. */
    boolean onGone(PeerAddress peer, String why) {
        if (!drop(peer.id())) {
            return false;
        }
        events.childLost(peer, why);
        return true;
    }

    /** Forgets a child; false if it was none. */
    private boolean drop(NodeId id) {
        subtree.forget(id);
        room.forget(id);
        return children.remove(id);
    }

    /** Leaving: every child is told at once. */
    void leave() {
        for (PeerAddress c : children.addresses()) {
            transport.send(c, new TreeMessage.Detach(channel));
        }
        children.clear();
    }

    /** The source role went to {@code newSource}: every child is sent there, as a planned move. */
    void handOver(PeerState newSource) {
        for (PeerAddress c : children.addresses()) {
            transport.send(c, new TreeMessage.Displace(channel, List.of(newSource)));
        }
        children.clear();
    }

    // ---------------------------------------------------------------- room above

    /** Our parent's news of free slots above: the entries above us, to learn as candidates. */
    List<PeerState> roomFromParent(TreeMessage.Room r) {
        return room.fromParent(r.above(), up.depth());
    }

    /** Tells each established child that has not heard it yet where the nearest free slots above it are. */
    void shareRoom(PeerState self) {
        List<PeerState> above = room.share(self);
        for (Children.Child c : children.all()) {
            if (!c.onProbation() && room.tell(c.id())) {
                transport.send(c.address(), new TreeMessage.Room(channel, above));
            }
        }
    }
}
