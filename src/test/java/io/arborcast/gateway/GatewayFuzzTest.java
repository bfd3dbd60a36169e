package io.arborcast.gateway;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.net.NetConfig;
import io.arborcast.node.Node;
import io.arborcast.node.NodeConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterAll;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any bytes a client sends to the HTTP/ICY port or the SHOUTcast source port get a
 * well-formed answer (or none yet, for an unfinished request) and never an exception out of
 * our handling. The gateway runs on a real node; each input is one in-memory connection
 * handled on the node's event loop, as a real one would be.
 */
class GatewayFuzzTest {
    private static final Node NODE = startNode();
    private static final HttpGateway GATEWAY = installGateway();

    @AfterAll
    static void stop() {
        NODE.close();
    }

    @FuzzTest(maxDuration = "5s")
    void httpRequest(byte[] request) throws Exception {
        String answer = connection(request, ch -> GATEWAY.handOffHttp(ch.pipeline()));
        assertThat(answer).satisfiesAnyOf(a -> assertThat(a).isEmpty(), a -> assertThat(a).startsWith("HTTP/1."));
        assertThat(GATEWAY.internalErrors()).isZero();
    }

    @FuzzTest(maxDuration = "5s")
    void shoutcastSource(byte[] bytes) throws Exception {
        String answer = connection(bytes, ch -> ch.pipeline().addLast(new ShoutcastSource(GATEWAY)));
        assertThat(answer).satisfiesAnyOf(a -> assertThat(a).isEmpty(),
                a -> assertThat(a).isEqualTo("invalid password\r\n"), a -> assertThat(a).startsWith("OK2\r\n"));
        assertThat(GATEWAY.internalErrors()).isZero();
    }

    /** What the gateway writes back to a connection that sent {@code in}, handled on the node's loop. */
    private static String connection(byte[] in, Consumer<EmbeddedChannel> install) throws Exception {
        return NODE.transport().eventLoop().submit(() -> {
            EmbeddedChannel ch = new EmbeddedChannel(new ChannelHandler[0]);
            install.accept(ch);
            ch.writeInbound(Unpooled.wrappedBuffer(in));
            ch.runPendingTasks();
            StringBuilder out = new StringBuilder();
            for (ByteBuf b = ch.readOutbound(); b != null; b = ch.readOutbound()) {
                out.append(b.toString(StandardCharsets.ISO_8859_1));
                b.release();
            }
            ch.finishAndReleaseAll();
            return out.toString();
        }).get(10, TimeUnit.SECONDS);
    }

    private static Node startNode() {
        try {
            NodeConfig d = NodeConfig.defaults();
            return Node.start(d.withNet(NetConfig.loopback(0)));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpGateway installGateway() {
        try {
            HttpGateway g = new HttpGateway(NODE, new GatewayConfig(4, 8_192, false, 2 * 1024 * 1024, 8_192, 1024 * 1024, -1, 10_000)).install();
            g.addMount("/live", ChannelKey.generate(), "fuzz", "hackme");
            return g;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
