package io.arborcast.tree;

import io.arborcast.core.Environment;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.PeerState;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What a node knows of the peers that could be its parent: the candidates gossip and the
 * directory offer, the states it heard (bounded, the shallowest with a slot kept), and what it
 * remembers of peers it asked: who left an ATTACH unanswered (passed over for a while), who
 * refused (until a newer state of it arrives), who sent forged data (for good), and who was
 * tried in the current round. Ranks them for joins, repairs, moves and backups, and says who
 * to ask next ({@link #next}). Sans-IO.
 */
final class ParentCandidates {
    /** How many peers each memory keeps; the oldest entry is forgotten first. */
    private static final int MAX_REMEMBERED = 256;
    /** Gossip states kept at most, the deepest (or slotless) dropped first. */
    private static final int HEARD_MAX = 64;
    /** A peer that left an ATTACH unanswered is passed over this long. */
    private static final long SILENT_PASS_OVER_MILLIS = 60_000;
    /** A fresh candidate is drawn at random from this many of the best ranked. */
    static final int SPREAD = 3;

    private final Environment env;
    private final Supplier<List<PeerState>> offered;
    private final Supplier<NodeId> self;
    private final Predicate<NodeId> child;
    private final boolean relay;
    private final LinkedHashMap<NodeId, PeerState> heard = new LinkedHashMap<>();
    /**
     * Peers that left an ATTACH unanswered, and until when they are passed over: a crashed
     * peer's last state lingers in gossip, and a node that kept ranking a few dead shallow
     * peers first could try only them, round after round (seen after a mass failure).
     */
    private final Map<NodeId, Long> silentUntil = lastFew();
    /**
     * Peers that refused us, with the newest state version we knew of them then: no state up to
     * that version is a candidate, only a newer one (its slots changed since). Gossip keeps
     * bringing old states back; without this a refused peer was asked again at the next move.
     */
    private final Map<NodeId, Long> refusedAsOf = lastFew();
    /** Peers that sent us a chunk or head failing verification: never our parent again. */
    private final Set<NodeId> faulty = Collections.newSetFromMap(lastFew());
    private final Set<NodeId> tried = new HashSet<>();
    /** Where the last refusal or displacement sent us, to try first. */
    private final Deque<PeerAddress> redirects = new ArrayDeque<>();
    /** The states the last refusal or displacement named (how to reach them, see {@link #via}). */
    private List<PeerState> redirectStates = List.of();
    /** Whether peers can dial us: only then can a peer nobody can dial (a {@code via} one) connect to us. */
    private boolean dialable = true;
    /** Our hole punches as a child: while they are paused, nobody we cannot dial is a candidate unless we are dialable. */
    final PunchStreak punches = new PunchStreak();

    /**
     * @param offered the candidates gossip and the directory offer right now
     * @param self    our own id
     * @param child   whether an id is one of our children (never our parent, then)
     * @param relay   whether we relay: then a full parent's listener slots count for us too
     */
    ParentCandidates(Environment env, Supplier<List<PeerState>> offered, Supplier<NodeId> self,
                     Predicate<NodeId> child, boolean relay) {
        this.env = env;
        this.offered = offered;
        this.self = self;
        this.child = child;
        this.relay = relay;
    }

    private static <V> Map<NodeId, V> lastFew() {
        return new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<NodeId, V> eldest) {
                return size() > MAX_REMEMBERED;
            }
        };
    }

    /** A peer state heard (gossip, Room); false if it is ours or older than one we know. */
    boolean hear(PeerState s) {
        PeerState known = heard.get(s.id());
        if (s.id().equals(self.get()) || (known != null && known.version() > s.version())) {
            return false; // gossip can bring an older state after a newer one
        }
        heard.remove(s.id());
        heard.put(s.id(), s);
        if (heard.size() > HEARD_MAX) {
            NodeId worst = null;
            int worstDepth = -1;
            for (PeerState p : heard.values()) {
                int d = p.slotsFor(relay) == 0 ? Integer.MAX_VALUE : p.depth();
                if (d > worstDepth) {
                    worstDepth = d;
                    worst = p.id();
                }
            }
            heard.remove(worst);
        }
        return true;
    }

    /**
     * Whether peers can dial us (a reachability check's answer; until there is one, we assume
     * so). A node nobody can dial reaches parents nobody can dial only by hole punching.
     */
    void setDialable(boolean d) {
        dialable = d;
    }

    boolean dialable() {
        return dialable;
    }

    /**
     * The node to send an ATTACH for {@code id} through (the {@code via} its newest known state
     * names: it cannot be dialled), or null to dial it.
     */
    PeerAddress via(NodeId id) {
        PeerState known = null;
        for (PeerState st : redirectStates) {
            if (st.id().equals(id)) {
                known = st;
            }
        }
        PeerState newest = newest(id, offered.get());
        if (newest != null) {
            known = newest.newer(known);
        }
        return known == null ? null : known.via();
    }

    /**
     * Whether a link between us and {@code s}'s peer can be opened: it is dialable; or it names a
     * parent to ask through ({@code via}; not while it has none) and we are dialable (reversal)
     * or may punch a hole.
     */
    private boolean connectable(PeerState s) {
        return s.dialable() || throughVia(s.via(), s.id());
    }

    /** Whether only a hole punch can link us to {@code s}'s peer: neither of us can be dialled. */
    private boolean needsPunch(PeerState s) {
        return !dialable && !s.dialable();
    }

    private boolean throughVia(PeerAddress via, NodeId id) {
        return !id.equals(via.id()) && !via.id().equals(self.get()) && (dialable || !punches.paused(env.now()));
    }

    /** A new round of candidates: everyone may be tried again. */
    void newRound() {
        tried.clear();
    }

    /** {@code id} is being asked (or was just left) in this round. */
    void tried(NodeId id) {
        tried.add(id);
    }

    /** {@code id} left our ATTACH unanswered: passed over for a while, its heard state forgotten. */
    void silent(NodeId id) {
        silentUntil.put(id, env.now() + SILENT_PASS_OVER_MILLIS);
        heard.remove(id);
    }

    /** {@code id} refused us: none of its states known now is a candidate, only a newer one. */
    void refused(NodeId id) {
        PeerState known = newest(id, offered.get());
        refusedAsOf.put(id, known == null ? 0 : known.version()); // (0, as a directory entry's, if we know none)
    }

    /** {@code id} sent us forged or corrupted data: never our parent again. */
    void faulty(NodeId id) {
        faulty.add(id);
    }

    /** Eligible, not tried in this round, and not lately silent to an ATTACH. */
    boolean usable(PeerAddress p) {
        return untried(p) && silentUntil.getOrDefault(p.id(), Long.MIN_VALUE) <= env.now();
    }

    boolean untried(PeerAddress p) {
        return eligible(p) && !tried.contains(p.id());
    }

    /** Could be our parent at all: not ourselves, not one of our children, never faulty. */
    boolean eligible(PeerAddress p) {
        return p != null && p.id() != null && !p.id().equals(self.get()) && !child.test(p.id())
                && !faulty.contains(p.id());
    }

    /** {@code s} is no newer than the state we knew when its peer refused us. */
    boolean refusedUs(PeerState s) {
        return s.version() <= refusedAsOf.getOrDefault(s.id(), -1L);
    }

    /** Whether gossip or the directory offers {@code id} right now. */
    boolean offers(NodeId id) {
        for (PeerState st : offered.get()) {
            if (st.id().equals(id)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Candidates with a slot for us (a free one, or for a relay a listener's), shallowest first;
     * only those {@code ok} accepts, never {@code parent}.
     */
    List<PeerState> ranked(int limit, Predicate<PeerAddress> ok, PeerAddress parent) {
        List<PeerState> cs = newest(true);
        cs.removeIf(s -> s.slotsFor(relay) == 0 || !ok.test(s.address()) || !connectable(s)
                || refusedUs(s)
                || (parent != null && s.id().equals(parent.id())));
        // a hole punch comes last (it fails whenever either NAT maps per destination, and costs an
        // ATTACH timeout then); at equal depth a free slot beats displacing a listener (which costs
        // that listener a move)
        cs.sort(this::rank);
        return cs.subList(0, Math.min(limit, cs.size()));
    }

    /** The order of {@link #ranked}: no punch needed, shallower, a free slot, a bigger uplink. */
    private int rank(PeerState a, PeerState b) {
        int c = Boolean.compare(needsPunch(a), needsPunch(b));
        if (c == 0) {
            c = Integer.compare(a.depth(), b.depth());
        }
        if (c == 0) {
            c = Boolean.compare(a.freeSlots() == 0, b.freeSlots() == 0);
        }
        return c != 0 ? c : Integer.compare(b.uploadKbps(), a.uploadKbps());
    }

    /**
     * Every candidate once, in its newest known state (gossip versions; directory entries are
     * version 0), except the source: its directory offer (depth 0, version 0, free slots) counts
     * over its gossip states, which always show it full (it offers slots only through the
     * directory) and are newer. A listener whose first provider had left never asked it otherwise.
     */
    List<PeerState> newest() {
        return newest(false);
    }

    /**
     * {@link #newest()}, or ({@code withASlotOnly}) only the peers that may have a slot for us:
     * only a peer with some known state offering one can, as its newest state is one of them, so
     * the others (most peers: full) are left out. A repair ranks its backups for every ATTACH.
     */
    private List<PeerState> newest(boolean withASlotOnly) {
        // the offers (gossip's known peers and the directory's: dozens) merged per id in one pass,
        // in the order first offered; then the heard ones not offered, in the order heard
        List<PeerState> offers = offered.get();
        Map<NodeId, Integer> at = new HashMap<>(offers.size() * 2);
        List<PeerState> merged = new ArrayList<>(offers.size());
        List<PeerState> sourceOffers = new ArrayList<>(offers.size());
        BitSet withASlot = new BitSet();
        for (PeerState st : offers) {
            Integer i = at.putIfAbsent(st.id(), merged.size());
            if (i == null) {
                i = merged.size();
                merged.add(st);
                sourceOffers.add(null);
            } else {
                merged.set(i, merged.get(i).newer(st));
            }
            if (st.slotsFor(relay) > 0) {
                withASlot.set(i);
            }
            if (sourceOffer(st)) {
                sourceOffers.set(i, st);
            }
        }
        List<PeerState> out = new ArrayList<>(merged.size() + (withASlotOnly ? 0 : heard.size()));
        for (int i = 0; i < merged.size(); i++) {
            PeerState known = merged.get(i);
            PeerState h = heard.get(known.id());
            if (!withASlotOnly || withASlot.get(i) || h != null && h.slotsFor(relay) > 0) {
                known = h == null ? known : known.newer(h);
                out.add(sourceOffers.get(i) != null ? sourceOffers.get(i) : known);
            }
        }
        for (PeerState st : heard.values()) {
            if ((!withASlotOnly || st.slotsFor(relay) > 0) && !at.containsKey(st.id())) {
                out.add(st);
            }
        }
        return out;
    }

    /** {@link #newest()}'s state of {@code id} alone, or null. */
    private PeerState newest(NodeId id, List<PeerState> offers) {
        PeerState known = null;
        for (PeerState st : offers) {
            if (st.id().equals(id)) {
                known = known == null ? st : known.newer(st);
            }
        }
        PeerState h = heard.get(id);
        if (h != null) {
            known = known == null ? h : known.newer(h);
        }
        for (PeerState st : offers) {
            if (sourceOffer(st) && st.id().equals(id)) {
                known = st;
            }
        }
        return known;
    }

    /** The source's directory offer, which counts over its gossip states (see {@link #newest()}). */
    private static boolean sourceOffer(PeerState st) {
        return st.depth() == 0 && st.version() == 0 && st.freeSlots() > 0;
    }

    /**
     * The backup parents: the best {@code limit} not tried in this round, never {@code parent}.
     * Ranked when asked (a repair's next ATTACH, a status page), from what is known then.
     */
    List<PeerState> backups(int limit, PeerAddress parent) {
        return ranked(limit, this::untried, parent);
    }

    /** Tries {@code alternatives} next, in order; they replace older redirects (likely full by now). */
    void redirect(List<PeerState> alternatives) {
        redirects.clear();
        for (PeerState alt : alternatives) {
            if (usable(alt.address()) && connectable(alt)) {
                redirects.add(alt.address());
            }
        }
        redirectStates = alternatives;
    }

    /** Whether a link to {@code a}, an ancestor known by address only, can be opened (see {@link #connectable}). */
    private boolean reachable(PeerAddress a) {
        PeerAddress via = via(a.id());
        return via == null || throughVia(via, a.id());
    }

    /**
     * Who to ask next, or null: redirects just received, the source if it is the grandparent,
     * in a repair ({@code repairing}) the grandparent if it is no deeper than the best backup,
     * backups, the ancestors on {@code path} (the lost parent's path, grandparent first), then
     * one of the best other candidates. Peers only a hole punch reaches come after all others.
     */
    PeerAddress next(List<PeerAddress> path, boolean repairing, int backupCount) {
        while (!redirects.isEmpty()) {
            PeerAddress r = redirects.poll();
            if (usable(r)) {
                return r;
            }
        }
        List<PeerState> backups = backups(backupCount, null);
        PeerAddress next = known(path, repairing, backups, false);
        if (next == null) {
            next = best(false);
        }
        if (next == null && !dialable) {
            next = known(path, repairing, backups, true);
            if (next == null) {
                next = best(true);
            }
        }
        return next;
    }

    /**
     * The first of the grandparent, backups and ancestors to ask; with {@code punch}, also those
     * only a hole punch reaches.
     */
    private PeerAddress known(List<PeerAddress> path, boolean repairing, List<PeerState> backups, boolean punch) {
        // the source as grandparent comes before backups: gossip always shows it full (it offers
        // its slots only through the directory), and its child's orphans are who should refill it
        if (path.size() == 2 && askable(path.get(1), punch)) {
            return path.get(1);
        }
        // in a repair, a grandparent no deeper than the best backup first: there (or at the lost
        // parent's sibling a full grandparent redirects to) our subtree sinks no deeper. Orphans
        // that took their shallowest backup, a level or more below, made the deep chains of churn
        int grandparentDepth = path.size() - 2;
        boolean noDeeperThanBackups = backups.isEmpty() || grandparentDepth <= backups.get(0).depth();
        if (repairing && grandparentDepth >= 0 && noDeeperThanBackups && askable(path.get(1), punch)) {
            return path.get(1);
        }
        for (PeerState b : backups) {
            if (usable(b.address()) && (punch || !needsPunch(b))) {
                return b.address();
            }
        }
        for (PeerAddress a : path) { // grandparent first (the lost parent failed already)
            if (askable(a, punch)) {
                return a;
            }
        }
        return null;
    }

    /** Whether {@code a}, known by address, may be asked now; only a hole punch reaching it, only with {@code punch}. */
    private boolean askable(PeerAddress a, boolean punch) {
        return usable(a) && reachable(a) && (punch || dialable || via(a.id()) == null);
    }

    /**
     * One of the best candidates gossip and the directory offer, at random, or null; with
     * {@code punch}, also those only a hole punch reaches.
     */
    private PeerAddress best(boolean punch) {
        // one of the best few, at random: joiners that all chose the single shallowest peer from
        // the same gossip would all be refused by it but the first
        List<PeerState> best = ranked(SPREAD, this::usable, null);
        if (best.isEmpty()) { // nobody else: a peer that was silent may have been cut off for a moment
            best = ranked(SPREAD, this::untried, null);
        }
        if (!punch) {
            best.removeIf(this::needsPunch);
        }
        return best.isEmpty() ? null : best.get(env.random().nextInt(best.size())).address();
    }
}
