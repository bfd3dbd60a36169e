package io.arborcast.core;

import java.util.Objects;

/** Stream data carried over tree links. */
public sealed interface StreamMessage extends Message {
    NodeId channel();

    /**
     * One piece of a channel's live stream, signed by the channel key over
     * (channel, seq, timestamp, payload).
     */
    record Chunk(NodeId channel, long seq, long timestamp, byte[] payload, byte[] signature)
            implements StreamMessage {
        public Chunk {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(payload, "payload");
            Objects.requireNonNull(signature, "signature");
            if (seq < 0) {
                throw new IllegalArgumentException("negative seq");
            }
        }

        @Override
        public String toString() {
            return "Chunk[" + channel.shortHex() + " seq=" + seq + " ts=" + timestamp
                    + " payload=" + payload.length + "B]";
        }
    }

    /**
     * The stream head: what a decoder needs before any chunk (Ogg's codec header pages, a WAV
     * header), captured by the source and sent to every new child before its first chunk, as
     * PeerCast's head packet. {@code seq} is the first chunk seq that follows it; a newer head
     * (a source that restarted) has a larger one. Signed by the channel key.
     */
    record Head(NodeId channel, long seq, byte[] payload, byte[] signature) implements StreamMessage {
        public Head {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(payload, "payload");
            Objects.requireNonNull(signature, "signature");
            if (seq < 0) {
                throw new IllegalArgumentException("negative seq");
            }
        }

        @Override
        public String toString() {
            return "Head[" + channel.shortHex() + " seq=" + seq + " payload=" + payload.length + "B]";
        }
    }
}
