package io.arborcast.netns;

import io.arborcast.ExternalTools;
import io.arborcast.crypto.ChannelKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.arborcast.netns.EmulatedInternet.arborcast;
import static io.arborcast.netns.EmulatedInternet.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Behind home routers on an emulated internet (network namespaces), with default settings
 * everywhere. Behind a router that does MASQUERADE and forwards no port, a node finds out, by
 * asking public peers to dial it back, that it cannot be reached, and says so with what to do,
 * on its start-up output, its status and its metrics; the public nodes find they can be. Behind
 * a router running miniupnpd, a node has its port forwarded by PCP or UPnP-IGD, is reached through it,
 * and removes the forward when it stops. Needs root, iptables, nft and miniupnpd (CI installs
 * them); skipped elsewhere, except under {@code CI=true}.
 */
class NatTest {
    private static final Duration NODE_UP = Duration.ofSeconds(30);
    private static final String BOOTSTRAP = "198.18.1.2:7144";

    @BeforeAll
    static void prerequisites() {
        ExternalTools.require("curl", "curl");
        ExternalTools.require("ffmpeg", "ffmpeg");
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
    void behindAHomeRouterANodeLearnsItCannotBeReachedUnlessTheRouterForwardsItsPortByPcpOrUpnp() throws Exception {
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

            // behind routers with miniupnpd, one speaking PCP (and NAT-PMP), one only UPnP-IGD: the port is
            // forwarded, the dial-backs come through it, and the forward goes when the node stops
            Process n2 = mapped.start("node", arborcast("node", "--bootstrap", BOOTSTRAP, "--duration", "20"));
            Process n3 = upnpMapped.start("node", arborcast("node", "--bootstrap", BOOTSTRAP, "--duration", "30"));
            assertPortMapped(mapped, n2, igd, "PCP on 10.60.0.1", "10.60.0.2");
            assertPortMapped(upnpMapped, n3, upnp, "UPnP-IGD on 10.70.0.1", "10.70.0.2");
        }
    }

    /**
     * A source of one slot, taken by a listener behind a plain MASQUERADE router (nobody can dial
     * it). A public listener is fed by it all the same, through connection reversal: it asks the
     * source, which holds a link to the NATed relay, and the relay connects out to it. Then a
     * listener on the same LAN and one behind another router, which cannot be dialled either,
     * are fed by the public listener. Each plays within 10 s of tuning in; the source answers
     * fewer than 5 ATTACHes a second all along.
     */
    @Test
    void aRelayBehindNatFeedsAPublicListenerThroughReversalAndNobodyWaits() throws Exception {
        Path dir = Path.of("target", "netns", "REVERSAL");
        EmulatedInternet.clean(dir);
        try (EmulatedInternet net = new EmulatedInternet(dir)) {
            EmulatedInternet.Host boot = net.host("h1", "198.18.1.2/15");
            EmulatedInternet.Host pub = net.host("h2", "198.18.2.2/15");
            EmulatedInternet.Host helper = net.host("h3", "198.18.3.2/15");
            EmulatedInternet.Host listener = net.host("h4", "198.18.4.2/15");
            EmulatedInternet.Router home = net.router("r1", "198.18.50.2/15", "10.50.0.1/24", EmulatedInternet.Igd.NONE);
            EmulatedInternet.Host relay = home.host("n1", "10.50.0.2/24");
            EmulatedInternet.Host sameLan = home.host("n2", "10.50.0.3/24");
            EmulatedInternet.Router other = net.router("r2", "198.18.60.2/15", "10.60.0.1/24", EmulatedInternet.Igd.NONE);
            EmulatedInternet.Host otherNat = other.host("n3", "10.60.0.2/24");
            String id = natedRelayHoldsTheOnlySourceSlot(dir, boot, helper, pub, relay);
            long attachesBefore = number(pub.status("198.18.2.2:7144"), "attachesReceived");
            long since = System.nanoTime();

            tuneAndPlayWithin(listener, "198.18.4.2", id, 2);
            String heard = listener.status("198.18.4.2:7144");
            assertThat(heard).as("fed by the NATed relay, at the router's address")
                    .contains("\"parent\":{\"id\":\"" + nodeId(relay, "10.50.0.2").substring(0, 8)
                            + "\",\"address\":\"198.18.50.2:7144\"}");
            assertThat(number(heard, "asked")).isGreaterThanOrEqualTo(1);
            assertThat(number(relay.status("10.50.0.2:7144"), "served")).isGreaterThanOrEqualTo(1);
            for (EmulatedInternet.Host h : List.of(sameLan, otherNat)) {
                tuneAndPlayWithin(h, h == sameLan ? "10.50.0.3" : "10.60.0.2", id, -1);
            }
            double seconds = (System.nanoTime() - since) / 1e9;
            long attaches = number(pub.status("198.18.2.2:7144"), "attachesReceived") - attachesBefore;
            assertThat(attaches / seconds).as(attaches + " ATTACHes in " + seconds + " s at the source").isLessThan(5);
            assertThat(number(listener.status("198.18.4.2:7144"), "skipped")).isZero();
        }
    }

