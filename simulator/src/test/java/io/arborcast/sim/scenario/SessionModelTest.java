package io.arborcast.sim.scenario;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SessionModelTest {
    @Test
    void gammaMatchesKnownValues() {
        assertThat(SessionModel.gamma(1)).isCloseTo(1, within(1e-12));
        assertThat(SessionModel.gamma(5)).isCloseTo(24, within(1e-9));
        assertThat(SessionModel.gamma(0.5)).isCloseTo(Math.sqrt(Math.PI), within(1e-12));
        assertThat(SessionModel.gamma(3)).isCloseTo(2, within(1e-12)); // Weibull shape 0.5: Gamma(1 + 2)
    }

    @ParameterizedTest
    @CsvSource({"EXPONENTIAL, 1", "PARETO, 2.5", "WEIBULL, 0.5", "WEIBULL, 1.5"})
    void sampleMeanMatchesTheConfiguredMean(SessionModel.Distribution distribution, double shape) {
        SessionModel m = new SessionModel(distribution, 600_000, shape);
        Random r = new Random(21);
        int n = 400_000;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += m.sampleMillis(r);
        }
        // heavy tails converge slowly; 5% is plenty to catch a wrong formula
        assertThat(sum / n).isCloseTo(600_000, within(30_000.0));
    }

    @Test
    void weibullWithSmallShapeHasManyShortAndFewLongSessions() {
        SessionModel m = new SessionModel(SessionModel.Distribution.WEIBULL, 600_000, 0.5);
        Random r = new Random(2);
        int shorter = 0;
        for (int i = 0; i < 100_000; i++) {
            if (m.sampleMillis(r) < 600_000) {
                shorter++;
            }
        }
        // P(X < mean) = 1 - exp(-(mean/scale)^k) with scale = mean / Gamma(3) = mean / 2: 1 - e^-sqrt(2) = 0.757
        assertThat(shorter / 100_000.0).isCloseTo(0.757, within(0.01));
    }

    @Test
    void badParametersAreRefused() {
        assertThatThrownBy(() -> new SessionModel(SessionModel.Distribution.PARETO, 1, 1)).hasMessageContaining("above 1");
        assertThatThrownBy(() -> new SessionModel(SessionModel.Distribution.WEIBULL, -1, 1)).hasMessageContaining("positive");
    }
}
