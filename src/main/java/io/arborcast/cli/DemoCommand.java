package io.arborcast.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.gateway.GatewayConfig;
import io.arborcast.gateway.HttpGateway;
import io.arborcast.node.LocalChannel;
import io.arborcast.node.Node;
import io.arborcast.node.NodeConfig;
import io.arborcast.tree.ChannelTree;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code arborcast demo}: a whole network in one process on loopback. A bootstrap node (which
 * also serves the playback URL), a publisher streaming a generated test tune, and relaying
 * listeners, some without relay slots; prints the live tree and per-second stats.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a local network on 127.0.0.1: a publisher and relaying listeners; prints the tree "
                + "and a playback URL for any player (mpv, VLC, ffplay).")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    NodeOptions options;

    @Option(names = "--listeners", paramLabel = "N", defaultValue = "20", description = "listeners (default 20)")
    int listenerCount;

    @Mixin
    RunFor duration;

    @Option(names = "--kill-relays", description = "close a relay abruptly every 10 s to show repair live")
    boolean killRelays;

    @Option(names = "--tree-every", paramLabel = "SECONDS", defaultValue = "5",
            description = "print the whole tree this often (stats print every second)")
    int treeEvery;

    private final List<Node> nodes = new ArrayList<>();
    private GatewayConfig gateway;
    private final Map<Integer, String> names = new HashMap<>();

    @Override
    public Integer call() throws Exception {
        if (listenerCount < 1 || listenerCount > 200) {
            throw new IllegalArgumentException("--listeners must be between 1 and 200");
        }
        Logger ours = (Logger) LoggerFactory.getLogger("io.arborcast");
        if (!ours.isDebugEnabled()) { // 21 nodes' info lines would bury the tree: only warnings, unless -v
            ours.setLevel(Level.WARN);
        }
        NodeConfig base = options.load(7144);
        GatewayConfig g = NodeConfig.read(options.config, GatewayConfig::from);
        gateway = g.withShoutcastSource(false);
        NodeConfig loopback = base.withNet(base.net().withAddress("127.0.0.1", "127.0.0.1", 0));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "demo");
            t.setDaemon(true);
            return t;
        });
        try {
            Node entry = start(base.withNet(base.net().withAddress("127.0.0.1", "127.0.0.1", base.net().port())),
                    "entry");
            PeerAddress bootstrap = entry.address();
            Node publisher = start(loopback, "source");
            join(publisher, bootstrap);
            ChannelKey key = ChannelKey.generate();
            LocalChannel channel = publisher.publish(key, "Arborcast demo tune", TestSignal.CONTENT_TYPE,
                    TestSignal.BYTES_PER_SECOND * 8 / 1000).get(30, TimeUnit.SECONDS);
            NodeId id = key.channelId();
            feed(publisher, channel, timer);
            System.out.println("channel " + id.toHex() + " published by " + publisher.address().endpoint());

            for (int i = 1; i <= listenerCount; i++) {
                int slots = i % 4 == 0 ? 0 : base.tree().maxRelays();
                Node n = start(loopback.withRelaySlots(slots), String.format("L%02d%s", i, slots == 0 ? "*" : ""));
                join(n, bootstrap);
                n.tune(id).get(30, TimeUnit.SECONDS);
            }
            String url = "http://" + bootstrap.endpoint() + "/stream/" + id.toHex() + ".wav";
            System.out.println(listenerCount + " listeners tuned in (* = no relay slots)");
            System.out.println("play it: ffplay " + url + "   (or mpv / vlc; the entry node joins the tree on the"
                    + " first request)");
            System.out.println("status:  http://" + publisher.address().endpoint()
                    + "/   (the publisher's status page and tree; every node serves its own)");
            System.out.flush();

            long started = System.nanoTime();
            int[] second = {0};
            timer.scheduleAtFixedRate(() -> report(id, publisher, ++second[0]), 1, 1, TimeUnit.SECONDS);
            if (killRelays) {
                timer.scheduleAtFixedRate(() -> killOneRelay(id), 10, 10, TimeUnit.SECONDS);
            }
            duration.await();
            timer.shutdownNow();
            timer.awaitTermination(3, TimeUnit.SECONDS);
            System.out.printf("demo ran %.0f s%n", (System.nanoTime() - started) / 1e9);
            return 0;
        } finally {
            timer.shutdownNow();
            nodes.forEach(Node::closeAbruptly);
        }
    }

    private Node start(NodeConfig config, String name) throws InterruptedException {
        Node n = Node.start(config);
        new HttpGateway(n, gateway).install();
        nodes.add(n);
        names.put(n.address().port(), name);
        return n;
    }

    private static void join(Node n, PeerAddress bootstrap) throws Exception {
        var j = n.join(bootstrap).get(30, TimeUnit.SECONDS);
        if (!j.ok()) {
            throw new IllegalStateException("cannot join the demo network: " + j.error());
        }
    }

    /** The test tune in real time: every 100 ms, the samples due since the start. */
    private static void feed(Node publisher, LocalChannel channel, ScheduledExecutorService timer) {
        TestSignal signal = new TestSignal();
        byte[] header = TestSignal.header();
        publisher.execute(() -> channel.write(header, 0, header.length));
        long t0 = System.nanoTime();
        long[] sent = {0};
        timer.scheduleAtFixedRate(() -> {
            long due = (System.nanoTime() - t0) * TestSignal.RATE / 1_000_000_000L;
            int n = (int) Math.min(due - sent[0], TestSignal.RATE);
            if (n > 0) {
                byte[] pcm = signal.next(n);
                sent[0] += n;
                publisher.execute(() -> channel.write(pcm, 0, pcm.length));
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
    }

    /** One node's view of the tree, read on its loop. */
    private record View(String name, int port, Integer parentPort, List<Integer> children, int depth,
                        long skipped, long repairs) {
    }

    private List<View> views(NodeId id) {
        List<View> out = new ArrayList<>();
        for (Node n : nodes) {
            View v = onLoop(n, x -> {
                LocalChannel c = x.channel(id);
                if (c == null) {
                    return null;
                }
                ChannelTree t = c.peer().tree();
                return new View(names.get(x.address().port()), x.address().port(),
                        t.parent() == null ? null : t.parent().port(),
                        t.children().stream().map(PeerAddress::port).toList(), t.depth(),
                        c.playout() == null ? 0 : c.playout().skipped(), t.stats().repairs);
            });
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    private static <T> T onLoop(Node n, Function<Node, T> f) {
        CompletableFuture<T> out = new CompletableFuture<>();
        try {
            n.execute(() -> out.complete(f.apply(n)));
            return out.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null; // a closed node
        }
    }

    private void report(NodeId id, Node publisher, int second) {
        List<View> vs = views(id);
        long receiving = vs.stream().filter(v -> v.depth() >= 0).count();
        int maxDepth = vs.stream().mapToInt(View::depth).max().orElse(0);
        long skipped = vs.stream().mapToLong(View::skipped).sum();
        long repairs = vs.stream().mapToLong(View::repairs).sum();
        System.out.printf("t=%3ds  receiving %d/%d  max depth %d  repairs %d  skipped chunks %d%n", second,
                receiving - 1, vs.size() - 1, maxDepth, repairs, skipped);
        if (second % Math.max(1, treeEvery) == 0) {
            Map<Integer, View> byPort = new HashMap<>();
            vs.forEach(v -> byPort.put(v.port(), v));
            printTree(byPort, byPort.get(publisher.address().port()), "");
        }
        System.out.flush();
    }

    private void printTree(Map<Integer, View> byPort, View v, String indent) {
        if (v == null) {
            return;
        }
        System.out.println(indent + v.name() + " :" + v.port() + (v.depth() > 0 ? "  depth " + v.depth() : ""));
        for (int c : v.children()) {
            printTree(byPort, byPort.get(c), indent + "  ");
        }
    }

    private void killOneRelay(NodeId id) {
        for (View v : views(id)) {
            if (v.depth() > 0 && !v.children().isEmpty()) {
                for (Node n : nodes) {
                    if (n.address().port() == v.port()) {
                        System.out.println("killing relay " + v.name() + " :" + v.port() + " (" + v.children().size()
                                + " children)");
                        nodes.remove(n);
                        n.closeAbruptly();
                        return;
                    }
                }
            }
        }
    }
}
