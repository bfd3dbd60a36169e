package io.arborcast.gateway;

import io.arborcast.crypto.ChannelKey;
import io.arborcast.net.NetConfig;
import io.arborcast.node.LocalChannel;
import io.arborcast.node.Node;
import io.arborcast.node.NodeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /metrics} in Prometheus text format, with values that follow what the node does. */
class MetricsTest {
    private final List<Node> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        nodes.forEach(Node::close);
    }

    private Node node() throws InterruptedException {
        NodeConfig d = NodeConfig.defaults();
        Node n = Node.start(d.withNet(NetConfig.loopback(0)));
        new HttpGateway(n, new GatewayConfig(5, 16_000, false, 2 * 1024 * 1024, 8_192, 1024 * 1024, -1, 10_000)).install();
        nodes.add(n);
        return n;
    }

    private String metrics(Node n) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + n.address().endpoint()
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        return r.body();
    }

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(text);
        assertThat(m.find()).as("series %s in%n%s", series, text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void metricsFollowTheDhtAndTheChannel() throws Exception {
        Node a = node();
        Node b = node();
        assertThat(b.join(a.address()).get(10, TimeUnit.SECONDS).ok()).isTrue();
        ChannelKey key = ChannelKey.generate();
        LocalChannel source = a.publish(key, "metrics", "application/octet-stream", 128).get(10, TimeUnit.SECONDS);
        b.tune(key.channelId()).get(10, TimeUnit.SECONDS);
        byte[] data = new byte[16_000];
        String ch = "{channel=\"" + key.channelId().toHex() + "\"}";
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            a.execute(() -> source.write(data, 0, data.length));
            String m = metrics(b);
            return m.contains("arborcast_channel_bytes_in_total" + ch)
                    && value(m, "arborcast_channel_bytes_in_total" + ch) >= 16_000;
        });
        String mb = metrics(b);
        assertThat(value(mb, "arborcast_dht_rpcs_sent_total")).isGreaterThan(0);
        assertThat(value(mb, "arborcast_dht_contacts")).isEqualTo(1);
        assertThat(value(mb, "arborcast_channel_depth" + ch)).isEqualTo(1);
        assertThat(value(mb, "arborcast_channel_skipped_chunks_total" + ch)).isZero();
        assertThat(value(mb, "arborcast_frames_dropped_total{reason=\"truncated\"}")).isZero();
        assertThat(mb).contains("arborcast_channel_repair_latency_seconds_bucket");
        // how far behind the source b plays, once it knows the source's time (NaN before)
        String lag = "arborcast_channel_lag_seconds{channel=\"" + key.channelId().toHex() + "\",quantile=\"0.95\"}";
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            a.execute(() -> source.write(data, 0, data.length));
            return Pattern.compile("(?m)^" + Pattern.quote(lag) + " [0-9]").matcher(metrics(b)).find();
        });
        assertThat(value(metrics(b), lag)).as("seconds, on loopback").isBetween(0.0, 1.0);
        String ma = metrics(a);
        assertThat(value(ma, "arborcast_channel_children" + ch)).isEqualTo(1);
        assertThat(value(ma, "arborcast_channel_bytes_out_total" + ch)).isGreaterThanOrEqualTo(16_000);
        assertThat(value(ma, "arborcast_dht_requests_served_total")).isGreaterThan(0);
    }
}
