package io.arborcast.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A channel's entry in the directory the DHT keeps under well-known keys (one for every
 * channel, one per genre): what a listener browsing for something to hear sees before tuning
 * in, with the audience the publisher counts, signed by the channel key. Pure data;
 * {@code io.arborcast.dht} verifies it before storing it.
 *
 * @param startedAtMillis when the publisher started this stream (wall clock, milliseconds)
 * @param listeners       the audience as the publisher last counted it
 * @param live            false in the listing a publisher stores when it stops: it replaces the
 *                        live one (a newer sequence) and takes the channel out of every answer
 * @param sequence        increases with every update; a newer sequence replaces an older listing
 * @param publicKey       the channel's raw 32-byte Ed25519 public key (its SHA-256 prefix is the id)
 * @param signature       Ed25519 signature over {@link #signedBytes()}
 */
public record ChannelListing(NodeId channelId, String name, String genre, String description, String url,
                             String contentType, int bitrateKbps, long startedAtMillis, int listeners,
                             boolean live, long sequence, byte[] publicKey, byte[] signature) {
    public static final int MAX_GENRE = 40;
    public static final int MAX_DESCRIPTION = 200;
    public static final int MAX_URL = 200;

    public ChannelListing {
        Objects.requireNonNull(channelId, "channelId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(genre, "genre");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(signature, "signature");
        atMost("name", name, ChannelRecord.MAX_NAME);
        atMost("genre", genre, MAX_GENRE);
        atMost("description", description, MAX_DESCRIPTION);
        atMost("url", url, MAX_URL);
        atMost("content type", contentType, ChannelRecord.MAX_CONTENT_TYPE);
        if (bitrateKbps < 0 || listeners < 0 || sequence < 0 || startedAtMillis < 0) {
            throw new IllegalArgumentException("negative bitrate, listeners, sequence or start");
        }
    }

    private static void atMost(String what, String s, int max) {
        if (s.length() > max) {
            throw new IllegalArgumentException(what + " longer than " + max);
        }
    }

    /** The bytes the channel key signs: every field but the signature, in a fixed layout. */
    public byte[] signedBytes() {
        byte[][] texts = {bytes(name), bytes(genre), bytes(description), bytes(url), bytes(contentType)};
        int length = 8 + NodeId.BYTES + 4 + 8 + 4 + 1 + 8 + 4 + publicKey.length;
        for (byte[] t : texts) {
            length += 4 + t.length;
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put("ALIST001".getBytes(StandardCharsets.US_ASCII));
        b.put(channelId.toBytes());
        for (byte[] t : texts) {
            b.putInt(t.length).put(t);
        }
        b.putInt(bitrateKbps).putLong(startedAtMillis).putInt(listeners).put((byte) (live ? 1 : 0)).putLong(sequence);
        b.putInt(publicKey.length).put(publicKey);
        return b.array();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The same listing, ended (not live) under {@code newSequence}, unsigned. */
    public ChannelListing ended(long newSequence) {
        return new ChannelListing(channelId, name, genre, description, url, contentType, bitrateKbps,
                startedAtMillis, listeners, false, newSequence, publicKey, new byte[0]);
    }

    /** The same listing with another signature (used when signing). */
    public ChannelListing withSignature(byte[] sig) {
        return new ChannelListing(channelId, name, genre, description, url, contentType, bitrateKbps,
                startedAtMillis, listeners, live, sequence, publicKey, sig);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelListing l && Arrays.equals(l.signedBytes(), signedBytes())
                && Arrays.equals(l.signature, signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(channelId, name, sequence) * 31 + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "ChannelListing[" + channelId.shortHex() + " '" + name + "' genre '" + genre + "' " + listeners
                + " listeners" + (live ? "" : " ended") + " seq=" + sequence + "]";
    }
}