    /**
     * Starts the bootstrap node, a helper, and a publisher of one source slot on h2 (198.18.2.2)
     * streaming a sine from ffmpeg, then a listener at 10.50.0.2 behind a plain router, which
     * takes that slot. Returns the channel id.
     */
    private static String natedRelayHoldsTheOnlySourceSlot(Path dir, EmulatedInternet.Host boot,
            EmulatedInternet.Host helper, EmulatedInternet.Host pub, EmulatedInternet.Host relay) throws Exception {
        ChannelKey key = ChannelKey.generate();
        boot.start("node", arborcast("node"));
        boot.awaitLog("node", Pattern.compile("(listening on)"), NODE_UP);
        helper.start("node", arborcast("node", "--bootstrap", BOOTSTRAP));
        pub.start("node", EmulatedInternet.publisherWithOneSlot(dir, key, "Behind NAT FM", BOOTSTRAP));
        String sourceUrl = pub.awaitLog("node", Pattern.compile("source: +(\\S+)"), NODE_UP);
        pub.start("ffmpeg", "ffmpeg", "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i",
                "sine=frequency=440:sample_rate=44100", "-t", "120", "-c:a", "libmp3lame", "-b:a", "128k", "-f", "mp3",
                "-content_type", "audio/mpeg", sourceUrl);
        await().atMost(NODE_UP).until(() -> pub.status("198.18.2.2:7144").contains("\"kbpsIn\":1"));

        String id = key.channelId().toHex();
        relay.start("node", arborcast("play", id, "--bootstrap", BOOTSTRAP));
        assertThat(relay.awaitLog("node", Pattern.compile("(?m)^reachability: (.*)"), NODE_UP)).startsWith("behind NAT");
        await().atMost(NODE_UP).until(() -> relay.status("10.50.0.2:7144").contains("\"receiving\":true,\"depth\":1"));
        return id;
    }

