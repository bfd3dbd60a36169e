package io.arborcast.core;

import java.util.Objects;

/** Stream data carried over tree links. */
public sealed interface StreamMessage extends Message {
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
}
