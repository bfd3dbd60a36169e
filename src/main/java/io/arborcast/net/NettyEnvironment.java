package io.arborcast.net;

import io.arborcast.core.Cancellable;
import io.arborcast.core.Environment;
import io.arborcast.core.LimitCounters;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** The real world's {@link Environment}: a monotonic clock and timers on the node's one event loop. */
public final class NettyEnvironment implements Environment {
    private static final Logger log = LoggerFactory.getLogger(NettyEnvironment.class);

    private final EventLoop loop;
    private final long originNanos = System.nanoTime();
    private final Random random;
    private final LimitCounters limits = new LimitCounters();

    public NettyEnvironment(EventLoop loop) {
        this.loop = loop;
        this.random = new Random(new SecureRandom().nextLong());
    }

    @Override
    public long now() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - originNanos);
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
        ScheduledFuture<?> f = loop.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("protocol timer task failed", e);
            }
        }, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public Random random() {
        return random;
    }

    @Override
    public LimitCounters limits() {
        return limits;
    }

    public EventLoop eventLoop() {
        return loop;
    }
}
