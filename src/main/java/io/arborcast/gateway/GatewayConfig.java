package io.arborcast.gateway;

import com.typesafe.config.Config;
import io.arborcast.core.Settings;

/**
 * The HTTP gateway's settings ({@code gateway} block of the node configuration).
 *
 * @param maxListeners      players served at once; more get 503
 * @param icyMetaint        audio bytes between ICY metadata blocks
 * @param shoutcastSource   accept SHOUTcast v1 sources on port + 1
 * @param maxPlayerBacklog  unsent bytes after which a stalled player is dropped
 * @param maxRequestHeaderBytes largest HTTP request line plus headers; larger gets 400
 * @param maxSourceBacklogBytes stream bytes held from a source client while its channel is being
 *                          published; a source that sends more before that is disconnected
 * @param rtmpPort          a port of its own for RTMP source clients besides the node's port (1935,
 *                          RTMP's default, or 0 for any free one); -1: the node's port only
 * @param sourceTimeoutMillis a source client that sends no stream byte for this long is
 *                          disconnected and its mount freed (Icecast's source-timeout)
 */
public record GatewayConfig(int maxListeners, int icyMetaint, boolean shoutcastSource, long maxPlayerBacklog,
                            int maxRequestHeaderBytes, int maxSourceBacklogBytes, int rtmpPort,
                            long sourceTimeoutMillis) {
    public GatewayConfig {
        Settings.atLeast("gateway.max-listeners", maxListeners, 0);
        Settings.within("gateway.icy-metaint", icyMetaint, 1, 65_536);
        Settings.atLeast("gateway.max-player-backlog", maxPlayerBacklog, 65_536);
        Settings.atLeast("gateway.max-request-header-bytes", maxRequestHeaderBytes, 256);
        Settings.atLeast("gateway.max-source-backlog-bytes", maxSourceBacklogBytes, 4096);
        Settings.within("gateway.rtmp-port", rtmpPort, -1, 65_535);
        Settings.atLeastMillis("gateway.source-timeout", sourceTimeoutMillis, 1_000);
    }

    /** From the {@code arborcast} block of a node configuration. */
    public static GatewayConfig from(Config arborcast) {
        Config g = arborcast.getConfig("gateway");
        return new GatewayConfig(g.getInt("max-listeners"), g.getInt("icy-metaint"), g.getBoolean("shoutcast-source"),
                g.getBytes("max-player-backlog"), g.getBytes("max-request-header-bytes").intValue(),
                g.getBytes("max-source-backlog-bytes").intValue(), g.getInt("rtmp-port"),
                g.getDuration("source-timeout", java.util.concurrent.TimeUnit.MILLISECONDS));
    }

    public static GatewayConfig defaults() {
        return io.arborcast.node.NodeConfig.read(null, GatewayConfig::from);
    }

    public GatewayConfig withMaxListeners(int n) {
        return new GatewayConfig(n, icyMetaint, shoutcastSource, maxPlayerBacklog, maxRequestHeaderBytes,
                maxSourceBacklogBytes, rtmpPort, sourceTimeoutMillis);
    }

    public GatewayConfig withShoutcastSource(boolean on) {
        return new GatewayConfig(maxListeners, icyMetaint, on, maxPlayerBacklog, maxRequestHeaderBytes,
                maxSourceBacklogBytes, rtmpPort, sourceTimeoutMillis);
    }

    public GatewayConfig withRtmpPort(int port) {
        return new GatewayConfig(maxListeners, icyMetaint, shoutcastSource, maxPlayerBacklog, maxRequestHeaderBytes,
                maxSourceBacklogBytes, port, sourceTimeoutMillis);
    }
}
