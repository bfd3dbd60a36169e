package io.arborcast.netns;

import io.arborcast.ExternalTools;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.wire.WireSamples;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static io.arborcast.netns.EmulatedInternet.arborcast;
import static io.arborcast.netns.EmulatedInternet.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real node processes and real ffmpeg on an emulated internet of four public hosts (network
 * namespaces on one bridge), with default settings: no {@code --bind}, no {@code --advertise}.
 * A bootstrap, a publisher with one source slot, and two listeners, the second forced below the
 * first; both play the source's bytes exactly; {@code kill -9} of the relaying listener and the
 * other repairs in under 2 s with no chunk skipped; no node ever names 127.0.0.1 or dials
 * itself. Run on IPv4, IPv6 only, and dual stack. Needs root (CI is); skipped elsewhere, except
 * under {@code CI=true}, where a missing prerequisite fails.
 */
class RealNetworkTest {
    private static final Duration NODE_UP = Duration.ofSeconds(30);

    /** The address plans: host i gets these addresses (one /24 or /64 each, all on one link). */
    enum Plan {
        IPV4("198.18.%d.2/15"), IPV6("2001:db8:%d::2/32"), DUAL("198.18.%d.2/15", "2001:db8:%d::2/32");

        final String[] cidrs;

        Plan(String... cidrs) {
            this.cidrs = cidrs;
        }

        String[] of(int host) {
            return java.util.Arrays.stream(cidrs).map(c -> String.format(c, host)).toArray(String[]::new);
        }

        /** {@code host:port} of host i in the plan's first family, as a user types it. */
        String endpoint(int host) {
            String ip = of(host)[0].replaceAll("/.*", "");
            return ip.contains(":") ? "[" + ip + "]:7144" : ip + ":7144";
        }
    }

    @BeforeAll
    static void prerequisites() {
        ExternalTools.require("ffmpeg", "ffmpeg");
        ExternalTools.require("curl", "curl");
        String why = EmulatedInternet.unavailable();
        if (why != null) {
            ExternalTools.unavailable("network namespaces: " + why);
        }
    }

    private static String awaitLine(EmulatedInternet.Host h, String label, Pattern pattern) {
        return h.awaitLog(label, pattern, NODE_UP);
    }



