package io.arborcast.core;

import java.util.Objects;

/**
 * What gossip spreads about a peer of a channel: where it is and what it can offer the
 * relay tree. {@code listenerChildren} counts its children that relay nothing: a relay asking
 * for a slot gets one of theirs (they move below it), so for relays those count as free too.
 * {@code version} increases whenever the peer changes its own state, so the newest
 * information wins wherever two copies meet.
 */
public record PeerState(PeerAddress address, int depth, int freeSlots, int listenerChildren, int uploadKbps,
                        int uptimeSeconds, long version) {
    public PeerState {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(address.id(), "a gossiped peer needs its node id");
        if (depth < 0 || freeSlots < 0 || listenerChildren < 0 || uploadKbps < 0 || uptimeSeconds < 0
                || version < 0) {
            throw new IllegalArgumentException("negative peer state field");
        }
    }

    /**
     * A state known only from what a peer offers (a redirect, a provider record): its place and
     * slots, version 0 so any gossiped state of it wins.
     */
    public static PeerState offering(PeerAddress address, int depth, int freeSlots) {
        return offering(address, depth, freeSlots, 0);
    }

    /** As {@link #offering(PeerAddress, int, int)}, with its listener children (slots for a relay). */
    public static PeerState offering(PeerAddress address, int depth, int freeSlots, int listenerChildren) {
        return new PeerState(address, depth, freeSlots, listenerChildren, 0, 0, 0);
    }

    public NodeId id() {
        return address.id();
    }

    /** Slots this peer would give an asker that relays ({@code asRelay}) or not. */
    public int slotsFor(boolean asRelay) {
        return asRelay ? freeSlots + listenerChildren : freeSlots;
    }

    /** The newer of two states of the same peer. */
    public PeerState newer(PeerState other) {
        return other != null && other.version > version ? other : this;
    }
}
