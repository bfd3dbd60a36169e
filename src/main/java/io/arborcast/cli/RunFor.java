package io.arborcast.cli;

import picocli.CommandLine.Option;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The {@code --duration} option of the commands that run until stopped, and the waiting itself. */
final class RunFor {
    @Option(names = "--duration", paramLabel = "SECONDS", description = "stop after this long (default: until Ctrl-C)")
    Long seconds;

    private final CountDownLatch stop = new CountDownLatch(1);

    /** Ends {@link #await} early (from any thread). */
    void stop() {
        stop.countDown();
    }

    /** Blocks until Ctrl-C or {@link #stop}, or for {@code --duration} seconds if given. */
    void await() throws InterruptedException {
        Thread hook = new Thread(stop::countDown);
        Runtime.getRuntime().addShutdownHook(hook);
        if (seconds == null) {
            stop.await();
            return;
        }
        stop.await(seconds, TimeUnit.SECONDS);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C came at the same time
        }
    }
}
