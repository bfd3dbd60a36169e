/**
 * Per-channel membership, sans-IO: HyParView active and passive views with shuffles, and
 * failure detection by heartbeats plus a SWIM-style indirect probe. Spreads each peer's
 * depth, free relay slots, capacity and uptime for the relay tree to choose parents.
 */
package io.arborcast.gossip;
