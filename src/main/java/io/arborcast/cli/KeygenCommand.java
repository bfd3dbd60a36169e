package io.arborcast.cli;

import io.arborcast.crypto.ChannelKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code arborcast keygen}: makes a channel key and prints the channel id it gives. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Generate a channel key (Ed25519) and print its channel id.")
final class KeygenCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "file to write the key to (PEM, mode 600)")
    Path out;

    @Option(names = "--force", description = "overwrite an existing file")
    boolean force;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out) && !force) {
            throw new IllegalArgumentException(out + " exists; use --force to overwrite it");
        }
        ChannelKey key = ChannelKey.generate();
        key.save(out);
        System.out.println("channel id: " + key.channelId().toHex());
        System.out.println("key file:   " + out.toAbsolutePath());
        return 0;
    }
}
