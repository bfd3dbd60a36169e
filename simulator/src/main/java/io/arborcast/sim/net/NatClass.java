package io.arborcast.sim.net;

/**
 * How a simulated listener can be reached, as its home router allows. The network refuses a
 * connect to a node that is not {@link #dialable} ({@link SimNode#setReachable}): only links
 * it opens carry its traffic, so it is fed through connection reversal, by a dialable parent,
 * or through a hole punched by both ends at once: that works between two cone NATs (endpoint-
 * independent mapping), never with a symmetric one ({@link SimNode#setPunchable}).
 */
public enum NatClass {
    /** A public address. */
    PUBLIC("public"),
    /** Behind a router that forwarded its port (UPnP-IGD, NAT-PMP): dialable like a public node. */
    PORT_MAPPED("port-mapped"),
    /** Behind a NAT with endpoint-independent mapping (Linux MASQUERADE, most home routers). */
    CONE("cone"),
    /** Behind a NAT that maps each destination to its own port (carrier-grade NATs, some firewalls). */
    SYMMETRIC("symmetric");

    /** Its key under {@code stream.nat} in a scenario. */
    public final String setting;

    NatClass(String setting) {
        this.setting = setting;
    }

    public boolean dialable() {
        return this == PUBLIC || this == PORT_MAPPED;
    }
}
