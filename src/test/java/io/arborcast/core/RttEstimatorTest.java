package io.arborcast.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RttEstimatorTest {
    @Test
    void followsTheRoundTripsAndWidensWithTheirSpread() {
        RttEstimator steady = new RttEstimator();
        assertThat(steady.timeoutMillis()).isZero();
        steady.add(100);
        assertThat(steady.timeoutMillis()).isEqualTo(100 + 4 * 50); // RFC 6298: first sample, var = r/2
        for (int i = 0; i < 50; i++) {
            steady.add(100);
        }
        assertThat(steady.srttMillis()).isEqualTo(100);
        assertThat(steady.timeoutMillis()).isBetween(100L, 105L);

        RttEstimator jittery = new RttEstimator();
        for (int i = 0; i < 50; i++) {
            jittery.add(i % 2 == 0 ? 50 : 150);
        }
        assertThat(jittery.srttMillis()).isBetween(90L, 110L);
        assertThat(jittery.timeoutMillis()).isGreaterThan(250);
        assertThat(jittery.samples()).isEqualTo(50);
    }
}
