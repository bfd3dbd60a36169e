package io.arborcast.dht;

import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class LookupTest {
    private final Random random = new Random(11);
    private final NodeId self = NodeId.random(random);
    private final NodeId target = NodeId.random(random);

    private PeerAddress peer() {
        return new PeerAddress(NodeId.random(random), "192.0.2.1", 7144);
    }

    @Test
    void keepsAlphaInFlightAndAsksClosestFirst() {
        List<PeerAddress> seeds = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            seeds.add(peer());
        }
        Lookup l = new Lookup(target, 4, 3, self, seeds);
        PeerAddress a = l.next();
        PeerAddress b = l.next();
        PeerAddress c = l.next();
        assertThat(l.next()).isNull(); // alpha = 3 in flight
        assertThat(l.finished()).isFalse();
        seeds.sort((x, y) -> target.compareDistance(x.id(), y.id()));
        assertThat(List.of(a, b, c)).containsExactlyElementsOf(seeds.subList(0, 3));
        l.onFailure(a);
        assertThat(l.next()).isEqualTo(seeds.get(3));
    }

    @Test
    void finishesWhenTheKClosestAnswered() {
        PeerAddress s1 = peer();
        Lookup l = new Lookup(target, 2, 3, self, List.of(s1));
        assertThat(l.next()).isEqualTo(s1);
        PeerAddress n1 = peer();
        PeerAddress n2 = peer();
        l.onSuccess(s1, List.of(n1, n2, s1, new PeerAddress(self, "192.0.2.2", 1)));
        List<PeerAddress> asked = new ArrayList<>();
        PeerAddress p;
        while ((p = l.next()) != null) {
            asked.add(p);
        }
        assertThat(asked).hasSizeLessThanOrEqualTo(2).doesNotContain(s1);
        asked.forEach(x -> l.onSuccess(x, List.of()));
        while ((p = l.next()) != null) {
            l.onSuccess(p, List.of());
        }
        assertThat(l.finished()).isTrue();
        assertThat(l.closest()).hasSize(2);
        assertThat(l.hops()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void stalledPeersFreeTheirSlotAndLateAnswersStillCount() {
        List<PeerAddress> seeds = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            seeds.add(peer());
        }
        Lookup l = new Lookup(target, 3, 1, self, seeds); // alpha 1: one slot
        PeerAddress first = l.next();
        assertThat(l.next()).isNull();
        l.onStalled(first);
        PeerAddress second = l.next();
        assertThat(second).isNotNull().isNotEqualTo(first);
        PeerAddress closer = peer();
        l.onSuccess(first, List.of(closer)); // the stalled peer answers late: used
        l.onSuccess(second, List.of());
        PeerAddress p;
        while ((p = l.next()) != null) {
            l.onSuccess(p, List.of());
        }
        assertThat(l.finished()).isTrue();
        assertThat(l.closest()).contains(first);
        assertThat(l.queried()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aConvergedLookupAsksTheRestOfTheKClosestAtOnce() {
        List<PeerAddress> seeds = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            seeds.add(peer());
        }
        seeds.sort((x, y) -> target.compareDistance(x.id(), y.id()));
        Lookup l = new Lookup(target, 8, 2, self, seeds);
        PeerAddress a = l.next();
        PeerAddress b = l.next();
        assertThat(l.next()).isNull();
        l.onSuccess(a, List.of(seeds.get(5))); // known already: no progress
        PeerAddress c = l.next();
        assertThat(c).isEqualTo(seeds.get(2));
        assertThat(l.next()).isNull(); // one answer without progress: still alpha at a time
        l.onSuccess(b, List.of());
        List<PeerAddress> burst = new ArrayList<>();
        PeerAddress p;
        while ((p = l.next()) != null) {
            burst.add(p);
        }
        // converged: the rest of the 8 closest at once (c is still in flight)
        assertThat(burst).containsExactlyElementsOf(seeds.subList(3, 8));
        PeerAddress closest = peer();
        while (target.compareDistance(closest.id(), seeds.get(0).id()) >= 0) {
            closest = peer();
        }
        l.onSuccess(c, List.of(closest)); // a new closest: back to alpha at a time
        assertThat(l.next()).isNull();
        burst.forEach(x -> l.onSuccess(x, List.of()));
        assertThat(l.next()).isEqualTo(closest);
    }

    @Test
    void aStalledPeerAmongTheKClosestHoldsTheEndUntilGivenUp() {
        List<PeerAddress> seeds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            seeds.add(peer());
        }
        seeds.sort((x, y) -> target.compareDistance(x.id(), y.id()));
        Lookup l = new Lookup(target, 2, 3, self, seeds);
        PeerAddress slow = l.next();
        PeerAddress b = l.next();
        assertThat(slow).isEqualTo(seeds.get(0));
        l.onStalled(slow);
        PeerAddress c = l.next(); // the third takes the stalled one's place
        assertThat(c).isEqualTo(seeds.get(2));
        l.onSuccess(b, List.of());
        l.onSuccess(c, List.of());
        assertThat(l.next()).isNull();
        assertThat(l.finished()).isFalse(); // the stalled closest may still answer
        l.onGaveUp(slow);
        assertThat(l.finished()).isTrue();
        assertThat(l.closest()).containsExactly(b, c);
        l.onSuccess(slow, List.of()); // answers after all: used
        assertThat(l.closest()).containsExactly(slow, b);
    }

    @Test
    void allFailedFinishesEmpty() {
        PeerAddress s1 = peer();
        Lookup l = new Lookup(target, 20, 3, self, List.of(s1));
        l.onFailure(l.next());
        assertThat(l.next()).isNull();
        assertThat(l.finished()).isTrue();
        assertThat(l.closest()).isEmpty();
        assertThat(l.hops()).isZero();
    }
}
