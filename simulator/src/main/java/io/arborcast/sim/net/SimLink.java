package io.arborcast.sim.net;

/**
 * One node's end of an ordered, reliable link to another (a TCP connection): the node that
 * holds it is the only one that reads or changes it, so the two ends of a link may sit in
 * different partitions. Both ends carry the link's {@link #id}; a frame in flight is taken in
 * only while its receiver still holds an end with that id (a link closed meanwhile drops it).
 * The far end is opened and closed through the outboxes, a millisecond later when it is in
 * another partition.
 */
final class SimLink {
    /** The node at the other end. */
    final SimNode peer;
    /** The link's id, the same at both ends: the dialling node's index and a count of its dials. */
    final long id;
    /** Whether this end dialled (the other accepted). */
    final boolean dialled;
    /** When the last frame sent from this end reaches the peer: a frame never overtakes the one before. */
    private long lastArrivalAtPeer;

    SimLink(SimNode peer, long id, boolean dialled) {
        this.peer = peer;
        this.id = id;
        this.dialled = dialled;
    }

    /** FIFO: when a frame sent from this end that would arrive at {@code arrival} does arrive. */
    long orderedArrival(long arrival) {
        lastArrivalAtPeer = Math.max(lastArrivalAtPeer, arrival);
        return lastArrivalAtPeer;
    }
}
