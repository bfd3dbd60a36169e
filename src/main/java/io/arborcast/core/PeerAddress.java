package io.arborcast.core;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where a peer can be reached: its node id plus an IP literal and the one port it listens on
 * for UDP and TCP alike (the port to dial, never a translated source port). The id is
 * {@code null} only for a bootstrap address typed by a user, whose id is learned from its
 * first answer. IP literals are kept in one canonical text ({@link #canonicalHost}: IPv6
 * compressed and in lower case, IPv4-mapped IPv6 as IPv4), so one peer never shows up under two.
 *
 * <p>Immutable and shared: a simulated node's one address object sits in thousands of routing
 * tables and answers, so what is read of it per message is worked out once, here (the host's
 * UTF-8 length for sizing an answer, its subnet for the address-diversity quotas), and those
 * reads stay in this object instead of following the host text to its characters.
 */
public final class PeerAddress {
    /** Longest accepted host text (a DNS name's limit; an IPv6 literal is far shorter). */
    public static final int MAX_HOST_LENGTH = 253;
    /** {@link #subnet()} of a loopback address, which no quota limits. */
    public static final int NO_SUBNET = Integer.MIN_VALUE;

    private final NodeId id;
    private final String host;
    private final int port;
    private final short hostUtf8Length;
    private final int subnet;
    private final AddressScope scope;
    /** Of id, host and port (the key of lookups' and links' maps: reading it reads no other object). */
    private final int hash;

    public PeerAddress(NodeId id, String host, int port) {
        Objects.requireNonNull(host, "host");
        host = canonicalHost(host);
        if (host.isEmpty() || host.length() > MAX_HOST_LENGTH) {
            throw new IllegalArgumentException("bad host length: " + host.length());
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        this.id = id;
        this.host = host;
        this.port = port;
        this.hostUtf8Length = (short) utf8Length(host);
        this.scope = AddressScope.of(host);
        this.subnet = scope == AddressScope.LOOPBACK ? NO_SUBNET : subnetKey(host);
        this.hash = (Objects.hashCode(id) * 31 + host.hashCode()) * 31 + port;
    }

    public NodeId id() {
        return id;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** Bytes of the host text in UTF-8. */
    public int hostUtf8Length() {
        return hostUtf8Length;
    }

    /**
     * A number naming the host's subnet (/24 of IPv4, /64 of IPv6), {@link #NO_SUBNET} for
     * loopback: see {@link #subnetKey}.
     */
    public int subnet() {
        return subnet;
    }

    /** Who can reach this address: see {@link AddressScope}. */
    public AddressScope scope() {
        return scope;
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
        String host = text.substring(0, colon); // brackets of IPv6 go with the canonical text
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
        return other == this || other != null && port == other.port && host.equals(other.host);
    }

    /** {@code host:port}, IPv6 in brackets ({@code [2001:db8::1]:7144}): the text for logs, JSON and URLs. */
    public String endpoint() {
        return endpoint(host, port);
    }

    /** The canonical {@code host:port} of a socket's address (for logs), or its own text if it is not IP. */
    public static String endpoint(java.net.SocketAddress a) {
        return a instanceof java.net.InetSocketAddress i && i.getAddress() != null
                ? endpoint(canonicalHost(i.getAddress().getHostAddress()), i.getPort()) : String.valueOf(a);
    }

    /** {@code host:port} of any host and port, IPv6 in brackets. */
    public static String endpoint(String host, int port) {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /**
     * The one text of an IP literal: IPv6 without brackets, in lower case, leading zeros dropped
     * and the longest run of two or more zero groups written {@code ::} (RFC 5952), an
     * IPv4-mapped IPv6 address as its IPv4 text; anything else (IPv4, a host name) unchanged.
     */
    public static String canonicalHost(String host) {
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.indexOf(':') < 0 ? host : Ipv6Text.canonical(host);
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof PeerAddress a && port == a.port && hash == a.hash && host.equals(a.host)
                && Objects.equals(id, a.id);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /**
     * A number naming a host's subnet (/24 of IPv4, /64 of IPv6): exact for dotted IPv4, a hash
     * of the prefix text otherwise (two subnets that collide only share one quota).
     */
    public static int subnetKey(String host) {
        int key = 0;
        int octets = 0;
        int octet = 0;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c >= '0' && c <= '9' && octet < 256) {
                octet = octet * 10 + (c - '0');
            } else if (c == '.' && octet < 256) {
                key = key << 8 | octet;
                octet = 0;
                if (++octets == 3) {
                    return key | 1 << 24; // tagged: never equal to a hash of IPv6 text below 2^24
                }
            } else {
                break;
            }
        }
        int h = 0; // not dotted IPv4: the prefix text's hash, as String.hashCode but without a substring
        for (int i = 0, end = subnetPrefixLength(host); i < end; i++) {
            h = 31 * h + host.charAt(i);
        }
        return h;
    }

    /** Length of the text naming a host's subnet: "a.b.c." of IPv4 (/24), the first four groups of IPv6 (/64). */
    static int subnetPrefixLength(String host) {
        char sep = host.indexOf(':') >= 0 ? ':' : '.';
        int groups = sep == ':' ? 4 : 3;
        int at = -1;
        for (int i = 0; i < groups; i++) {
            at = host.indexOf(sep, at + 1);
            if (at < 0) {
                return host.length();
            }
        }
        return at + 1;
    }

    private static int utf8Length(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return s.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return s.length();
    }

    @Override
    public String toString() {
        return (id == null ? "?" : id.shortHex()) + "@" + endpoint();
    }
}
