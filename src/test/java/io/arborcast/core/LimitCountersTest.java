package io.arborcast.core;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LimitCountersTest {
    @Test
    void aFloodIsOneReportPerPeriodWithItsCount() {
        LimitCounters c = new LimitCounters();
        for (int i = 0; i < 10_000; i++) {
            c.hit(Limit.DATAGRAM_RATE);
        }
        c.hit(Limit.CONNECTIONS);
        assertThat(c.sinceLastReport()).isEqualTo(Map.of(Limit.DATAGRAM_RATE, 10_000L, Limit.CONNECTIONS, 1L));
        assertThat(c.sinceLastReport()).as("nothing new: nothing to log").isEmpty();
        c.hit(Limit.DATAGRAM_RATE);
        assertThat(c.sinceLastReport()).isEqualTo(Map.of(Limit.DATAGRAM_RATE, 1L));
        assertThat(c.count(Limit.DATAGRAM_RATE)).as("metrics keep the total").isEqualTo(10_001);
    }

    @Test
    void everyLimitNamesItsSettingAndMetric() {
        for (Limit l : Limit.values()) {
            assertThat(l.setting).matches("(net|dht|tree|gateway)\\.[a-z-]+");
            assertThat(l.metricName()).doesNotContain(".");
        }
    }
}
