package io.arborcast.netns;

import io.arborcast.ExternalTools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import static io.arborcast.netns.EmulatedInternet.arborcast;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behind home routers on an emulated internet (network namespaces), with default settings
 * everywhere. Behind a router that does MASQUERADE and forwards no port, a node finds out, by
 * asking public peers to dial it back, that it cannot be reached, and says so with what to do,
 * on its start-up output, its status and its metrics; the public nodes find they can be. Behind
 * a router running miniupnpd, a node has its port forwarded by NAT-PMP, is reached through it,
 * and removes the forward when it stops. Needs root, iptables, nft and miniupnpd (CI installs
 * them); skipped elsewhere, except under {@code CI=true}.
 */
class NatTest {
    private static final Duration NODE_UP = Duration.ofSeconds(30);
    private static final String BOOTSTRAP = "198.18.1.2:7144";

    @BeforeAll
    static void prerequisites() {
        ExternalTools.require("curl", "curl");
        String why = EmulatedInternet.unavailable();
        if (why == null) {
            why = EmulatedInternet.noNat();
        }
        if (why == null) {
            why = EmulatedInternet.noIgd();
        }
        if (why != null) {
            ExternalTools.unavailable("network namespaces with NAT: " + why);
        }
    }

    @Test
    void behindAHomeRouterANodeLearnsItCannotBeReachedUnlessTheRouterForwardsItsPortByNatPmp() throws Exception {
        Path dir = Path.of("target", "netns", "NAT"); // kept after the run: every process's log
        EmulatedInternet.clean(dir);
        try (EmulatedInternet net = new EmulatedInternet(dir)) {
            EmulatedInternet.Host boot = net.host("h1", "198.18.1.2/15");
            EmulatedInternet.Host p2 = net.host("h2", "198.18.2.2/15");
            EmulatedInternet.Host p3 = net.host("h3", "198.18.3.2/15");
            EmulatedInternet.Router home = net.router("r1", "198.18.50.2/15", "10.50.0.1/24", EmulatedInternet.Igd.NONE);
            EmulatedInternet.Host natted = home.host("n1", "10.50.0.2/24");
            EmulatedInternet.Router igd = net.router("r2", "198.18.60.2/15", "10.60.0.1/24",
                    EmulatedInternet.Igd.NATPMP_AND_UPNP);
            EmulatedInternet.Host mapped = igd.host("n2", "10.60.0.2/24");
            EmulatedInternet.Router upnp = net.router("r3", "198.18.70.2/15", "10.70.0.1/24", EmulatedInternet.Igd.UPNP_ONLY);
            EmulatedInternet.Host upnpMapped = upnp.host("n3", "10.70.0.2/24");

            boot.start("node", arborcast("node"));
            boot.awaitLog("node", Pattern.compile("(listening on)"), NODE_UP);
            for (EmulatedInternet.Host h : List.of(p2, p3)) { // one after the other: each finds more helpers
                h.start("node", arborcast("node", "--bootstrap", BOOTSTRAP));
                assertThat(h.awaitLog("node", Pattern.compile("(?m)^reachability: (.*)"), NODE_UP))
                        .as(h.name + ", public").startsWith("public (TCP reachable, UDP reachable");
            }
            natted.start("node", arborcast("node", "--bootstrap", BOOTSTRAP));
            String said = natted.awaitLog("node", Pattern.compile("(?m)^reachability: (.*)"), NODE_UP);
            assertThat(said).startsWith("behind NAT (TCP unreachable, UDP unreachable; 3 peers asked to dial back)")
                    .contains("forward TCP and UDP port 7144");
            // the address it goes by is the router's, as three peers in two subnets and more saw it
            assertThat(EmulatedInternet.read(natted.log("node"))).contains("address 198.18.50.2");

            String status = natted.get("http://10.50.0.2:7144/api/status");
            assertThat(status).contains("\"reachability\":{\"summary\":\"behind NAT\",\"tcp\":\"unreachable\","
                    + "\"udp\":\"unreachable\",\"peersAsked\":3,\"portMappedBy\":null,\"advice\":\"peers cannot connect to this node");
            assertThat(natted.get("http://10.50.0.2:7144/metrics"))
                    .containsPattern("arborcast_reachability\\{protocol=\"tcp\",status=\"unreachable\"} 1\\.0");
            assertThat(p3.get("http://198.18.3.2:7144/api/status")).contains("\"summary\":\"public\"");
            // and nobody was made to dial a third party: every probe went where a request came from
            for (EmulatedInternet.Host h : List.of(boot, p2, p3)) {
                assertThat(EmulatedInternet.read(h.log("node"))).as(h.name).doesNotContain("10.50.0.2");
            }

            // behind routers with miniupnpd, one speaking NAT-PMP, one only UPnP-IGD: the port is
            // forwarded, the dial-backs come through it, and the forward goes when the node stops
            Process n2 = mapped.start("node", arborcast("node", "--bootstrap", BOOTSTRAP, "--duration", "20"));
            Process n3 = upnpMapped.start("node", arborcast("node", "--bootstrap", BOOTSTRAP, "--duration", "30"));
            assertPortMapped(mapped, n2, igd, "NAT-PMP on 10.60.0.1", "10.60.0.2");
            assertPortMapped(upnpMapped, n3, upnp, "UPnP-IGD on 10.70.0.1", "10.70.0.2");
        }
    }

    private static void assertPortMapped(EmulatedInternet.Host node, Process process, EmulatedInternet.Router router,
                                         String by, String ip) throws Exception {
        String says = node.awaitLog("node", Pattern.compile("(?m)^reachability: (.*)"), NODE_UP); // the first it says
        assertThat(says).isEqualTo("port-mapped (TCP reachable, UDP reachable; 3 peers asked to dial back,"
                + " through a port mapping by " + by + ")");
        assertThat(EmulatedInternet.read(node.log("node"))).contains("port mapping: " + by + ": TCP and UDP 7144 for ");
        assertThat(router.wan.run(Duration.ofSeconds(10), "nft", "list", "chain", "inet", "filter",
                "prerouting_miniupnpd")).contains("dnat ip to " + ip + ":7144");
        assertThat(node.get("http://" + ip + ":7144/api/status"))
                .contains("\"summary\":\"port-mapped\"").contains("\"portMappedBy\":\"" + by + "\"");
        assertThat(process.waitFor(40, java.util.concurrent.TimeUnit.SECONDS)).as("stopped after --duration").isTrue();
        assertThat(router.wan.run(Duration.ofSeconds(10), "nft", "list", "chain", "inet", "filter",
                "prerouting_miniupnpd")).as("the forward removed").doesNotContain("dnat ip to " + ip);
    }
}
