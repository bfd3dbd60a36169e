package io.arborcast.tree;

/** Counters of one node's tree for one channel (read on the protocol thread). */
public final class TreeStats {
    public long attachesSent;
    public long refusalsReceived;
    /** Refusals received, by reason. */
    public final java.util.Map<String, Long> refusalReasons = new java.util.TreeMap<>();
    /** ATTACHes answered (accepted or refused), directly or through a reversal. */
    public long attachesReceived;
    public long refusalsSent;
    public long parentLosses;
    /** Children dropped because they fell silent (crashed). */
    public long childrenLost;
    /** Children given up because the uplink fell behind (see {@code UploadMeter}). */
    public long childrenShed;
    public long repairs;
    public long badChunks;
    /** Parents left because they sent a chunk or head that failed verification. */
    public long faultyParents;
    /** Re-balancing moves to a shallower parent. */
    public long moves;
    /** Times we gave a pure listener's slot to a relay, and times our own slot was given away. */
    public long displacedOthers;
    public long displaced;
    /**
     * Connection reversal: ATTACHes we sent through a peer's {@code via}, ones we passed on to a
     * child nobody can dial, ones we answered by connecting to the asker, and ones refused (not
     * our child, not from our parent, or over the per-asker rate).
     */
    public long reversalsAsked;
    public long reversalsPassed;
    public long reversalsServed;
    public long reversalsRefused;
    /**
     * Hole punching (both ends behind NATs): reversals we asked for as a peer nobody can dial,
     * PUNCHes we passed back to a child's asker, reversals we answered with a punch, punches we
     * dialled on a parent's PUNCH, and of those asked, ones answered over the punched link and
     * ones that failed (the link never came up, or the ATTACH went unanswered).
     */
    public long punchesAsked;
    public long punchesPassed;
    public long punchesServed;
    public long punchesDialed;
    public long punchesSucceeded;
    public long punchesFailed;
    public long chunksReceived;
    public long chunksForwarded;
    /** Stream payload bytes taken in (from the parent or by gap pull) and sent on to children. */
    public long bytesReceived;
    public long bytesForwarded;
    /** Gap pulls asked, answered, refused (too frequent), chunks taken from them, and chunks nobody asked for. */
    public long pullsSent;
    public long pullsServed;
    public long pullsRefused;
    public long chunksPulled;
    public long unaskedChunks;
    /** Time from losing a parent to the first chunk from the new one, per repair. */
    public final java.util.List<Long> repairMillis = new java.util.ArrayList<>();
}
