package io.arborcast.gossip;

/** Counters of one channel's gossip at one peer (read on the protocol thread). */
public final class GossipStats {
    public long deathsDeclared;
    public long suspicions;
    public long suspicionsCleared;
    public long promotions;
    public long shuffles;
    public long dropped;
    public long heartbeatsSent;
}
