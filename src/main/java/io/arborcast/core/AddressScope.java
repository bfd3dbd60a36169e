package io.arborcast.core;

/**
 * Where an address can be reached from: the host itself (loopback), one link (link-local),
 * a private network (RFC 1918, shared CGNAT space, IPv6 ULA), or anywhere (public). An address
 * is only ever given to a peer that can reach it ({@link #reachableFrom}): a loopback address
 * told to a peer on another host makes that peer dial itself, a LAN address told to a stranger
 * makes it dial somebody else's LAN.
 */
public enum AddressScope {
    LOOPBACK, LINK_LOCAL, PRIVATE, PUBLIC;

    /**
     * The scope of an IP literal in canonical form ({@link PeerAddress#canonicalHost}); host
     * names other than {@code localhost} count as public, the unspecified address as loopback.
     */
    public static AddressScope of(String host) {
        if (host.indexOf(':') >= 0) {
            return ofIpv6(host);
        }
        int[] o = ipv4Octets(host);
        if (o == null) {
            return host.equals("localhost") ? LOOPBACK : PUBLIC;
        }
        if (o[0] == 127 || o[0] == 0) {
            return LOOPBACK;
        }
        if (o[0] == 169 && o[1] == 254) {
            return LINK_LOCAL;
        }
        if (o[0] == 10 || o[0] == 172 && (o[1] & 0xf0) == 16 || o[0] == 192 && o[1] == 168
                || o[0] == 100 && (o[1] & 0xc0) == 64) {
            return PRIVATE;
        }
        return PUBLIC;
    }

    private static AddressScope ofIpv6(String host) {
        if (host.equals("::1") || host.equals("::")) {
            return LOOPBACK;
        }
        String first = host.startsWith("::") ? "0" : host.substring(0, host.indexOf(':'));
        int group = first.length() <= 4 ? Integer.parseInt(first.isEmpty() ? "0" : first, 16) : -1;
        if ((group & 0xffc0) == 0xfe80) {
            return LINK_LOCAL;
        }
        if ((group & 0xfe00) == 0xfc00) {
            return PRIVATE;
        }
        return PUBLIC;
    }

    /** The four octets of a dotted IPv4 literal, or null if {@code host} is not one. */
    static int[] ipv4Octets(String host) {
        int[] o = new int[4];
        int n = 0;
        int digits = 0;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c >= '0' && c <= '9' && digits < 3) {
                o[n] = o[n] * 10 + (c - '0');
                digits++;
            } else if (c == '.' && digits > 0 && n < 3) {
                n++;
                digits = 0;
            } else {
                return null;
            }
        }
        return n == 3 && digits > 0 && o[0] < 256 && o[1] < 256 && o[2] < 256 && o[3] < 256 ? o : null;
    }

    /**
     * True if a peer whose address has scope {@code peer} can reach an address of this scope:
     * public from anywhere, private from private networks and from this host, loopback and
     * link-local only from peers of the same scope (the same host; the same link).
     */
    public boolean reachableFrom(AddressScope peer) {
        return switch (this) {
            case PUBLIC -> true;
            case PRIVATE -> peer == PRIVATE || peer == LOOPBACK;
            case LOOPBACK, LINK_LOCAL -> peer == this;
        };
    }
}
