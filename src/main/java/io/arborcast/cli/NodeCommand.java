package io.arborcast.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code arborcast node}: runs a node until Ctrl-C (or {@code --duration}). */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Run a node: joins the DHT through a bootstrap address, relays channels its players tune "
                + "to, and serves GET /stream/<channel> to local players.")
final class NodeCommand implements Callable<Integer> {
    @Mixin
    NodeOptions options;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "any running node; omit to start a new network")
    String bootstrap;

    @Mixin
    RunFor duration;

    @Override
    public Integer call() throws Exception {
        try (RunningNode r = RunningNode.start(options)) {
            if (!r.join(bootstrap)) {
                return RunningNode.EXIT_BOOTSTRAP;
            }
            duration.await();
        }
        return 0;
    }
}
