package io.arborcast.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import io.arborcast.dht.DhtConfig;
import io.arborcast.gossip.GossipConfig;
import io.arborcast.net.NetConfig;
import io.arborcast.tree.LatencyMode;
import io.arborcast.tree.TreeConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
     * null) with {@code reader}; clear errors for missing files, unknown settings (with the nearest
     * known one) and bad values. The file's {@code arborcast { }} root may be left out.
     */
    public static <T> T read(Path file, Function<Config, T> reader) {
        Config c = builtIn();
        if (file != null && !Files.isReadable(file)) {
            throw new IllegalArgumentException("config file " + file + " is not readable");
        }
        try {
            if (file != null) {
                Config given = ConfigFactory.parseFile(file.toFile());
                if (!given.root().isEmpty() && !given.root().containsKey(ROOT)) {
                    given = given.atKey(ROOT); // written without the root block
                }
                checkKnown(file, given, c);
                c = given.withFallback(c);
            }
            Config settings = c.resolve().getConfig(ROOT);
            try {
                return reader.apply(settings);
            } catch (IllegalArgumentException e) { // a value out of its range, named by the check
                throw new IllegalArgumentException("bad configuration" + (file == null ? "" : " in " + file) + ": "
                        + e.getMessage(), e);
            }
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad configuration: " + e.getMessage(), e);
        }
    }

    private static final String ROOT = "arborcast";

    /** Every setting in {@code given} must be one the defaults document: a typo is an error, not a silent default. */
    private static void checkKnown(Path file, Config given, Config known) {
        for (String key : given.root().keySet()) {
            if (!key.equals(ROOT)) {
                throw new IllegalArgumentException("bad configuration: " + file + ": unknown block '" + key
                        + "' beside arborcast { }");
            }
        }
        for (Map.Entry<String, ConfigValue> e : given.entrySet()) {
            if (!known.hasPathOrNull(e.getKey())) {
                String nearest = null;
                int best = Integer.MAX_VALUE;
                for (Map.Entry<String, ConfigValue> k : known.entrySet()) {
                    int d = editDistance(e.getKey(), k.getKey());
                    if (d < best) {
                        best = d;
                        nearest = k.getKey();
                    }
                }
                throw new IllegalArgumentException("bad configuration: " + file + ": "
                        + e.getValue().origin().lineNumber() + ": unknown setting '" + e.getKey().substring(ROOT.length() + 1)
                        + "'" + (nearest != null && best <= 4 ? "; did you mean '" + nearest.substring(ROOT.length() + 1)
                        + "'?" : ""));
            }
        }
    }

    /** Levenshtein distance: how many one-character edits turn {@code a} into {@code b}. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int swap = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + swap);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
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
                n.getInt("id-difficulty"), n.getBoolean("port-mapping"));
        DhtConfig dht = DhtConfig.from(d, t.getInt("max-datagram-bytes"));
        Config stream = a.getConfig("stream");
        return new NodeConfig(net, dht, GossipConfig.from(a.getConfig("gossip")),
                TreeConfig.from(a.getConfig("tree"), stream), a.getInt("tree.source-slots"),
                LatencyMode.timing(stream).chunkMillis(), stream.getInt("max-chunk-bytes"));
    }

    public NodeConfig withNet(NetConfig newNet) {
        return new NodeConfig(newNet, dht, gossip, tree, sourceSlots, chunkMillis, maxChunkBytes);
    }

    /** These settings with {@code slots} relay slots (0 = pure listener). */
    public NodeConfig withRelaySlots(int slots) {
        return new NodeConfig(net, dht, gossip, tree.withRelays(slots), sourceSlots, chunkMillis, maxChunkBytes);
    }
}
