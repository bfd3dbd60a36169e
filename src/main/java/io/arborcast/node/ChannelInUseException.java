package io.arborcast.node;

import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;

/** Another node publishes the channel and answers: one publisher per key, unless told to take over. */
public final class ChannelInUseException extends RuntimeException {
    private final PeerAddress publisher;

    public ChannelInUseException(NodeId channel, PeerAddress publisher) {
        super("channel " + channel.toHex() + " is already published by " + publisher.endpoint()
                + " (it answers); stop that publisher first, or take the channel over with --takeover");
        this.publisher = publisher;
    }

    /** The node that publishes the channel now. */
    public PeerAddress publisher() {
        return publisher;
    }
}
