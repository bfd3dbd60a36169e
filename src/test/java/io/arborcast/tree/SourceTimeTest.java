package io.arborcast.tree;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How far behind the source a listener plays, measured by the listener itself: every node's clock
 * starts elsewhere, and the source's time comes down the tree hop by hop (NTP's way, the shortest
 * round trip of the last few believed). Virtual time, on {@link TreeHarness}, where the truth is known.
 */
class SourceTimeTest extends TreeHarness {
    @Test
    void eachListenerOfAChainKnowsItsLagBehindTheSourceThoughNoTwoClocksAgree() {
        add(true, 1);
        stream();
        long[] offsets = {5_000_000, 17, 90_000_000, 1_234_567};
        for (long offset : offsets) {
            clockOffset = offset;
            chainBelowTheSource(1);
        }
        sim.runUntil(sim.now() + 20_000);
        for (int i = 1; i < trees.size(); i++) {
            List<long[]> l = lags.get(i);
            long[] last = l.get(l.size() - 1);
            assertThat(last[0]).as("listener %d knows the source's time", i).isNotNegative();
            // the one-way delays differ from half a round trip only by what waits in queues
            assertThat(last[0]).as("listener %d: estimate against the truth", i).isCloseTo(last[1],
                    org.assertj.core.data.Offset.offset(5L));
            long path = trees.get(i).pathMillis();
            assertThat(path).as("listener %d's path from the source, below its lag", i).isPositive()
                    .isLessThanOrEqualTo(last[1] + 5);
            assertThat(path).as("deeper, longer").isGreaterThan(trees.get(i - 1).pathMillis());
        }
        assertThat(trees.get(0).lagMillis(sim.now() - 300)).as("the source's own clock").isEqualTo(300);
    }

    @Test
    void aListenerLearnsTheSourcesTimeAgainFromANewParent() {
        add(true, 2);
        stream();
        clockOffset = 3_000_000;
        chainBelowTheSource(1, 1);
        sim.runUntil(sim.now() + 5_000);
        long twoHops = trees.get(2).pathMillis();
        net.crash(nodes.get(1)); // the middle of the chain: the last one repairs to the source
        sim.runUntil(sim.now() + 15_000);
        assertThat(trees.get(2).depth()).isEqualTo(1);
        long[] last = lags.get(2).get(lags.get(2).size() - 1);
        assertThat(last[0]).isCloseTo(last[1], org.assertj.core.data.Offset.offset(5L));
        assertThat(trees.get(2).pathMillis()).as("one hop now").isLessThanOrEqualTo(last[1] + 5).isLessThan(twoHops);
    }
}
