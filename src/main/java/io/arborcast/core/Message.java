package io.arborcast.core;

/**
 * Every message peers exchange: immutable records grouped by protocol. The wire codec
 * gives each record a fixed id; the simulator passes them as objects.
 */
public sealed interface Message permits DhtMessage, GossipMessage, LinkMessage, SourceMessage, StreamMessage,
        TreeMessage {
    /** True for messages that travel as one UDP datagram rather than over a link (types may override). */
    default boolean isDatagram() {
        return this instanceof DhtMessage;
    }
}
