package io.arborcast.tree;

import io.arborcast.core.PeerAddress;

import java.util.List;

/**
 * Where a node stands toward its parent in one channel's tree ({@link Upstream} holds one of
 * these and changes it only through {@code become}): the source is the {@link Root}; a listener
 * is {@link Idle} until it joins, {@link Seeking} a parent, {@link Attached} to one, or
 * {@link Moving} up while still attached. The timers a state needs (its ATTACHes out) are part
 * of it, so they cannot outlive it unnoticed.
 */
sealed interface ParentState permits ParentState.Root, ParentState.Idle, ParentState.Seeking, ParentState.Attached,
        ParentState.Moving {

    /** The source: the root of the tree, never attached. */
    record Root() implements ParentState {
    }

    /** A listener before {@link Upstream#join} or after {@link Upstream#leave}: not looking for a parent. */
    record Idle() implements ParentState {
    }

    /**
     * Looking for a parent, with the ATTACHes out (oldest first; during a repair up to
     * {@link Upstream#MAX_ATTEMPTS}, the newest hedged after {@link Upstream#HEDGE_MILLIS}: whichever accepts
     * first is taken, a later accept is detached). {@code lostAt}: when the parent was lost (a
     * repair), -1 on a first join or after being displaced. {@code path}: the lost parent's path
     * to the source, where the grandparent is looked for.
     */
    record Seeking(long lostAt, List<PeerAddress> path, Attempts attempts) implements ParentState {
    }

    /** Fed by {@code parent}; {@code ancestors} is the path to the source, parent first. */
    static final class Attached implements ParentState {
        final PeerAddress parent;
        List<PeerAddress> ancestors;
        /** The latest source beacon heard from the parent (see {@link Upstream#onKeepalive}); -1 before any. */
        long beacon = -1;
        long lastHeard;
        long lastChunk;
        /** When we last sent the parent a keepalive. */
        long lastKeepalive;
        /** When the repair that led here began, until the first chunk ends it; -1: no repair. */
        long repairSince;

        Attached(PeerAddress parent, List<PeerAddress> ancestors, long now, long repairSince) {
            this.parent = parent;
            this.ancestors = ancestors;
            this.lastHeard = now;
            this.lastChunk = now;
            this.lastKeepalive = now;
            this.repairSince = repairSince;
        }
    }

    /** Attached to {@code current}, with one ATTACH out to a shallower parent after {@code hops} redirects. */
    static final class Moving implements ParentState {
        final Attached current;
        final Attempts attempts = new Attempts();
        int hops;

        Moving(Attached current) {
            this.current = current;
        }
    }
}
