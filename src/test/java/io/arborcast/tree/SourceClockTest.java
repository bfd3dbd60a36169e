package io.arborcast.tree;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SourceClockTest {
    @Test
    void theAnswerWithTheShortestRoundTripCounts() {
        SourceClock c = new SourceClock();
        assertThat(c.known()).isFalse();
        assertThat(c.lagMillis(0, 100)).isEqualTo(-1);
        // the source's clock is ours + 1,000,000; the parent is 30 ms from the source, 20 ms from us
        // asked at 100, answered at 120 (no queue), received at 140
        c.answer(140, 100, 1_000_120, 30);
        assertThat(c.sourceNow(140)).isEqualTo(1_000_140);
        assertThat(c.pathMillis()).isEqualTo(50);
        // asked at 200; the answer waited 300 ms in a queue on its way back: read wrong by 150 ms
        c.answer(540, 200, 1_000_220, 30);
        assertThat(c.sourceNow(1_000)).as("the 40 ms round trip is believed, not the 340 ms one").isEqualTo(1_001_000);
        assertThat(c.lagMillis(1_000_900, 1_000)).isEqualTo(100);
        assertThat(c.lagMillis(1_001_200, 1_000)).as("never negative").isZero();
    }

    @Test
    void aNewParentStartsOverAndTheSourceKnowsItsOwnTime() {
        SourceClock c = new SourceClock();
        c.answer(140, 100, 1_000_120, 30);
        c.reset();
        assertThat(c.known()).isFalse();
        c.answer(150, 100, 5_000, -1);
        assertThat(c.known()).as("a parent that did not know yet").isFalse();
        SourceClock source = new SourceClock();
        source.atSource();
        assertThat(source.sourceNow(777)).isEqualTo(777);
        assertThat(source.pathMillis()).isZero();
    }
}
