package io.arborcast.core;

/** Tells how many bytes a message takes on the wire, so protocol code can keep datagrams small. */
@FunctionalInterface
public interface MessageSizer {
    int sizeOf(Message m);
}
