package io.arborcast.cli;

import io.arborcast.core.ChannelRecord;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.dht.ChannelRecords;
import io.arborcast.dht.DhtResults.JoinResult;
import io.arborcast.dht.DhtResults.StoreOutcome;
import io.arborcast.node.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code arborcast node}: runs a node until Ctrl-C (or {@code --duration}). */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Run a node: joins the DHT through a bootstrap address and serves it.")
final class NodeCommand implements Callable<Integer> {
    @Mixin
    NodeOptions options;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "any running node; omit to start a new network")
    String bootstrap;

    @Option(names = "--channel-key", paramLabel = "FILE",
            description = "publish this channel's record in the DHT and announce this node as its provider")
    Path channelKey;

    @Option(names = "--channel-name", paramLabel = "NAME", defaultValue = "Arborcast channel")
    String channelName;

    @Option(names = "--content-type", defaultValue = "audio/mpeg")
    String contentType;

    @Option(names = "--bitrate", paramLabel = "KBPS", defaultValue = "128")
    int bitrate;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "stop after this long (default: run until Ctrl-C)")
    Long duration;

    @Override
    public Integer call() throws Exception {
        ChannelKey key = channelKey == null ? null : ChannelKey.load(channelKey);
        try (Node node = Node.start(options.load(null))) {
            System.out.println("node " + node.address().id().toHex() + " listening on " + node.address().endpoint()
                    + " (UDP+TCP)");
            if (bootstrap != null) {
                JoinResult j = node.join(Node.resolve(bootstrap)).get(60, TimeUnit.SECONDS);
                if (!j.ok()) {
                    System.err.println("arborcast: " + j.error());
                    return 2;
                }
                System.out.println("joined via " + bootstrap + ": " + j.contacts() + " contacts in " + j.millis() + " ms");
            }
            if (key != null) {
                ChannelRecord record = ChannelRecords.create(key, channelName, contentType, bitrate,
                        System.currentTimeMillis(), System.currentTimeMillis());
                StoreOutcome s = node.publish(record).get(60, TimeUnit.SECONDS);
                node.announce(record.channelId(), 0, 4).get(60, TimeUnit.SECONDS);
                System.out.println("published channel " + record.channelId().toHex() + " '" + channelName + "' on "
                        + s.accepted() + " nodes" + (s.refused() > 0 ? " (" + s.refused() + " refused: " + s.reasons() + ")" : ""));
            }
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            if (duration != null) {
                stop.await(duration, TimeUnit.SECONDS);
            } else {
                stop.await();
            }
        }
        return 0;
    }
}
