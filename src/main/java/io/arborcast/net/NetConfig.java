package io.arborcast.net;

import io.arborcast.core.Settings;
import io.arborcast.wire.MessageCodec;

/**
 * Settings of a node's Netty transport.
 *
 * @param bindHost          address to bind (e.g. 127.0.0.1, or 0.0.0.0 for all)
 * @param advertisedHost    IP literal peers should use to reach us
 * @param port              UDP and TCP port; 0 picks a free one for both
 * @param maxDatagramBytes  largest datagram sent or accepted, header included
 * @param maxLinkFrameBytes largest frame on a peer link
 * @param connectTimeoutMillis TCP connect timeout
 * @param linkIdleMillis    a link on which nothing arrives for this long is closed
 * @param maxQueuedBytesPerLink unsent bytes a link may hold before the peer is dropped as too slow
 * @param limits            what strangers may cost this node (see {@link Limits})
 * @param idDifficulty      leading zero bits a node id's hash must have (the S/Kademlia puzzle; the same
 *                          network-wide, since peers with a smaller one are refused)
 * @param portMapping       ask the home router (NAT-PMP) to forward the port (see {@link PortMapper})
 */
public record NetConfig(String bindHost, String advertisedHost, int port, int maxDatagramBytes,
                        int maxLinkFrameBytes, int connectTimeoutMillis, int linkIdleMillis,
                        int maxQueuedBytesPerLink, Limits limits, int idDifficulty, boolean portMapping) {
    /**
     * @param maxConnections        inbound TCP connections (peer links and HTTP) open at once
     * @param maxLinks              peer links open at once; more inbound ones are closed
     * @param maxDatagramsPerSecond datagrams accepted per second from one IP address (the rest are dropped)
     * @param handshakeTimeoutMillis an inbound connection must send its peer preamble or HTTP request head
     *                              within this, or it is closed (slow-loris)
     */
    public record Limits(int maxConnections, int maxLinks, int maxDatagramsPerSecond, long handshakeTimeoutMillis) {
        public Limits {
            Settings.atLeast("net.max-connections", maxConnections, 1);
            Settings.atLeast("net.max-links", maxLinks, 1);
            Settings.atLeast("net.max-datagrams-per-second", maxDatagramsPerSecond, 1);
            Settings.atLeastMillis("net.handshake-timeout", handshakeTimeoutMillis, 1);
        }

        public static Limits defaults() {
            return new Limits(1024, 256, 1000, 10_000);
        }
    }

    /** Puzzle bits by default: about 256 key generations (a few ms) per id. */
    public static final int DEFAULT_ID_DIFFICULTY = 8;

    public NetConfig {
        Settings.within("node.port", port, 0, 65535);
        io.arborcast.crypto.NodeIdentity.checkDifficulty(idDifficulty);
        if (limits == null) {
            throw new IllegalArgumentException("net limits missing");
        }
        Settings.atLeast("net.max-datagram-bytes", maxDatagramBytes, 128);
        Settings.atLeast("net.max-link-frame-bytes", maxLinkFrameBytes, 1024);
    }

    /** These limits and timeouts with other addresses and port. */
    public NetConfig withAddress(String newBindHost, String newAdvertisedHost, int newPort) {
        return new NetConfig(newBindHost, newAdvertisedHost, newPort, maxDatagramBytes, maxLinkFrameBytes,
                connectTimeoutMillis, linkIdleMillis, maxQueuedBytesPerLink, limits, idDifficulty, portMapping);
    }

    /** These settings with other limits. */
    public NetConfig withLimits(Limits newLimits) {
        return new NetConfig(bindHost, advertisedHost, port, maxDatagramBytes, maxLinkFrameBytes,
                connectTimeoutMillis, linkIdleMillis, maxQueuedBytesPerLink, newLimits, idDifficulty, portMapping);
    }

    /** Loopback defaults on the given port (0 = any free port). */
    public static NetConfig loopback(int port) {
        return new NetConfig("127.0.0.1", "127.0.0.1", port, MessageCodec.DEFAULT_MAX_DATAGRAM,
                MessageCodec.DEFAULT_MAX_LINK_FRAME, 3_000, 30_000, 8 * 1024 * 1024, Limits.defaults(),
                DEFAULT_ID_DIFFICULTY, false);
    }
}
