package io.arborcast.sim.net;

/** An ordered, reliable link between two virtual nodes: frames arrive in the order sent. */
final class SimLink {
    final SimNode a;
    final SimNode b;
    boolean open = true;
    private long lastArrivalAtB;
    private long lastArrivalAtA;

    SimLink(SimNode a, SimNode b) {
        this.a = a;
        this.b = b;
    }

    static long key(int i, int j) {
        return i < j ? ((long) i << 32) | j : ((long) j << 32) | i;
    }

    SimNode other(SimNode n) {
        return n == a ? b : a;
    }

    /** FIFO: a frame never overtakes the one sent before it in the same direction. */
    long orderedArrival(SimNode from, long arrival) {
        if (from == a) {
            lastArrivalAtB = Math.max(lastArrivalAtB, arrival);
            return lastArrivalAtB;
        }
        lastArrivalAtA = Math.max(lastArrivalAtA, arrival);
        return lastArrivalAtA;
    }
}
