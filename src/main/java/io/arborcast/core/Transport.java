package io.arborcast.core;

/**
 * How protocol code sends. {@link DhtMessage}s travel as single datagrams; all other
 * messages travel over a long-lived, ordered link to the peer, opened on first use.
 * Incoming messages and link events reach the {@link MessageHandler} the owner installed.
 */
public interface Transport {
    /**
     * Bytes in front of every datagram's message: the sender's raw node key, which its node id
     * derives from, and its listening port (2 bytes), the port to dial it at whatever source port
     * a NAT gave the datagram.
     */
    int DATAGRAM_HEADER_BYTES = 34;

    /** This node's own address as peers see it. */
    PeerAddress localAddress();

    /** Sends {@code m} to {@code to}; never blocks, never throws for network failures. */
    void send(PeerAddress to, Message m);

    /**
     * Bytes this node has handed to the network so far: every message and datagram, framed (0
     * where the transport does not count). With {@link #bytesWaiting} it tells what the uplink
     * carries ({@code io.arborcast.tree.UploadMeter}).
     */
    default long bytesOut() {
        return 0;
    }

    /** Of {@link #bytesOut}, the bytes that have not left yet. */
    default long bytesWaiting() {
        return 0;
    }

    /**
     * Whether what waits ({@link #bytesWaiting}) waits for the uplink, rather than for one slow
     * receiver: by default, whether anything waits (one queue for the whole uplink).
     */
    default boolean uplinkFull() {
        return bytesWaiting() > 0;
    }

    /** Closes the link to {@code peer}, if one is open; the handler hears of it. */
    void closeLink(PeerAddress peer);

    /**
     * {@code reporter} said it sees us at {@code host}: input to what this node believes its own
     * address is ({@link SelfAddress}).
     */
    default void observed(PeerAddress reporter, String host) {
    }

    /** First bytes of a reachability probe, followed by its 8-byte nonce (see {@link #dialBack}). */
    byte[] PROBE_MAGIC = {'A', 'R', 'B', 'R'};
    /** A reachability probe's length: magic and nonce. */
    int PROBE_BYTES = 12;

    /**
     * Reachability: sends {@link #PROBE_MAGIC} and {@code nonce} to {@code to}'s host and port from
     * a fresh UDP socket and over a new TCP connection, so that they arrive only if {@code to}
     * can be reached from outside (a NAT passes what answers a path its host opened, and neither
     * probe does). Whoever holds {@code to}'s side hears {@link MessageHandler#onDialedBack}.
     * Does nothing where the transport cannot (then checks find nothing).
     */
    default void dialBack(PeerAddress to, long nonce) {
    }

    /**
     * Hole punching: opens the link to {@code to}, a peer nobody can dial, by a simultaneous TCP
     * open from our listening port (so that our NAT maps it as it maps that port), to be met by
     * {@code to} doing the same towards us at about the same time. Messages sent to {@code to}
     * meanwhile wait for that link; if it does not come up, the handler hears the link closed.
     * Does nothing where the transport cannot (then sending connects as usual, and fails).
     */
    default void punch(PeerAddress to) {
    }
}