    @ParameterizedTest
    @EnumSource(Plan.class)
    void fourPublicHostsWithDefaultSettingsPlayRepairAndNeverNameLoopback(Plan plan) throws Exception {
        Path dir = Path.of("target", "netns", plan.name()); // kept after the run: every process's log
        EmulatedInternet.clean(dir);
        try (EmulatedInternet net = new EmulatedInternet(dir)) {
            EmulatedInternet.Host boot = net.host("h1", plan.of(1));
            EmulatedInternet.Host pub = net.host("h2", plan.of(2));
            EmulatedInternet.Host l1 = net.host("h3", plan.of(3));
            EmulatedInternet.Host l2 = net.host("h4", plan.of(4));
            ChannelKey key = ChannelKey.generate();
            String id = key.channelId().toHex();

            boot.start("node", arborcast("node"));
            awaitLine(boot, "node", Pattern.compile("(listening on)"));
            pub.start("node", EmulatedInternet.publisherWithOneSlot(dir, key, "Netns FM", plan.endpoint(1)));
            String sourceUrl = awaitLine(pub, "node", Pattern.compile("source: +(\\S+)"));
            String pubPlay = awaitLine(pub, "node", Pattern.compile("play: +(\\S+)"));
            assertThat(sourceUrl).isEqualTo("icecast://source:pw@" + plan.endpoint(2) + "/live");
            // the URLs as printed, with real clients: ffmpeg pushes to one, curl records the other
            pub.start("ffmpeg", "ffmpeg", "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i",
                    "sine=frequency=440:sample_rate=44100", "-t", "60", "-c:a", "libmp3lame", "-b:a", "128k", "-f", "mp3",
                    "-content_type", "audio/mpeg", sourceUrl);
            await().atMost(NODE_UP).until(() -> pub.status(plan.endpoint(2)).contains("\"kbpsIn\":1"));
            Process atSource = pub.start("curl", "curl", "-s", "-m", "40", "-o", dir.resolve("source.mp3").toString(),
                    pubPlay);

            l1.start("node", arborcast("play", id, "--bootstrap", plan.endpoint(1)));
            String l1Play = awaitLine(l1, "node", Pattern.compile("play: +(\\S+)"));
            await().atMost(NODE_UP).until(() -> l1.status(plan.endpoint(3)).contains("\"receiving\":true,\"depth\":1"));
            l2.start("node", arborcast("play", id, "--bootstrap", plan.endpoint(1)));
            String l2Play = awaitLine(l2, "node", Pattern.compile("play: +(\\S+)"));
            assertThat(l2Play).isEqualTo("http://" + plan.endpoint(4) + "/stream/" + id);
            await().atMost(NODE_UP).until(() -> l2.status(plan.endpoint(4)).contains("\"receiving\":true,\"depth\":2"));
            for (EmulatedInternet.Host h : List.of(pub, l1, l2)) { // learned, not configured: said at join
                String ip = plan.of(Integer.parseInt(h.name.substring(1)))[0].replaceAll("/.*", "");
                assertThat(EmulatedInternet.read(h.log("node")))
                        .containsPattern("joined via .*; address " + Pattern.quote(ip) + " \\(an interface address a peer saw us at\\)");
            }

            // both players decode, and record what they are served
            Process rec1 = l1.start("curl", "curl", "-s", "-m", "12", "-o", dir.resolve("l1.mp3").toString(), l1Play);
            Process rec2 = l2.start("curl", "curl", "-s", "-m", "14", "-o", dir.resolve("l2.mp3").toString(), l2Play);
            for (Map.Entry<EmulatedInternet.Host, String> e : Map.of(l1, l1Play, l2, l2Play).entrySet()) {
                String decoded = e.getKey().run(Duration.ofSeconds(20), "ffmpeg", "-nostdin", "-v", "error", "-t", "3",
                        "-i", e.getValue(), "-f", "null", "-");
                assertThat(decoded).as("ffmpeg decoding " + e.getValue()).isEmpty();
            }

            // kill -9 of the relaying listener: the one below it repairs at once, nothing skipped
            l1.firstProcess().destroyForcibly(); // SIGKILL: no goodbye to anyone
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                String s = l2.status(plan.endpoint(4));
                return s.contains("\"receiving\":true,\"depth\":1") && number(s, "repairs") >= 1;
            });
            String after = l2.status(plan.endpoint(4));
            assertThat(number(after, "lastRepairMs")).as("repair latency").isLessThan(2_000);
            assertThat(number(after, "skipped")).isZero();

            assertThat(rec1.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(rec2.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(atSource.waitFor(45, TimeUnit.SECONDS)).isTrue();
            byte[] source = Files.readAllBytes(dir.resolve("source.mp3"));
            byte[] heard2 = Files.readAllBytes(dir.resolve("l2.mp3"));
            byte[] heard1 = Files.readAllBytes(dir.resolve("l1.mp3"));
            assertThat(heard2.length).as("14 s at 128 kbit/s, across the repair").isGreaterThan(150_000);
            assertThat(heard1.length).isGreaterThan(32_000);
            assertThat(WireSamples.indexOf(source, heard2)).as("the second listener's bytes are a run of the source's")
                    .isGreaterThanOrEqualTo(0);
            assertThat(WireSamples.indexOf(source, heard1)).as("the first listener's bytes are a run of the source's")
                    .isGreaterThanOrEqualTo(0);

            // what the nodes say and store: never loopback, never a dial of themselves
            String providers = l1.run(Duration.ofSeconds(30), arborcast("channels", id, "--bootstrap", plan.endpoint(1)));
            assertThat(providers).contains(plan.endpoint(2).replace(":7144", "")).doesNotContain("127.0.0.1")
                    .doesNotContain("::1]");
            for (int i = 1; i <= 4; i++) {
                EmulatedInternet.Host h = List.of(boot, pub, l1, l2).get(i - 1);
                String log = EmulatedInternet.read(h.log("node"));
                assertThat(log).as(h.name + "'s log").doesNotContain("127.0.0.1").doesNotContain("[::1]")
                        .doesNotContain(" instead of ").doesNotContain("ourselves").doesNotContain("our own address");
                if (h != l1) {
                    String s = h.status(plan.endpoint(i));
                    assertThat(s).as(h.name + "'s status").doesNotContain("127.0.0.1").doesNotContain("[::1]");
                    assertThat(number(s, "selfDialsAvoided")).isZero();
                }
            }
        }
    }
}
