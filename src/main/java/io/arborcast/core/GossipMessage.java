package io.arborcast.core;

import java.util.List;
import java.util.Objects;

/**
 * Per-channel membership gossip (HyParView with SWIM-style probing). Every message names
 * its channel. All travel over peer links except {@link ShuffleReply}, which goes straight
 * back to the shuffle's origin as a datagram.
 */
public sealed interface GossipMessage extends Message {
    /** Most peer states one message may carry. */
    int MAX_SAMPLE = 16;

    NodeId channel();

    private static void check(NodeId channel) {
        Objects.requireNonNull(channel, "channel");
    }

    private static <T> List<T> bounded(List<T> l) {
        if (l.size() > MAX_SAMPLE) {
            throw new IllegalArgumentException("more than " + MAX_SAMPLE + " peer states");
        }
        return List.copyOf(l);
    }

    /** A newcomer asks a contact to take it into its active view. */
    record Join(NodeId channel, PeerState sender) implements GossipMessage {
        public Join {
            check(channel);
            Objects.requireNonNull(sender, "sender");
        }
    }

    /** A join's random walk through active views; it ends in an active view, and marks passive views on the way. */
    record ForwardJoin(NodeId channel, PeerState joiner, int ttl) implements GossipMessage {
        public ForwardJoin {
            check(channel);
            Objects.requireNonNull(joiner, "joiner");
            if (ttl < 0 || ttl > 32) {
                throw new IllegalArgumentException("bad ttl " + ttl);
            }
        }
    }

    /** Asks to become an active neighbour; {@code urgent} when the sender has no active peer left. */
    record Neighbor(NodeId channel, PeerState sender, boolean urgent) implements GossipMessage {
        public Neighbor {
            check(channel);
            Objects.requireNonNull(sender, "sender");
        }
    }

    /** The answer to {@link Neighbor}. */
    record NeighborReply(NodeId channel, PeerState sender, boolean accepted) implements GossipMessage {
        public NeighborReply {
            check(channel);
            Objects.requireNonNull(sender, "sender");
        }
    }

    /** The sender drops us from its active view (we may keep it as passive). */
    record Disconnect(NodeId channel) implements GossipMessage {
        public Disconnect {
            check(channel);
        }
    }

    /** A random walk carrying a sample of the origin's views, to refresh passive views. */
    record Shuffle(NodeId channel, PeerState origin, int ttl, List<PeerState> sample) implements GossipMessage {
        public Shuffle {
            check(channel);
            Objects.requireNonNull(origin, "origin");
            sample = bounded(sample);
            if (ttl < 0 || ttl > 32) {
                throw new IllegalArgumentException("bad ttl " + ttl);
            }
        }
    }

    /** The walk's end answers the origin with a sample of its own passive view. */
    record ShuffleReply(NodeId channel, List<PeerState> sample) implements GossipMessage {
        public ShuffleReply {
            check(channel);
            sample = bounded(sample);
        }

        @Override
        public boolean isDatagram() {
            return true;
        }
    }

    /** Liveness on an active link; carries the sender's state only when it changed since last sent. */
    record Heartbeat(NodeId channel, long seq, PeerState state) implements GossipMessage {
        public Heartbeat {
            check(channel);
        }
    }

    /** Asks a neighbour to check on a suspect we stopped hearing from (SWIM's indirect probe). */
    record ProbeRequest(NodeId channel, PeerAddress suspect, long nonce) implements GossipMessage {
        public ProbeRequest {
            check(channel);
            Objects.requireNonNull(suspect, "suspect");
            Objects.requireNonNull(suspect.id(), "suspect id");
        }
    }

    /** A helper's probe of the suspect. */
    record Probe(NodeId channel, long nonce) implements GossipMessage {
        public Probe {
            check(channel);
        }
    }

    /** The suspect is alive. */
    record ProbeAck(NodeId channel, long nonce) implements GossipMessage {
        public ProbeAck {
            check(channel);
        }
    }

    /** The helper's verdict on the suspect. */
    record ProbeResult(NodeId channel, long nonce, boolean alive) implements GossipMessage {
        public ProbeResult {
            check(channel);
        }
    }
}
