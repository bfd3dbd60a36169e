package io.arborcast.sim.report;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HistogramTest {
    @Test
    void percentilesByNearestRankAndTheLastBucketTakesWhatIsLarger() {
        Histogram h = new Histogram(1_000);
        assertThat(h.percentile(50)).isNaN();
        for (int ms = 1; ms <= 100; ms++) {
            h.add(ms);
        }
        h.add(5_000); // beyond the range: counted in the last bucket
        assertThat(h.count()).isEqualTo(101);
        assertThat(h.percentile(50)).isEqualTo(51.0);
        assertThat(h.percentile(99)).isEqualTo(100.0);
        assertThat(h.percentile(100)).isEqualTo(1_000.0);
        assertThat(h.percentile(0)).isEqualTo(1.0);
    }
}
