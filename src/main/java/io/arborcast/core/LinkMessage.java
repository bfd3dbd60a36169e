package io.arborcast.core;

/** Link-level control messages carried over a peer link. */
public sealed interface LinkMessage extends Message {
    /**
     * Keeps an idle link alive and proves the sender alive. In the relay tree, {@code seq} is
     * the source's beacon (its clock), passed down by every relay, so a child can tell a paused
     * source from a parent cut off from it.
     */
    record Heartbeat(long seq) implements LinkMessage {
    }
}
