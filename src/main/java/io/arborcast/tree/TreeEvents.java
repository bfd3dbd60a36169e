package io.arborcast.tree;

import io.arborcast.core.PeerAddress;

/**
 * What happens to a node's place in the tree, for logs and operators. Called on the
 * protocol's thread; every method does nothing unless overridden.
 */
public interface TreeEvents {
    /** A parent accepted us; {@code moved} when we left a working parent for a shallower one. */
    default void attached(PeerAddress parent, int depth, boolean moved) {
    }

    /** Our parent is gone or useless; a repair starts. */
    default void parentLost(PeerAddress parent, String why) {
    }

    /** The first chunk from the new parent arrived, {@code millis} after the old one was lost. */
    default void repaired(PeerAddress parent, long millis) {
    }

    /**
     * We ask {@code candidate} to be our parent, resuming at {@code resumeSeq} (-1: from its
     * preroll); through {@code via} if it cannot be dialled (connection reversal), else null.
     */
    default void asking(PeerAddress candidate, PeerAddress via, long resumeSeq) {
    }

    /** A peer we asked to be our parent said no. */
    default void refused(PeerAddress by, String reason) {
    }

    default void childAdded(PeerAddress child) {
    }

    default void childLost(PeerAddress child, String why) {
    }
}
