package io.arborcast.core;

import java.util.Objects;

/**
 * What gossip spreads about a peer of a channel: where it is and what it can offer the
 * relay tree. {@code listenerChildren} counts its children that relay nothing: a relay asking
 * for a slot gets one of theirs (they move below it), so for relays those count as free too.
 * {@code version} increases whenever the peer changes its own state, so the newest
 * information wins wherever two copies meet. {@code via} is null for a peer others can dial;
 * for one nobody can (behind a NAT), a dialable node that holds a tree link to it (its parent,
 * or a child when the parent is the source or nobody can dial it either), through which a
 * would-be child asks it to connect ({@link TreeMessage.AttachVia}), or its own address while
 * there is none (nobody can reach it then).
 */
public record PeerState(PeerAddress address, int depth, int freeSlots, int listenerChildren, int uploadKbps,
                        int uptimeSeconds, long version, PeerAddress via) {
    public PeerState {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(address.id(), "a gossiped peer needs its node id");
        if (depth < 0 || freeSlots < 0 || listenerChildren < 0 || uploadKbps < 0 || uptimeSeconds < 0
                || version < 0) {
            throw new IllegalArgumentException("negative peer state field");
        }
    }

    /** The state of a peer others can dial. */
    public PeerState(PeerAddress address, int depth, int freeSlots, int listenerChildren, int uploadKbps,
                     int uptimeSeconds, long version) {
        this(address, depth, freeSlots, listenerChildren, uploadKbps, uptimeSeconds, version, null);
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
        return offering(address, depth, freeSlots, listenerChildren, null);
    }

    /** As {@link #offering(PeerAddress, int, int, int)}, for a peer reached through {@code via} (null: dialled). */
    public static PeerState offering(PeerAddress address, int depth, int freeSlots, int listenerChildren,
                                     PeerAddress via) {
        return new PeerState(address, depth, freeSlots, listenerChildren, 0, 0, 0, via);
    }

    /** Whether peers can dial this one (else they ask {@link #via} to have it dial them). */
    public boolean dialable() {
        return via == null;
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
