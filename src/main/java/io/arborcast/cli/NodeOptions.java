package io.arborcast.cli;

import io.arborcast.net.NetConfig;
import io.arborcast.node.NodeConfig;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** Options every command that runs a node shares: config file, port, addresses. */
final class NodeOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "config file overriding config/arborcast.conf")
    Path config;

    @Option(names = "--port", paramLabel = "P", description = "UDP+TCP port (default: from config, 7144; 0 = any free)")
    Integer port;

    @Option(names = "--bind", paramLabel = "HOST", description = "address to bind (default: from config, :: = every interface, IPv6 and IPv4)")
    String bind;

    @Option(names = "--advertise", paramLabel = "HOST", description = "IP others reach this node at (default: learned from what peers see)")
    String advertise;

    @Option(names = "--data", paramLabel = "DIR",
            description = "where this node keeps its state (default: node.data-dir, else $XDG_DATA_HOME/arborcast)")
    Path data;

    @Option(names = "--node-key", paramLabel = "FILE", description = "this node's identity key, created on first use"
            + " (default: node.key-file, else DIR/node-PORT.key; none = a new key each run, as with port 0)")
    String nodeKey;

    /**
     * The node's identity: from --node-key or node.key-file, else kept in the data directory, one
     * key per port (created if missing, locked while the node runs); a new one with {@code none}
     * or when the port is 0 (any free one: there is no port to keep it under).
     */
    NodeKey identity(NodeConfig c) throws IOException {
        String file = nodeKey != null ? nodeKey : NodeConfig.read(config, a -> a.getString("node.key-file"));
        int difficulty = c.net().idDifficulty();
        if (file.equals("none") || (file.isBlank() && c.net().port() == 0)) {
            return NodeKey.fresh(difficulty);
        }
        return NodeKey.open(file.isBlank() ? dataDir().resolve("node-" + c.net().port() + ".key") : Path.of(file),
                difficulty);
    }

    /** --data, else node.data-dir, else the platform's place for it. */
    Path dataDir() {
        if (data != null) {
            return data;
        }
        String configured = NodeConfig.read(config, a -> a.getString("node.data-dir"));
        return configured.isBlank()
                ? NodeKey.defaultDataDir(System.getenv(), System.getProperty("os.name"), System.getProperty("user.home"))
                : Path.of(configured);
    }

    /** The config file's settings with these flags on top; {@code defaultPort} replaces the file's port if no flag. */
    NodeConfig load(Integer defaultPort) {
        NodeConfig c = NodeConfig.load(config);
        NetConfig n = c.net();
        int p = port != null ? port : defaultPort != null ? defaultPort : n.port();
        return c.withNet(n.withAddress(bind != null ? bind : n.bindHost(),
                advertise != null ? advertise : n.advertisedHost(), p));
    }
}
