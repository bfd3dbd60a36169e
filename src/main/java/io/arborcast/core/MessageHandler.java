package io.arborcast.core;

/** The receiving side of a {@link Transport}: called on the protocol thread only. */
public interface MessageHandler {
    /** A decoded message from {@code from} (its id is known from the datagram or link preamble). */
    void onMessage(PeerAddress from, Message m);

    /** The link to {@code peer} closed (remote close, crash timeout, idle, decode error, or a failed connect). */
    void onLinkClosed(PeerAddress peer, String reason);

    /** A reachability probe with {@code nonce} arrived over TCP ({@code tcp}) or UDP (see {@link Transport#dialBack}). */
    default void onDialedBack(long nonce, boolean tcp) {
    }
}
