package io.arborcast.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the DHT stores under a channel id: who the channel is and how to play it, signed by
 * the channel key. Pure data; {@code io.arborcast.dht} verifies it before accepting it.
 *
 * @param sequence  increases with every update; a newer sequence replaces an older record
 * @param publicKey the channel's raw 32-byte Ed25519 public key (its SHA-256 prefix is the id)
 * @param signature Ed25519 signature over {@link #signedBytes()}
 */
public record ChannelRecord(NodeId channelId, String name, String contentType, int bitrateKbps,
                            long createdAtMillis, long sequence, byte[] publicKey, byte[] signature) {
    public static final int MAX_NAME = 100;
    public static final int MAX_CONTENT_TYPE = 64;

    public ChannelRecord {
        Objects.requireNonNull(channelId, "channelId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(signature, "signature");
        if (name.length() > MAX_NAME) {
            throw new IllegalArgumentException("channel name longer than " + MAX_NAME);
        }
        if (contentType.length() > MAX_CONTENT_TYPE) {
            throw new IllegalArgumentException("content type longer than " + MAX_CONTENT_TYPE);
        }
        if (bitrateKbps < 0 || sequence < 0) {
            throw new IllegalArgumentException("negative bitrate or sequence");
        }
    }

    /** The bytes the channel key signs: every field but the signature, in a fixed layout. */
    public byte[] signedBytes() {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] ct = contentType.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(
                8 + NodeId.BYTES + 4 + n.length + 4 + ct.length + 4 + 8 + 8 + 4 + publicKey.length);
        b.put("ACREC001".getBytes(StandardCharsets.US_ASCII));
        b.put(channelId.toBytes());
        b.putInt(n.length).put(n);
        b.putInt(ct.length).put(ct);
        b.putInt(bitrateKbps).putLong(createdAtMillis).putLong(sequence);
        b.putInt(publicKey.length).put(publicKey);
        return b.array();
    }

    /** The same record with another signature (used when signing). */
    public ChannelRecord withSignature(byte[] sig) {
        return new ChannelRecord(channelId, name, contentType, bitrateKbps, createdAtMillis, sequence,
                publicKey, sig);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelRecord r && r.channelId.equals(channelId) && r.name.equals(name)
                && r.contentType.equals(contentType) && r.bitrateKbps == bitrateKbps
                && r.createdAtMillis == createdAtMillis && r.sequence == sequence
                && Arrays.equals(r.publicKey, publicKey) && Arrays.equals(r.signature, signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(channelId, name, sequence) * 31 + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "ChannelRecord[" + channelId.shortHex() + " '" + name + "' " + contentType + " "
                + bitrateKbps + "kbit/s seq=" + sequence + "]";
    }
}
