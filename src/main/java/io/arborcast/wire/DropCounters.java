package io.arborcast.wire;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/** Counts frames dropped per {@link CodecException.Reason}; readable from any thread. */
public final class DropCounters {
    private final AtomicLongArray counts = new AtomicLongArray(CodecException.Reason.values().length);

    public void count(CodecException.Reason reason) {
        counts.incrementAndGet(reason.ordinal());
    }

    public long get(CodecException.Reason reason) {
        return counts.get(reason.ordinal());
    }

    public long total() {
        long sum = 0;
        for (int i = 0; i < counts.length(); i++) {
            sum += counts.get(i);
        }
        return sum;
    }

    /** A snapshot of all counts by reason. */
    public Map<CodecException.Reason, Long> snapshot() {
        Map<CodecException.Reason, Long> m = new EnumMap<>(CodecException.Reason.class);
        for (CodecException.Reason r : CodecException.Reason.values()) {
            m.put(r, get(r));
        }
        return m;
    }
}
