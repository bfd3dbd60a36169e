package io.arborcast.core;

import java.util.List;
import java.util.Objects;

/**
 * Kademlia RPCs. Each travels as one datagram; a request carries a random id that its
 * response echoes. The sender's node id travels in the datagram header, not in the message.
 */
public sealed interface DhtMessage extends Message {
    /** The correlation id a response echoes. */
    long rpcId();

    /**
     * A question that expects exactly one {@link Response}. {@code client}: the asker cannot be
     * reached from outside (behind a NAT), so it is a DHT client, as BitTorrent's read-only
     * nodes: answered, but never taken into a routing table, so nobody is sent to it.
     */
    sealed interface Request extends DhtMessage {
        boolean client();
    }

    /** The answer to a {@link Request} with the same {@code rpcId}. */
    sealed interface Response extends DhtMessage {
    }

    record Ping(long rpcId, boolean client) implements Request {
        public Ping(long rpcId) {
            this(rpcId, false);
        }
    }

    /**
     * The answer to a {@link Ping}, telling the asker the IP it was seen from ({@code observed},
     * empty if unknown): how a node learns the address others see it at ({@link SelfAddress}).
     */
    record Pong(long rpcId, String observed) implements Response {
        public Pong {
            Objects.requireNonNull(observed, "observed");
        }
    }

    /** Asks for the contacts closest to {@code target}. */
    record FindNode(long rpcId, NodeId target, boolean client) implements Request {
        public FindNode {
            Objects.requireNonNull(target, "target");
        }

        public FindNode(long rpcId, NodeId target) {
            this(rpcId, target, false);
        }
    }

    /** The closest contacts the responder knows. */
    record Nodes(long rpcId, List<PeerAddress> contacts) implements Response {
        public Nodes {
            contacts = List.copyOf(contacts);
        }
    }

    /** Asks for the channel record and providers stored under {@code key}. */
    record FindValue(long rpcId, NodeId key, boolean client) implements Request {
        public FindValue {
            Objects.requireNonNull(key, "key");
        }

        public FindValue(long rpcId, NodeId key) {
            this(rpcId, key, false);
        }
    }

    /**
     * What the responder has under the key ({@code record} may be null, providers empty),
     * plus closer contacts so the lookup can go on.
     */
    record Value(long rpcId, ChannelRecord record, List<ProviderInfo> providers,
                 List<PeerAddress> contacts) implements Response {
        public Value {
            providers = List.copyOf(providers);
            contacts = List.copyOf(contacts);
        }
    }

    /** Asks the responder to store a signed channel record. */
    record Store(long rpcId, ChannelRecord record, boolean client) implements Request {
        public Store {
            Objects.requireNonNull(record, "record");
        }

        public Store(long rpcId, ChannelRecord record) {
            this(rpcId, record, false);
        }
    }

    /** Announces the sender as a provider of {@code channel} for {@code ttlSeconds}. */
    record AnnounceProvider(long rpcId, NodeId channel, ProviderInfo provider, int ttlSeconds, boolean client)
            implements Request {
        public AnnounceProvider {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(provider, "provider");
            if (ttlSeconds <= 0) {
                throw new IllegalArgumentException("ttl must be positive");
            }
        }

        public AnnounceProvider(long rpcId, NodeId channel, ProviderInfo provider, int ttlSeconds) {
            this(rpcId, channel, provider, ttlSeconds, false);
        }
    }

    /**
     * Asks the responder to keep a signed channel listing under the directory key {@code key}
     * (every channel's, or its genre's) for {@code ttlSeconds}.
     */
    record StoreListing(long rpcId, NodeId key, ChannelListing listing, int ttlSeconds, boolean client)
            implements Request {
        public StoreListing {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(listing, "listing");
            if (ttlSeconds <= 0) {
                throw new IllegalArgumentException("ttl must be positive");
            }
        }
    }

    /**
     * Asks for the listings kept under the directory key {@code key} whose names have a word
     * beginning with {@code search} (empty: all of them), a page from the {@code from}th on.
     */
    record FindListings(long rpcId, NodeId key, int from, String search, boolean client) implements Request {
        public FindListings {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(search, "search");
            if (from < 0) {
                throw new IllegalArgumentException("negative page start");
            }
            if (search.length() > ChannelRecord.MAX_NAME) {
                throw new IllegalArgumentException("search longer than a name");
            }
        }
    }

    /** A page of the listings under the key asked; {@code next} starts the following page, -1 after the last. */
    record Listings(long rpcId, List<ChannelListing> listings, int next) implements Response {
        public Listings {
            listings = List.copyOf(listings);
            if (next < -1) {
                throw new IllegalArgumentException("bad next page");
            }
        }
    }

    /** The outcome of a {@link Store}, {@link AnnounceProvider} or {@link StoreListing}: accepted, or refused with a reason. */
    record StoreResult(long rpcId, boolean accepted, String reason) implements Response {
        public StoreResult {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * "Dial me back": the receiver sends {@code nonce} to the address it saw this request come
     * from, at the sender's listening port, from a fresh UDP socket and over a new TCP connection
     * (never over a path the sender opened), and answers {@link DialingBack}. Whatever arrives
     * tells the sender it can be reached from outside (AutoNAT-style; see {@link Transport#dialBack}).
     */
    record DialBack(long rpcId, long nonce, boolean client) implements Request {
        public DialBack(long rpcId, long nonce) {
            this(rpcId, nonce, false);
        }
    }

    /** The answer to a {@link DialBack}: {@code dialing} false when the receiver would not (rate limit). */
    record DialingBack(long rpcId, boolean dialing) implements Response {
    }
}
