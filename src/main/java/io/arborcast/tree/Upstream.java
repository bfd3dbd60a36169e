package io.arborcast.tree;

import io.arborcast.core.Cancellable;
import io.arborcast.core.Environment;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.PeerState;
import io.arborcast.core.Transport;
import io.arborcast.core.TreeMessage;
import io.arborcast.stream.ChunkBuffer;
import io.arborcast.tree.ParentState.Attached;
import io.arborcast.tree.ParentState.Idle;
import io.arborcast.tree.ParentState.Moving;
import io.arborcast.tree.ParentState.Root;
import io.arborcast.tree.ParentState.Seeking;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The upstream side of a node's place in one channel's tree: finding a parent, being fed by
 * it, repairing when it is lost (grandparent or a backup first, the shallower first, resuming
 * where the stream stopped) and moving up when a shallower parent has room. Where it stands is
 * one explicit {@link ParentState}; the ATTACHes out belong to the state that sent them, and
 * every change of state goes through {@link #become}.
 */
final class Upstream {
    /** An ATTACH unanswered this long during a repair: ask the next candidate too. */
    static final long HEDGE_MILLIS = 750;
    /** At most this many ATTACHes out at once during a repair. */
    static final int MAX_ATTEMPTS = 3;
    /** Re-balancing: a small gain (one level or two) at most this often... */
    private static final long MIN_MOVE_INTERVAL = 15_000;
    /** ...and a big one, of this many levels or more (as after a repair that had to take a deep parent), this often. */
    private static final long BIG_MOVE_INTERVAL = 5_000;
    private static final int BIG_GAIN = 3;
    /** A move refused may follow this many redirects that are still shallower than we are. */
    private static final int MOVE_HOPS = 2;
    /** Chunks from the parent we moved away from are taken this long after the move. */
    static final long LEFT_PARENT_MILLIS = 3_000;
    /** A child asks its parent the source's time this often (clocks drift by parts per million: 1.5 ms in 30 s at 50)... */
    static final long CLOCK_ASK_MILLIS = 30_000;
    /** ...and this often while it does not know it yet (its parent may not have known when asked). */
    static final long CLOCK_RETRY_MILLIS = 1_000;

    /** What the side below hears of changes above. */
    interface Below {
        /** Our path to the source changed (parent first). */
        void pathChanged(List<PeerAddress> ancestors);

        /** A new parent: what the old one told of the room above is void. */
        void parentChanged();
    }

    private static final ParentState.Root ROOT = new ParentState.Root();
    private static final ParentState.Idle IDLE = new ParentState.Idle();
    /** The attempts of a state that sends no ATTACH: always empty. */
    private static final Attempts NONE = new Attempts();

    private final NodeId channel;
    private final TreeConfig config;
    private final Environment env;
    private final Transport transport;
    private final ParentCandidates candidates;
    private final ChunkBuffer buffer;
    private final TreeStats stats;
    private final Below below;
    TreeEvents events = new TreeEvents() { };
    private ParentState state;
    private final AttachPacing pacing;
    private long lastMoveAt;
    /** The parent we last moved away from, and until when its chunks are taken (see {@link #justLeft}). */
    private NodeId leftParent;
    private long leftParentUntil;
    /** Parents we asked through their {@code via} while nobody can dial us either: a hole punch each. */
    private final Map<NodeId, PunchAsk> punchAsks = new HashMap<>(4);
    /** Whether our parent was reached by a hole punch (then nobody can reach us through it). */
    private boolean parentPunched;
    private final SourceClock clock = new SourceClock();
    /** When (our clock) we last asked our parent the source's time: its answer echoes it; -1 before. */
    private long clockAsked = -1;

    private record PunchAsk(PeerAddress parent, NodeId via) {
    }

    Upstream(boolean source, NodeId channel, TreeConfig config, Environment env, Transport transport,
             ParentCandidates candidates, ChunkBuffer buffer, TreeStats stats, Below below) {
        this.state = source ? ROOT : IDLE;
        this.channel = channel;
        this.config = config;
        this.env = env;
        this.transport = transport;
        this.candidates = candidates;
        this.buffer = buffer;
        this.stats = stats;
        this.below = below;
        this.pacing = new AttachPacing(env, config.retryMillis(), this::tryNext);
        if (source) {
            clock.atSource();
        }
    }

    // ---------------------------------------------------------------- where we stand

    /** Attached (also while moving): the parent's side of the state, else null. */
    private Attached fed() {
        return state instanceof Attached a ? a : state instanceof Moving m ? m.current : null;
    }

    PeerAddress parent() {
        Attached a = fed();
        return a == null ? null : a.parent;
    }

    boolean isParent(NodeId id) {
        Attached a = fed();
        return a != null && a.parent.id().equals(id);
    }

    /**
     * Whether {@code id} is the parent we just moved away from: its chunks in flight when our
     * DETACH reached it are the ones the new parent's replay may have left out.
     */
    boolean justLeft(NodeId id) {
        return id.equals(leftParent) && env.now() < leftParentUntil;
    }

    /** Whether our parent was reached by a hole punch: it cannot be dialled either. */
    boolean parentPunched() {
        return fed() != null && parentPunched;
    }

    /** True at the source (the root, which has no upstream). */
    boolean root() {
        return state == ROOT;
    }

    /** True at the source and while attached to a parent. */
    boolean receiving() {
        return state == ROOT || fed() != null;
    }

    /** The path to the source, parent first; empty at the source and while detached. */
    List<PeerAddress> ancestors() {
        Attached a = fed();
        return a == null ? List.of() : a.ancestors;
    }

    /** Hops from the source: 0 at the source; -1 while not attached. */
    int depth() {
        Attached a = fed();
        return state == ROOT ? 0 : a == null ? -1 : a.ancestors.size();
    }

    /** The best few peers to ask should the parent go, best first, ranked from what is known now. */
    List<PeerState> backups() {
        return candidates.backups(config.backups(), parent());
    }

    /** The last path known: while seeking, the lost parent's (where the grandparent is). */
    private List<PeerAddress> path() {
        return state instanceof Seeking s ? s.path() : ancestors();
    }

    private Attempts attempts() {
        return state instanceof Seeking s ? s.attempts() : state instanceof Moving m ? m.attempts : NONE;
    }

    private NodeId self() {
        return transport.localAddress().id();
    }

    /** Whether we can relay, so full parents with listener children are candidates for us too. */
    private boolean relay() {
        return config.maxRelays() > 0;
    }

    /**
     * Every change of state goes through here. The source stays the root; a listener goes from
     * idle to seeking, from seeking to attached, from attached to moving, lost (seeking) or back
     * to idle, and a move ends attached (old parent or new) or lost.
     */
    private void become(ParentState next) {
        boolean legal = switch (next) {
            case Root r -> false;
            case Idle i -> !(state instanceof Root);
            case Seeking s -> state instanceof Idle || fed() != null;
            case Attached a -> state instanceof Seeking || state instanceof Moving;
            case Moving m -> state instanceof Attached;
        };
        if (!legal) {
            throw new IllegalStateException("tree: " + state.getClass().getSimpleName() + " -> "
                    + next.getClass().getSimpleName());
        }
        state = next;
    }

    // ---------------------------------------------------------------- joining and leaving

    /** Starts looking for a parent (a listener's first join). */
    void join() {
        if (state instanceof Idle) {
            become(new Seeking(-1, List.of(), new Attempts()));
        }
        if (state instanceof Seeking s && s.attempts().isEmpty()) {
            tryNext();
        }
    }

    /** Leaves cleanly: the parent is told at once. */
    void leave() {
        PeerAddress parent = parent();
        if (parent != null) {
            transport.send(parent, new TreeMessage.Detach(channel));
        }
        if (state != ROOT) {
            become(IDLE);
        }
    }

    /** A peer state seen by gossip or told by our parent: kept as a candidate, tried at once if we wait for one. */
    void learn(PeerState s) {
        if (!candidates.hear(s)) {
            return;
        }
        if (state instanceof Seeking seeking && seeking.attempts().isEmpty() && s.slotsFor(relay()) > 0
                && candidates.usable(s.address())) {
            tryNext(); // waiting for a candidate: this one may do, no need to wait for the retry timer
        }
    }

    // ---------------------------------------------------------------- the parent's side

    /**
     * Every keepalive period: a parent silent for too long (crashed, or the path to it broke) or
     * alive but feeding nothing (it lost its own feed, or a stale path made a cycle) is treated
     * as lost; every third of the child silence, "still here" to the parent (it keeps our slot).
     */
    void tick() {
        Attached a = fed();
        if (a == null) {
            return;
        }
        long now = env.now();
        if (now - a.lastKeepalive >= config.childKeepaliveMillis()) {
            a.lastKeepalive = now;
            transport.send(a.parent, new TreeMessage.Keepalive(channel, -1));
        }
        if (now - clockAsked >= (clock.known() ? CLOCK_ASK_MILLIS : CLOCK_RETRY_MILLIS)) {
            askClock(a.parent);
        }
        if (now - a.lastHeard > config.parentSilenceMillis()) {
            parentLost("silent for " + (now - a.lastHeard) + " ms", true);
        } else if (now - a.lastChunk > starveMillis()) {
            parentLost("no chunk for " + (now - a.lastChunk) + " ms", true);
        }
    }

    /** A parent that sends heartbeats but no chunk for this long is starving us. */
    private long starveMillis() {
        return config.playoutDelayMillis() + 2_000;
    }

    /** Our view of the source's clock (exact at the source). */
    SourceClock clock() {
        return clock;
    }

    private void askClock(PeerAddress parent) {
        clockAsked = env.now();
        transport.send(parent, new TreeMessage.Clock(channel, clockAsked, -1, -1));
    }

    /** A parent's answer to our latest ask for the source's time (others are stale: a previous parent's, or lost in order). */
    void onClock(PeerAddress from, TreeMessage.Clock c) {
        if (isParent(from.id()) && c.askedAt() == clockAsked) {
            clock.answer(env.now(), c.askedAt(), c.sourceClock(), c.pathMillis());
        }
    }

    /** True while attached to a parent whose last chunk (or growing beacon) came at most {@code millis} ago. */
    boolean fedWithin(long millis) {
        Attached a = fed();
        return a != null && env.now() - a.lastChunk <= millis;
    }

    /**
     * A keepalive from {@code from}: from our parent it proves the parent alive. Its value is
     * then the source's beacon (a source sequence passed down by every relay): while it grows,
     * the path to the source is whole and a silence is the source pausing, not our parent
     * starving us. In a cycle cut off from the source it stops growing, and the starvation rule
     * breaks the cycle. True if the beacon grew: the source is alive.
     */
    boolean onKeepalive(PeerAddress from, TreeMessage.Keepalive k) {
        Attached a = fed();
        if (a != null && a.parent.id().equals(from.id())) {
            a.lastHeard = env.now();
            if (k.beacon() > a.beacon) {
                a.beacon = k.beacon();
                a.lastChunk = env.now();
                return true;
            }
        }
        return false;
    }

    /** The beacon to pass to our children: the parent's latest. */
    long beacon() {
        Attached a = fed();
        return a == null ? -1 : a.beacon;
    }

    /** A verified chunk from the parent: it is alive and feeding us; a repair under way ends here. */
    void chunkFromParent() {
        Attached a = fed();
        a.lastHeard = env.now();
        a.lastChunk = env.now();
        if (a.repairSince >= 0) {
            stats.repairs++;
            stats.repairMillis.add(env.now() - a.repairSince);
            events.repaired(a.parent, env.now() - a.repairSince);
            a.repairSince = -1;
        }
    }

    /** The parent sent a forged head or chunk: never again, and repair. */
    void faultyParent(String why) {
        PeerAddress parent = parent();
        stats.badChunks++;
        stats.faultyParents++;
        candidates.faulty(parent.id());
        parentLost(why, true); // (which says Detach)
    }

    /** Our parent's new path to the source. */
    void onPathUpdate(PeerAddress from, TreeMessage.PathUpdate p) {
        if (isParent(from.id())) {
            setPath(p.ancestors());
        }
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
        fed().ancestors = List.copyOf(path);
        below.pathChanged(fed().ancestors);
    }

    /** Our parent detached us (in this channel). */
    void onDetached(PeerAddress from) {
        if (isParent(from.id())) {
            parentLost("parent detached", false);
        }
    }

    /** The link to {@code peer} closed: if it was our parent, repair; if we had asked it, ask another. */
    void onLinkClosed(PeerAddress peer, String reason) {
        if (isParent(peer.id())) {
            parentLost("link closed: " + reason, false);
        } else if (attempts().end(peer.id())) {
            punchEnded(peer.id(), false);
            attemptEndedInVain();
        }
    }

    /** The parent is gone (why); {@code tellIt}: say Detach in this channel (not when the link or the parent ended it). */
    private void parentLost(String why, boolean tellIt) {
        Attached a = fed();
        if (a == null) {
            return;
        }
        stats.parentLosses++;
        PeerAddress lost = a.parent;
        events.parentLost(lost, why);
        // a move under way becomes the repair (and may be hedged, as any)
        Attempts attempts = state instanceof Moving m ? m.attempts : new Attempts();
        become(new Seeking(env.now(), a.ancestors, attempts));
        candidates.newRound();
        candidates.tried(lost.id());
        if (tellIt) { // in this channel only: the link may carry other channels (and gossip) with that peer
            transport.send(lost, new TreeMessage.Detach(channel));
        }
        if (!attempts.isEmpty()) {
            env.schedule(HEDGE_MILLIS, this::tryNext);
        }
        tryNext();
    }

    /** Our parent gave our slot to a relay: re-attach at once, first below that relay. */
    void onDisplaced(PeerAddress from, TreeMessage.Displace d) {
        Attached a = fed();
        if (a == null || !a.parent.id().equals(from.id())) {
            return;
        }
        stats.displaced++;
        events.parentLost(from, "slot given to a relay");
        Attempts attempts = state instanceof Moving m ? m.attempts : new Attempts();
        become(new Seeking(a.repairSince, a.ancestors, attempts));
        candidates.newRound();
        candidates.tried(from.id());
        redirectTo(d.alternatives()); // not a failure: no repair is counted; buffer and gap pull bridge the move
    }

    // ---------------------------------------------------------------- asking for a parent

    /** A parent's answer to our ATTACH: taken if we still want it. */
    void onAccepted(PeerAddress from, TreeMessage.Accept a) {
        if (!attempts().end(from.id())) {
            transport.send(from, new TreeMessage.Detach(channel)); // an accept we no longer want
            return;
        }
        boolean punched = punchEnded(from.id(), true);
        if (a.ancestors().stream().anyMatch(x -> x.id().equals(self()))) {
            transport.send(from, new TreeMessage.Detach(channel)); // it is below us: a loop
            attemptEndedInVain();
            return;
        }
        boolean wasMoving = state instanceof Moving;
        Attached old = fed();
        long repairSince = old != null ? old.repairSince : ((Seeking) state).lostAt();
        attempts().endAll(); // hedges we no longer need: an accept from one of them is detached
        if (wasMoving) {
            stats.moves++;
            transport.send(old.parent, new TreeMessage.Detach(channel)); // the old parent frees our slot
            leftParent = old.parent.id();
            leftParentUntil = env.now() + LEFT_PARENT_MILLIS;
        }
        become(new Attached(from, path(), env.now(), repairSince));
        parentPunched = punched;
        punchAsks.clear(); // the hedges' asks, answered or not
        below.parentChanged();
        transport.send(from, new TreeMessage.Keepalive(channel, -1)); // ends our probation there: live chunks flow
        clock.reset();
        askClock(from);
        pacing.found();
        candidates.newRound();
        setPath(a.ancestors());
        events.attached(from, depth(), wasMoving);
    }

    /** A refusal: follow its alternatives (or, moving, the ones still shallower than we are). */
    void onRefused(PeerAddress from, TreeMessage.Refuse r) {
        stats.refusalsReceived++;
        stats.refusalReasons.merge(r.reason(), 1L, Long::sum);
        events.refused(from, r.reason());
        if (!attempts().end(from.id())) {
            return;
        }
        punchEnded(from.id(), true); // the refusal came over the punched link
        candidates.refused(from.id());
        if (state instanceof Moving m) {
            for (PeerState alt : r.alternatives()) {
                if (m.hops < MOVE_HOPS && candidates.usable(alt.address()) && alt.slotsFor(relay()) > 0
                        && !candidates.refusedUs(alt) && alt.depth() + 1 < depth()) {
                    m.hops++;
                    attachTo(alt.address()); // still moving, and still shallower than where we are
                    return;
                }
            }
            become(m.current); // keep the parent we have
            return;
        }
        redirectTo(r.alternatives());
    }

    /** Tries {@code alternatives} next, in order. */
    private void redirectTo(List<PeerState> alternatives) {
        candidates.redirect(alternatives);
        tryNext();
    }

    /**
     * A parent we asked for a hole punch sent its PUNCH back through {@code from}, the via we
     * asked through: we dial it now, from our listening port, to meet its own dial. Only for an
     * ask still out, and to the address we know it at, not one the message names.
     */
    void onPunch(PeerAddress from, TreeMessage.Punch p) {
        PunchAsk ask = punchAsks.get(p.parent().id());
        if (ask == null || !ask.via().equals(from.id()) || !attempts().pending(p.parent().id())) {
            return;
        }
        if (p.dialing()) {
            stats.punchesDialed++;
            transport.punch(ask.parent());
            return;
        }
        punchAsks.remove(p.parent().id()); // it will not: no fault of ours, and no reason to wait
        attempts().end(p.parent().id());
        candidates.silent(p.parent().id());
        attemptEndedInVain();
    }

    /** An ATTACH out ended without a parent: a move keeps the parent it has, a search asks the next. */
    private void attemptEndedInVain() {
        if (state instanceof Moving m) {
            become(m.current);
        } else {
            tryNext();
        }
    }

    /**
     * The ask to {@code parent} ended: answered over the punched link ({@code answered}) or not.
     * Failures in a row pause our punching ({@link PunchStreak}). True if it was a punch.
     */
    private boolean punchEnded(NodeId parent, boolean answered) {
        if (punchAsks.remove(parent) == null) {
            return false;
        }
        if (answered) {
            stats.punchesSucceeded++;
            candidates.punches.succeeded();
        } else {
            stats.punchesFailed++;
            candidates.punches.failed(env.now());
        }
        return true;
    }

    private void tryNext() {
        if (!(state instanceof Seeking s) || !mayAttempt(s) || pacing.overRate()) {
            return;
        }
        PeerAddress next = candidates.next(s.path(), s.lostAt() >= 0, config.backups());
        if (next == null && !s.attempts().isEmpty()) {
            return; // nobody to hedge with: the ATTACH out answers or times out
        }
        if (next == null) {
            candidates.newRound();
            pacing.nobodyLeft();
            return;
        }
        candidates.tried(next.id());
        attachTo(next);
    }

    /** A repair may hedge unanswered ATTACHes with another, {@link #HEDGE_MILLIS} after the newest. */
    private boolean mayAttempt(Seeking s) {
        Attempts out = s.attempts();
        return out.isEmpty() || (out.size() < MAX_ATTEMPTS && env.now() - out.newest() >= HEDGE_MILLIS);
    }

    private void attachTo(PeerAddress next) {
        stats.attachesSent++;
        pacing.sent();
        long resume = buffer.firstMissing(config.playoutDelayMillis());
        TreeMessage.Attach attach = new TreeMessage.Attach(channel, resume, config.maxRelays(), candidates.dialable());
        PeerAddress via = candidates.via(next.id());
        events.asking(next, via, resume);
        if (via == null) {
            transport.send(next, attach);
        } else { // it cannot be dialled: the node it named asks it to connect to us (connection reversal)
            stats.reversalsAsked++;
            if (!candidates.dialable()) { // nor can we: it answers with a hole punch
                stats.punchesAsked++;
                punchAsks.put(next.id(), new PunchAsk(next, via.id()));
            }
            transport.send(via, new TreeMessage.AttachVia(next, transport.localAddress(), attach));
        }
        Cancellable timeout = env.schedule(config.attachTimeoutMillis(), () -> {
            if (attempts().expire(next.id())) {
                punchEnded(next.id(), false);
                candidates.silent(next.id());
                attemptEndedInVain();
            }
        });
        attempts().add(next.id(), env.now(), timeout);
        if (!(state instanceof Moving)) {
            env.schedule(HEDGE_MILLIS, this::tryNext);
        }
    }

    // ---------------------------------------------------------------- moving up

    /**
     * Re-balancing, slowly and without oscillation: never while repairing, only to a parent that
     * makes us shallower; a big gain every {@link #BIG_MOVE_INTERVAL} at most, a small one every
     * {@link #MIN_MOVE_INTERVAL}. A node only ever moves up, and its subtree with it, so moves
     * cannot cycle.
     */
    void rebalance() {
        long sinceMove = env.now() - lastMoveAt;
        if (!(state instanceof Attached a) || sinceMove < BIG_MOVE_INTERVAL
                || env.now() - a.lastHeard > 2 * config.keepaliveMillis()) {
            return; // (a parent gone quiet is about to be repaired, not moved away from)
        }
        int myDepth = depth();
        int minGain = sinceMove >= MIN_MOVE_INTERVAL ? 1 : BIG_GAIN;
        List<PeerState> better = candidates.ranked(ParentCandidates.SPREAD, candidates::usable, a.parent);
        // the source only for a slot it has free: its upload is the channel's bottleneck, and
        // every relay below it would otherwise keep asking it to displace a listener
        better.removeIf(c -> (c.depth() == 0 && c.freeSlots() == 0) || c.depth() + 1 > myDepth - minGain);
        if (!better.isEmpty()) {
            // one of the best few at random: deep nodes that all chose the single shallowest
            // candidate would all be refused but one
            lastMoveAt = env.now();
            become(new Moving(a));
            attachTo(better.get(env.random().nextInt(better.size())).address());
        }
    }
}
