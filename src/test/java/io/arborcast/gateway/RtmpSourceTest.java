package io.arborcast.gateway;

import io.arborcast.ExternalTools;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.net.NetConfig;
import io.arborcast.node.LocalChannel;
import io.arborcast.node.Node;
import io.arborcast.node.NodeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real ffmpeg as the RTMP client of a node with an RTMP port of its own: a wrong stream key
 * gets ffmpeg's "Server error" with our reason and publishes nothing; the right key publishes
 * the mount's channel as FLV; a second client on the mount while the first is live is refused.
 * (GatewayEndToEndTest plays what RTMP publishes, on the node's own port.)
 */
class RtmpSourceTest {
    private static final String PASSWORD = "0bs-key";
    private final List<Process> processes = new ArrayList<>();
    private Node node;
    private HttpGateway gateway;
    private ChannelKey key;

    @BeforeEach
    void start() throws Exception {
        ExternalTools.require("ffmpeg", "ffmpeg");
        node = Node.start(NodeConfig.defaults().withNet(NetConfig.loopback(0)));
        gateway = new HttpGateway(node, GatewayConfig.defaults().withShoutcastSource(false).withRtmpPort(0)).install();
        key = ChannelKey.generate();
        gateway.addMount("/live", key, "rtmp test", PASSWORD);
    }

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        node.close();
    }

    /** ffmpeg pushing {@code seconds} of H.264 test video to {@code url} as OBS does. */
    private Process push(String url, int seconds) throws Exception {
        Process p = new ProcessBuilder("ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-v", "error", "-re", "-f",
                "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", String.valueOf(seconds), "-c:v", "libx264",
                "-preset", "ultrafast", "-g", "25", "-f", "flv", url).redirectErrorStream(true).start();
        processes.add(p);
        return p;
    }

    /** What ffmpeg said when it ended (within 20 s), and that it failed. */
    private static String failure(Process p) throws Exception {
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isNotZero();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private LocalChannel channel() throws Exception {
        CompletableFuture<LocalChannel> out = new CompletableFuture<>();
        node.execute(() -> out.complete(node.channel(key.channelId())));
        return out.get(5, TimeUnit.SECONDS);
    }

    @Test
    void onlyTheMountsPasswordPublishesAndOnlyOneClientAtATime() throws Exception {
        String base = "rtmp://127.0.0.1:" + gateway.rtmpPort() + "/live/";
        assertThat(gateway.rtmpPort()).isPositive().isNotEqualTo(node.address().port());

        assertThat(failure(push(base + "guess", 5))).contains("Server error: wrong stream key");
        assertThat(channel()).as("nothing published for a wrong key").isNull();

        Process live = push(base + PASSWORD, 30);
        await().atMost(Duration.ofSeconds(15)).until(() -> channel() != null && channel().head() != null);
        assertThat(channel().record().contentType()).isEqualTo("video/x-flv");

        String second = failure(push("rtmp://" + node.address().endpoint() + "/live/" + PASSWORD, 5));
        assertThat(second).contains("Server error: Mountpoint in use: /live already has a live source");
        assertThat(live.isAlive()).as("the first client goes on").isTrue();
    }
}
