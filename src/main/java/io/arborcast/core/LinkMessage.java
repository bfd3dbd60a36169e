package io.arborcast.core;

/** Link-level control messages carried over a peer link. */
public sealed interface LinkMessage extends Message {
    /** Keeps an idle link alive and lets the far end measure liveness; {@code seq} counts up. */
    record Heartbeat(long seq) implements LinkMessage {
    }
}
