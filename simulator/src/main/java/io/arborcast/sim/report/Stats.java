package io.arborcast.sim.report;

import java.util.Arrays;

/** A growable list of long samples with the percentiles reports need. */
public final class Stats {
    private long[] values = new long[256];
    private int size;
    private boolean sorted = true;

    public void add(long v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
        sorted = false;
    }

    /** {@code part / whole}, NaN (not measurable: the summary leaves it out) when {@code whole} is 0. */
    public static double share(double part, double whole) {
        return whole == 0 ? Double.NaN : part / whole;
    }

    public int count() {
        return size;
    }

    /** The p-th percentile (0..100) by nearest rank; NaN when empty. */
    public double percentile(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        sort();
        int rank = (int) Math.ceil(p / 100.0 * size);
        return values[Math.min(size - 1, Math.max(0, rank - 1))];
    }

    public double mean() {
        if (size == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += values[i];
        }
        return sum / size;
    }

    /** The samples in ascending order (a copy). */
    public long[] sortedValues() {
        sort();
        return Arrays.copyOf(values, size);
    }

    private void sort() {
        if (!sorted) {
            Arrays.sort(values, 0, size);
            sorted = true;
        }
    }
}
