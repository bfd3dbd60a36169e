package io.arborcast.core;

/** Link-level control messages carried over a peer link. */
public sealed interface LinkMessage extends Message {
    /**
     * Keeps an idle link alive: link liveness only, for no channel in particular (the relay
     * tree has its own per-channel {@link TreeMessage.Keepalive}).
     */
    record Heartbeat(long seq) implements LinkMessage {
    }
}
