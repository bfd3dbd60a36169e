package io.arborcast.tree;

import io.arborcast.core.Cancellable;
import io.arborcast.core.NodeId;

import java.util.LinkedHashMap;
import java.util.Map;

/** The ATTACHes out and unanswered, oldest first, each with when it went and its timeout. */
final class Attempts {
    private record Attempt(long sentAt, Cancellable timeout) {
    }

    private final Map<NodeId, Attempt> byPeer = new LinkedHashMap<>(4);

    boolean isEmpty() {
        return byPeer.isEmpty();
    }

    int size() {
        return byPeer.size();
    }

    void add(NodeId peer, long sentAt, Cancellable timeout) {
        byPeer.put(peer, new Attempt(sentAt, timeout));
    }

    boolean pending(NodeId peer) {
        return byPeer.containsKey(peer);
    }

    /** When the newest went out (Long.MIN_VALUE: none out). */
    long newest() {
        long newest = Long.MIN_VALUE;
        for (Attempt a : byPeer.values()) {
            newest = Math.max(newest, a.sentAt());
        }
        return newest;
    }

    /** The one to {@code peer} is answered: its timeout cancelled; false if none was out. */
    boolean end(NodeId peer) {
        Attempt a = byPeer.remove(peer);
        if (a == null) {
            return false;
        }
        a.timeout().cancel();
        return true;
    }

    /** The one to {@code peer} timed out; false if none was out (it was answered meanwhile). */
    boolean expire(NodeId peer) {
        return byPeer.remove(peer) != null;
    }

    /** All answered at once (one accepted us): the others' timeouts cancelled. */
    void endAll() {
        byPeer.values().forEach(a -> a.timeout().cancel());
        byPeer.clear();
    }
}
