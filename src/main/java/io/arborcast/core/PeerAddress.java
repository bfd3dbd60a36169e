package io.arborcast.core;

import java.util.Objects;

/**
 * Where a peer can be reached: its node id plus an IP literal and the one port it uses for
 * UDP and TCP alike. The id is {@code null} only for a bootstrap address typed by a user,
 * whose id is learned from its first answer.
 */
public record PeerAddress(NodeId id, String host, int port) {
    /** Longest accepted host text (a DNS name's limit; an IPv6 literal is far shorter). */
    public static final int MAX_HOST_LENGTH = 253;

    public PeerAddress {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty() || host.length() > MAX_HOST_LENGTH) {
            throw new IllegalArgumentException("bad host length: " + host.length());
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** An address whose node id is not known yet (a bootstrap address). */
    public static PeerAddress unknownId(String host, int port) {
        return new PeerAddress(null, host, port);
    }

    /** Parses {@code host:port} (IPv6 as {@code [addr]:port}) into an address with unknown id. */
    public static PeerAddress parseEndpoint(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("expected HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + text + "'", e);
        }
        return unknownId(host, port);
    }

    /** This address with the given id. */
    public PeerAddress withId(NodeId newId) {
        return new PeerAddress(newId, host, port);
    }

    /** True when both name the same host and port, whatever their ids. */
    public boolean sameEndpoint(PeerAddress other) {
        return other != null && port == other.port && host.equals(other.host);
    }

    /** {@code host:port}. */
    public String endpoint() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    @Override
    public String toString() {
        return (id == null ? "?" : id.shortHex()) + "@" + endpoint();
    }
}
