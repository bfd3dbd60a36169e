package io.arborcast.core;

/**
 * The resource limits that protect a node from what peers and HTTP clients send. Each is a
 * setting in {@code config/arborcast.conf} (its {@link #setting}); hitting one refuses or drops
 * the excess, is counted in {@link LimitCounters}, shown in {@code /metrics} as
 * {@code arborcast_limit_hits{limit=...}} and logged at most once per period.
 */
public enum Limit {
    /** Inbound TCP connections (peer links and HTTP) open at once. */
    CONNECTIONS("net.max-connections"),
    /** Peer links open at once; a new inbound link beyond it is closed. */
    PEER_LINKS("net.max-links"),
    /** Datagrams per second accepted from one IP address. */
    DATAGRAM_RATE("net.max-datagrams-per-second"),
    /** A connection that did not finish its preamble or HTTP request head in time (slow-loris). */
    HANDSHAKE_TIMEOUT("net.handshake-timeout"),
    /** DHT requests in flight at once. */
    PENDING_RPCS("dht.max-pending-rpcs"),
    /** STORE/ANNOUNCE requests per sender per minute. */
    STORE_RATE("dht.max-stores-per-minute"),
    /** Reachability dial-backs made for one host per minute. */
    DIAL_BACK_RATE("dht.max-dial-backs-per-minute"),
    /** Channel records stored for others. */
    STORED_RECORDS("dht.max-records"),
    /** Provider announcements stored for others, all channels together. */
    STORED_PROVIDERS("dht.max-providers"),
    /** Chunks a child may have resent to it (attach replays, gap pulls) per window. */
    CHUNK_REPLAY("tree.max-replayed-chunks-per-minute"),
    /** Players served at once by the HTTP gateway. */
    HTTP_LISTENERS("gateway.max-listeners"),
    /** HTTP request line and headers size. */
    HTTP_HEADER_SIZE("gateway.max-request-header-bytes"),
    /** Stream bytes a source client sent before its channel was published. */
    SOURCE_BACKLOG("gateway.max-source-backlog-bytes");

    /** The configuration key (under {@code arborcast.}) that sets this limit. */
    public final String setting;

    Limit(String setting) {
        this.setting = setting;
    }

    /** The name used in metrics and logs: the setting's last part. */
    public String metricName() {
        return setting.substring(setting.indexOf('.') + 1);
    }
}
