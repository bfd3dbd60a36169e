package io.arborcast.sim.engine;

import io.arborcast.core.Cancellable;

import java.util.Arrays;

/**
 * The discrete-event engine: a virtual millisecond clock and a queue of events. Events at
 * the same time run in the order they were scheduled, so a run is a pure function of its seed.
 *
 * <p>The queue is a timing wheel: one FIFO array per millisecond for the next
 * {@value #WHEEL_MILLIS} ms (message deliveries, RPC timeouts, chunk timers: nearly every
 * event), and a binary heap over parallel primitive arrays for events further out (periodic
 * maintenance). Scheduling and running a near event are O(1) and touch one array end, where
 * a heap of a million pending events cost a cache miss per level. A far event moves into the
 * wheel as soon as its millisecond comes within reach, before anything can be scheduled
 * directly there, so each millisecond's FIFO is in scheduling order.
 */
public final class Simulation implements io.arborcast.core.Scheduler {
    static final int WHEEL_MILLIS = 1 << 13;
    private static final int MASK = WHEEL_MILLIS - 1;
    /** A drained slot keeps an array up to this size for reuse; a bigger one (a burst) is let go. */
    private static final int KEEP_SLOT_CAPACITY = 256;

    private long now;
    private long processed;
    /** Set on the global queue of a partitioned run: it then drives the partitions. */
    private Partitions partitions;
    /** The millisecond the wheel is at: every wheel event is in [base, base + WHEEL_MILLIS). */
    private long base;
    private final Runnable[][] slots = new Runnable[WHEEL_MILLIS][];
    private final int[] slotHead = new int[WHEEL_MILLIS];
    private final int[] slotCount = new int[WHEEL_MILLIS];
    private int wheelSize;

    private long nextSeq;
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
    @Override
    public long now() {
        return now;
    }

    /** Events run so far (in every partition, on a partitioned run's global queue). */
    public long eventsProcessed() {
        return processed + (partitions == null ? 0 : partitions.eventsProcessed());
    }

    /** Events waiting (cancelled timers included until they are popped); this queue's own only. */
    public int pendingEvents() {
        return wheelSize + size;
    }

    /** Makes this the global queue of {@code p}: {@link #runUntil} then runs the partitions too. */
    public void drive(Partitions p) {
        this.partitions = p;
    }

    /** Runs {@code task} at virtual time {@code time} (not before now). */
    public void at(long time, Runnable task) {
        if (partitions != null && partitions.windowOpen()) {
            throw new IllegalStateException("a global event can only be queued between milliseconds, "
                    + "not by a node's event in a partition");
        }
        if (time < now) {
            time = now;
        }
        if (time - base < WHEEL_MILLIS) {
            append((int) (time & MASK), task);
        } else {
            push(time, task);
        }
    }

    /** Runs {@code task} after {@code delay} ms. */
    public void after(long delay, Runnable task) {
        at(now + Math.max(0, delay), task);
    }

    /** Schedules a cancellable task after {@code delay} ms. */
    @Override
    public Timer schedule(long delay, Runnable task) {
        Timer t = new Timer(task);
        after(delay, t);
        return t;
    }

    /** Runs the next event; false if there is none. Not on a partitioned run. */
    public boolean step() {
        if (partitions != null) {
            throw new IllegalStateException("a partitioned run goes by runUntil");
        }
        if (!advance(Long.MAX_VALUE)) {
            return false;
        }
        runNext();
        return true;
    }

    /** Runs every event due at or before {@code time}, then sets the clock to {@code time}. */
    public void runUntil(long time) {
        if (partitions != null) {
            partitions.runUntil(time);
        } else {
            runLocalUntil(time);
        }
    }

    /** Sets the clock to {@code time} (if later) without running what is due then. */
    void clockTo(long time) {
        if (now < time) {
            now = time;
        }
    }

    /** {@link #runUntil} of this queue alone. */
    void runLocalUntil(long time) {
        while (advance(time)) {
            runNext();
        }
        if (now < time) {
            now = time;
        }
        if (base < time) {
            moveBase(time);
        }
    }

    /**
     * Moves the wheel to the next millisecond holding an event, not past {@code limit}; true if
     * there is one (at {@code base}).
     */
    private boolean advance(long limit) {
        while (true) {
            if (wheelSize == 0) {
                if (size == 0 || times[0] > limit) {
                    return false;
                }
                moveBase(times[0]);
            } else {
                int s = (int) (base & MASK);
                if (slotHead[s] < slotCount[s]) {
                    return true;
                }
                if (base >= limit) {
                    return false;
                }
                moveBase(base + 1);
            }
        }
    }

    private void runNext() {
        int s = (int) (base & MASK);
        Runnable[] slot = slots[s];
        int head = slotHead[s];
        Runnable task = slot[head];
        slot[head] = null;
        if (++head == slotCount[s]) {
            slotHead[s] = 0;
            slotCount[s] = 0;
            if (slot.length > KEEP_SLOT_CAPACITY) {
                slots[s] = null;
            }
        } else {
            slotHead[s] = head;
        }
        wheelSize--;
        now = base;
        processed++;
        task.run();
    }

    /** Sets the wheel to {@code b} and takes in the far events now within its reach, in order. */
    private void moveBase(long b) {
        base = b;
        while (size > 0 && times[0] - base < WHEEL_MILLIS) {
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
            append((int) (time & MASK), task);
        }
    }

    private void append(int s, Runnable task) {
        Runnable[] slot = slots[s];
        int n = slotCount[s];
        if (slot == null) {
            slot = new Runnable[8];
            slots[s] = slot;
        } else if (n == slot.length) {
            slot = Arrays.copyOf(slot, n * 2);
            slots[s] = slot;
        }
        slot[n] = task;
        slotCount[s] = n + 1;
        wheelSize++;
    }

    /** Adds a far event to the heap, ordered by (time, scheduling order). */
    private void push(long time, Runnable task) {
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
}
