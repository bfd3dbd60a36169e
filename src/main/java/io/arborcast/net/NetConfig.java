package io.arborcast.net;

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
 */
public record NetConfig(String bindHost, String advertisedHost, int port, int maxDatagramBytes,
                        int maxLinkFrameBytes, int connectTimeoutMillis, int linkIdleMillis,
                        int maxQueuedBytesPerLink) {
    public NetConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (maxDatagramBytes < 128 || maxLinkFrameBytes < 1024) {
            throw new IllegalArgumentException("frame limits too small");
        }
    }

    /** These limits and timeouts with other addresses and port. */
    public NetConfig withAddress(String newBindHost, String newAdvertisedHost, int newPort) {
        return new NetConfig(newBindHost, newAdvertisedHost, newPort, maxDatagramBytes, maxLinkFrameBytes,
                connectTimeoutMillis, linkIdleMillis, maxQueuedBytesPerLink);
    }

    /** Loopback defaults on the given port (0 = any free port). */
    public static NetConfig loopback(int port) {
        return new NetConfig("127.0.0.1", "127.0.0.1", port, MessageCodec.DEFAULT_MAX_DATAGRAM,
                MessageCodec.DEFAULT_MAX_LINK_FRAME, 3_000, 30_000, 8 * 1024 * 1024);
    }
}
