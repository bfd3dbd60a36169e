package io.arborcast.core;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class SelfAddressTest {
    private final Random random = new Random(7);

    private PeerAddress peer(String host) {
        return new PeerAddress(NodeId.random(random), host, 7144);
    }

    @Test
    void anInterfaceAddressIsConfirmedByOnePeerAndThenGivenToPublicPeers() {
        SelfAddress s = new SelfAddress(null, List.of("127.0.0.1", "198.18.1.2", "fe80::1"), "127.0.0.1");
        assertThat(s.primary().host()).isEqualTo("198.18.1.2");
        assertThat(s.primary().source()).isEqualTo(SelfAddress.Source.INTERFACE);
        assertThat(s.report(peer("198.18.2.2"), "198.18.1.2")).isTrue();
        assertThat(s.primary().source()).isEqualTo(SelfAddress.Source.CONFIRMED);
        assertThat(s.hostFor(peer("203.0.113.5"))).isEqualTo("198.18.1.2");
        assertThat(s.hostFor(peer("127.0.0.1"))).as("a peer on this host sees us where it reached us").isNull();
    }

    @Test
    void anOutsideAddressNeedsThreePeersFromTwoSubnets() {
        SelfAddress s = new SelfAddress(null, List.of("192.168.1.5"), "127.0.0.1");
        assertThat(s.report(peer("198.51.100.1"), "203.0.113.9")).isFalse();
        assertThat(s.report(peer("198.51.100.2"), "203.0.113.9")).isFalse();
        assertThat(s.report(peer("198.51.100.3"), "203.0.113.9")).as("three peers, one /24: not enough").isFalse();
        assertThat(s.primary().host()).isEqualTo("192.168.1.5");
        assertThat(s.report(peer("198.51.101.1"), "203.0.113.9")).as("and a second /24").isTrue();
        assertThat(s.primary()).isEqualTo(new SelfAddress.Belief("203.0.113.9", SelfAddress.Source.AGREED));
        // behind the NAT: public peers get the outside address, LAN peers the LAN one
        assertThat(s.hostFor(peer("198.51.100.1"))).isEqualTo("203.0.113.9");
        assertThat(s.hostFor(peer("192.168.1.7"))).isEqualTo("203.0.113.9");
        assertThat(s.report(peer("192.168.1.7"), "192.168.1.5")).isTrue();
        assertThat(s.hostFor(peer("198.51.100.1"))).isEqualTo("203.0.113.9");
        assertThat(s.isOwn("203.0.113.9")).isTrue();
        assertThat(s.isOwn("192.168.1.5")).isTrue();
    }

    @Test
    void aLyingPeerOrALyingSubnetCannotMoveOurAddress() {
        SelfAddress s = new SelfAddress(null, List.of("198.18.1.2"), "127.0.0.1");
        s.report(peer("198.18.2.2"), "198.18.1.2");
        PeerAddress liar = peer("198.51.100.66");
        for (int i = 0; i < 10; i++) {
            assertThat(s.report(liar, "198.51.100.200")).isFalse();
        }
        for (int i = 0; i < 10; i++) { // a whole /24 of liars
            assertThat(s.report(peer("198.51.100." + (10 + i)), "198.18.9.9")).isFalse();
        }
        assertThat(s.primary().host()).isEqualTo("198.18.1.2");
        // even many subnets agreeing cannot argue away an interface address a peer saw us at
        s.report(peer("203.0.113.1"), "198.18.9.9");
        s.report(peer("203.0.114.1"), "198.18.9.9");
        assertThat(s.primary().host()).isEqualTo("198.18.1.2");
    }

    @Test
    void loopbackReportsAndLoopbackPeersSayNothingAndAConfiguredAddressWins() {
        SelfAddress s = new SelfAddress(null, List.of("198.18.1.2"), "127.0.0.1");
        assertThat(s.report(peer("127.0.0.1"), "127.0.0.1")).isFalse();
        assertThat(s.report(peer("198.18.2.2"), "127.0.0.1")).isFalse();
        assertThat(s.primary().source()).isEqualTo(SelfAddress.Source.INTERFACE);
        SelfAddress c = new SelfAddress("198.18.7.7", List.of("198.18.1.2"), "127.0.0.1");
        c.report(peer("198.18.2.2"), "198.18.1.2");
        assertThat(c.primary()).isEqualTo(new SelfAddress.Belief("198.18.7.7", SelfAddress.Source.CONFIGURED));
        assertThat(c.hostFor(peer("198.18.2.2"))).isEqualTo("198.18.7.7");
    }

    @Test
    void dualStackGivesEachPeerItsOwnFamilyAndPrivateAddressesOnlyToPrivatePeers() {
        SelfAddress s = new SelfAddress(null, List.of("198.18.1.2", "2001:db8:1:0:0:0:0:2", "fd00::2"), "127.0.0.1");
        s.report(peer("2001:db8:2::2"), "2001:db8:1::2");
        assertThat(s.hostFor(peer("2001:db8:2::2"))).isEqualTo("2001:db8:1::2");
        assertThat(s.hostFor(peer("198.18.2.2"))).isEqualTo("198.18.1.2");
        assertThat(s.hostFor(peer("fd00::9"))).as("a ULA peer may also use our public IPv6").isEqualTo("2001:db8:1::2");
        SelfAddress lan = new SelfAddress(null, List.of("fd00::2"), "127.0.0.1");
        assertThat(lan.hostFor(peer("fd00::9"))).isEqualTo("fd00::2");
        assertThat(lan.hostFor(peer("2001:db8:2::2"))).as("nothing a public peer can reach").isNull();
    }
}
