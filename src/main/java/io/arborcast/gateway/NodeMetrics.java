package io.arborcast.gateway;

import io.arborcast.core.Limit;
import io.arborcast.core.NodeId;
import io.arborcast.core.Reachability;
import io.arborcast.node.LocalChannel;
import io.arborcast.node.Node;
import io.arborcast.tree.TreeStats;
import io.arborcast.wire.CodecException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The node's Prometheus metrics ({@code GET /metrics}): DHT RPCs and failures, routing table,
 * peer links, frames dropped by reason, players and limits hit, and per channel bytes in and
 * out, children, repairs with their latency, skipped chunks. Values are read from the
 * protocol's own counters when scraped, on the node's event loop.
 */
public final class NodeMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Node node;
    private final Map<NodeId, Timer> repairTimers = new HashMap<>();
    private final Map<NodeId, Integer> repairsRecorded = new HashMap<>();

    NodeMetrics(Node node, HttpGateway gateway) {
        this.node = node;
        counter("arborcast_dht_rpcs_sent", "DHT requests sent", Tags.empty(), n -> n.dhtStats().rpcsSent);
        counter("arborcast_dht_rpc_timeouts", "DHT requests that got no answer", Tags.empty(),
                n -> n.dhtStats().rpcTimeouts);
        counter("arborcast_dht_requests_served", "DHT requests answered", Tags.empty(),
                n -> n.dhtStats().requestsServed);
        Gauge.builder("arborcast_dht_contacts", node, n -> n.routingTableSize())
                .description("contacts in the routing table").register(registry);
        Gauge.builder("arborcast_peer_links", node, n -> n.transport().linkCount())
                .description("open peer links").register(registry);
        Map<String, Function<Reachability, Reachability.Status>> protocols = Map.of("tcp", Reachability::tcp,
                "udp", Reachability::udp);
        protocols.forEach((protocol, status) -> {
            for (Reachability.Status st : Reachability.Status.values()) {
                Gauge.builder("arborcast_reachability", node, n -> status.apply(n.reachability()) == st ? 1 : 0)
                        .tags(Tags.of("protocol", protocol, "status", st.name().toLowerCase()))
                        .description("1 for what the last reachability check found (peers dialled us back or not)")
                        .register(registry);
            }
        });
        counter("arborcast_frames_encoded", "link frames encoded (a chunk sent to several children is encoded once)",
                Tags.empty(), n -> n.transport().framesEncoded());
        counter("arborcast_self_dials_avoided", "connects not made because the address was our own", Tags.empty(),
                n -> n.transport().selfDialsAvoided());
        counter("arborcast_dials_backed_off", "connects not made because the address failed lately", Tags.empty(),
                n -> n.transport().dialsBackedOff());
        for (CodecException.Reason r : CodecException.Reason.values()) {
            counter("arborcast_frames_dropped", "frames dropped as undecodable, by reason",
                    Tags.of("reason", r.name().toLowerCase()), n -> n.transport().drops().get(r));
        }
        Gauge.builder("arborcast_http_players", gateway, HttpGateway::players)
                .description("players connected to this node").register(registry);
        FunctionCounter.builder("arborcast_http_internal_errors", gateway, HttpGateway::internalErrors)
                .description("HTTP connections closed because our own handling failed (bugs)").register(registry);
        for (Limit l : Limit.values()) {
            counter("arborcast_limit_hits", "requests, datagrams or connections refused because a limit was reached",
                    Tags.of("limit", l.metricName()), n -> n.limits().count(l));
        }
    }

    private void counter(String name, String help, Tags tags, ToDoubleFunction<Node> f) {
        FunctionCounter.builder(name, node, f).tags(tags).description(help).register(registry);
    }

    /** Milliseconds as seconds; NaN (Prometheus's "no value") for -1, unknown. */
    private static double seconds(long millis) {
        return millis < 0 ? Double.NaN : millis / 1000.0;
    }

    /** The metrics in Prometheus text format; call on the node's event loop. */
    String scrape() {
        for (Map.Entry<NodeId, LocalChannel> e : node.channels().entrySet()) {
            channel(e.getKey(), e.getValue());
        }
        return registry.scrape();
    }

    private void channel(NodeId id, LocalChannel c) {
        TreeStats st = c.peer().tree().stats();
        Timer repairs = repairTimers.get(id);
        if (repairs == null) {
            Tags t = Tags.of("channel", id.toHex());
            FunctionCounter.builder("arborcast_channel_bytes_in", c, LocalChannel::bytesIn).tags(t)
                    .description("stream bytes in (from the source client, or the tree)").register(registry);
            FunctionCounter.builder("arborcast_channel_bytes_out", st, s -> s.bytesForwarded).tags(t)
                    .description("stream bytes relayed to children").register(registry);
            Gauge.builder("arborcast_channel_children", c, x -> x.peer().tree().children().size()).tags(t)
                    .description("children fed by this node").register(registry);
            Gauge.builder("arborcast_channel_depth", c, x -> x.peer().tree().depth()).tags(t)
                    .description("hops from the source (-1: no parent)").register(registry);
            FunctionCounter.builder("arborcast_channel_skipped_chunks", c,
                    x -> x.playout() == null ? 0 : x.playout().skipped()).tags(t)
                    .description("chunks that never came in time").register(registry);
            FunctionCounter.builder("arborcast_channel_parent_losses", st, s -> s.parentLosses).tags(t)
                    .description("parents lost").register(registry);
            FunctionCounter.builder("arborcast_channel_chunks_pulled", st, s -> s.chunksPulled).tags(t)
                    .description("chunks taken from neighbours by gap pull").register(registry);
            FunctionCounter.builder("arborcast_channel_reversals_served", st, s -> s.reversalsServed).tags(t)
                    .description("children nobody could dial us for, fed by connecting out to them").register(registry);
            for (boolean ok : new boolean[] {true, false}) {
                FunctionCounter.builder("arborcast_channel_punches", st, s -> ok ? s.punchesSucceeded : s.punchesFailed)
                        .tags(t.and("outcome", ok ? "succeeded" : "failed"))
                        .description("hole punches to a parent (both ends behind NATs), by outcome").register(registry);
            }
            for (double q : new double[] {0.5, 0.95}) {
                Gauge.builder("arborcast_channel_lag_seconds", c, x -> seconds(x.lagMillis(q)))
                        .tags(t.and("quantile", Double.toString(q)))
                        .description("behind the source's cut when handed to players here, over the last minute's chunks (NaN: not known yet)")
                        .register(registry);
            }
            Gauge.builder("arborcast_channel_lag_floor_seconds", c, x -> seconds(x.lagFloorMillis())).tags(t)
                    .description("the least lag possible here: the one-way delay from the source down the tree (NaN: not known)")
                    .register(registry);
            repairs = Timer.builder("arborcast_channel_repair_latency").tags(t).publishPercentileHistogram()
                    .description("parent lost to first chunk from the new one").register(registry);
            repairTimers.put(id, repairs);
        }
        List<Long> ms = st.repairMillis;
        int done = repairsRecorded.getOrDefault(id, 0);
        for (int i = done; i < ms.size(); i++) {
            repairs.record(Duration.ofMillis(ms.get(i)));
        }
        repairsRecorded.put(id, ms.size());
    }
}
