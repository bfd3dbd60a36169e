package io.arborcast.core;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** LongMap against java.util.HashMap under random puts and removes, with colliding keys too. */
class LongMapTest {
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void behavesLikeAHashMap(long seed) {
        Random r = new Random(seed);
        LongMap<String> m = new LongMap<>();
        Map<Long, String> ref = new HashMap<>();
        for (int i = 0; i < 100_000; i++) {
            long key = 1 + (r.nextBoolean() ? r.nextInt(64) : r.nextInt(5000)) * (seed == 3 ? 1L << 32 : 1);
            int op = r.nextInt(3);
            if (op < 2) {
                m.put(key, "v" + i);
                ref.put(key, "v" + i);
            } else {
                assertThat(m.remove(key)).isEqualTo(ref.remove(key));
            }
            long probe = 1 + r.nextInt(5000);
            assertThat(m.get(probe)).isEqualTo(ref.get(probe));
            assertThat(m.size()).isEqualTo(ref.size());
        }
        int[] count = {0};
        m.forEachValue(v -> count[0]++);
        assertThat(count[0]).isEqualTo(ref.size());
        assertThat(m.get(0)).isNull();
    }
}
