package io.arborcast.core;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PeerAddressTest {
    private final NodeId id = NodeId.random(new Random(1));

    @Test
    void subnetKeysNameThe24OrThe64() {
        assertThat(PeerAddress.subnetKey("198.51.100.10")).isEqualTo(PeerAddress.subnetKey("198.51.100.250"))
                .isNotEqualTo(PeerAddress.subnetKey("198.51.101.10"))
                .isNotEqualTo(PeerAddress.subnetKey("98.51.100.10"));
        assertThat(PeerAddress.subnetKey("2001:db8:1:2:3::1")).isEqualTo(PeerAddress.subnetKey("2001:db8:1:2:ff::9"))
                .isNotEqualTo(PeerAddress.subnetKey("2001:db8:1:3:3::1"));
        assertThat(PeerAddress.subnetKey("999.1.2.3")).as("not an IPv4 octet: hashed as text")
                .isNotEqualTo(PeerAddress.subnetKey("231.1.2.3"));
        assertThat(PeerAddress.subnetPrefixLength("2001:db8:1:2:3::1")).isEqualTo("2001:db8:1:2:".length());
    }

    @Test
    void anAddressKnowsItsSubnetAndHostLengthAndLoopbackHasNoSubnet() {
        PeerAddress a = new PeerAddress(id, "198.51.100.10", 7000);
        assertThat(a.subnet()).isEqualTo(PeerAddress.subnetKey("198.51.100.10"));
        assertThat(a.hostUtf8Length()).isEqualTo(13);
        assertThat(new PeerAddress(id, "127.0.0.1", 7000).subnet()).isEqualTo(PeerAddress.NO_SUBNET);
        assertThat(new PeerAddress(id, "::1", 7000).subnet()).isEqualTo(PeerAddress.NO_SUBNET);
        assertThat(new PeerAddress(id, "höst.example", 7000).hostUtf8Length()).as("ö is two bytes").isEqualTo(13);
    }

    @Test
    void equalityIsIdHostAndPort() {
        PeerAddress a = new PeerAddress(id, "198.51.100.10", 7000);
        assertThat(a).isEqualTo(new PeerAddress(id, "198.51.100.10", 7000))
                .hasSameHashCodeAs(new PeerAddress(id, "198.51.100.10", 7000))
                .isNotEqualTo(new PeerAddress(id, "198.51.100.10", 7001))
                .isNotEqualTo(new PeerAddress(id, "198.51.100.11", 7000))
                .isNotEqualTo(a.withId(NodeId.random(new Random(2))))
                .isNotEqualTo(PeerAddress.unknownId("198.51.100.10", 7000));
        assertThat(PeerAddress.unknownId("198.51.100.10", 7000)).isEqualTo(PeerAddress.unknownId("198.51.100.10", 7000));
    }

    @Test
    void badHostsAndPortsAreRefused() {
        assertThatThrownBy(() -> new PeerAddress(id, "", 7000)).hasMessageContaining("bad host length");
        assertThatThrownBy(() -> new PeerAddress(id, "a".repeat(254), 7000)).hasMessageContaining("bad host length");
        assertThatThrownBy(() -> new PeerAddress(id, "198.51.100.10", 0)).hasMessageContaining("port out of range");
        assertThatThrownBy(() -> PeerAddress.parseEndpoint("198.51.100.10")).hasMessageContaining("expected HOST:PORT");
    }

    @Test
    void ipv6HasOneTextCompressedLowerCaseAndMappedIpv4IsIpv4() {
        assertThat(PeerAddress.canonicalHost("fd00:0:0:0:0:0:0:3")).isEqualTo("fd00::3");
        assertThat(PeerAddress.canonicalHost("[FD00:0000:0:0:0:0:0:0003]")).isEqualTo("fd00::3");
        assertThat(PeerAddress.canonicalHost("2001:db8:0:0:1:0:0:1")).as("the first of two equal runs")
                .isEqualTo("2001:db8::1:0:0:1");
        assertThat(PeerAddress.canonicalHost("2001:db8:0:1:1:1:1:1")).as("one zero group stays").isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(PeerAddress.canonicalHost("0:0:0:0:0:0:0:1")).isEqualTo("::1");
        assertThat(PeerAddress.canonicalHost("0:0:0:0:0:0:0:0")).isEqualTo("::");
        assertThat(PeerAddress.canonicalHost("::ffff:198.51.100.7")).isEqualTo("198.51.100.7");
        assertThat(PeerAddress.canonicalHost("fe80:0:0:0:0:0:0:1%eth0")).isEqualTo("fe80::1%eth0");
        assertThat(PeerAddress.canonicalHost("198.51.100.7")).isEqualTo("198.51.100.7");
        assertThat(PeerAddress.canonicalHost("1::2::3")).as("not an address: left as it is").isEqualTo("1::2::3");
        PeerAddress a = new PeerAddress(id, "fd00:0:0:0:0:0:0:3", 7144);
        assertThat(a).isEqualTo(new PeerAddress(id, "fd00::3", 7144));
        assertThat(a.endpoint()).isEqualTo("[fd00::3]:7144");
        assertThat(PeerAddress.parseEndpoint("[fd00::3]:7144").host()).isEqualTo("fd00::3");
    }

    @Test
    void scopesAndWhoCanReachThem() {
        assertThat(AddressScope.of("127.0.0.1")).isEqualTo(AddressScope.LOOPBACK);
        assertThat(AddressScope.of("::1")).isEqualTo(AddressScope.LOOPBACK);
        assertThat(AddressScope.of("10.1.2.3")).isEqualTo(AddressScope.PRIVATE);
        assertThat(AddressScope.of("172.31.0.1")).isEqualTo(AddressScope.PRIVATE);
        assertThat(AddressScope.of("172.32.0.1")).isEqualTo(AddressScope.PUBLIC);
        assertThat(AddressScope.of("192.168.1.5")).isEqualTo(AddressScope.PRIVATE);
        assertThat(AddressScope.of("100.64.0.1")).as("carrier-grade NAT").isEqualTo(AddressScope.PRIVATE);
        assertThat(AddressScope.of("169.254.3.4")).isEqualTo(AddressScope.LINK_LOCAL);
        assertThat(AddressScope.of("fe80::1")).isEqualTo(AddressScope.LINK_LOCAL);
        assertThat(AddressScope.of("fd00::3")).isEqualTo(AddressScope.PRIVATE);
        assertThat(AddressScope.of("2001:db8::1")).isEqualTo(AddressScope.PUBLIC);
        assertThat(AddressScope.of("198.51.100.7")).isEqualTo(AddressScope.PUBLIC);
        assertThat(new PeerAddress(id, "::ffff:10.0.0.1", 7144).scope()).isEqualTo(AddressScope.PRIVATE);

        assertThat(AddressScope.PUBLIC.reachableFrom(AddressScope.PRIVATE)).isTrue();
        assertThat(AddressScope.PRIVATE.reachableFrom(AddressScope.PRIVATE)).isTrue();
        assertThat(AddressScope.PRIVATE.reachableFrom(AddressScope.LOOPBACK)).isTrue();
        assertThat(AddressScope.PRIVATE.reachableFrom(AddressScope.PUBLIC)).isFalse();
        assertThat(AddressScope.LOOPBACK.reachableFrom(AddressScope.PRIVATE)).isFalse();
        assertThat(AddressScope.LOOPBACK.reachableFrom(AddressScope.PUBLIC)).isFalse();
        assertThat(AddressScope.LOOPBACK.reachableFrom(AddressScope.LOOPBACK)).isTrue();
    }
}
