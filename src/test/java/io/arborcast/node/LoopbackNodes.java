package io.arborcast.node;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real nodes a test starts on loopback, and the thread that feeds their sources
 * ({@link Loops#feed}); after each test the feeding stops and every node is closed. A test
 * class holds one in a {@code @RegisterExtension} field.
 */
final class LoopbackNodes implements AfterEachCallback {
    private final List<Node> nodes = new ArrayList<>();
    private final ScheduledExecutorService feeder = Executors.newSingleThreadScheduledExecutor();

    /** A node started with {@code config}. */
    Node start(NodeConfig config) throws InterruptedException {
        Node n = Node.start(config);
        nodes.add(n);
        return n;
    }

    /** A node started with {@code config} that joined the DHT through {@code bootstrap} (none if null). */
    Node start(NodeConfig config, Node bootstrap) throws Exception {
        Node n = start(config);
        if (bootstrap != null) {
            assertThat(n.join(bootstrap.address()).get(10, TimeUnit.SECONDS).ok()).isTrue();
        }
        return n;
    }

    ScheduledExecutorService feeder() {
        return feeder;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        feeder.shutdownNow();
        nodes.forEach(Node::close);
    }
}
