package io.arborcast.node;

import io.arborcast.core.NodeId;

/** The DHT holds no record of a channel: nobody published it (or its record expired). */
public final class UnknownChannelException extends RuntimeException {
    public UnknownChannelException(NodeId channel, int queried) {
        super("unknown channel " + channel.toHex() + ": no record found in the DHT (" + queried + " nodes asked)");
    }
}
