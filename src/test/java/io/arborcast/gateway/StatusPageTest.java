package io.arborcast.gateway;

import io.arborcast.ExternalTools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.net.NetConfig;
import io.arborcast.core.ChannelInfo;
import io.arborcast.node.LocalChannel;
import io.arborcast.node.Node;
import io.arborcast.node.NodeConfig;
import org.jsoup.Jsoup;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The status page and {@code /api/status} of real nodes in a chain source → relay → listener,
 * the page rendered by headless Chromium (Debian's {@code chromium}, installed by .ci/run).
 */
class StatusPageTest {
    /** A name a malicious publisher might choose: must show as text, never become markup. */
    private static final String NAME = "Night <img src=x onerror=alert(1)> radio";
    private final List<Node> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ScheduledExecutorService feeder = Executors.newSingleThreadScheduledExecutor();
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path tmp;

    @AfterEach
    void stop() {
        feeder.shutdownNow();
        nodes.forEach(Node::close);
    }

    private Node node(int relaySlots) throws InterruptedException {
        NodeConfig d = NodeConfig.defaults();
        Node n = Node.start(new NodeConfig(NetConfig.loopback(0), d.dht(), d.gossip(), d.tree().withRelays(relaySlots),
                1, d.chunkMillis(), d.maxChunkBytes()));
        new HttpGateway(n, new GatewayConfig(5, 16_000, false, 2 * 1024 * 1024, 8_192, 1024 * 1024, -1, 10_000)).install();
        nodes.add(n);
        return n;
    }

    private JsonNode status(Node n) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + n.address().endpoint()
                + "/api/status")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        return json.readTree(r.body());
    }

    /** Source (one slot) → relay (one slot) → pure listener, streaming 128 kbit/s. */
    private record Chain(Node source, Node relay, Node listener) {
    }

    private Chain chain(ChannelKey key) throws Exception {
        Node source = node(0);
        Node relay = node(1);
        Node listener = node(0);
        LocalChannel published = source.publish(key, NAME, "application/octet-stream", 128).get(10, TimeUnit.SECONDS);
        feeder.scheduleAtFixedRate(() -> {
            byte[] b = new byte[1_600];
            source.execute(() -> published.write(b, 0, b.length));
        }, 0, 100, TimeUnit.MILLISECONDS);
        tuneIn(relay, source, key); // first, so the listener finds the source full and goes below it
        tuneIn(listener, source, key);
        return new Chain(source, relay, listener);
    }

    /** {@code n} joins the DHT through {@code bootstrap} and tunes in until it receives. */
    private void tuneIn(Node n, Node bootstrap, ChannelKey key) throws Exception {
        assertThat(n.join(bootstrap.address()).get(10, TimeUnit.SECONDS).ok()).isTrue();
        n.tune(key.channelId()).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(15)).until(() -> status(n).at("/channels/0/receiving").asBoolean());
    }

    @Test
    void apiStatusDescribesTheTreeAroundEachNode() throws Exception {
        ChannelKey key = ChannelKey.generate();
        Chain chain = chain(key);
        Node source = chain.source();
        Node relay = chain.relay();
        Node listener = chain.listener();

        JsonNode r = status(relay).at("/channels/0");
        assertThat(r.get("id").asText()).isEqualTo(key.channelId().toHex());
        assertThat(r.get("name").asText()).isEqualTo(NAME);
        assertThat(r.get("role").asText()).isEqualTo("listener");
        assertThat(r.get("depth").asInt()).isEqualTo(1);
        assertThat(r.at("/parent/address").asText()).isEqualTo(source.address().endpoint());
        assertThat(r.at("/children/0/address").asText()).isEqualTo(listener.address().endpoint());
        assertThat(r.get("playUrl").asText()).isEqualTo("/stream/" + key.channelId().toHex());
        // the tree from the source down: source → relay (this node) → listener
        JsonNode tree = r.get("tree");
        assertThat(tree.get("address").asText()).isEqualTo(source.address().endpoint());
        assertThat(tree.at("/children/0/self").asBoolean()).isTrue();
        assertThat(tree.at("/children/0/children/0/address").asText()).isEqualTo(listener.address().endpoint());
        await().atMost(Duration.ofSeconds(10)).until(() -> status(relay).at("/channels/0/kbpsIn").isNumber());
        assertThat(status(relay).at("/channels/0/kbpsIn").asDouble()).isBetween(80.0, 200.0);
        assertThat(status(relay).at("/channels/0/continuity").asDouble()).isEqualTo(1.0);
        assertThat(status(listener).at("/channels/0/startupMs").asLong()).isBetween(1L, 15_000L);
        // two hops below the source on loopback: the source's time came down the tree; chunks are
        // handed to players within a few ms of their cut (every clock here starts elsewhere)
        await().atMost(Duration.ofSeconds(10)).until(() -> status(listener).at("/channels/0/lagMs").isNumber());
        JsonNode l = status(listener).at("/channels/0");
        assertThat(l.get("lagMs").asLong()).isBetween(0L, 200L);
        assertThat(l.get("lagMsP95").asLong()).isBetween(l.get("lagMs").asLong(), 1_000L);
        // the floor is half round trips summed: on loopback a few ms, at times above a lag of 0-2 ms
        assertThat(l.get("lagFloorMs").asLong()).isBetween(0L, 100L);
        assertThat(status(source).at("/channels/0/lagMs").isNull()).as("the source is not behind itself").isTrue();

        // the source learns the grandchild from the relay's subtree report (sent every 5 s)
        await().atMost(Duration.ofSeconds(15)).until(() ->
                status(source).at("/channels/0/tree/children/0/children/0/address").asText()
                        .equals(listener.address().endpoint()));
        JsonNode s = status(source);
        assertThat(s.at("/channels/0/role").asText()).isEqualTo("source");
        assertThat(s.at("/channels/0/tree/self").asBoolean()).isTrue();
        assertThat(s.at("/node/dhtContacts").asInt()).isEqualTo(2);
        assertThat(s.at("/node/networkSizeEstimate").asLong()).isEqualTo(3); // fewer than k known: everyone

        // the source gone: the relay has no parent, and shows no stream figures (not 100 % of nothing)
        source.closeAbruptly();
        await().atMost(Duration.ofSeconds(10)).until(() -> !status(relay).at("/channels/0/receiving").asBoolean());
        JsonNode gone = status(relay).at("/channels/0");
        assertThat(gone.get("continuity").isNull()).isTrue();
        assertThat(gone.get("buffer").isNull()).isTrue();
        assertThat(gone.get("parentLosses").asLong()).isEqualTo(1);
    }

    @Test
    void chromiumShowsTheChannelItsTreeAndAPlayButton() throws Exception {
        ExternalTools.require("chromium", "chromium");
        ChannelKey key = ChannelKey.generate();
        Chain chain = chain(key);
        Node source = chain.source();
        Node relay = chain.relay();
        Node listener = chain.listener();
        await().atMost(Duration.ofSeconds(10)).until(() -> status(relay).at("/channels/0/kbpsIn").isNumber());

        Document page = Chromium.render("http://" + relay.address().endpoint() + "/", tmp);
        assertThat(page.title()).startsWith("Arborcast node " + relay.address().id().toHex().substring(0, 8));
        Element card = page.selectFirst("section.channel");
        assertThat(card).as("a card for the channel in%n%s", page.outerHtml()).isNotNull();
        assertThat(card.attr("data-channel")).isEqualTo(key.channelId().toHex());
        // the publisher's name is text, not markup
        assertThat(card.selectFirst("h2").text()).startsWith(NAME);
        assertThat(card.select("img")).isEmpty();
        assertThat(card.selectFirst(".role").text()).isEqualTo("listener");
        // the play button: an audio element on the channel's stream
        assertThat(card.selectFirst("audio").attr("src")).isEqualTo("/stream/" + key.channelId().toHex());
        assertThat(stat(card, "Receiving")).isEqualTo("yes");
        assertThat(stat(card, "Depth")).isEqualTo("1");
        assertThat(stat(card, "Bitrate in")).matches("\\d+ kbit/s");
        assertThat(stat(card, "Continuity")).isEqualTo("100.000 %");
        // the tree is drawn as nested lists: source, then this node, then its child
        Element root = card.selectFirst("ul.tree > li");
        assertThat(root.selectFirst("a.peer").text()).contains(source.address().endpoint());
        assertThat(root.selectFirst("a.peer").hasClass("root")).isTrue();
        Element self = root.selectFirst("> ul > li");
        assertThat(self.selectFirst("a.peer").hasClass("self")).isTrue();
        assertThat(self.selectFirst("a.peer").text()).contains(relay.address().endpoint());
        Element child = self.selectFirst("> ul > li > a.peer");
        assertThat(child.text()).contains(listener.address().endpoint());
        assertThat(child.attr("href")).isEqualTo("http://" + listener.address().endpoint() + "/");
        assertThat(page.getElementById("error").attr("style")).contains("display: none");
        assertThat(page.getElementById("node-facts").text()).contains("DHT: 2 contacts");

        // the bytes behind the play button are the stream
        HttpResponse<java.io.InputStream> audio = http.send(HttpRequest.newBuilder(URI.create("http://"
                + relay.address().endpoint() + "/stream/" + key.channelId().toHex())).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.InputStream in = audio.body()) {
            assertThat(audio.statusCode()).isEqualTo(200);
            assertThat(in.readNBytes(1_600)).hasSize(1_600);
        }
    }

    /**
     * The directory view: every node's page lists what the DHT lists as live, each with a play
     * button on the channel's stream; the listing's words (anyone's) stay text, and a URL that is
     * no web page is not made a link. {@code /api/directory} gives the same as JSON, by genre.
     * Then Chromium, driven through its chromedriver, clicks the row's play button: the
     * {@code <audio>} element plays the channel (a real MP3 stream from ffmpeg), its
     * {@code currentTime} advancing.
     */
    @Test
    void chromiumShowsTheDirectoryAndItsPlayButtonPlaysAChannel() throws Exception {
        ExternalTools.require("chromium", "chromium");
        ExternalTools.require("chromedriver", "chromium-driver");
        ChannelKey key = ChannelKey.generate();
        Node source = node(2);
        Node viewer = node(2);
        assertThat(viewer.join(source.address()).get(10, TimeUnit.SECONDS).ok()).isTrue();
        LocalChannel c = source.publish(key, NAME, "audio/mpeg", 128, false, ChannelInfo.of("Jazz",
                "<b>late</b> standards", "javascript:alert(1)")).get(10, TimeUnit.SECONDS);
        AtomicBoolean feedHeld = feedInRealTime(source, c, mp3Sine(120), 16_000);
        String id = key.channelId().toHex();
        await().atMost(Duration.ofSeconds(15)).until(() -> get(viewer, "/api/directory").contains(id));
        JsonNode listed = json.readTree(get(viewer, "/api/directory?genre=JAZZ")).get(0);
        assertThat(listed.get("name").asText()).isEqualTo(NAME);
        assertThat(listed.get("genre").asText()).isEqualTo("Jazz");
        assertThat(listed.get("listeners").asInt()).isZero();
        assertThat(listed.get("playUrl").asText()).isEqualTo("/stream/" + id);
        assertThat(get(viewer, "/api/directory?genre=rock")).isEqualTo("[]");

        Document page = Chromium.render("http://" + viewer.address().endpoint() + "/", tmp);
        Element row = page.selectFirst("#directory tr[data-channel=" + id + "]");
        assertThat(row).as("a row for the channel in%n%s", page.outerHtml()).isNotNull();
        assertThat(row.text()).contains(NAME, "<b>late</b> standards", "Jazz", "128 kbit/s");
        assertThat(row.select("img, b b, a")).as("text only, and no javascript: link").isEmpty();
        assertThat(row.selectFirst("audio").attr("src")).isEqualTo("/stream/" + id);

        try (Browser b = Browser.start(tmp)) {
            WebElement player = b.open(viewer, "#directory tr[data-channel='" + id + "'] audio");
            assertThat(b.js("return arguments[0].paused", player)).isEqualTo(true);
            // the play button of the element's own controls, at its left end
            b.clickPlaysPastTwoSeconds(player, -player.getSize().getWidth() / 2 + 16, 0);
            assertThat(b.js("return arguments[0].paused", player)).isEqualTo(false);

            // The page's player catches up: the source stalls for 6 s, then the bytes held come at
            // once; the player, which stalled too, is that much behind (well above its target,
            // which the stall grew by at most 1 s) and plays 10% faster until it is back at its
            // target, about a minute later.
            feedHeld.set(true);
            b.waitSeconds(6);
            feedHeld.set(false);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() ->
                    ((Number) b.js("return arguments[0].playbackRate", player)).doubleValue() > 1.05);
            String position = "return [arguments[0].currentTime, performance.now() / 1000, arguments[0].dataset.held]";
            List<?> from = (List<?>) b.js(position, player);
            b.waitSeconds(8);
            List<?> to = (List<?>) b.js(position, player);
            double played = ((Number) to.get(0)).doubleValue() - ((Number) from.get(0)).doubleValue();
            double wall = ((Number) to.get(1)).doubleValue() - ((Number) from.get(1)).doubleValue();
            // (what it holds in its buffer stays about the same meanwhile: Chromium reads only so
            // far ahead of the play position, the rest of the backlog waits in its network buffer)
            assertThat(played / wall).as("media seconds a second, held %s -> %s s", from.get(2), to.get(2))
                    .isBetween(1.05, 1.12);
        }
    }

    /**
     * A video channel on the status page, WebM (VP9 + Opus, which Chromium plays itself), FLV and
     * MPEG-TS (H.264 + AAC, played through mpegts.js, which the node serves): its card has a
     * {@code <video>} element, and a click on its play button plays it in Chromium (currentTime
     * advancing, no error).
     */
    @ParameterizedTest
    @CsvSource({"video/webm, webm, libvpx-vp9 -deadline realtime -cpu-used 8, libopus",
                "video/x-flv, flv, libx264 -preset ultrafast, aac",
                "video/mp2t, mpegts, libx264 -preset ultrafast, aac"})
    void chromiumPlaysAVideoChannelOnTheStatusPage(String contentType, String format, String video, String audio)
            throws Exception {
        ExternalTools.require("chromium", "chromium");
        ExternalTools.require("chromedriver", "chromium-driver");
        ChannelKey key = ChannelKey.generate();
        Node source = node(2);
        LocalChannel c = source.publish(key, "Test card", contentType, 700).get(10, TimeUnit.SECONDS);
        int seconds = 40;
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi",
                "-i", "sine=frequency=440:sample_rate=48000", "-t", Integer.toString(seconds), "-c:v"));
        args.addAll(List.of(video.split(" ")));
        args.addAll(List.of("-b:v", "600k", "-g", "25", "-c:a", audio, "-b:a", "64k", "-f", format));
        byte[] stream = encode(args.toArray(String[]::new));
        feedInRealTime(source, c, stream, stream.length / seconds);
        String id = key.channelId().toHex();
        try (Browser b = Browser.start(tmp)) {
            WebElement player = b.open(source, "section.channel[data-channel='" + id + "'] video");
            boolean mse = !format.equals("webm");
            assertThat(player.getAttribute(mse ? "data-stream" : "src")).endsWith("/stream/" + id);
            // the play button of the element's own controls: at the left of the row above the
            // timeline (24 px in, 49 px up from the bottom)
            b.clickPlaysPastTwoSeconds(player, -player.getSize().getWidth() / 2 + 24,
                    player.getSize().getHeight() / 2 - 49);
            assertThat(b.js("return arguments[0].videoWidth", player)).isEqualTo(320L);
            assertThat(b.js("return arguments[0].error", player)).isNull();
            if (mse) {
                assertThat((String) b.js("return arguments[0].src", player)).as("fed by Media Source Extensions")
                        .startsWith("blob:");
            }
        }
    }

    /** What the real ffmpeg writes to its stdout with {@code args} (before "pipe:1"). */
    private static byte[] encode(String... args) throws Exception {
        ExternalTools.require("ffmpeg", "ffmpeg");
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error"));
        cmd.addAll(List.of(args));
        cmd.add("pipe:1");
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0).as("ffmpeg encoded").isTrue();
        return out;
    }

    /** {@code seconds} of a 440 Hz sine as a 128 kbit/s MP3 stream, made by the real ffmpeg. */
    private static byte[] mp3Sine(int seconds) throws Exception {
        return encode("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", Integer.toString(seconds),
                "-c:a", "libmp3lame", "-b:a", "128k", "-f", "mp3");
    }

    /** Writes {@code data} into {@code c} at {@code bytesPerSecond}, a tenth of a second at a time. */
    /**
     * Writes {@code data} to {@code c} at {@code bytesPerSecond}, every 100 ms; while the returned
     * flag is set nothing is written, and what fell due meanwhile goes in one burst after it (a
     * source's stall, the way a repair's gap fill reaches a player).
     */
    private AtomicBoolean feedInRealTime(Node n, LocalChannel c, byte[] data, int bytesPerSecond) {
        AtomicBoolean held = new AtomicBoolean();
        long start = System.nanoTime();
        int[] at = {0};
        feeder.scheduleAtFixedRate(() -> {
            if (held.get()) {
                return;
            }
            int off = at[0];
            long due = (System.nanoTime() - start) / 1_000_000 * bytesPerSecond / 1_000;
            int len = (int) Math.min(due - off, data.length - off);
            if (len > 0) {
                n.execute(() -> c.write(data, off, len));
                at[0] += len;
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
        return held;
    }

    /** Debian's chromium, headless, driven by its chromedriver (no driver is downloaded). */
    private record Browser(ChromeDriver driver) implements AutoCloseable {
        static Browser start(Path tmp) {
            ChromeOptions o = new ChromeOptions().setBinary("/usr/bin/chromium").addArguments("--headless=new",
                    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + tmp.resolve("chromedriver-profile"));
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).usingAnyFreePort()
                    .withLogFile(tmp.resolve("chromedriver.log").toFile()).build();
            return new Browser(new ChromeDriver(service, o));
        }

        Object js(String script, Object... args) {
            return driver.executeScript(script, args);
        }

        /** {@code n}'s status page, and the element {@code css} selects there once the page shows it. */
        WebElement open(Node n, String css) {
            driver.get("http://" + n.address().endpoint() + "/");
            await().atMost(Duration.ofSeconds(20)).until(() -> !driver.findElements(By.cssSelector(css)).isEmpty());
            return driver.findElement(By.cssSelector(css));
        }

        /**
         * Points at the media element {@code player} (its controls show), clicks {@code (dx, dy)}
         * from its middle, and waits for its currentTime to pass 2 s.
         */
        void clickPlaysPastTwoSeconds(WebElement player, int dx, int dy) {
            new Actions(driver).moveToElement(player).pause(Duration.ofMillis(500)).moveToElement(player, dx, dy)
                    .pause(Duration.ofMillis(300)).click().perform();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                    assertThat(((Number) js("return arguments[0].currentTime", player)).doubleValue())
                            .as("currentTime of %s; %s", player.getTagName(), js("const v = arguments[0]; return "
                                    + "'paused ' + v.paused + ', readyState ' + v.readyState + ', networkState ' "
                                    + "+ v.networkState + ', error ' + (v.error && v.error.message)", player))
                            .isGreaterThan(2.0));
        }

        /** Lets {@code seconds} pass (the page plays on meanwhile). */
        void waitSeconds(int seconds) {
            long until = System.nanoTime() + seconds * 1_000_000_000L;
            await().atMost(Duration.ofSeconds(seconds + 5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> System.nanoTime() >= until);
        }

        @Override
        public void close() {
            driver.quit();
        }
    }

    private String get(Node n, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + n.address().endpoint() + path))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static String stat(Element card, String label) {
        for (Element s : card.select(".stat")) {
            Element b = s.selectFirst("b");
            if (b.text().equalsIgnoreCase(label)) {
                return s.ownText().trim();
            }
        }
        throw new AssertionError("no stat " + label + " in " + card.outerHtml());
    }

    /** Headless Chromium: loads a page, runs its script, and returns the DOM it shows. */
    static final class Chromium {
        static Document render(String url, Path tmp) throws Exception {
            Process p = new ProcessBuilder("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--user-data-dir=" + tmp.resolve("chromium-profile"),
                    "--virtual-time-budget=5000", "--dump-dom", url)
                    .redirectError(tmp.resolve("chromium.log").toFile()).start();
            byte[] dom = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
            assertThat(p.exitValue()).as("chromium exit status").isZero();
            return Jsoup.parse(new String(dom, StandardCharsets.UTF_8), url);
        }
    }
}
