package io.arborcast.core;

import java.util.Objects;

/**
 * A peer that carries a channel, as announced in the DHT: where it is, how deep in the
 * relay tree, how many relay slots it has free, and for a peer nobody can dial (behind a NAT)
 * the node to ask for a connection from it ({@code via}, its parent; null for a dialable peer).
 */
public record ProviderInfo(PeerAddress address, int depth, int freeSlots, PeerAddress via) {
    public ProviderInfo {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(address.id(), "provider address needs a node id");
        if (depth < 0 || freeSlots < 0) {
            throw new IllegalArgumentException("negative depth or free slots");
        }
    }

    /** A dialable provider. */
    public ProviderInfo(PeerAddress address, int depth, int freeSlots) {
        this(address, depth, freeSlots, null);
    }

    /** This entry with its address replaced, all else kept. */
    public ProviderInfo at(PeerAddress a) {
        return new ProviderInfo(a, depth, freeSlots, via);
    }
}
