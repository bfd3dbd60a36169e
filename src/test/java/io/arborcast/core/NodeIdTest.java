package io.arborcast.core;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Property-style checks of the XOR metric against BigInteger arithmetic, over many seeded random ids. */
class NodeIdTest {
    private static BigInteger big(NodeId id) {
        return new BigInteger(1, id.toBytes());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234567})
    void xorDistanceMatchesBigIntegerArithmetic(long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < 2_000; i++) {
            NodeId a = NodeId.random(r);
            NodeId b = NodeId.random(r);
            NodeId c = NodeId.random(r);
            BigInteger dab = big(a).xor(big(b));
            assertThat(big(a.xor(b))).isEqualTo(dab);
            // symmetric, zero only to itself
            assertThat(a.xor(b)).isEqualTo(b.xor(a));
            assertThat(big(a.xor(a))).isZero();
            // bucket index is the highest set bit of the distance
            assertThat(a.bucketIndex(b)).isEqualTo(dab.bitLength() - 1);
            assertThat(a.bucketIndex(a)).isEqualTo(-1);
            // distance comparison agrees with BigInteger comparison
            int expected = Integer.signum(dab.compareTo(big(a).xor(big(c))));
            assertThat(Integer.signum(a.compareDistance(b, c))).isEqualTo(expected);
            // triangle inequality holds for XOR
            assertThat(dab.compareTo(big(a).xor(big(c)).add(big(c).xor(big(b))))).isLessThanOrEqualTo(0);
            // unsigned order agrees
            assertThat(Integer.signum(a.compareTo(b))).isEqualTo(Integer.signum(big(a).compareTo(big(b))));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {7, 8, 9})
    void randomInBucketLandsInThatBucket(long seed) {
        Random r = new Random(seed);
        NodeId self = NodeId.random(r);
        for (int bucket = 0; bucket < NodeId.BITS; bucket++) {
            for (int i = 0; i < 10; i++) {
                assertThat(self.bucketIndex(self.randomInBucket(bucket, r))).isEqualTo(bucket);
            }
        }
    }

    @Test
    void bytesHexAndBitsRoundTrip() {
        Random r = new Random(5);
        for (int i = 0; i < 1_000; i++) {
            NodeId a = NodeId.random(r);
            assertThat(NodeId.fromBytes(a.toBytes())).isEqualTo(a);
            assertThat(NodeId.fromHex(a.toHex())).isEqualTo(a).hasSameHashCodeAs(a);
            assertThat(a.toHex()).hasSize(40);
            int bit = r.nextInt(NodeId.BITS);
            assertThat(big(a).testBit(159 - bit)).isEqualTo(a.bit(bit));
            assertThat(a.bucketIndex(a.flipBit(bit))).isEqualTo(159 - bit);
        }
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> NodeId.fromBytes(new byte[19])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NodeId.fromHex("zz".repeat(20))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not hex");
        assertThatThrownBy(() -> NodeId.fromHex("ab")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void peerAddressParsesEndpoints() {
        assertThat(PeerAddress.parseEndpoint("127.0.0.1:7144").endpoint()).isEqualTo("127.0.0.1:7144");
        assertThat(PeerAddress.parseEndpoint("[::1]:7144").host()).isEqualTo("::1");
        assertThatThrownBy(() -> PeerAddress.parseEndpoint("nohost")).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> PeerAddress.parseEndpoint("h:70000")).hasMessageContaining("port");
    }
}
