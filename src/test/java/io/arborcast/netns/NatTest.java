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
 * Behind a home router on an emulated internet (network namespaces; the router does iptables
 * MASQUERADE and forwards no port), with default settings everywhere: the node behind it finds
 * out, by asking public peers to dial it back, that it cannot be reached, and says so with what
 * to do, on its start-up output, its status and its metrics; the public nodes find they can be.
 * Needs root and iptables (CI installs them); skipped elsewhere, except under {@code CI=true}.
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
        if (why != null) {
            ExternalTools.unavailable("network namespaces with NAT: " + why);
        }
    }

    @Test
    void aNodeBehindAHomeRouterLearnsItCannotBeReachedAndPublicNodesThatTheyCan() throws Exception {
        Path dir = Path.of("target", "netns", "NAT"); // kept after the run: every process's log
        EmulatedInternet.clean(dir);
        try (EmulatedInternet net = new EmulatedInternet(dir)) {
            EmulatedInternet.Host boot = net.host("h1", "198.18.1.2/15");
            EmulatedInternet.Host p2 = net.host("h2", "198.18.2.2/15");
            EmulatedInternet.Host p3 = net.host("h3", "198.18.3.2/15");
            EmulatedInternet.Router home = net.router("r1", "198.18.50.2/15", "10.50.0.1/24");
            EmulatedInternet.Host natted = home.host("n1", "10.50.0.2/24");

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
                    + "\"udp\":\"unreachable\",\"peersAsked\":3,\"advice\":\"peers cannot connect to this node");
            assertThat(natted.get("http://10.50.0.2:7144/metrics"))
                    .containsPattern("arborcast_reachability\\{protocol=\"tcp\",status=\"unreachable\"} 1\\.0");
            assertThat(p3.get("http://198.18.3.2:7144/api/status")).contains("\"summary\":\"public\"");
            // and nobody was made to dial a third party: every probe went where a request came from
            for (EmulatedInternet.Host h : List.of(boot, p2, p3)) {
                assertThat(EmulatedInternet.read(h.log("node"))).as(h.name).doesNotContain("10.50.0.2");
            }
        }
    }
}
