package io.arborcast.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One publisher per channel. Before publishing, a node asks each depth-0 provider of the
 * channel whether it publishes it ({@link Query}, answered {@link Publishing}: a provider entry
 * outlives a publisher that stopped). The source role then passes from one node to another only
 * when asked (a publisher started with {@code --takeover}): the new source sends a
 * {@link Takeover} signed by the channel key; the old one stops taking input and answers
 * {@link HandOver} with the seq the new source goes on from, so listeners skip nothing, or
 * {@link Declined} with why. Two publishers that passed the first check at the same moment find
 * each other when they ask again once their record is stored: the one with the older record
 * keeps the channel, the other stops. Saying "yes" takes the channel key: the answer signs the
 * query's nonce with it, so a node that only announced itself as a depth-0 provider can neither
 * keep a publisher from starting nor make one stop and send it its listeners. A publisher nobody
 * can dial is reached through its {@code via} ({@link Relayed}).
 */
public sealed interface SourceMessage extends Message {
    NodeId channel();

    /** "Do you publish this channel now? Prove it by signing {@code nonce}." */
    record Query(NodeId channel, long nonce) implements SourceMessage {
        public Query {
            Objects.requireNonNull(channel, "channel");
        }
    }

    /**
     * The answer to a {@link Query}; when {@code yes}, with the publisher's signed channel record
     * (two publishers that started at the same moment keep the one whose record is older) and
     * {@code proof}: the channel key's signature over {@link #signedBytes}. Empty when not.
     */
    record Publishing(NodeId channel, boolean yes, ChannelRecord record, byte[] proof) implements SourceMessage {
        public Publishing {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(proof, "proof");
            if (proof.length > 64) {
                throw new IllegalArgumentException("proof longer than 64 bytes");
            }
        }

        /** "No": not publishing the channel. */
        public static Publishing no(NodeId channel) {
            return new Publishing(channel, false, null, new byte[0]);
        }

        /** What the channel key signs: the channel, the publisher's and the asker's node ids, the nonce. */
        public static byte[] signedBytes(NodeId channel, NodeId publisher, NodeId asker, long nonce) {
            return ByteBuffer.allocate(8 + 3 * NodeId.BYTES + 8).put("APUBL001".getBytes(StandardCharsets.US_ASCII))
                    .put(channel.toBytes()).put(publisher.toBytes()).put(asker.toBytes()).putLong(nonce).array();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Publishing p && p.channel.equals(channel) && p.yes == yes
                    && Objects.equals(p.record, record) && Arrays.equals(p.proof, proof);
        }

        @Override
        public int hashCode() {
            return Objects.hash(channel, yes, record) * 31 + Arrays.hashCode(proof);
        }

        @Override
        public String toString() {
            return "Publishing[" + channel.shortHex() + " " + yes + " proof="
                    + HexFormat.of().formatHex(proof, 0, Math.min(8, proof.length)) + "]";
        }
    }

    /**
     * "I publish this channel from now on", from the sender (its link's authenticated id is the
     * new source). {@code sequence} is the sender's channel record sequence: the old source takes
     * it only if it is newer than its own record's, so an old takeover replayed later does nothing.
     */
    record Takeover(NodeId channel, long sequence, byte[] signature) implements SourceMessage {
        public Takeover {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(signature, "signature");
            if (signature.length > 64) {
                throw new IllegalArgumentException("signature longer than 64 bytes");
            }
        }

        /** What the channel key signs: the channel, the new source's node id and the sequence. */
        public static byte[] signedBytes(NodeId channel, NodeId newSource, long sequence) {
            return ByteBuffer.allocate(8 + 2 * NodeId.BYTES + 8).put("ATAKE001".getBytes(StandardCharsets.US_ASCII))
                    .put(channel.toBytes()).put(newSource.toBytes()).putLong(sequence).array();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Takeover t && t.channel.equals(channel) && t.sequence == sequence
                    && Arrays.equals(t.signature, signature);
        }

        @Override
        public int hashCode() {
            return Objects.hash(channel, sequence) * 31 + Arrays.hashCode(signature);
        }

        @Override
        public String toString() {
            return "Takeover[" + channel.shortHex() + " seq=" + sequence + " sig="
                    + HexFormat.of().formatHex(signature, 0, Math.min(8, signature.length)) + "]";
        }
    }

    /**
     * The old source stopped: the new one's first chunk carries {@code nextSeq}. {@code proof} is
     * the channel key's signature over {@link #signedBytes}, so a node that passed the takeover on
     * (see {@link Relayed}) cannot make one up.
     */
    record HandOver(NodeId channel, long nextSeq, byte[] proof) implements SourceMessage {
        public HandOver {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(proof, "proof");
            if (nextSeq < 0) {
                throw new IllegalArgumentException("negative seq");
            }
            if (proof.length > 64) {
                throw new IllegalArgumentException("proof longer than 64 bytes");
            }
        }

        /** What the channel key signs: the channel, the old and the new source's node ids, the next seq. */
        public static byte[] signedBytes(NodeId channel, NodeId oldSource, NodeId newSource, long nextSeq) {
            return ByteBuffer.allocate(8 + 3 * NodeId.BYTES + 8).put("AHAND001".getBytes(StandardCharsets.US_ASCII))
                    .put(channel.toBytes()).put(oldSource.toBytes()).put(newSource.toBytes()).putLong(nextSeq)
                    .array();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof HandOver h && h.channel.equals(channel) && h.nextSeq == nextSeq
                    && Arrays.equals(h.proof, proof);
        }

        @Override
        public int hashCode() {
            return Objects.hash(channel, nextSeq) * 31 + Arrays.hashCode(proof);
        }

        @Override
        public String toString() {
            return "HandOver[" + channel.shortHex() + " next=" + nextSeq + "]";
        }
    }

    /**
     * A source message to or from a publisher nobody can dial, through its provider entry's
     * {@code via} (a node holding a tree link to it), as connection reversal passes an ATTACH: the
     * sender sends it to the via naming the one it is for ({@code to}), with no {@code from}; the
     * via passes it on over its tree link to {@code to}, naming the sender as it sees it
     * ({@code from}), and passes an answer back the same way only to a sender whose message it
     * passed lately. What an answer proves (publishing, handing over) is signed with the channel
     * key over both node ids, so the via can drop it but not forge or redirect it.
     */
    record Relayed(NodeId channel, PeerAddress to, PeerAddress from, SourceMessage message) implements SourceMessage {
        public Relayed {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(to.id(), "to id");
            Objects.requireNonNull(message, "message");
            if (message instanceof Relayed || !message.channel().equals(channel)) {
                throw new IllegalArgumentException("a relayed message is one source message of the same channel");
            }
            if (from != null) {
                Objects.requireNonNull(from.id(), "from id");
            }
        }
    }

    /** A takeover not taken, and why (not publishing here, bad signature, an older sequence). */
    record Declined(NodeId channel, String reason) implements SourceMessage {
        public Declined {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
