package io.arborcast.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DialBackoffTest {
    @Test
    void failuresDoubleTheWaitUpToTheCapAndASuccessOrLongQuietForgetsThem() {
        DialBackoff b = new DialBackoff();
        String a = "198.18.1.2:7144";
        long now = 1_000_000;
        assertThat(b.waitMillis(a, now)).isZero();
        b.failed(a, now);
        assertThat(b.waitMillis(a, now)).isEqualTo(DialBackoff.FIRST_MILLIS);
        assertThat(b.waitMillis(a, now + 999)).isEqualTo(1);
        assertThat(b.waitMillis(a, now + 1_000)).isZero();
        long[] waits = new long[8];
        for (int i = 0; i < waits.length; i++) {
            now += 100_000 / 8;
            b.failed(a, now);
            waits[i] = b.waitMillis(a, now);
        }
        assertThat(waits).containsExactly(2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000);
        assertThat(b.waitMillis("198.18.1.3:7144", now)).as("per address").isZero();
        b.succeeded(a);
        assertThat(b.waitMillis(a, now)).isZero();
        b.failed(a, now);
        b.failed(a, now + 1);
        assertThat(b.failures(a)).isEqualTo(2);
        assertThat(b.waitMillis(a, now + DialBackoff.FORGET_MILLIS + 1)).isZero();
        b.failed(a, now + DialBackoff.FORGET_MILLIS + 2);
        assertThat(b.failures(a)).as("counted afresh after a long quiet").isEqualTo(1);
    }
}
