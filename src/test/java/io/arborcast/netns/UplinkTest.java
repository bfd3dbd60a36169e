package io.arborcast.netns;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.arborcast.ExternalTools;
import io.arborcast.crypto.ChannelKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import static io.arborcast.netns.EmulatedInternet.arborcast;
import static io.arborcast.netns.EmulatedInternet.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A relay whose uplink is smaller than its configured slots assume, on an emulated internet:
 * its host's uplink capped by {@code tbf} to 2.8 Mbit/s, a 1 Mbit/s H.264 channel in MPEG-TS
 * from real ffmpeg, and three listeners that can only go below it (the source has one slot,
 * and the relay took it). The relay (default settings: 4 slots, no {@code tree.upload-kbps})
 * learns its uplink's rate from its own links' backlog, gives up a child (or loses one that
 * starved first and repaired elsewhere), offers no more than the two copies it feeds, and every
 * listener plays on with nothing skipped.
 */
class UplinkTest {
    private static final Duration NODE_UP = Duration.ofSeconds(30);

    @BeforeAll
    static void prerequisites() {
        ExternalTools.require("ffmpeg", "ffmpeg");
        ExternalTools.require("curl", "curl");
        ExternalTools.require("tc", "iproute2");
        String why = EmulatedInternet.unavailable();
        if (why != null) {
            ExternalTools.unavailable("network namespaces: " + why);
        }
    }

    /** The children the node's one channel feeds, from its status. */
    private static int children(String status) throws Exception {
        return new ObjectMapper().readTree(status).at("/channels/0/children").size();
    }

    private static String endpoint(int host) {
        return "198.18." + host + ".2:7144";
    }

    private static String cidr(int host) {
        return "198.18." + host + ".2/15";
    }

    @Test
    void aRelayOnACappedUplinkShedsTheChildItCannotFeedAndOffersOnlyWhatItFeeds() throws Exception {
        Path dir = Path.of("target", "netns", "uplink"); // kept after the run: every process's log
        EmulatedInternet.clean(dir);
        try (EmulatedInternet net = new EmulatedInternet(dir)) {
            EmulatedInternet.Host boot = net.host("h1", cidr(1));
            EmulatedInternet.Host pub = net.host("h2", cidr(2));
            EmulatedInternet.Host relay = net.host("h3", cidr(3));
            List<EmulatedInternet.Host> listeners = List.of(net.host("h4", cidr(4)), net.host("h5", cidr(5)),
                    net.host("h6", cidr(6)));
            relay.run(Duration.ofSeconds(10), "tc", "qdisc", "add", "dev", "eth0", "root", "tbf", "rate", "2800kbit",
                    "burst", "16kb", "latency", "100ms");
            ChannelKey key = ChannelKey.generate();
            String id = key.channelId().toHex();

            boot.start("node", arborcast("node"));
            boot.awaitLog("node", Pattern.compile("(listening on)"), NODE_UP);
            pub.start("node", EmulatedInternet.publisherWithOneSlot(dir, key, "Capped TV", endpoint(1)));
            String sourceUrl = pub.awaitLog("node", Pattern.compile("source: +(\\S+)"), NODE_UP);
            pub.start("ffmpeg", "ffmpeg", "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i",
                    "testsrc2=size=640x360:rate=25", "-t", "120", "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "1000k",
                    "-maxrate", "1000k", "-bufsize", "500k", "-g", "25", "-f", "mpegts", "-content_type", "video/mp2t",
                    sourceUrl);
            await().atMost(NODE_UP).until(() -> pub.status(endpoint(2)).contains("\"receiving\":true"));

            relay.start("node", arborcast("play", id, "--bootstrap", endpoint(1)));
            await().atMost(NODE_UP).until(() -> relay.status(endpoint(3)).contains("\"receiving\":true,\"depth\":1"));
            for (int i = 0; i < listeners.size(); i++) {
                EmulatedInternet.Host l = listeners.get(i);
                l.start("node", arborcast("play", id, "--bootstrap", endpoint(1)));
                String at = endpoint(4 + i);
                await().atMost(NODE_UP).until(() -> l.status(at).contains("\"receiving\":true,\"depth\":2"));
            }
            assertThat(number(relay.status(endpoint(3)), "relaySlots")).as("all four offered at first").isEqualTo(4);

            // three copies of ~1.05 Mbit/s do not fit 2.8 Mbit/s: the relay's backlog grows until it
            // gives a child up, unless a child starved first (TCP's retransmission backoff on the
            // full link can silence one flow for over a second) counts it lost and repairs elsewhere
            // (which may climb back while the relay has not yet measured its uplink, and starve
            // again); on a loaded machine both may happen, and the relay keeps one child
            await().atMost(Duration.ofSeconds(45)).until(() -> {
                String st = relay.status(endpoint(3));
                return children(st) <= 2 && number(st, "uplinkKbps") > 0;
            });
            String s = relay.status(endpoint(3));
            // what left in the full periods so far, never less than the copy it takes in; a reading
            // of the first one or two periods swings with what the sockets' buffers took (seen
            // 1,523-3,143 kbit/s with a CPU hog beside the test, 3,344 once on the CI runner:
            // a loaded event loop refills its sockets late, then in a burst), so the cap is
            // checked once the run of full periods has ended
            assertThat(number(s, "uplinkKbps")).as("measured from what left").isGreaterThan(number(s, "kbpsIn"));
            assertThat(number(s, "relaySlots")).as("no more than the copies it feeds").isBetween(1L, 2L);

            // the listeners it lost fed below another; after 10 s nobody skipped anything
            await().pollDelay(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(30)).until(() -> {
                for (int i = 0; i < listeners.size(); i++) {
                    if (!listeners.get(i).status(endpoint(4 + i)).contains("\"receiving\":true")) {
                        return false;
                    }
                }
                return true;
            });
            s = relay.status(endpoint(3));
            // the mean over the run of full periods: under the 2.8 Mbit/s cap less TCP/IP headers
            // (2,595 and 2,818 alone on a quiet machine, 2,443 and 2,575 with a CPU hog beside it: buffers again), lower
            // on a loaded machine, where the relay's event loop does not always refill its 32 KiB
            // socket buffers within their ~90 ms at this rate (1,737 on a loaded 2-core CI runner)
            assertThat(number(s, "uplinkKbps")).as("measured from what left: " + s)
                    .isGreaterThan(number(s, "kbpsIn")).isLessThan(3_300L);
            assertThat(children(s)).as("the ones it feeds: none of the others came back: " + s).isBetween(1, 2);
            // 2 slots from a measured 2.5-2.6 Mbit/s; 1 from the lower readings of a loaded machine
            assertThat(number(s, "relaySlots")).as("offered after: " + s).isBetween(1L, 2L);
            assertThat(number(s, "childrenShed")).as("one shed at most").isLessThanOrEqualTo(1);
            for (int i = 0; i < listeners.size(); i++) {
                String ls = listeners.get(i).status(endpoint(4 + i));
                assertThat(number(ls, "skipped")).as(listeners.get(i).name + " skipped").isZero();
            }
        }
    }
}
