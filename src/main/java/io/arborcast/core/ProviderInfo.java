package io.arborcast.core;

import java.util.Objects;

/**
 * A peer that carries a channel, as announced in the DHT: where it is, how deep in the
 * relay tree, and how many relay slots it has free.
 */
public record ProviderInfo(PeerAddress address, int depth, int freeSlots) {
    public ProviderInfo {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(address.id(), "provider address needs a node id");
        if (depth < 0 || freeSlots < 0) {
            throw new IllegalArgumentException("negative depth or free slots");
        }
    }
}
