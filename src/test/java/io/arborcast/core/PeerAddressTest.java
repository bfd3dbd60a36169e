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
}
