package io.arborcast.sim.net;

import java.util.Random;

/**
 * One-way delay between nodes placed in a 2-D latency space (as network coordinates such as
 * Vivaldi embed measured RTTs): the Euclidean distance between the two points, plus each
 * end's access-link delay, plus jitter. With the defaults RTTs span about 10–300 ms with a
 * median near 100 ms, the shape of measured internet RTT distributions.
 *
 * @param spaceMillis   side of the square latency space, in one-way milliseconds
 * @param accessMedianMillis median of the per-node access delay (log-normal)
 * @param accessSigma   log-normal sigma of the access delay
 * @param jitterFraction each delivery adds up to this fraction of the base delay at random
 */
public record LatencyModel(double spaceMillis, double accessMedianMillis, double accessSigma,
                           double jitterFraction) {
    public static LatencyModel internet() {
        return new LatencyModel(100, 5, 0.6, 0.1);
    }

    /** Places a node: its coordinates and access delay go into the node. */
    void place(SimNode node, Random r) {
        node.x = (float) (r.nextDouble() * spaceMillis);
        node.y = (float) (r.nextDouble() * spaceMillis);
        double access = accessMedianMillis * Math.exp(accessSigma * r.nextGaussian());
        node.accessMillis = (float) Math.min(access, 60);
    }

    /** The base one-way delay from a to b, without jitter. */
    public double baseMillis(SimNode a, SimNode b) {
        double dx = a.x - b.x;
        double dy = a.y - b.y;
        return Math.sqrt(dx * dx + dy * dy) + (a.accessMillis + b.accessMillis); // symmetric to the last bit
    }

    /** One delivery's one-way delay from a to b, at least 1 ms. */
    long sampleMillis(SimNode a, SimNode b, Random r) {
        double base = baseMillis(a, b);
        return Math.max(1, Math.round(base * (1 + jitterFraction * r.nextDouble())));
    }
}
