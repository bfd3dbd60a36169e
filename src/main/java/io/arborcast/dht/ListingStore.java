package io.arborcast.dht;

import io.arborcast.core.ChannelListing;
import io.arborcast.core.NodeId;
import io.arborcast.core.RateLimiter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The channel listings this node keeps for others under directory keys (see
 * {@link ChannelListings}), each with an expiry: verified, newest sequence wins, an ended listing
 * replaces a live one (askers leave it out once they have merged what several nodes keep). Bounded: at most
 * {@value #MAX_PER_KEY} channels a key and {@value #MAX_LISTINGS} in all. When a key is full, a
 * newcomer takes the place of the listing with the smallest audience only if its own is larger:
 * a flood of made-up channels (each needs a key of its own, and no audience) cannot push out
 * channels people listen to. A channel's live listing changes at most
 * {@value #UPDATES_PER_MINUTE} times a minute under a key (its publisher relists when its
 * audience changes, looked at every 10 s); its end always goes through. One host (the address a
 * store came from: a publisher stores its own listings) has at most {@value #MAX_PER_HOST} channels
 * under a key, so audiences made up by one host cannot push out the others: that takes
 * {@value #MAX_PER_KEY}/{@value #MAX_PER_HOST} hosts. Stores per sender host are limited before
 * they get here ({@code dht.max-stores-per-minute}).
 */
final class ListingStore {
    static final int MAX_PER_KEY = 512;
    static final int UPDATES_PER_MINUTE = 12;
    static final int MAX_PER_HOST = 8;
    static final int MAX_LISTINGS = 20_000;
    /** Listings ordered as answers give them: most listeners first, then by name and id (stable pages). */
    static final Comparator<ChannelListing> ORDER = Comparator.comparingInt(ChannelListing::listeners).reversed()
            .thenComparing(ChannelListing::name).thenComparing(ChannelListing::channelId);

    private record Stored(ChannelListing listing, String host, long expiresAt) {
    }

    private final Map<NodeId, Map<NodeId, Stored>> byKey = new HashMap<>();
    /** Updates of a live listing, per directory key and channel. */
    private final RateLimiter updates = new RateLimiter(UPDATES_PER_MINUTE, MAX_LISTINGS);
    private int count;

    /** Keeps {@code l}, stored by {@code host}, under {@code key} for {@code ttlMillis}; null when accepted, else why not. */
    String put(NodeId key, ChannelListing l, String host, long ttlMillis, long now) {
        String problem = ChannelListings.problem(l);
        if (problem != null) {
            return problem;
        }
        if (!ChannelListings.keys(l).contains(key)) {
            return "a listing goes under its shard of the directory's keys or its genre's, not this one";
        }
        Map<NodeId, Stored> m = byKey.computeIfAbsent(key, k -> new HashMap<>());
        Stored old = m.get(l.channelId());
        if ((old == null || !old.host.equals(host)) && from(m, host, now) >= MAX_PER_HOST) {
            if (m.isEmpty()) {
                byKey.remove(key);
            }
            return "host " + host + " lists " + MAX_PER_HOST + " channels under this key already";
        }
        if (old != null && old.expiresAt > now) {
            if (l.sequence() < old.listing.sequence()) {
                return "stale sequence " + l.sequence() + " < " + old.listing.sequence();
            }
            if (l.sequence() == old.listing.sequence() && !l.equals(old.listing)) {
                return "a different listing with the same sequence " + l.sequence() + " is kept";
            }
            if (l.sequence() > old.listing.sequence() && l.live()
                    && !updates.allow(key.toHex() + l.channelId().toHex(), now)) {
                return "rate limit: channel " + l.channelId().shortHex() + " listed again more than "
                        + UPDATES_PER_MINUTE + " times a minute";
            }
        } else {
            if (old != null) {
                m.remove(l.channelId());
                count--;
            }
            String full = makeRoom(m, l, now);
            if (full != null) {
                if (m.isEmpty()) {
                    byKey.remove(key);
                }
                return full;
            }
            count++;
        }
        m.put(l.channelId(), new Stored(l, host, now + ttlMillis));
        return null;
    }

    /** Unexpired listings in {@code m} that {@code host} stored. */
    private static int from(Map<NodeId, Stored> m, String host, long now) {
        int n = 0;
        for (Stored s : m.values()) {
            if (s.host.equals(host) && s.expiresAt > now) {
                n++;
            }
        }
        return n;
    }

    /** Room for one more listing under {@code m}: null, or why there is none. */
    private String makeRoom(Map<NodeId, Stored> m, ChannelListing l, long now) {
        if (count >= MAX_LISTINGS) {
            expire(now);
            if (count >= MAX_LISTINGS) {
                return "listing store full";
            }
        }
        if (m.size() < MAX_PER_KEY) {
            return null;
        }
        count -= Expiry.drop(m, s -> s.expiresAt <= now);
        if (m.size() < MAX_PER_KEY) {
            return null;
        }
        Stored least = null;
        for (Stored s : m.values()) {
            if (least == null || rank(s.listing) < rank(least.listing)) {
                least = s;
            }
        }
        if (rank(l) <= rank(least.listing)) {
            return "directory key full: " + MAX_PER_KEY + " channels, none with fewer listeners than this one";
        }
        m.remove(least.listing.channelId());
        count--;
        return null;
    }

    /** What a listing's place is worth when a key is full: an ended one nothing, a live one its audience. */
    private static long rank(ChannelListing l) {
        return l.live() ? l.listeners() : -1;
    }

    /**
     * The listings under {@code key}, in {@link #ORDER}: ended ones too, so that an asker who
     * hears a live listing from a node that missed the end still learns of it from another.
     */
    List<ChannelListing> all(NodeId key, long now) {
        Map<NodeId, Stored> m = byKey.get(key);
        List<ChannelListing> out = new ArrayList<>();
        if (m != null) {
            for (Stored s : m.values()) {
                if (s.expiresAt > now) {
                    out.add(s.listing);
                }
            }
        }
        out.sort(ORDER);
        return out;
    }

    /** Drops every expired listing. */
    void expire(long now) {
        count -= Expiry.dropAll(byKey, s -> s.expiresAt <= now);
    }

    int count() {
        return count;
    }
}
