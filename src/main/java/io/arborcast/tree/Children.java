package io.arborcast.tree;

import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.TreeMessage;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's children in one channel's tree, one {@link Child} record each, in the order they
 * were first accepted: what used to be five maps cleared together (address, relay slots, last
 * heard, last sent, probation) and could drift apart.
 */
final class Children {
    private static final long ESTABLISHED = Long.MIN_VALUE;

    /** One child: where it is, what it offers, when we last heard from it and sent to it, its probation. */
    static final class Child {
        private PeerAddress address;
        private int slots;
        private boolean dialable;
        private long lastHeard;
        private long lastSent;
        private long probationSince = ESTABLISHED;
        private long probationNextSeq;
        /** Chunks of its resume replay the uplink had no room for yet, from and to (inclusive); -1: none. */
        private long owedFrom = -1;
        private long owedTo;

        PeerAddress address() {
            return address;
        }

        NodeId id() {
            return address.id();
        }

        /** Relay slots it asked with (0: a pure listener). */
        int slots() {
            return slots;
        }

        /** Whether peers can dial it (else they reach it through us, its parent). */
        boolean dialable() {
            return dialable;
        }

        long lastHeard() {
            return lastHeard;
        }

        /** When we last sent it anything (0: never). */
        long lastSent() {
            return lastSent;
        }

        /**
         * Accepted, but not heard from since: it holds a slot and is sent no live chunk until
         * its first keepalive shows it runs the protocol.
         */
        boolean onProbation() {
            return probationSince != ESTABLISHED;
        }

        long probationSince() {
            return probationSince;
        }

        /** The first seq still owed from its resume replay; -1 if none. */
        long owedFrom() {
            return owedFrom;
        }

        long owedTo() {
            return owedTo;
        }

        /** Still owed: {@code from} to {@code to} (inclusive); none if {@code from} is past {@code to}. */
        void owe(long from, long to) {
            owedFrom = from <= to ? from : -1;
            owedTo = to;
        }
    }

    private final Map<NodeId, Child> byId = new LinkedHashMap<>();

    boolean contains(NodeId id) {
        return byId.containsKey(id);
    }

    Child get(NodeId id) {
        return byId.get(id);
    }

    int size() {
        return byId.size();
    }

    /** Every child, oldest first; not to be changed while iterated. */
    Collection<Child> all() {
        return byId.values();
    }

    List<PeerAddress> addresses() {
        List<PeerAddress> out = new ArrayList<>(byId.size());
        for (Child c : byId.values()) {
            out.add(c.address);
        }
        return out;
    }

    /**
     * Takes {@code a} as a child (again: an accept repeated keeps its record) as its ATTACH asked
     * (relay slots, dialable), heard from now. True if it is a new child.
     */
    boolean admit(PeerAddress a, TreeMessage.Attach asked, long now) {
        Child c = byId.get(a.id());
        boolean added = c == null;
        if (added) {
            c = new Child();
            byId.put(a.id(), c);
        }
        c.address = a;
        c.slots = asked.relaySlots();
        c.dialable = asked.dialable();
        c.lastHeard = now;
        return added;
    }

    /** On probation (keeping an earlier start), to be sent what follows {@code nextSeq} once heard. */
    void probation(NodeId id, long nextSeq, long now) {
        Child c = byId.get(id);
        if (!c.onProbation()) {
            c.probationSince = now;
        }
        c.probationNextSeq = nextSeq;
    }

    /**
     * A keepalive from {@code id}: heard now. Returns the seq to resume it from if this ended its
     * probation, else -1 (also for a peer that is no child).
     */
    long heard(NodeId id, long now) {
        Child c = byId.get(id);
        if (c == null) {
            return -1;
        }
        c.lastHeard = now;
        if (!c.onProbation()) {
            return -1;
        }
        c.probationSince = ESTABLISHED;
        return c.probationNextSeq;
    }

    /** We sent {@code id} something now. */
    void sent(NodeId id, long now) {
        Child c = byId.get(id);
        if (c != null) {
            c.lastSent = now;
        }
    }

    /** Forgets a child; false if it was none. */
    boolean remove(NodeId id) {
        return byId.remove(id) != null;
    }

    void clear() {
        byId.clear();
    }
}
