package io.arborcast.tree;

/** Counters of one node's tree for one channel (read on the protocol thread). */
public final class TreeStats {
    public long attachesSent;
    public long refusalsReceived;
    public long refusalsSent;
    public long parentLosses;
    public long repairs;
    public long badChunks;
    /** Re-balancing moves to a shallower parent. */
    public long moves;
    public long chunksReceived;
    public long chunksForwarded;
    /** Time from losing a parent to the first chunk from the new one, per repair. */
    public final java.util.List<Long> repairMillis = new java.util.ArrayList<>();
}
