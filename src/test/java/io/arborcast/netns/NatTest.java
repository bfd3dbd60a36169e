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
            EmulatedInternet.Router home = net.router("r1", "198.18.50.2/15", "10.50.0.1/24", false);
            EmulatedInternet.Host natted = home.host("n1", "10.50.0.2/24");
            EmulatedInternet.Router igd = net.router("r2", "198.18.60.2/15", "10.60.0.1/24", true);
            EmulatedInternet.Host mapped = igd.host("n2", "10.60.0.2/24");

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

            // behind the router with miniupnpd: the port is forwarded, and the dial-backs come through it
            Process n2 = mapped.start("node", arborcast("node", "--bootstrap", BOOTSTRAP, "--duration", "20"));
            String mappedSays = mapped.awaitLog("node", Pattern.compile("(?m)^reachability: (.*)"), NODE_UP);
            assertThat(mappedSays).isEqualTo("port-mapped (TCP reachable, UDP reachable; 3 peers asked to dial back,"
                    + " through a port mapping by NAT-PMP on 10.60.0.1)");
            assertThat(EmulatedInternet.read(mapped.log("node")))
                    .contains("port mapping: NAT-PMP on 10.60.0.1: TCP and UDP 7144 for 3600 s");
            String forwards = igd.wan.run(Duration.ofSeconds(10), "nft", "list", "chain", "inet", "filter",
                    "prerouting_miniupnpd");
            assertThat(forwards).contains("dnat ip to 10.60.0.2:7144");
            assertThat(mapped.get("http://10.60.0.2:7144/api/status"))
                    .contains("\"summary\":\"port-mapped\"").contains("\"portMappedBy\":\"NAT-PMP on 10.60.0.1\"");
            // stopped (its --duration over), it removes what it asked for
            assertThat(n2.waitFor(40, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(igd.wan.run(Duration.ofSeconds(10), "nft", "list", "chain", "inet", "filter",
                    "prerouting_miniupnpd")).doesNotContain("dnat");
        }
    }
}
