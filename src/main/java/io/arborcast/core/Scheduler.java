package io.arborcast.core;

/**
 * Time as the protocol sees it: a millisecond clock and one-shot timers. The Netty world
 * backs it with the node's event loop, the simulator with virtual time. Tasks always run
 * on the protocol's single thread.
 */
public interface Scheduler {
    /** Current time in milliseconds (virtual in the simulator; monotonic in a real node). */
    long now();

    /** Runs {@code task} once, {@code delayMillis} from now (0 = as soon as possible). */
    Cancellable schedule(long delayMillis, Runnable task);
}
