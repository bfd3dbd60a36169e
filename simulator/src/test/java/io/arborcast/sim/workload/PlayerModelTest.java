package io.arborcast.sim.workload;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PlayerModelTest {
    private static final long CHUNK = 250;

    /**
     * Chunk s is cut at s * CHUNK and reaches the player 100 ms later, except chunks 40-43, held
     * up by a repair: all four come together, 1,100 ms after chunk 40 was cut. Returns each
     * chunk's lag behind its cut.
     */
    private static long[] lagsThroughAStall(PlayerModel player, int chunks) {
        long[] lags = new long[chunks];
        for (int s = 0; s < chunks; s++) {
            long cut = s * CHUNK;
            long arrives = s >= 40 && s <= 43 ? 40 * CHUNK + 1_100 : cut + 100;
            lags[s] = player.play(s, arrives) - cut;
        }
        return lags;
    }

    @Test
    void aPlayerThatKeepsTimeCarriesAStallToTheEnd() {
        PlayerModel player = PlayerModel.keepingTime(CHUNK);
        long[] lags = lagsThroughAStall(player, 400);
        assertThat(lags[0]).isEqualTo(100);
        assertThat(lags[39]).as("on time: the arrival delay").isEqualTo(100);
        assertThat(lags[40]).as("waited for it").isEqualTo(1_100);
        assertThat(lags[399]).as("and never won it back").isEqualTo(1_100);
        assertThat(player.stalls()).isEqualTo(1);
        assertThat(player.stalledMillis()).isEqualTo(1_000);
    }

    @Test
    void aPlayerThatCatchesUpWinsTheStallBackAtItsRateDownToItsTarget() {
        PlayerModel player = new PlayerModel(CHUNK, 1.1, 250, 250);
        long[] lags = lagsThroughAStall(player, 400);
        assertThat(lags[39]).as("held no more than the 100 ms delay: nothing to catch up").isEqualTo(100);
        assertThat(lags[40]).isEqualTo(1_100);
        // at 1.1x a 250 ms chunk plays in 227 ms: 22 ms won per chunk, so 750 ms above the
        // 250 ms target take 34 chunks (8.5 s of media)
        assertThat(lags[60]).isBetween(1_100L - 21 * 23, 1_100L - 19 * 22);
        assertThat(lags[80]).as("back at the target buffer above the arrival delay").isEqualTo(350);
        assertThat(lags[399]).isEqualTo(350);
        assertThat(player.stalls()).isEqualTo(1);
    }

    @Test
    void aStallGrowsTheTargetWhichShrinksBackByHalfEveryHalfLife() {
        PlayerModel player = new PlayerModel(CHUNK, 1.1, 250, 1_000);
        long[] lags = lagsThroughAStall(player, 40 + 4 + (int) (2 * PlayerModel.SHRINK_HALF_LIFE_MILLIS / CHUNK));
        assertThat(lags[40]).isEqualTo(1_100);
        // the target grew to the 1,000 ms cap; one half-life later it is ~625 ms, two ~437
        long afterOne = lags[44 + (int) (PlayerModel.SHRINK_HALF_LIFE_MILLIS / CHUNK)];
        long afterTwo = lags[lags.length - 1];
        assertThat(afterOne - 100).isBetween(600L, 650L);
        assertThat(afterTwo - 100).isBetween(420L, 460L);
    }

    @Test
    void aChunkIsNeverPlayedBeforeItCame() {
        PlayerModel player = new PlayerModel(CHUNK, 2, 0, 0);
        // chunks come in bursts of 4 every second: catching up never plays one before it is here
        for (int s = 0; s < 200; s++) {
            long arrives = (s / 4) * 1_000 + 1_000;
            assertThat(player.play(s, arrives)).isGreaterThanOrEqualTo(arrives);
        }
    }

}
