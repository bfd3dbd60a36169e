package io.arborcast.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.arborcast.dht.DhtConfig;
import io.arborcast.gossip.GossipConfig;
import io.arborcast.net.NetConfig;
import io.arborcast.tree.TreeConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A node's settings, read from {@code config/arborcast.conf} (built in) and an optional override file.
 *
 * @param tree          a listener's relay-tree settings ({@code maxRelays} = its relay slots)
 * @param sourceSlots   children a channel this node publishes feeds directly
 * @param chunkMillis   the source's chunk interval
 * @param maxChunkBytes a chunk is cut early at this size
 */
public record NodeConfig(NetConfig net, DhtConfig dht, GossipConfig gossip, TreeConfig tree, int sourceSlots,
                         long chunkMillis, int maxChunkBytes) {

    /** The built-in defaults as a parsed config tree (root key {@code arborcast}). */
    public static Config builtIn() {
        return ConfigFactory.parseResources(NodeConfig.class.getClassLoader(), "arborcast.conf");
    }

    /** The built-in defaults. */
    public static NodeConfig defaults() {
        return load(null);
    }

    /** Defaults overridden by {@code file} (may be null); clear errors for missing files or bad values. */
    public static NodeConfig load(Path file) {
        return read(file, NodeConfig::from);
    }

    /**
     * Reads the {@code arborcast} block of the built-in defaults overridden by {@code file} (may be
     * null) with {@code reader}; clear errors for missing files or bad values.
     */
    public static <T> T read(Path file, Function<Config, T> reader) {
        Config c = builtIn();
        if (file != null && !Files.isReadable(file)) {
            throw new IllegalArgumentException("config file " + file + " is not readable");
        }
        try {
            if (file != null) {
                c = ConfigFactory.parseFile(file.toFile()).withFallback(c);
            }
            return reader.apply(c.resolve().getConfig("arborcast"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad configuration: " + e.getMessage(), e);
        }
    }

    private static NodeConfig from(Config a) {
        Config n = a.getConfig("node");
        Config t = a.getConfig("net");
        Config d = a.getConfig("dht");
        NetConfig net = new NetConfig(n.getString("bind-host"), n.getString("advertised-host"), n.getInt("port"),
                t.getInt("max-datagram-bytes"), t.getInt("max-link-frame-bytes"),
                (int) t.getDuration("connect-timeout", TimeUnit.MILLISECONDS),
                (int) t.getDuration("link-idle-timeout", TimeUnit.MILLISECONDS),
                t.getInt("max-queued-bytes-per-link"),
                new NetConfig.Limits(t.getInt("max-connections"), t.getInt("max-links"),
                        t.getInt("max-datagrams-per-second"), t.getDuration("handshake-timeout", TimeUnit.MILLISECONDS)),
                n.getInt("id-difficulty"));
        DhtConfig dht = DhtConfig.from(d, t.getInt("max-datagram-bytes"));
        Config stream = a.getConfig("stream");
        return new NodeConfig(net, dht, GossipConfig.from(a.getConfig("gossip")),
                TreeConfig.from(a.getConfig("tree"), stream), a.getInt("tree.source-slots"),
                stream.getDuration("chunk-interval", TimeUnit.MILLISECONDS), stream.getInt("max-chunk-bytes"));
    }

    public NodeConfig withNet(NetConfig newNet) {
        return new NodeConfig(newNet, dht, gossip, tree, sourceSlots, chunkMillis, maxChunkBytes);
    }

    /** These settings with {@code slots} relay slots (0 = pure listener). */
    public NodeConfig withRelaySlots(int slots) {
        return new NodeConfig(net, dht, gossip, tree.withRelays(slots), sourceSlots, chunkMillis, maxChunkBytes);
    }
}
