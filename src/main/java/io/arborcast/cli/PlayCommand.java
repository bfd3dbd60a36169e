package io.arborcast.cli;

import io.arborcast.core.NodeId;
import io.arborcast.node.LocalChannel;
import io.arborcast.node.UnknownChannelException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** {@code arborcast play}: joins a channel and serves it to local players (or writes it to stdout). */
@Command(name = "play", mixinStandardHelpOptions = true,
        description = "Tune in to a channel: print a local playback URL for any player, or write the stream "
                + "to stdout (--stdout) to pipe it into one.")
final class PlayCommand implements Callable<Integer> {
    /** Exit code for a channel the DHT does not know. */
    static final int EXIT_UNKNOWN = 3;

    @Mixin
    NodeOptions options;

    @Parameters(paramLabel = "CHANNEL_ID", description = "the channel id (40 hex digits)")
    String channel;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", required = true, description = "any running node")
    String bootstrap;

    @Option(names = "--stdout", description = "write the stream's bytes to stdout (e.g. | mpv -)")
    boolean stdout;

    @Mixin
    RunFor duration;

    @Override
    public Integer call() throws Exception {
        if (!channel.matches("[0-9a-fA-F]{40}")) {
            throw new IllegalArgumentException("not a channel id: " + channel + " (expected 40 hex digits)");
        }
        NodeId id = NodeId.fromHex(channel.toLowerCase());
        // with --stdout the stream owns stdout: the node's own messages go to stderr
        java.io.PrintStream out = System.out;
        if (stdout) {
            System.setOut(System.err);
        }
        try (RunningNode r = RunningNode.start(options)) {
            if (!r.join(bootstrap)) {
                return RunningNode.EXIT_BOOTSTRAP;
            }
            LocalChannel c;
            try {
                c = r.node.tune(id).get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownChannelException u) {
                    System.err.println("arborcast: " + u.getMessage());
                    return EXIT_UNKNOWN;
                }
                throw e;
            }
            System.out.println("tuned in to '" + c.name() + "' (" + c.record().contentType() + ")");
            if (stdout) {
                pipe(r, c, out);
            } else {
                System.out.println("play:    http://" + r.httpBase() + "/stream/" + id.toHex());
                System.out.flush();
            }
            duration.await();
        }
        return 0;
    }

    private static void pipe(RunningNode r, LocalChannel c, OutputStream out) {
        r.node.execute(() -> {
            try {
                if (c.head() != null) {
                    out.write(c.head().payload());
                }
            } catch (IOException e) {
                return;
            }
            c.addPlayerWithPreroll(new LocalChannel.Player() {
                @Override
                public void accept(io.arborcast.core.StreamMessage.Chunk chunk) {
                    try {
                        out.write(chunk.payload());
                        out.flush();
                    } catch (IOException e) {
                        System.exit(0); // the player on the other end of the pipe went away
                    }
                }

                @Override
                public void ended(String why) {
                    System.err.println("channel " + c.record().channelId().toHex() + " ended: " + why);
                    System.exit(0);
                }
            });
        });
    }
}