    /**
     * Both ends behind NATs: a source of one slot, taken by a relay behind one plain router;
     * listeners behind two other routers are fed by that relay through a hole punch (each asks
     * it through the source, which passes the relay's PUNCH back; both dial at once from their
     * listening ports), at the relay's router's address. A listener behind a router that answers
     * unasked packets with a reset (no firewall), where no punch could work, is fed by a public
     * listener (itself fed by the relay through reversal) within 10 s: a punch is the last resort.
     */
    @Test
    void listenersBehindOtherRoutersAreFedByANatedRelayThroughAHolePunch() throws Exception {
        Path dir = Path.of("target", "netns", "PUNCH");
        EmulatedInternet.clean(dir);
        try (EmulatedInternet net = new EmulatedInternet(dir)) {
            EmulatedInternet.Host boot = net.host("h1", "198.18.1.2/15");
            EmulatedInternet.Host pub = net.host("h2", "198.18.2.2/15");
            EmulatedInternet.Host helper = net.host("h3", "198.18.3.2/15");
            EmulatedInternet.Host listener = net.host("h4", "198.18.4.2/15");
            EmulatedInternet.Host relay = net.router("r1", "198.18.50.2/15", "10.50.0.1/24", EmulatedInternet.Igd.NONE)
                    .host("n1", "10.50.0.2/24");
            EmulatedInternet.Igd plain = EmulatedInternet.Igd.NONE;
            List<EmulatedInternet.Host> punched = List.of(
                    net.router("r2", "198.18.60.2/15", "10.60.0.1/24", plain).host("n2", "10.60.0.2/24"),
                    net.router("r3", "198.18.70.2/15", "10.70.0.1/24", plain).host("n3", "10.70.0.2/24"));
            EmulatedInternet.Router resetting = net.router("r4", "198.18.80.2/15", "10.80.0.1/24", plain);
            resetting.answerUnaskedWithReset();
            EmulatedInternet.Host behindReset = resetting.host("n4", "10.80.0.2/24");
            String id = natedRelayHoldsTheOnlySourceSlot(dir, boot, helper, pub, relay);
            String relayId = nodeId(relay, "10.50.0.2").substring(0, 8);

            long asked = 0;
            long succeeded = 0;
            for (EmulatedInternet.Host h : punched) {
                String ip = h.name.equals("n2") ? "10.60.0.2" : "10.70.0.2";
                tuneAndPlayWithin(h, ip, id, 2);
                assertThat(h.awaitLog("node", Pattern.compile("(?m)^reachability: (.*)"), NODE_UP))
                        .startsWith("behind NAT");
                String status = h.status(ip + ":7144");
                assertThat(status).as(h.name + " fed by the NATed relay, at its router's address")
                        .contains("\"parent\":{\"id\":\"" + relayId + "\",\"address\":\"198.18.50.2:7144\"}");
                asked += punches(status, "asked");
                succeeded += punches(status, "succeeded");
                assertThat(h.get("http://" + ip + ":7144/metrics")).containsPattern(
                        "arborcast_channel_punches_total\\{channel=\"" + id + "\",outcome=\"succeeded\"} 1\\.0");
                assertThat(number(status, "skipped")).isZero();
            }
            System.out.printf("hole punching: %d of %d asked succeeded%n", succeeded, asked);
            assertThat(succeeded).isEqualTo(punched.size());

            tuneAndPlayWithin(listener, "198.18.4.2", id, 2); // through reversal
            // behind the resetting router: up and knowing it is behind NAT first, then a player tunes it in
            behindReset.start("node", arborcast("node", "--bootstrap", BOOTSTRAP));
            assertThat(behindReset.awaitLog("node", Pattern.compile("(?m)^reachability: (.*)"), NODE_UP))
                    .startsWith("behind NAT");
            behindReset.start("curl", "curl", "-s", "-o", "/dev/null", "http://10.80.0.2:7144/stream/" + id);
            long tuned = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> behindReset.status("10.80.0.2:7144").contains("\"receiving\":true"));
            String status = behindReset.status("10.80.0.2:7144");
            System.out.printf("n4 plays %.1f s after tuning in; punches %d asked, %d failed%n",
                    (System.nanoTime() - tuned) / 1e9, punches(status, "asked"), punches(status, "failed"));
            assertThat(status).as("fed by the public listener: no hole through a router that resets")
                    .contains("\"parent\":{\"id\":\"" + nodeId(listener, "198.18.4.2").substring(0, 8));
            assertThat(punches(status, "succeeded")).isZero();
        }
    }

    /** Starts {@code play} on {@code h} and waits until it receives (at {@code depth}, or any with -1) within 10 s. */
    private static void tuneAndPlayWithin(EmulatedInternet.Host h, String ip, String id, int depth) throws Exception {
        h.start("node", arborcast("play", id, "--bootstrap", BOOTSTRAP));
        h.awaitLog("node", Pattern.compile("play: +(\\S+)"), NODE_UP);
        long tuned = System.nanoTime();
        String want = depth < 0 ? "\"receiving\":true" : "\"receiving\":true,\"depth\":" + depth;
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> h.status(ip + ":7144").contains(want) && number(h.status(ip + ":7144"), "chunksReceived") > 0);
        System.out.printf("%s plays %.1f s after tuning in%n", h.name, (System.nanoTime() - tuned) / 1e9);
    }


    /** A hole-punching counter of a node's status (its "punches" object). */
    private static long punches(String status, String field) {
        Matcher m = Pattern.compile("\"punches\":\\{[^}]*\"" + field + "\":(\\d+)").matcher(status);
        assertThat(m.find()).as("punches." + field + " in " + status).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** The node id {@code h}'s status gives for itself. */
    private static String nodeId(EmulatedInternet.Host h, String ip) throws Exception {
        Matcher m = Pattern.compile("\"id\":\"([0-9a-f]{40})\"").matcher(h.status(ip + ":7144"));
        assertThat(m.find()).isTrue();
        return m.group(1);
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
