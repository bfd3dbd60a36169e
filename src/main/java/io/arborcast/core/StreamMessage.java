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
     * The stream head and the current title. The head is what a decoder needs before any chunk
     * (Ogg's codec header pages, a WAV header; empty for MP3), captured by the source and sent
     * to every new child before its first chunk, as PeerCast's head packet; the title is what
     * players show (ICY {@code StreamTitle}). {@code version} grows with every change (a new
     * title, a source that restarted); {@code firstSeq} is the seq of the first chunk the
     * payload precedes (a player switches to a new payload there). Signed by the channel key.
     */
    record Head(NodeId channel, long version, long firstSeq, byte[] payload, String title, ChannelInfo info,
                byte[] signature) implements StreamMessage {
        public static final int MAX_TITLE = 256;

        public Head {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(payload, "payload");
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(info, "info");
            Objects.requireNonNull(signature, "signature");
            if (version < 0 || firstSeq < 0) {
                throw new IllegalArgumentException("negative version or first seq");
            }
            if (title.length() > MAX_TITLE) {
                throw new IllegalArgumentException("title longer than " + MAX_TITLE);
            }
        }

        @Override
        public String toString() {
            return "Head[" + channel.shortHex() + " v" + version + " from seq " + firstSeq + " payload=" + payload.length + "B title='"
                    + title + "']";
        }
    }

    /**
     * The end of the stream: the source stopped cleanly and {@code nextSeq} is the seq it would
     * have cut next (every chunk below it has been sent). Signed by the channel key, passed down
     * the tree; a node leaves the channel once it has played out what came before it.
     */
    record End(NodeId channel, long nextSeq, byte[] signature) implements StreamMessage {
        public End {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(signature, "signature");
            if (nextSeq < 0) {
                throw new IllegalArgumentException("negative seq");
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof End e && e.channel.equals(channel) && e.nextSeq == nextSeq
                    && java.util.Arrays.equals(e.signature, signature);
        }

        @Override
        public int hashCode() {
            return Objects.hash(channel, nextSeq) * 31 + java.util.Arrays.hashCode(signature);
        }

        @Override
        public String toString() {
            return "End[" + channel.shortHex() + " before seq " + nextSeq + "]";
        }
    }
}
