package io.arborcast.core;

import java.util.List;
import java.util.Objects;

/** Relay-tree control over peer links; the chunks themselves travel as {@link StreamMessage.Chunk}. */
public sealed interface TreeMessage extends Message {
    /** Most entries an ancestor path or an alternatives list may have. */
    int MAX_PATH = 64;

    NodeId channel();

    private static <T> List<T> bounded(List<T> l) {
        if (l.size() > MAX_PATH) {
            throw new IllegalArgumentException("list longer than " + MAX_PATH);
        }
        return List.copyOf(l);
    }

    /**
     * Asks to become the receiver's child, resuming the stream at {@code resumeSeq} (-1: live
     * edge). {@code relaySlots} is the asker's own capacity, so a full parent knows which of its
     * children are worth redirecting others to; {@code dialable} whether peers can connect to
     * the asker, so that a parent naming it to others says how to reach it.
     */
    record Attach(NodeId channel, long resumeSeq, int relaySlots, boolean dialable) implements TreeMessage {
        public Attach {
            Objects.requireNonNull(channel, "channel");
            if (relaySlots < 0) {
                throw new IllegalArgumentException("negative relay slots");
            }
        }

        /** An ATTACH from a dialable asker. */
        public Attach(NodeId channel, long resumeSeq, int relaySlots) {
            this(channel, resumeSeq, relaySlots, true);
        }
    }

    /**
     * Connection reversal (PeerCast's GIV): an ATTACH for {@code parent}, a peer nobody can dial,
     * sent to the node it named as its {@code via} (its own parent, which holds a link to it).
     * That node passes it down the link with {@code child} set to the address it sees the asker
     * at; {@code parent} then connects to {@code child} and answers the ATTACH over that link.
     * The asker's own {@code child} is ignored, so nobody can aim the dial at a third party.
     */
    record AttachVia(PeerAddress parent, PeerAddress child, Attach attach) implements TreeMessage {
        public AttachVia {
            Objects.requireNonNull(parent, "parent");
            Objects.requireNonNull(parent.id(), "parent id");
            Objects.requireNonNull(child, "child");
            Objects.requireNonNull(attach, "attach");
        }

        @Override
        public NodeId channel() {
            return attach.channel();
        }
    }

    /**
     * Hole punching, for an {@link AttachVia} whose asker cannot be dialled either: {@code parent}
     * has started a simultaneous TCP open to {@code child} and asks it to dial back now
     * ({@code dialing}), or says it will not (no room, or its own punches have been failing: its
     * NAT defeats them), so the child asks elsewhere at once. Sent by the parent to its own
     * parent (the {@code via} the child asked through), which passes it to the child only if it
     * passed that child's reversal for that parent lately.
     */
    record Punch(NodeId channel, PeerAddress parent, PeerAddress child, boolean dialing) implements TreeMessage {
        public Punch {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(parent, "parent");
            Objects.requireNonNull(parent.id(), "parent id");
            Objects.requireNonNull(child, "child");
            Objects.requireNonNull(child.id(), "child id");
        }
    }

    /** Accepted: {@code ancestors} is the path to the source, the accepting parent first. */
    record Accept(NodeId channel, List<PeerAddress> ancestors) implements TreeMessage {
        public Accept {
            Objects.requireNonNull(channel, "channel");
            ancestors = bounded(ancestors);
            if (ancestors.isEmpty()) {
                throw new IllegalArgumentException("an accept names at least the parent");
            }
        }
    }

    /** Refused with a reason, and peers the asker could try instead (as PeerCast's relays redirected). */
    record Refuse(NodeId channel, String reason, List<PeerState> alternatives) implements TreeMessage {
        public Refuse {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(reason, "reason");
            alternatives = bounded(alternatives);
        }
    }

    /**
     * Keeps a parent-child relation alive in one channel. Down the tree, {@code beacon} is the
     * channel's source beacon (the source's clock, passed on by every relay), so a child can tell
     * a paused source (the beacon grows) from a parent cut off from it (the beacon stops); up the
     * tree it is -1, "still here", which keeps the child's slot. It names its channel: a peer
     * that is our parent in two channels must not feed one channel's beacon into the other's check.
     */
    record Keepalive(NodeId channel, long beacon) implements TreeMessage {
        public Keepalive {
            Objects.requireNonNull(channel, "channel");
        }
    }

