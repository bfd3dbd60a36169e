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
    private final Map<NodeId, TreeMessage.Subtree> reports = new HashMap<>();
    private TreeMessage.Subtree lastSent;
    private NodeId lastSentTo;

    /** A child's report replaces its previous one. */
    void onReport(NodeId child, TreeMessage.Subtree report) {
        reports.put(child, report);
    }

    void forget(NodeId child) {
        reports.remove(child);
    }

    /** The nodes below us: each child and the subtree it reported (a child that has not reported counts as one). */
    int nodesBelow(Collection<PeerAddress> children) {
        int n = 0;
        for (PeerAddress c : children) {
            TreeMessage.Subtree r = reports.get(c.id());
            n += r == null ? 1 : r.nodes();
        }
        return n;
    }

    /**
     * The report for {@code parent} if it differs from the last one sent to it (a leaf with no
     * children sends nothing to a new parent: it counts as one without), else null.
     */
    TreeMessage.Subtree reportFor(NodeId channel, NodeId parent, Collection<PeerAddress> children) {
        TreeMessage.Subtree now = new TreeMessage.Subtree(channel, below(children, TreeMessage.MAX_PATH),
                1 + nodesBelow(children));
        boolean sameParent = parent.equals(lastSentTo);
        if (sameParent ? now.equals(lastSent) : now.entries().isEmpty()) {
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
            TreeMessage.Subtree r = reports.get(c.id());
            List<Entry> report = r == null ? List.of() : r.entries();
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
