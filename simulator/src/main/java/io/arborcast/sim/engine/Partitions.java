package io.arborcast.sim.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A run whose nodes are split into partitions (node i in partition i mod P), each with an
 * event queue of its own, run one virtual millisecond at a time on a few threads: a
 * conservative parallel discrete-event simulation whose lookahead is the network's least
 * one-way delay, 1 ms. Within millisecond t a partition runs only its own nodes' events and
 * may schedule only into its own queue; a message to a node of another partition arrives at
 * t + 1 or later, so it waits in an outbox, and the partition takes in its inbound outboxes
 * (senders in partition order, each sender's in the order sent) when it starts t + 1. Outboxes
 * alternate between even and odd milliseconds, so taking in those of t - 1 never meets a
 * sender still writing those of t. The workload's own events (joins, lookups, faults: the
 * global queue) run at the start of their millisecond, before any partition's. So the order of everything is fixed by the seed and the
 * number of partitions, never by the threads: one thread running the partitions in turn gives
 * the same run as several, which a test checks.
 *
 * <p>Threads take the partitions of a millisecond one at a time from a shared counter, so with
 * more partitions than threads a thread that drew the busier partitions is helped by the others.
 *
 * <p>What a partition touches of shared state must be safe to: the network gives each
 * partition its own sizer, jitter random and traffic counters, and each node its own end of
 * a link (the far end opens and closes through the outboxes); nodes are added and crashed
 * only by global events. What a node's event does to state shared by all (a workload's
 * directory, a tally kept in order) goes through {@link #serially}: run at once on a run
 * without partitions, else at the start of the next millisecond on the main thread, the
 * partitions' tasks in partition order, each's in the order queued.
 */
public final class Partitions {
    /** More partitions than threads balance the work of each millisecond (see the class comment). */
    public static final int MAX_PARTITIONS = 64;

    private final Simulation global;
    private final Simulation[] parts;
    /** outboxes[t & 1][src][dst]: messages partition src sent in millisecond t to nodes of partition dst. */
    private final Outbox[][][] outboxes;
    /**
     * wrote[t & 1][src]: the partitions src sent to in millisecond t, one bit each (so taking in
     * reads only the outboxes that hold something, not P of them per partition). Written only by
     * the thread running src; cleared between milliseconds.
     */
    private final long[][] wrote;
    /** serial[src]: what partition src's events left for the main thread ({@link #serially}). */
    private final ArrayList<Runnable>[] serial;
    private final Worker[] workers;
    /** The millisecond running (high bits) and the next partition to take (low 8 bits). */
    private final AtomicLong claims = new AtomicLong(-1L << 8);
    /** Partitions finished in the millisecond running. */
    private final AtomicInteger finished = new AtomicInteger();
    /** True while the partitions run a millisecond (then no global event may be queued, no node added). */
    private volatile boolean windowOpen;
    /** The millisecond running while {@link #windowOpen}. */
    private volatile long window = -1;
    /** The millisecond the partitions last ran (or -1). */
    private long ranUntil = -1;
    private volatile Throwable failure;

    /**
     * What one partition hands another (a message, say): taken in on the receiving side, at the
     * start of the next millisecond when the two differ.
     */
    public interface Mail {
        /** When the event it queues runs (at least a millisecond after it was sent), or -1 if it queues none. */
        long at();

        /** Takes it in on the receiving partition, whose queue is {@code receiver}. */
        void deliver(Simulation receiver);
    }

    public Partitions(Simulation global, int partitions, int threads) {
        if (partitions < 1 || partitions > MAX_PARTITIONS || threads < 1) {
            throw new IllegalArgumentException("partitions must be 1.." + MAX_PARTITIONS + " and threads at least 1");
        }
        this.global = global;
        this.parts = new Simulation[partitions];
        for (int i = 0; i < partitions; i++) {
            parts[i] = new Simulation();
        }
        this.outboxes = new Outbox[2][partitions][partitions];
        this.wrote = new long[2][partitions];
        for (Outbox[][] parity : outboxes) {
            for (Outbox[] row : parity) {
                for (int j = 0; j < partitions; j++) {
                    row[j] = new Outbox();
                }
            }
        }
        @SuppressWarnings("unchecked")
        ArrayList<Runnable>[] queues = new ArrayList[partitions];
        for (int i = 0; i < partitions; i++) {
            queues[i] = new ArrayList<>();
        }
        this.serial = queues;
        this.workers = new Worker[Math.min(threads, partitions) - 1];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = new Worker();
            Thread t = new Thread(workers[w], "sim-partition-" + (w + 1));
            t.setDaemon(true);
            t.start();
        }
    }

    public Simulation part(int i) {
        return parts[i];
    }

    /** Whether the partitions run a millisecond now (a node's event is running). */
    public boolean windowOpen() {
        return windowOpen;
    }

    long eventsProcessed() {
        long sum = 0;
        for (Simulation p : parts) {
            sum += p.eventsProcessed();
        }
        return sum;
    }

    /** True if an event waits in a partition or an outbox (between milliseconds). */
    boolean pending() {
        for (int p = 0; p < parts.length; p++) {
            if (parts[p].pendingEvents() > 0 || wrote[0][p] != 0 || wrote[1][p] != 0 || !serial[p].isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Hands {@code mail} to partition {@code dst}: at once if the caller owns it (or no
     * millisecond is running), else through the outbox of {@code src}, the partition running the caller.
     */
    public void post(int src, int dst, Mail mail) {
        if (!windowOpen || src == dst) {
            mail.deliver(parts[dst]);
        } else {
            long at = mail.at();
            if (at >= 0 && at <= window) {
                throw new IllegalStateException("a message between partitions must take at least 1 ms");
            }
            int parity = (int) (window & 1);
            outboxes[parity][src][dst].add(mail);
            wrote[parity][src] |= 1L << dst;
        }
    }

    /**
     * Runs {@code task}, which touches state shared by every partition, in a fixed order: now
     * if no millisecond is running, else at the start of the next one on the main thread (before
     * its global events), the tasks of partition 0 first, each partition's in the order queued.
     * A task that needs the time its cause happened takes it along.
     */
    public void serially(int src, Runnable task) {
        if (windowOpen) {
            serial[src].add(task);
        } else {
            task.run();
        }
    }

    /** Runs every millisecond up to and including {@code limit}, global events first in each. */
    void runUntil(long limit) {
        for (long t = ranUntil + 1; t <= limit; t++) {
            if (global.pendingEvents() == 0 && !pending()) {
                break; // nothing left anywhere
            }
            for (Simulation p : parts) {
                p.clockTo(t); // a global event at t that schedules for a node counts from t
            }
            global.clockTo(t);
            runSerial();
            global.runLocalUntil(t);
            runWindow(t);
            ranUntil = t;
        }
        global.runLocalUntil(limit);
        for (Simulation p : parts) {
            p.runLocalUntil(limit);
        }
        ranUntil = Math.max(ranUntil, limit);
    }

    private void runSerial() {
        for (ArrayList<Runnable> q : serial) {
            for (int i = 0; i < q.size(); i++) { // a task may queue none: the window is closed
                q.get(i).run();
            }
            q.clear();
        }
    }

    /** Stops the worker threads (they are daemons; this lets them go sooner). */
    public void close() {
        for (Worker w : workers) {
            w.stop = true;
        }
    }

    private void runWindow(long t) {
        window = t;
        finished.set(0);
        windowOpen = true;
        try {
            claims.set(t << 8); // opens the millisecond to the workers
            runClaimed(t);
            int spins = 0;
            while (finished.get() < parts.length) { // counted even when one failed
                spins = spin(spins);
            }
            Arrays.fill(wrote[(int) ((t - 1) & 1)], 0); // all taken in: their senders write them again in t + 1
            Throwable f = failure;
            if (f != null) {
                failure = null;
                throw new IllegalStateException("a partition failed at " + t + " ms: " + f, f);
            }
        } finally {
            windowOpen = false;
        }
    }

    /** Takes partitions of millisecond {@code t} and runs them until none is left. */
    private void runClaimed(long t) {
        while (true) {
            long c = claims.get();
            if (c >>> 8 != t || (c & 0xFF) >= parts.length) {
                return; // another millisecond, or all taken
            }
            if (!claims.compareAndSet(c, c + 1)) {
                continue;
            }
            int dst = (int) (c & 0xFF);
            try {
                int parity = (int) ((t - 1) & 1); // what was sent in t - 1, all written
                for (int src = 0; src < parts.length; src++) {
                    if ((wrote[parity][src] & (1L << dst)) != 0) {
                        outboxes[parity][src][dst].drainInto(parts[dst]);
                    }
                }
                parts[dst].runLocalUntil(t);
            } catch (Throwable e) {
                failure = e;
            }
            finished.incrementAndGet();
        }
    }

    private static int spin(int spins) {
        if (spins < 10_000) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
        return spins + 1;
    }

    /** A thread that helps run the partitions of each millisecond the main thread opens. */
    private final class Worker implements Runnable {
        volatile boolean stop;

        @Override
        public void run() {
            long last = -1;
            int spins = 0;
            while (!stop) {
                long t = claims.get() >>> 8;
                if (t == last || !windowOpen) {
                    spins = spin(spins);
                    continue;
                }
                spins = 0;
                runClaimed(t);
                last = t;
            }
        }
    }

    /** Mail for one partition from another, in the order sent. */
    private static final class Outbox {
        private Mail[] mail = new Mail[64];
        private int n;

        void add(Mail m) {
            if (n == mail.length) {
                mail = Arrays.copyOf(mail, n * 2);
            }
            mail[n++] = m;
        }

        void drainInto(Simulation sim) {
            for (int i = 0; i < n; i++) {
                mail[i].deliver(sim);
                mail[i] = null;
            }
            n = 0;
        }
    }
}
