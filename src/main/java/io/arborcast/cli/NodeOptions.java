package io.arborcast.cli;

import io.arborcast.crypto.NodeIdentity;
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

    @Option(names = "--node-key", paramLabel = "FILE",
            description = "this node's identity key, created on first use (default: node.key-file; none = new each run)")
    Path nodeKey;

    /** The node's identity: from --node-key or node.key-file (created if missing), else a new one. */
    NodeIdentity identity(NodeConfig c) throws IOException {
        Path file = nodeKey != null ? nodeKey : NodeConfig.read(config, a -> {
            String f = a.getString("node.key-file");
            return f.isBlank() ? null : Path.of(f);
        });
        int difficulty = c.net().idDifficulty();
        return file == null ? NodeIdentity.generate(difficulty) : NodeIdentity.loadOrCreate(file, difficulty);
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
