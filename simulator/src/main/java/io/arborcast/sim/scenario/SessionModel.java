package io.arborcast.sim.scenario;

import java.util.Random;

/**
 * How long a node stays: exponential, Pareto, or Weibull session lengths with a given mean.
 * Measured P2P sessions fit a Weibull with shape 0.34–0.59 (Stutzbach and Rejaie, IMC 2006):
 * many short visits and a few very long ones.
 *
 * @param distribution the law session lengths follow
 * @param meanMillis   the mean session length
 * @param shape        Pareto alpha (must be above 1) or Weibull k; ignored for exponential
 */
public record SessionModel(Distribution distribution, double meanMillis, double shape) {
    /** The laws of session lengths, as scenario files name them in lower case. */
    public enum Distribution {
        EXPONENTIAL, PARETO, WEIBULL
    }

    public SessionModel {
        if (meanMillis <= 0) {
            throw new IllegalArgumentException("mean session length must be positive");
        }
        switch (distribution) {
            case EXPONENTIAL -> {
            }
            case PARETO -> {
                if (shape <= 1) {
                    throw new IllegalArgumentException("a Pareto shape must be above 1 for a finite mean");
                }
            }
            case WEIBULL -> {
                if (shape <= 0) {
                    throw new IllegalArgumentException("a Weibull shape must be positive");
                }
            }
        }
    }

    /** One session length in ms, at least 1. */
    public long sampleMillis(Random r) {
        double u = 1.0 - r.nextDouble(); // (0, 1]
        double x = switch (distribution) {
            case EXPONENTIAL -> -meanMillis * Math.log(u);
            case PARETO -> meanMillis * (shape - 1) / shape / Math.pow(u, 1.0 / shape);
            case WEIBULL -> meanMillis / gamma(1 + 1 / shape) * Math.pow(-Math.log(u), 1 / shape);
        };
        return Math.max(1, Math.round(x));
    }

    /** Gamma function by the Lanczos approximation (g = 7, 9 terms), accurate to ~1e-13 for x > 0.5. */
    static double gamma(double x) {
        double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};
        if (x < 0.5) {
            return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
        }
        x -= 1;
        double a = c[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) {
            a += c[i] / (x + i);
        }
        return Math.sqrt(2 * Math.PI) * Math.pow(t, x + 0.5) * Math.exp(-t) * a;
    }
}