    /**
     * The source's clock, asked and told hop by hop so a listener knows how far behind the source
     * it plays. A child asks its parent with its own clock in {@code askedAt} and -1 in the rest;
     * the parent echoes {@code askedAt} with its estimate of the source's clock now
     * ({@code sourceClock}, the clock chunk timestamps are cut in) and of the one-way delay from
     * the source to it ({@code pathMillis}); -1 in both while it does not know them yet.
     */
    record Clock(NodeId channel, long askedAt, long sourceClock, long pathMillis) implements TreeMessage {
        public Clock {
            Objects.requireNonNull(channel, "channel");
            if (askedAt < 0 || sourceClock < -1 || pathMillis < -1) {
                throw new IllegalArgumentException("bad clock reading");
            }
        }

        /** Whether this asks the time (rather than telling it). */
        public boolean asks() {
            return sourceClock < 0 && pathMillis < 0;
        }
    }

    /** The sender ends the parent-child relation (a leaving child, or a parent dropping a child). */
    record Detach(NodeId channel) implements TreeMessage {
        public Detach {
            Objects.requireNonNull(channel, "channel");
        }
    }

    /** A parent's path to the source changed (its subtree moved): the new path, parent first. */
    record PathUpdate(NodeId channel, List<PeerAddress> ancestors) implements TreeMessage {
        public PathUpdate {
            Objects.requireNonNull(channel, "channel");
            ancestors = bounded(ancestors);
        }
    }

    /**
     * Gap pull: asks a neighbour (not our parent) for the chunks it holds from {@code fromSeq}
     * on, at most {@code maxChunks}, while our parent is lost or starving us.
     */
    record Pull(NodeId channel, long fromSeq, int maxChunks) implements TreeMessage {
        public Pull {
            Objects.requireNonNull(channel, "channel");
            if (fromSeq < 0 || maxChunks < 1) {
                throw new IllegalArgumentException("bad pull range");
            }
        }
    }

    /**
     * The parent gave the receiver's slot to a relay (the receiver relays nothing, the relay can
     * feed it): re-attach at once, first to {@code alternatives} (the relay that took the slot
     * first). A planned move, not a failure: the receiver keeps playing from its buffer.
     */
    record Displace(NodeId channel, List<PeerState> alternatives) implements TreeMessage {
        public Displace {
            Objects.requireNonNull(channel, "channel");
            alternatives = bounded(alternatives);
        }
    }

    /**
     * Free relay slots just above the receiver: the states of its nearest ancestors (its parent
     * first) that have a slot, a few levels up. A node two or more levels below such a relay
     * gains by moving up to it, and gossip alone may never bring it that relay's state (after a
     * mass failure, thin chains of relays with free slots were left below shallower free slots).
     * Sent down when it changes; a hint for re-balancing, which still asks the peer itself.
     */
    record Room(NodeId channel, List<PeerState> above) implements TreeMessage {
        public Room {
            Objects.requireNonNull(channel, "channel");
            above = bounded(above);
        }
    }

    /**
     * A child's report of the subtree below it, for status pages and the audience count: up to
     * {@link #MAX_PATH} peers in breadth-first order, each with the index of its parent in the
     * list (-1: the reporting child itself), and {@code nodes}, how many nodes the reporter's
     * subtree holds in all, itself included (as the reports from below told it). Sent up when it
     * changes; nothing in the protocol depends on it.
     */
    record Subtree(NodeId channel, List<Entry> entries, int nodes) implements TreeMessage {
        public Subtree {
            Objects.requireNonNull(channel, "channel");
            entries = bounded(entries);
            if (nodes < 1) {
                throw new IllegalArgumentException("a subtree holds its reporter at least");
            }
            for (int i = 0; i < entries.size(); i++) {
                if (entries.get(i).parent() >= i) {
                    throw new IllegalArgumentException("a subtree entry must follow its parent");
                }
            }
        }

        /** One peer of the subtree and the list index of its parent (-1: the reporter). */
        public record Entry(PeerAddress peer, int parent) {
            public Entry {
                Objects.requireNonNull(peer, "peer");
                if (parent < -1) {
                    throw new IllegalArgumentException("bad parent index");
                }
            }
        }
    }
}
