package io.arborcast.core;

/**
 * Whether peers outside can open a connection to this node, over TCP (peer links, the tree)
 * and over UDP (the DHT), as a reachability check found it: {@code helpers} peers in distinct
 * subnets were asked to dial back; a probe that arrived proves the way open, none from two
 * helpers or more that said they dialled means it is closed (a NAT or firewall in the way).
 */
public record Reachability(Status tcp, Status udp, int helpers, long checkedAt, String mappedBy) {
    /** What one protocol's check found. */
    public enum Status {
        /** A probe from outside arrived. */
        REACHABLE,
        /** Helpers dialled and nothing arrived: behind a NAT or firewall. */
        UNREACHABLE,
        /** Not checked yet, or too few helpers answered to tell. */
        UNKNOWN
    }

    public static final Reachability UNCHECKED = new Reachability(Status.UNKNOWN, Status.UNKNOWN, 0, -1, "");

    /** This result, found while a port mapping by {@code by} was in force ("" for none). */
    public Reachability mappedBy(String by) {
        return new Reachability(tcp, udp, helpers, checkedAt, by);
    }

    /** Peers can connect to this node (peer links are TCP): it can take children that dial it. */
    public boolean reachable() {
        return tcp == Status.REACHABLE;
    }

    /** One word for logs and pages: public, port-mapped (behind a NAT that forwards to us), behind NAT, or unknown. */
    public String summary() {
        return switch (tcp) {
            case REACHABLE -> mappedBy.isEmpty() ? "public" : "port-mapped";
            case UNREACHABLE -> "behind NAT";
            case UNKNOWN -> "unknown";
        };
    }

    /** What the user can do about it, or "" when nothing needs doing. */
    public String advice(int port) {
        return switch (tcp) {
            case REACHABLE -> "";
            case UNREACHABLE -> "peers cannot connect to this node: forward TCP and UDP port " + port
                    + " to it on your router (or enable UPnP there)";
            case UNKNOWN -> helpers == 0 ? "no peers outside this network to check with yet" : "too few peers answered";
        };
    }
}
