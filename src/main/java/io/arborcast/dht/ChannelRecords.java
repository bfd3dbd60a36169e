package io.arborcast.dht;

import io.arborcast.core.ChannelRecord;
import io.arborcast.core.NodeId;
import io.arborcast.crypto.ChannelKey;

/** Making and checking signed channel records. */
public final class ChannelRecords {
    private ChannelRecords() {
    }

    /** A record for {@code key}'s channel, signed by it. */
    public static ChannelRecord create(ChannelKey key, String name, String contentType, int bitrateKbps,
                                       long createdAtMillis, long sequence) {
        ChannelRecord unsigned = new ChannelRecord(key.channelId(), name, contentType, bitrateKbps, createdAtMillis,
                sequence, key.publicKey(), new byte[0]);
        return unsigned.withSignature(key.sign(unsigned.signedBytes()));
    }

    /** Why {@code r} must be refused, or null if its key hashes to its id and its signature verifies. */
    public static String problem(ChannelRecord r) {
        return problem(r.channelId(), r.publicKey(), r.signedBytes(), r.signature());
    }

    /**
     * Why something a channel key signed must be refused, or null if {@code publicKey} hashes to
     * {@code channel} and {@code signature} over {@code signed} verifies with it.
     */
    static String problem(NodeId channel, byte[] publicKey, byte[] signed, byte[] signature) {
        if (publicKey.length != ChannelKey.PUBLIC_KEY_BYTES) {
            return "bad public key length";
        }
        if (!ChannelKey.channelId(publicKey).equals(channel)) {
            return "public key does not hash to the channel id";
        }
        if (!ChannelKey.verify(publicKey, signed, signature)) {
            return "bad signature";
        }
        return null;
    }
}
