package io.arborcast.sim.workload;

import io.arborcast.core.NodeId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class XorIndexTest {
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void closestAreTheFullScansClosest(long seed) {
        Random random = new Random(seed);
        List<NodeId> ids = new ArrayList<>();
        XorIndex index = new XorIndex();
        // clustered ids too (shared long prefixes), where the subtrees are lopsided
        NodeId cluster = NodeId.random(random);
        for (int i = 0; i < 3_000; i++) {
            NodeId id = i % 3 == 0 ? cluster.randomInBucket(random.nextInt(40), random) : NodeId.random(random);
            if (!ids.contains(id)) {
                index.add(id, ids.size());
                ids.add(id);
            }
        }
        boolean[] alive = new boolean[ids.size()];
        for (int i = 0; i < alive.length; i++) {
            alive[i] = random.nextInt(4) != 0;
        }
        for (int q = 0; q < 300; q++) {
            NodeId target = switch (q % 3) {
                case 0 -> ids.get(random.nextInt(ids.size())); // an indexed id itself
                case 1 -> cluster.randomInBucket(random.nextInt(40), random);
                default -> NodeId.random(random);
            };
            int except = random.nextInt(ids.size());
            int k = 1 + random.nextInt(30);
            List<Integer> scan = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                if (alive[i] && i != except) {
                    scan.add(i);
                }
            }
            scan.sort((a, b) -> target.compareDistance(ids.get(a), ids.get(b)));
            assertThat(index.closest(target, k, i -> alive[i] && i != except))
                    .as("query %d", q).isEqualTo(scan.subList(0, Math.min(k, scan.size())));
        }
        assertThat(index.closest(NodeId.random(random), 5, i -> false)).isEmpty();
    }
}
