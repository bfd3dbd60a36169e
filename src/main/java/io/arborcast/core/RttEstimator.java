package io.arborcast.core;

/**
 * A smoothed round-trip time and its deviation (RFC 6298's estimator, without the clock
 * granularity): {@link #timeoutMillis} is how long an answer may fairly take.
 */
public final class RttEstimator {
    private double srtt;
    private double rttvar;
    private long samples;

    /** One measured round trip, in ms. */
    public void add(long millis) {
        double r = Math.max(0, millis);
        if (samples++ == 0) {
            srtt = r;
            rttvar = r / 2;
        } else {
            rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - r);
            srtt = 0.875 * srtt + 0.125 * r;
        }
    }

    public long samples() {
        return samples;
    }

    /** The smoothed round trip, in ms (0 before any sample). */
    public long srttMillis() {
        return Math.round(srtt);
    }

    /** Smoothed round trip plus four deviations, in ms (rounded up; 0 before any sample). */
    public long timeoutMillis() {
        return (long) Math.ceil(srtt + 4 * rttvar);
    }
}
