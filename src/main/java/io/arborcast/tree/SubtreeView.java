package io.arborcast.tree;

import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.TreeMessage;
import io.arborcast.core.TreeMessage.Subtree.Entry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a node knows of the tree below it, for status pages: its children and the subtrees
 * they report ({@link TreeMessage.Subtree}). Each node passes its own view up, cut to
 * {@link TreeMessage#MAX_PATH} peers breadth-first, so a node sees the first few levels
 * below it. Nothing in the protocol depends on it.
 */
final class SubtreeView {
    private final Map<NodeId, List<Entry>> reports = new HashMap<>();
    private List<Entry> lastSent = List.of();
    private NodeId lastSentTo;

    /** A child's report replaces its previous one. */
    void onReport(NodeId child, List<Entry> entries) {
        reports.put(child, entries);
    }

    void forget(NodeId child) {
        reports.remove(child);
    }

    /**
     * The report for {@code parent} if it differs from the last one sent to it (a leaf with no
     * children sends nothing to a new parent), else null.
     */
    List<Entry> reportFor(NodeId parent, Collection<PeerAddress> children) {
        List<Entry> now = below(children, TreeMessage.MAX_PATH);
        boolean sameParent = parent.equals(lastSentTo);
        if (sameParent ? now.equals(lastSent) : now.isEmpty()) {
            return null;
        }
        lastSentTo = parent;
        lastSent = now;
        return now;
    }

    /** The known subtree below this node, breadth-first, at most {@code limit} peers. */
    List<Entry> below(Collection<PeerAddress> children, int limit) {
        record Node(PeerAddress peer, List<Node> kids) {
        }
        List<Node> roots = new ArrayList<>();
        for (PeerAddress c : children) {
            Node root = new Node(c, new ArrayList<>());
            List<Entry> report = reports.getOrDefault(c.id(), List.of());
            List<Node> nodes = new ArrayList<>(report.size());
            for (Entry e : report) {
                Node n = new Node(e.peer(), new ArrayList<>());
                nodes.add(n);
                (e.parent() < 0 ? root : nodes.get(e.parent())).kids().add(n);
            }
            roots.add(root);
        }
        record Queued(Node node, int parent) {
        }
        List<Entry> out = new ArrayList<>();
        Set<NodeId> seen = new HashSet<>();
        Deque<Queued> queue = new ArrayDeque<>();
        roots.forEach(r -> queue.add(new Queued(r, -1)));
        while (!queue.isEmpty() && out.size() < limit) {
            Queued q = queue.poll();
            if (!seen.add(q.node().peer().id())) {
                continue; // a peer that moved, still in a report not yet updated: the shallower place wins
            }
            int at = out.size();
            out.add(new Entry(q.node().peer(), q.parent()));
            q.node().kids().forEach(k -> queue.add(new Queued(k, at)));
        }
        return out;
    }
}
