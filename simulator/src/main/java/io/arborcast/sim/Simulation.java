package io.arborcast.sim;

import io.arborcast.core.Cancellable;

import java.util.Arrays;

/**
 * The discrete-event engine: a virtual millisecond clock and one priority queue of events.
 * Events at the same time run in the order they were scheduled, so a run is a pure function
 * of its seed. The queue is a binary heap over parallel primitive arrays: no per-event node
 * objects beyond the task itself.
 */
public final class Simulation {
    private long now;
    private long nextSeq;
    private long processed;
    private int size;
    private long[] times = new long[1024];
    private long[] seqs = new long[1024];
    private Runnable[] tasks = new Runnable[1024];

    /** A task that can be cancelled before it runs; cancelled entries are skipped when popped. */
    public static final class Timer implements Runnable, Cancellable {
        private Runnable task;

        Timer(Runnable task) {
            this.task = task;
        }

        @Override
        public void run() {
            Runnable t = task;
            if (t != null) {
                task = null;
                t.run();
            }
        }

        @Override
        public void cancel() {
            task = null;
        }

        public boolean pending() {
            return task != null;
        }
    }

    /** Current virtual time in milliseconds. */
    public long now() {
        return now;
    }

    /** Events run so far. */
    public long eventsProcessed() {
        return processed;
    }

    /** Events waiting (cancelled timers included until they are popped). */
    public int pendingEvents() {
        return size;
    }

    /** Runs {@code task} at virtual time {@code time} (not before now). */
    public void at(long time, Runnable task) {
        if (time < now) {
            time = now;
        }
        if (size == times.length) {
            int n = size * 2;
            times = Arrays.copyOf(times, n);
            seqs = Arrays.copyOf(seqs, n);
            tasks = Arrays.copyOf(tasks, n);
        }
        long seq = nextSeq++;
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (less(times[parent], seqs[parent], time, seq)) {
                break;
            }
            times[i] = times[parent];
            seqs[i] = seqs[parent];
            tasks[i] = tasks[parent];
            i = parent;
        }
        times[i] = time;
        seqs[i] = seq;
        tasks[i] = task;
    }

    /** Runs {@code task} after {@code delay} ms. */
    public void after(long delay, Runnable task) {
        at(now + Math.max(0, delay), task);
    }

    /** Schedules a cancellable task after {@code delay} ms. */
    public Timer schedule(long delay, Runnable task) {
        Timer t = new Timer(task);
        after(delay, t);
        return t;
    }

    /** Runs the next event; false if there is none. */
    public boolean step() {
        if (size == 0) {
            return false;
        }
        long time = times[0];
        Runnable task = tasks[0];
        int last = --size;
        long lt = times[last];
        long ls = seqs[last];
        Runnable lr = tasks[last];
        tasks[last] = null;
        if (last > 0) {
            siftDown(lt, ls, lr, last);
        }
        now = time;
        processed++;
        task.run();
        return true;
    }

    private void siftDown(long t, long s, Runnable r, int n) {
        int i = 0;
        int half = n >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < n && less(times[right], seqs[right], times[child], seqs[child])) {
                child = right;
            }
            if (less(t, s, times[child], seqs[child])) {
                break;
            }
            times[i] = times[child];
            seqs[i] = seqs[child];
            tasks[i] = tasks[child];
            i = child;
        }
        times[i] = t;
        seqs[i] = s;
        tasks[i] = r;
    }

    private static boolean less(long t1, long s1, long t2, long s2) {
        return t1 < t2 || (t1 == t2 && s1 < s2);
    }

    /** Runs every event due at or before {@code time}, then sets the clock to {@code time}. */
    public void runUntil(long time) {
        while (size > 0 && times[0] <= time) {
            step();
        }
        if (now < time) {
            now = time;
        }
    }
}
