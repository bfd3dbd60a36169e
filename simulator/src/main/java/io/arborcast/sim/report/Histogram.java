package io.arborcast.sim.report;

/**
 * Counts of whole milliseconds from 0 to {@code maxMillis} (larger ones in the last bucket), for
 * percentiles over samples too many to keep one by one (a lag per chunk per listener).
 */
public final class Histogram {
    private final long[] counts;
    private long total;

    public Histogram(int maxMillis) {
        counts = new long[maxMillis + 1];
    }

    /** One histogram with the counts of all of {@code parts} (of the same range). */
    public static Histogram sum(Histogram... parts) {
        Histogram h = new Histogram(parts[0].counts.length - 1);
        for (Histogram p : parts) {
            for (int i = 0; i < h.counts.length; i++) {
                h.counts[i] += p.counts[i];
            }
            h.total += p.total;
        }
        return h;
    }

    public void add(long millis) {
        counts[(int) Math.max(0, Math.min(counts.length - 1, millis))]++;
        total++;
    }

    public long count() {
        return total;
    }

    /** The p-th percentile (0..100) by nearest rank, in ms; NaN when empty. */
    public double percentile(double p) {
        if (total == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * total));
        long seen = 0;
        for (int ms = 0; ms < counts.length; ms++) {
            seen += counts[ms];
            if (seen >= rank) {
                return ms;
            }
        }
        return counts.length - 1;
    }
}
