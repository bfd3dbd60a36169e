package io.arborcast.node;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** For tests of real nodes: reads a node's state on its event loop, where the protocol lives; feeds a source. */
final class Loops {
    private Loops() {
    }

    /** {@code f} of {@code n}, worked out on n's loop (at most 5 s). */
    static <T> T onLoop(Node n, Function<Node, T> f) throws Exception {
        CompletableFuture<T> out = new CompletableFuture<>();
        n.execute(() -> out.complete(f.apply(n)));
        return out.get(5, TimeUnit.SECONDS);
    }

    /** Whether {@code p} holds for {@code n}, on n's loop. */
    static boolean is(Node n, java.util.function.Predicate<Node> p) throws Exception {
        return onLoop(n, p::test);
    }

    /** A 128 kbit/s source on {@code feeder}: 1,600 bytes into {@code c} every 100 ms, on the source's loop. */
    static ScheduledFuture<?> feed(ScheduledExecutorService feeder, Node source, LocalChannel c) {
        return feeder.scheduleAtFixedRate(() -> {
            byte[] b = new byte[1_600];
            source.execute(() -> c.write(b, 0, b.length));
        }, 0, 100, TimeUnit.MILLISECONDS);
    }
}
