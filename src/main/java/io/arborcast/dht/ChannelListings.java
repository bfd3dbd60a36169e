package io.arborcast.dht;

import io.arborcast.core.ChannelListing;
import io.arborcast.core.NodeId;
import io.arborcast.crypto.ChannelKey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The channel directory's keys, and making and checking signed listings. A listing is stored
 * under its shard of the list of every channel ({@link #shardOf}: one of {@value #SHARDS} keys,
 * by channel id, so the nodes closest to one key do not carry everyone's asking for everything)
 * and under its genre's key ({@link #genreKey}); all are plain DHT keys, so the k nodes closest
 * to one hold that part of the directory.
 */
public final class ChannelListings {
    /** How many keys the list of every channel is spread over. */
    public static final int SHARDS = 16;
    private static final List<NodeId> ALL = allShards();

    private ChannelListings() {
    }

    private static List<NodeId> allShards() {
        List<NodeId> keys = new ArrayList<>(SHARDS);
        for (int i = 0; i < SHARDS; i++) {
            keys.add(key("arborcast directory: all channels, shard " + i));
        }
        return List.copyOf(keys);
    }

    /** The keys of the list of every channel, one per shard. */
    public static List<NodeId> all() {
        return ALL;
    }

    /** The key of the shard of the list of every channel that {@code channel} is listed under. */
    public static NodeId shardOf(NodeId channel) {
        return ALL.get((channel.toBytes()[0] & 0xff) % SHARDS);
    }

    /** The directory keys {@code l} goes under: its shard of every channel's, and its genre's if it names one. */
    public static List<NodeId> keys(ChannelListing l) {
        NodeId shard = shardOf(l.channelId());
        return normalise(l.genre()).isEmpty() ? List.of(shard) : List.of(shard, genreKey(l.genre()));
    }

    /** The keys to ask for {@code genre}'s channels, or (null or blank) for every channel. */
    public static List<NodeId> keysFor(String genre) {
        return genre == null || genre.isBlank() ? ALL : List.of(genreKey(genre));
    }

    /** The key of {@code genre}'s listings: "Jazz", " jazz " and "JAZZ" are one genre. */
    public static NodeId genreKey(String genre) {
        return key("arborcast directory: genre " + normalise(genre));
    }

    /**
     * Whether {@code name} is one a search for {@code prefix} finds: a word of it (or the whole)
     * begins with the prefix, both {@link #normalise normalised}; an empty prefix finds every name.
     */
    public static boolean nameMatches(String name, String prefix) {
        String p = normalise(prefix);
        if (p.isEmpty()) {
            return true;
        }
        String n = normalise(name);
        return n.startsWith(p) || n.contains(" " + p);
    }

    /** A genre or name as it is compared: Unicode NFKC, lower case, inner spaces collapsed, trimmed. */
    public static String normalise(String genre) {
        return Normalizer.normalize(genre, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT).strip()
                .replaceAll("\\s+", " ");
    }

    private static NodeId key(String text) {
        try {
            return NodeId.fromPrefix(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** A listing of {@code key}'s channel, signed by it. */
    public static ChannelListing create(ChannelKey key, String name, String genre, String description, String url,
                                        String contentType, int bitrateKbps, long startedAtMillis, int listeners,
                                        long sequence) {
        return sign(key, new ChannelListing(key.channelId(), name, genre, description, url, contentType,
                bitrateKbps, startedAtMillis, listeners, true, sequence, key.publicKey(), new byte[0]));
    }

    /** {@code listing} ended (see {@link ChannelListing#live}) under {@code sequence}, signed by {@code key}. */
    public static ChannelListing ended(ChannelKey key, ChannelListing listing, long sequence) {
        return sign(key, listing.ended(sequence));
    }

    private static ChannelListing sign(ChannelKey key, ChannelListing unsigned) {
        return unsigned.withSignature(key.sign(unsigned.signedBytes()));
    }

    /** Why {@code l} must be refused, or null if its key hashes to its channel id and its signature verifies. */
    public static String problem(ChannelListing l) {
        return ChannelRecords.problem(l.channelId(), l.publicKey(), l.signedBytes(), l.signature());
    }
}
