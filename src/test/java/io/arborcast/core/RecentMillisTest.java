package io.arborcast.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RecentMillisTest {
    @Test
    void aQuantileOfTheLastRoundTrips() {
        RecentMillis r = new RecentMillis(64);
        assertThat(r.quantileMillis(0.9)).isZero();
        r.add(40);
        assertThat(r.quantileMillis(0.9)).isEqualTo(40);
        for (int i = 1; i <= 10; i++) {
            r.add(i * 10L);
        }
        // 11 samples: 10, 20 ... 100 and 40 twice; nine in ten within 90 ms
        assertThat(r.quantileMillis(0.9)).isEqualTo(90);
        assertThat(r.quantileMillis(1.0)).isEqualTo(100);
        assertThat(r.quantileMillis(0.5)).isEqualTo(50);
    }

    @Test
    void forgetsWhatIsOlderThanTheWindow() {
        RecentMillis r = new RecentMillis(64);
        for (int i = 0; i < 64; i++) {
            r.add(500);
        }
        assertThat(r.quantileMillis(0.9)).isEqualTo(500);
        for (int i = 0; i < 64; i++) {
            r.add(20);
        }
        assertThat(r.quantileMillis(1.0)).isEqualTo(20);
        assertThat(r.samples()).isEqualTo(2L * 64);
    }
}
