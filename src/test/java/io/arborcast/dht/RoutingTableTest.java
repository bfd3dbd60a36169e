package io.arborcast.dht;

import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RoutingTableTest {
    private final Random random = new Random(3);
    private final NodeId self = NodeId.random(random);
    private int hostCounter;

    private PeerAddress peerInBucket(int bucket) {
        return new PeerAddress(self.randomInBucket(bucket, random), "192.0.2." + (++hostCounter % 250 + 1)
                + (hostCounter > 250 ? "" : ""), 7000 + hostCounter);
    }

    private PeerAddress uniquePeer(NodeId id) {
        hostCounter++;
        return new PeerAddress(id, "198.51." + (hostCounter >> 8 & 255) + "." + (hostCounter & 255), 7144);
    }

    @Test
    void fullBucketAsksToPingTheOldestAndEvictsOnlyOnFailure() {
        RoutingTable t = new RoutingTable(self, 4, 0, 2, 0);
        List<PeerAddress> first = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            PeerAddress p = uniquePeer(self.randomInBucket(150, random));
            first.add(p);
            assertThat(t.observe(p, i)).isNull();
        }
        PeerAddress newcomer = uniquePeer(self.randomInBucket(150, random));
        assertThat(t.observe(newcomer, 10)).isEqualTo(first.get(0));
        assertThat(t.contains(newcomer.id())).isFalse();
        // a second newcomer does not trigger a second ping of the same contact
        assertThat(t.observe(uniquePeer(self.randomInBucket(150, random)), 11)).isNull();
        // the oldest answers: it stays, moves to the tail; the newcomer waits
        t.observe(first.get(0), 12);
        assertThat(t.contains(first.get(0).id())).isTrue();
        // next newcomer: now the oldest is first.get(1); it fails and a replacement takes its place
        PeerAddress third = uniquePeer(self.randomInBucket(150, random));
        assertThat(t.observe(third, 13)).isEqualTo(first.get(1));
        t.onFailure(first.get(1).id(), 1);
        assertThat(t.contains(first.get(1).id())).isFalse();
        assertThat(t.contains(third.id())).isTrue(); // the newest replacement
        assertThat(t.size()).isEqualTo(4);
    }

    @Test
    void recentlySeenOldestContactIsNotPinged() {
        RoutingTable t = new RoutingTable(self, 2, 0, 2, 60_000);
        PeerAddress a = uniquePeer(self.randomInBucket(120, random));
        t.observe(a, 0);
        t.observe(uniquePeer(self.randomInBucket(120, random)), 1);
        assertThat(t.observe(uniquePeer(self.randomInBucket(120, random)), 30_000)).isNull();
        assertThat(t.observe(uniquePeer(self.randomInBucket(120, random)), 60_000)).isEqualTo(a);
    }

    @Test
    void staleContactWithoutReplacementStaysUntilMaxFailures() {
        RoutingTable t = new RoutingTable(self, 4, 0, 2, 0);
        PeerAddress p = uniquePeer(self.randomInBucket(100, random));
        t.observe(p, 0);
        t.onFailure(p.id(), 3);
        t.onFailure(p.id(), 3);
        assertThat(t.contains(p.id())).isTrue();
        t.onFailure(p.id(), 3);
        assertThat(t.contains(p.id())).isFalse();
    }

    @Test
    void limitsContactsPerIpButNotOnLoopback() {
        RoutingTable t = new RoutingTable(self, 20, 2, 2, 0);
        for (int i = 0; i < 5; i++) {
            t.observe(new PeerAddress(self.randomInBucket(159, random), "203.0.113.7", 7000 + i), i);
        }
        assertThat(t.size()).isEqualTo(2);
        for (int i = 0; i < 5; i++) {
            t.observe(new PeerAddress(self.randomInBucket(159, random), "127.0.0.1", 7000 + i), i);
        }
        assertThat(t.size()).isEqualTo(7);
    }

    @Test
    void limitsContactsPerSubnetAcrossTheWholeTable() {
        RoutingTable t = new RoutingTable(self, 20, 2, 3, 2, 0);
        for (int i = 0; i < 6; i++) { // six hosts of one /24, spread over different buckets
            t.observe(new PeerAddress(self.randomInBucket(159 - i, random), "198.51.100." + (10 + i), 7000), i);
        }
        assertThat(t.size()).isEqualTo(3);
        t.observe(new PeerAddress(self.randomInBucket(150, random), "198.51.101.10", 7000), 7);
        assertThat(t.size()).as("the next /24 is another subnet").isEqualTo(4);
    }

    @Test
    void aReplacementTakesAFailedContactsPlaceOnlyWithinTheSubnetQuota() {
        RoutingTable t = new RoutingTable(self, 2, 0, 2, 4, 0);
        PeerAddress a = new PeerAddress(self.randomInBucket(159, random), "198.51.100.1", 7000);
        PeerAddress b = new PeerAddress(self.randomInBucket(159, random), "203.0.113.1", 7000);
        PeerAddress c = new PeerAddress(self.randomInBucket(158, random), "198.51.100.2", 7000);
        t.observe(a, 0);
        t.observe(b, 1);
        t.observe(c, 2); // its /24's quota (2) is now full
        PeerAddress sameSubnet = new PeerAddress(self.randomInBucket(159, random), "198.51.100.3", 7000);
        PeerAddress other = new PeerAddress(self.randomInBucket(159, random), "192.0.2.1", 7000);
        t.observe(other, 3);
        t.observe(sameSubnet, 4); // newest replacement, but a third of its /24
        t.onFailure(b.id(), 3);
        assertThat(t.contains(b.id())).isFalse();
        assertThat(t.contains(other.id())).as("the newest candidate within the quotas").isTrue();
        assertThat(t.contains(sameSubnet.id())).isFalse();
        assertThat(t.size()).isEqualTo(3);
    }

    @Test
    void ignoresSelfAndIdsMovingWhileTheOldEndpointAnswers() {
        RoutingTable t = new RoutingTable(self, 20, 0, 2, 0);
        t.observe(new PeerAddress(self, "192.0.2.1", 1), 0);
        assertThat(t.size()).isZero();
        PeerAddress p = uniquePeer(NodeId.random(random));
        t.observe(p, 0);
        t.observe(new PeerAddress(p.id(), "192.0.2.99", 9), 1);
        assertThat(t.closest(p.id(), 1).get(0)).isEqualTo(p);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void closestMatchesBruteForce(long seed) {
        Random r = new Random(seed);
        NodeId me = NodeId.random(r);
        RoutingTable t = new RoutingTable(me, 8, 0, 0, 0);
        for (int i = 0; i < 3000; i++) {
            NodeId id = r.nextBoolean() ? NodeId.random(r) : me.randomInBucket(r.nextInt(160), r);
            t.observe(uniquePeer(id), i);
        }
        List<PeerAddress> all = new ArrayList<>();
        t.contacts().forEach(c -> all.add(c.address()));
        for (int q = 0; q < 300; q++) {
            NodeId target = q % 3 == 0 ? me.randomInBucket(r.nextInt(160), r) : NodeId.random(r);
            if (q == 7) {
                target = me;
            }
            NodeId tg = target;
            List<PeerAddress> expected = new ArrayList<>(all);
            expected.sort((a, b) -> tg.compareDistance(a.id(), b.id()));
            int count = 1 + r.nextInt(30);
            assertThat(t.closest(target, count)).containsExactlyElementsOf(expected.subList(0, Math.min(count, expected.size())));
        }
    }
}
