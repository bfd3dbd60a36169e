package io.arborcast.tree;

import io.arborcast.core.NodeId;
import io.arborcast.core.PeerState;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Free relay slots just above us, passed down the tree ({@link io.arborcast.core.TreeMessage.Room}):
 * what our parent told us of the room among its nearest ancestors, and what we tell our
 * children (ourselves first, when we have a slot). A node two levels or more below a relay
 * with room gains by moving up to it; gossip alone may never bring it that relay's state.
 * Each child is told once per change.
 */
final class RoomAbove {
    /** A room entry travels at most this many levels down, so it is news to a bounded subtree. */
    static final int LEVELS = 4;
    private List<PeerState> fromParent = List.of();
    private List<PeerState> current;
    private final Set<NodeId> told = new HashSet<>();

    /** Our parent's news: the entries above {@code myDepth} are kept (and returned, to learn as candidates). */
    List<PeerState> fromParent(List<PeerState> above, int myDepth) {
        List<PeerState> kept = new ArrayList<>(LEVELS);
        for (PeerState s : above) {
            if (s.depth() < myDepth && kept.size() < LEVELS) {
                kept.add(s);
            }
        }
        fromParent = List.copyOf(kept);
        return fromParent;
    }

    /** A new parent: what the old one said no longer describes our ancestors. */
    void parentChanged() {
        fromParent = List.of();
    }

    /**
     * What our children should hold, given our own state: us if we have a slot (a free one, or
     * a listener's for a relay), then our parent's entries that are at most {@link #LEVELS}
     * levels above a child.
     */
    List<PeerState> share(PeerState self) {
        List<PeerState> out = new ArrayList<>(LEVELS);
        if (self.slotsFor(true) > 0) {
            out.add(self);
        }
        for (PeerState s : fromParent) {
            if (s.depth() + LEVELS > self.depth() && out.size() < LEVELS) {
                out.add(s);
            }
        }
        if (!same(out, current)) {
            current = List.copyOf(out);
            told.clear();
        }
        return current;
    }

    /** True the first time {@code child} is to be told the current list. */
    boolean tell(NodeId child) {
        return told.add(child);
    }

    void forget(NodeId child) {
        told.remove(child);
    }

    /** Same peers in the same states (a peer's version changes with its state; its uptime does not count). */
    private static boolean same(List<PeerState> a, List<PeerState> b) {
        if (b == null || a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).id().equals(b.get(i).id()) || a.get(i).version() != b.get(i).version()) {
                return false;
            }
        }
        return true;
    }
}
