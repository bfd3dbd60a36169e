package io.arborcast.gateway;

import io.arborcast.ExternalTools;

import io.arborcast.core.NodeId;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.net.NetConfig;
import io.arborcast.node.LocalChannel;
import io.arborcast.node.Node;
import io.arborcast.node.NodeConfig;
import io.arborcast.wire.WireSamples;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Real clients against real nodes on 127.0.0.1: ffmpeg pushes to node A as an Icecast source,
 * node B (bootstrapped from A only) serves the channel, ffmpeg and curl play it from B.
 */
class GatewayEndToEndTest {
    private static final String PASSWORD = "s3cret";
    private static final long SOURCE_TIMEOUT = 3_000;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private Node a;
    private Node b;
    private ChannelKey key;
    private HttpGateway gatewayA;

    @BeforeEach
    void start() throws Exception {
        ExternalTools.require("ffmpeg", "ffmpeg");
        ExternalTools.require("curl", "curl");
        a = node();
        b = node();
        assertThat(b.join(a.address()).get(10, TimeUnit.SECONDS).ok()).isTrue();
        key = ChannelKey.generate();
        GatewayConfig config = new GatewayConfig(2, 8_192, true, 2 * 1024 * 1024, 8_192, 1024 * 1024, -1, SOURCE_TIMEOUT);
        gatewayA = new HttpGateway(a, config).install();
        gatewayA.addMount("/live", key, "e2e test", PASSWORD);
        new HttpGateway(b, config).install();
    }

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        nodes.forEach(Node::close);
    }

    private Node node() throws InterruptedException {
        NodeConfig d = NodeConfig.defaults();
        Node n = Node.start(new NodeConfig(NetConfig.loopback(0), d.dht().withRpcTimeoutMillis(500), d.gossip(),
                d.tree(), d.sourceSlots(), d.chunkMillis(), d.maxChunkBytes()));
        nodes.add(n);
        return n;
    }

    private Process ffmpeg(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-v", "error"));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        return p;
    }

    /** ffmpeg decodes {@code seconds} of {@code url}: exit 0, not a word of complaint. */
    private void assertDecodes(String url, int seconds) throws Exception {
        Process decode = ffmpeg("-t", String.valueOf(seconds), "-i", url, "-f", "null", "-");
        assertThat(decode.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(decode.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
        assertThat(decode.exitValue()).isZero();
    }

    /**
     * As {@link #assertDecodes}, for a 25 fps video with a keyframe a second: the {@code seconds}
     * decoded hold the source's frames over that interval, within one GOP (none lost on the way).
     */
    private void assertDecodesVideo(String url, int seconds) throws Exception {
        Path errors = Files.createTempFile("ffmpeg", ".log");
        try {
            Process decode = new ProcessBuilder("ffmpeg", "-nostdin", "-v", "error", "-t", String.valueOf(seconds), "-i",
                    url, "-map", "0:v:0", "-f", "null", "-", "-progress", "pipe:1")
                    .redirectError(errors.toFile()).start();
            processes.add(decode);
            String progress = new String(decode.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(decode.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(errors)).isEmpty();
            assertThat(decode.exitValue()).isZero();
            Matcher m = Pattern.compile("(?m)^frame=(\\d+)$").matcher(progress);
            long frames = -1;
            while (m.find()) {
                frames = Long.parseLong(m.group(1));
            }
            assertThat(frames).as("frames in " + seconds + " s of " + url).isBetween(25L * seconds - 25, 25L * seconds + 25);
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    private String url(Node n, String path) {
        return "http://" + n.address().endpoint() + path;
    }

    private void pushSine(String codec, String format, String contentType, int seconds) throws IOException {
        ffmpeg("-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", String.valueOf(seconds),
                "-c:a", codec, "-b:a", "128k", "-f", format, "-content_type", contentType,
                "icecast://source:" + PASSWORD + "@" + a.address().endpoint() + "/live");
    }

    /** What node A's channel took in from the source client, captured as it arrives. */
    private ByteArrayOutputStream captureSourceBytes() throws Exception {
        NodeId id = key.channelId();
        await().atMost(Duration.ofSeconds(15)).until(() -> onLoop(a, () -> a.channel(id)) != null);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        LocalChannel c = onLoop(a, () -> a.channel(id));
        a.execute(() -> {
            if (c.head() != null) {
                all.writeBytes(c.head().payload());
            }
            c.addPlayer(chunk -> {
                synchronized (all) {
                    all.writeBytes(chunk.payload());
                }
            });
        });
        return all;
    }

    private static <T> T onLoop(Node n, java.util.function.Supplier<T> f) throws Exception {
        CompletableFuture<T> out = new CompletableFuture<>();
        n.execute(() -> out.complete(f.get()));
        return out.get(5, TimeUnit.SECONDS);
    }

    /** What arrives on {@code s} within {@code millis} (or until it closes). */
    private static byte[] readFor(Socket s, long millis) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long end = System.nanoTime() + millis * 1_000_000;
        byte[] buf = new byte[8192];
        InputStream in = s.getInputStream();
        while (System.nanoTime() < end) {
            s.setSoTimeout((int) Math.max(1, Math.min(200, (end - System.nanoTime()) / 1_000_000)));
            int n;
            try {
                n = in.read(buf);
            } catch (java.net.SocketTimeoutException quiet) {
                continue;
            }
            if (n < 0) {
                break;
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    @Test
    void mp3PushedToOneNodePlaysFromAnotherByteForByte() throws Exception {
        pushSine("libmp3lame", "mp3", "audio/mpeg", 14);
        ByteArrayOutputStream atSource = captureSourceBytes();
        String stream = url(b, "/stream/" + key.channelId().toHex() + ".mp3");
        assertDecodes(stream, 4);

        // the bytes B serves are a run of the bytes A took in, starting on a chunk (frame) boundary
        Process curl = new ProcessBuilder("curl", "-s", "-m", "4", stream).start();
        processes.add(curl);
        byte[] served = curl.getInputStream().readAllBytes();
        assertThat(served.length).isGreaterThan(16_000 * 2); // 2 s of 128 kbit/s at least
        byte[] source;
        synchronized (atSource) {
            source = atSource.toByteArray();
        }
        assertThat(WireSamples.indexOf(source, served)).as("served bytes appear, in order and whole, in the source's")
                .isGreaterThanOrEqualTo(0);
        assertThat(served[0] & 0xff).as("starts on an MP3 frame sync").isEqualTo(0xff);

        // playlists of a channel the node carries name it
        Path out = Files.createTempFile("arborcast", ".txt");
        assertThat(curlStatus(out, url(b, "/pls/" + key.channelId().toHex() + ".pls"))).isEqualTo(200);
        assertThat(Files.readString(out)).contains("File1=" + stream.replace(".mp3", "")).contains("Title1=e2e test\n");
        assertThat(curlStatus(out, url(b, "/m3u/" + key.channelId().toHex() + ".m3u"))).isEqualTo(200);
        assertThat(Files.readString(out)).contains("#EXTINF:-1,e2e test\n");
    }

    @Test
    void oggListenerTenSecondsLateStillGetsTheHeadAndDecodes() throws Exception {
        pushSine("libvorbis", "ogg", "audio/ogg", 20);
        captureSourceBytes();
        String stream = url(b, "/stream/" + key.channelId().toHex() + ".ogg");
        // first listener early (B joins the tree), the second 10 s into the stream
        assertDecodes(stream, 2);
        await().pollDelay(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(9)).until(() -> true);
        assertDecodes(stream, 3);
    }

    /**
     * Video pushed over {@code icecast://} (VP9 + Opus in WebM, H.264 + AAC in MPEG-TS and FLV) or
     * over RTMP as OBS does (H.264 + AAC, the stream key the mount's password): a player that
     * connects 10 s into the stream, on node B or on the publisher itself, gets the head and then
     * the stream from a keyframe, and decodes from its first byte without an error.
     */
    @ParameterizedTest
    @CsvSource({"webm, video/webm, libvpx-vp9 -deadline realtime -cpu-used 8, libopus, icecast",
                "mpegts, video/mp2t, libx264 -preset ultrafast, aac, icecast",
                "flv, video/x-flv, libx264 -preset ultrafast, aac, icecast",
                "flv, video/x-flv, libx264 -preset ultrafast, aac, rtmp"})
    void videoPlayerTenSecondsLateDecodesFromItsFirstByte(String format, String contentType, String video,
                                                          String audio, String via) throws Exception {
        List<String> args = new ArrayList<>(List.of("-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f",
                "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "24", "-c:v"));
        args.addAll(List.of(video.split(" ")));
        args.addAll(List.of("-b:v", "600k", "-g", "25", "-c:a", audio, "-b:a", "64k", "-f", format));
        args.addAll(via.equals("rtmp") ? List.of("rtmp://" + a.address().endpoint() + "/live/" + PASSWORD)
                : List.of("-content_type", contentType, "icecast://source:" + PASSWORD + "@" + a.address().endpoint()
                + "/live"));
        ffmpeg(args.toArray(String[]::new));
        await().atMost(Duration.ofSeconds(10)).until(() -> onLoop(a, () -> a.channel(key.channelId())) != null);
        if (via.equals("rtmp")) { // the bitrate ffmpeg's onMetaData gives (kbit/s of 1,024 bits), not a default
            assertThat(onLoop(a, () -> a.channel(key.channelId()).record().bitrateKbps())).isBetween(640, 670);
        }
        String path = "/stream/" + key.channelId().toHex() + "." + (format.equals("mpegts") ? "ts" : format);
        assertDecodesVideo(url(b, path), 2); // B joins the tree
        await().pollDelay(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(9)).until(() -> true);
        assertDecodesVideo(url(b, path), 4);
        assertDecodesVideo(url(a, path), 3);
    }

    /**
     * A WebM source whose bytes after a valid head are no Matroska (an ID no element starts
     * with) is disconnected with the reason, well before it has sent its body, and none of its
     * bytes reach a listener: no head (it ends where the first cluster starts), no chunk.
     */
    @Test
    void aMalformedWebmSourceIsDisconnectedAndNothingOfItIsPlayed() throws Exception {
        Process encode = ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "1", "-c:v", "libvpx-vp9",
                "-deadline", "realtime", "-cpu-used", "8", "-f", "webm", "pipe:1");
        byte[] webm = encode.getInputStream().readAllBytes();
        assertThat(encode.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int head = io.arborcast.stream.Matroska.headLength(webm, webm.length);
        byte[] bad = new byte[head + 2_000_000];
        System.arraycopy(webm, 0, bad, 0, head);
        new java.util.Random(5).nextBytes(bad);
        System.arraycopy(webm, 0, bad, 0, head);
        bad[head] = 0x00; // no element ID starts with a zero byte
        Path body = Files.createTempFile("arborcast", ".webm");
        Files.write(body, bad);
        long start = System.nanoTime();
        Process push = new ProcessBuilder("curl", "-s", "-X", "PUT", "-u", "source:" + PASSWORD, "-H",
                "Content-Type: video/webm", "--limit-rate", "100k", "--data-binary", "@" + body, url(a, "/live"))
                .start();
        processes.add(push);
        assertThat(push.waitFor(10, TimeUnit.SECONDS)).as("disconnected long before its 20 s of body").isTrue();
        LocalChannel c = onLoop(a, () -> a.channel(key.channelId()));
        assertThat(c).isNotNull();
        assertThat(onLoop(a, c::head)).as("the head is not complete before a cluster starts").isNull();
        assertThat(onLoop(a, () -> c.peer().tree().buffer().held())).as("chunks cut of its bytes").isZero();
        System.out.printf("malformed WebM source disconnected after %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    @Test
    void icyMetadataOnAnotherNodeCarriesTheTitleSetAtTheSource() throws Exception {
        pushSine("libmp3lame", "mp3", "audio/mpeg", 12);
        captureSourceBytes();
        Process set = new ProcessBuilder("curl", "-s", "-u", "source:" + PASSWORD,
                url(a, "/admin/metadata?mode=updinfo&mount=/live&song=Hello%20World")).start();
        processes.add(set);
        assertThat(new String(set.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("successful");
        Path out = Files.createTempFile("arborcast", ".txt");
        assertThat(curlStatus(out, url(a, "/admin.cgi?pass=wrong&mode=updinfo&song=Nope"))).isEqualTo(401);
        assertThat(curlStatus(out, url(a, "/admin.cgi?pass=" + PASSWORD + "&mode=updinfo&song=Hello%20World")))
                .as("SHOUTcast's admin.cgi").isEqualTo(200);
        // the title travels with the stream: a listener on node B (curl, as a player) sees what was set on node A
        Path headers = Files.createTempFile("arborcast", ".headers");
        Path body = Files.createTempFile("arborcast", ".body");
        Process curl = new ProcessBuilder("curl", "-s", "-m", "3", "-H", "Icy-MetaData: 1", "-D", headers.toString(),
                "-o", body.toString(), url(b, "/stream/" + key.channelId().toHex())).start();
        processes.add(curl);
        assertThat(curl.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(headers)).contains("icy-metaint: 8192").contains("icy-name: e2e test");
        byte[] got = Files.readAllBytes(body);
        assertThat(got.length).isGreaterThan(8_192 + 1 + 16);
        int lenByte = got[8_192] & 0xff;
        String block = new String(got, 8_193, lenByte * 16, StandardCharsets.UTF_8);
        assertThat(block).startsWith("StreamTitle='Hello World';");
    }

    /**
     * New words for a live channel, set at the publishing node with the source password, reach a
     * listener on another node with the stream head (its status page) and the directory; a wrong
     * password or an overlong description is refused and changes nothing.
     */
    @Test
    void channelInfoSetWhileLiveReachesListenersAndTheDirectory() throws Exception {
        pushSine("libmp3lame", "mp3", "audio/mpeg", 20);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.channel(key.channelId()) != null);
        assertThat(b.tune(key.channelId()).get(10, TimeUnit.SECONDS)).isNotNull();
        Path out = Files.createTempFile("arborcast", ".txt");
        String info = "/admin/info?mount=/live&genre=Jazz&description=Late%20standards&url=https://example.org/jazz";
        assertThat(curlStatus(out, url(a, info.replace("mount=", "pass=wrong&mount=")))).isEqualTo(401);
        assertThat(curlStatus(out, url(a, "/admin/info?pass=" + PASSWORD + "&description=" + "x".repeat(201))))
                .isEqualTo(400);
        assertThat(Files.readString(out)).contains("description is 201 characters long; at most 200");
        assertThat(curlStatus(out, url(a, info + "&pass=" + PASSWORD))).isEqualTo(200);
        assertThat(Files.readString(out)).isEqualTo("channel info updated\n");

        await().atMost(Duration.ofSeconds(10)).until(() -> curlBody(url(b, "/api/status"))
                .contains("\"info\":{\"genre\":\"Jazz\",\"description\":\"Late standards\",\"url\":\"https://example.org/jazz\","
                        + "\"comment\":\"\"}"));
        await().atMost(Duration.ofSeconds(10)).until(() -> curlBody(url(b, "/api/directory?genre=jazz"))
                .contains("\"description\":\"Late standards\""));
        // a playlist of the genre, from the directory
        assertThat(curlBody(url(b, "/m3u/genre/JAZZ.m3u"))).isEqualTo("#EXTM3U\n#EXTINF:-1,e2e test\n"
                + url(b, "/stream/" + key.channelId().toHex()) + "\n");
        assertThat(curlStatus(out, url(b, "/pls/genre/rock.pls"))).isEqualTo(404);
        assertThat(Files.readString(out)).contains("no live channel is listed in genre rock");
        // the CLI says the same; a field not given stays as it was
        assertThat(io.arborcast.cli.Main.run("info", "--node", a.address().endpoint(), "--password", "wrong",
                "--description", "Nope")).isEqualTo(1);
        assertThat(io.arborcast.cli.Main.run("info", "--node", a.address().endpoint(), "--password", PASSWORD,
                "--description", "Early standards")).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> curlBody(url(b, "/api/status"))
                .contains("\"info\":{\"genre\":\"Jazz\",\"description\":\"Early standards\""));

        // renamed while live: the listeners, the directory (searched by a word of the new name) and
        // the signed record in the DHT all say the new name; a comment reaches the status pages
        assertThat(io.arborcast.cli.Main.run("info", "--node", a.address().endpoint(), "--password", PASSWORD,
                "--name", "Late Jazz", "--comment", "requests welcome")).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> curlBody(url(b, "/api/status"))
                .contains("\"name\":\"Late Jazz\""));
        assertThat(curlBody(url(b, "/api/status"))).contains("\"comment\":\"requests welcome\"");
        await().atMost(Duration.ofSeconds(10)).until(() -> curlBody(url(b, "/api/directory?search=JA"))
                .contains("\"name\":\"Late Jazz\""));
        assertThat(curlBody(url(b, "/api/directory?search=e2e"))).isEqualTo("[]");
        assertThat(curlStatus(out, url(b, "/api/directory?search=" + "x".repeat(101)))).isEqualTo(400);
        assertThat(b.find(key.channelId()).get(10, TimeUnit.SECONDS).record().name()).isEqualTo("Late Jazz");
        Path headers = Files.createTempFile("arborcast", ".headers");
        assertThat(curlStatus(headers, "-I", url(b, "/stream/" + key.channelId().toHex()))).isEqualTo(200);
        assertThat(Files.readString(headers)).contains("icy-name: Late Jazz", "icy-genre: Jazz",
                "icy-description: Early standards", "icy-url: https://example.org/jazz");
    }

    private String curlBody(String url) throws Exception {
        Path out = Files.createTempFile("arborcast", ".body");
        assertThat(curlStatus(out, url)).isEqualTo(200);
        return Files.readString(out);
    }

    @Test
    void badRequestsGetClearAnswers() throws Exception {
        Path out = Files.createTempFile("arborcast", ".txt");
        String unknown = ChannelKey.generate().channelId().toHex();
        assertThat(curlStatus(out, url(b, "/stream/" + unknown))).isEqualTo(404);
        assertThat(Files.readString(out)).contains("unknown channel");
        assertThat(curlStatus(out, url(b, "/stream/not-a-channel"))).isEqualTo(400);
        assertThat(curlStatus(out, "-X", "PUT", "-u", "source:wrong", "--data-binary", "x", url(a, "/live")))
                .isEqualTo(401);
        // libshout's first try: no credentials; it expects 401 and the methods it may use
        Process noAuth = new ProcessBuilder("curl", "-s", "-D", "-", "-o", "/dev/null", "-X", "PUT", "--data-binary", "x",
                url(a, "/live")).start();
        processes.add(noAuth);
        assertThat(new String(noAuth.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                .startsWith("HTTP/1.1 401").contains("Allow: GET, SOURCE, PUT").contains("WWW-Authenticate: Basic");
        assertThat(onLoop(a, () -> a.channels().containsKey(key.channelId()))).as("channel untouched").isFalse();
        assertThat(curlStatus(out, "-X", "PUT", "-u", "source:" + PASSWORD, "--data-binary", "x", url(a, "/other")))
                .isEqualTo(404);
        assertThat(curlStatus(out, "-X", "OPTIONS", url(a, "/"))).isEqualTo(200);
        assertThat(curlStatus(out, url(a, "/pls/" + unknown + ".pls"))).isEqualTo(200);
        assertThat(Files.readString(out)).contains("File1=http://").contains("/stream/" + unknown);
        try (Socket s = new Socket("127.0.0.1", b.address().port())) { // bare LF line ends, as old ICY clients send
            s.getOutputStream().write(("GET /stream/" + unknown + " HTTP/1.0\n\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(readFor(s, 5_000), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 404");
        }
        try (Socket s = new Socket("127.0.0.1", a.address().port())) {
            s.getOutputStream().write("GARBAGE\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String reply = new String(readFor(s, 2_000), StandardCharsets.US_ASCII);
            assertThat(reply).startsWith("HTTP/1.1 4");
        }
    }

    /** An MP3 file made by ffmpeg (sine, 128 kbit/s). */
    private Path mp3File(int seconds) throws Exception {
        Path f = Files.createTempFile("arborcast", ".mp3");
        Process p = ffmpeg("-y", "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100", "-t",
                String.valueOf(seconds), "-c:a", "libmp3lame", "-b:a", "128k", "-f", "mp3", f.toString());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return f;
    }

    /** Sends {@code data} at 128 kbit/s (100 ms slices) from a helper thread. */
    private Thread paced(java.io.OutputStream out, byte[] data) {
        Thread t = new Thread(() -> {
            try {
                long start = System.nanoTime();
                for (int off = 0; off < data.length; off += 1_600) {
                    out.write(data, off, Math.min(1_600, data.length - off));
                    out.flush();
                    long due = start + (off / 1_600 + 1) * 100_000_000L;
                    while (System.nanoTime() < due) {
                        java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
                    }
                }
            } catch (IOException e) {
                // the node closed the connection: the test's assertions say whether that was right
            }
        });
        t.start();
        return t;
    }

    /** An Icecast source that sends its request and then nothing is disconnected after the source timeout; the mount is free again. */
    @Test
    void aSourceThatSendsNothingIsDisconnectedAndItsMountFreed() throws Exception {
        String put = "PUT /live HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic "
                + java.util.Base64.getEncoder().encodeToString(("source:" + PASSWORD).getBytes(StandardCharsets.US_ASCII))
                + "\r\nContent-Type: audio/mpeg\r\n\r\n";
        try (Socket silent = new Socket("127.0.0.1", a.address().port())) {
            silent.setSoTimeout(15_000);
            long start = System.nanoTime();
            silent.getOutputStream().write(put.getBytes(StandardCharsets.US_ASCII));
            String reply = new String(silent.getInputStream().readAllBytes(), StandardCharsets.US_ASCII); // to its close
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(reply).startsWith("HTTP/1.0 200");
            assertThat(millis).as("closed after the source timeout").isBetween(SOURCE_TIMEOUT - 500, SOURCE_TIMEOUT + 3_000);
        }
        try (Socket next = new Socket("127.0.0.1", a.address().port())) {
            next.getOutputStream().write(put.getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(readFor(next, 2_000), StandardCharsets.US_ASCII)).as("the mount is free")
                    .startsWith("HTTP/1.0 200");
        }
    }

    @Test
    void shoutcastV1SourceWithBareLineFeedsPublishesAndPlaysElsewhere() throws Exception {
        byte[] mp3 = Files.readAllBytes(mp3File(10));
        try (Socket wrong = new Socket("127.0.0.1", gatewayA.shoutcastPort())) {
            wrong.getOutputStream().write("nope\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(wrong.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .startsWith("invalid password");
        }
        assertThat(gatewayA.shoutcastPort()).isNotEqualTo(a.address().port());
        try (Socket src = new Socket("127.0.0.1", gatewayA.shoutcastPort())) {
            src.getOutputStream().write((PASSWORD + "\n").getBytes(StandardCharsets.US_ASCII));
            byte[] ok = new byte[3];
            assertThat(src.getInputStream().readNBytes(ok, 0, 3)).isEqualTo(3);
            assertThat(new String(ok, StandardCharsets.US_ASCII)).isEqualTo("OK2");
            src.getOutputStream().write("icy-name:v1 test\nicy-br:128\ncontent-type:audio/mpeg\n\n"
                    .getBytes(StandardCharsets.US_ASCII));
            Thread feed = paced(src.getOutputStream(), mp3);
            String stream = url(b, "/stream/" + key.channelId().toHex());
            await().atMost(Duration.ofSeconds(15)).until(() -> onLoop(a, () -> a.channels()
                    .containsKey(key.channelId())));
            assertDecodes(stream, 3);
            feed.interrupt();
        }
    }

    @Test
    void listenersKeepTheirConnectionWhenTheSourceDropsAndHearItWhenItReturns() throws Exception {
        pushSine("libmp3lame", "mp3", "audio/mpeg", 4);
        captureSourceBytes();
        try (Socket listener = new Socket("127.0.0.1", b.address().port())) {
            listener.getOutputStream().write(("GET /stream/" + key.channelId().toHex() + " HTTP/1.0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(readFor(listener, 2_000).length).isGreaterThan(10_000);
            // the source ends (ffmpeg's 4 s are over); the listener stays connected
            await().atMost(Duration.ofSeconds(15)).until(() -> processes.get(0).waitFor(0, TimeUnit.SECONDS));
            readFor(listener, 2_500); // whatever was still on its way
            assertThat(readFor(listener, 1_000)).as("silence while no source is connected").isEmpty();
            pushSine("libmp3lame", "mp3", "audio/mpeg", 6); // the same key's source comes back
            byte[] after = readFor(listener, 4_000);
            assertThat(after.length).as("bytes after the source returned").isGreaterThan(16_000);
        }
    }

    @Test
    void aReturningOggSourcesNewHeadReachesAConnectedListenerBeforeItsAudio() throws Exception {
        pushSine("libvorbis", "ogg", "audio/ogg", 6);
        captureSourceBytes();
        try (Socket listener = new Socket("127.0.0.1", b.address().port())) {
            listener.getOutputStream().write(("GET /stream/" + key.channelId().toHex() + ".ogg HTTP/1.0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(count(readFor(listener, 5_000), VORBIS_ID)).as("the first head").isEqualTo(1);
            await().atMost(Duration.ofSeconds(15)).until(() -> processes.get(0).waitFor(0, TimeUnit.SECONDS));
            readFor(listener, 2_500);
            pushSine("libvorbis", "ogg", "audio/ogg", 6); // a new stream: new serial, new codec headers
            byte[] after = readFor(listener, 4_000);
            String body = new String(after, StandardCharsets.ISO_8859_1);
            // a chained Ogg stream: the new head (a BOS page with the identification header) comes
            // before the new stream's first audio page, and once
            assertThat(body).startsWith("OggS");
            assertThat(after[5] & 0x02).as("beginning-of-stream page first").isEqualTo(0x02);
            assertThat(count(after, VORBIS_ID)).isEqualTo(1);
        }
    }

    private static final byte[] VORBIS_ID = "\u0001vorbis".getBytes(StandardCharsets.ISO_8859_1);

    private static int count(byte[] hay, byte[] needle) {
        int n = 0;
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aSecondSourceOnALiveMountGets403AndListenersDecodeOnlyTheFirst() throws Exception {
        pushSine("libmp3lame", "mp3", "audio/mpeg", 16);
        captureSourceBytes();
        // another rate and channel count: were its frames mixed in, every decoder would complain
        Process second = ffmpeg("-re", "-f", "lavfi", "-i", "sine=frequency=880:sample_rate=22050", "-ac", "2",
                "-t", "6", "-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3", "-content_type", "audio/mpeg",
                "icecast://source:" + PASSWORD + "@" + a.address().endpoint() + "/live");
        assertThat(second.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).as("the second source is refused").isNotZero();
        assertThat(new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("403");
        Path out = Files.createTempFile("arborcast", ".txt");
        assertThat(curlStatus(out, "-m", "3", "-X", "PUT", "-u", "source:" + PASSWORD, "--data-binary", "x",
                url(a, "/live"))).isEqualTo(403);
        assertThat(Files.readString(out)).contains("Mountpoint in use");
        assertDecodes(url(b, "/stream/" + key.channelId().toHex() + ".mp3"), 4);
    }

    @Test
    void listenerLimitAnswers503() throws Exception {
        pushSine("libmp3lame", "mp3", "audio/mpeg", 10);
        captureSourceBytes();
        Path out = Files.createTempFile("arborcast", ".txt");
        String path = "/stream/" + key.channelId().toHex();
        try (Socket one = new Socket("127.0.0.1", b.address().port());
             Socket two = new Socket("127.0.0.1", b.address().port())) {
            for (Socket s : List.of(one, two)) {
                s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(readFor(s, 500), StandardCharsets.ISO_8859_1))
                        .startsWith("HTTP/1.0 200 OK");
            }
            assertThat(curlStatus(out, "-m", "3", url(b, path))).isEqualTo(503);
            assertThat(Files.readString(out)).contains("listener limit reached (2)");
        }
    }

    @Test
    void pullRelaysARemoteIcyStreamAndReReadsItsTitles() throws Exception {
        pushSine("libmp3lame", "mp3", "audio/mpeg", 16);
        captureSourceBytes();
        Process set = new ProcessBuilder("curl", "-s", "-u", "source:" + PASSWORD,
                url(a, "/admin/metadata?mode=updinfo&mount=/live&song=Pulled%20Title")).start();
        processes.add(set);
        assertThat(set.waitFor(10, TimeUnit.SECONDS)).isTrue();
        // node B relays A's stream (as an ordinary ICY server would be relayed) into a channel of its own
        ChannelKey relayKey = ChannelKey.generate();
        Puller p = Puller.start(url(a, "/stream/" + key.channelId().toHex()), b, relayKey, "relay of e2e", false);
        try {
            assertThat(p.contentType()).isEqualTo("audio/mpeg");
            await().atMost(Duration.ofSeconds(10)).until(() -> "Pulled Title".equals(
                    onLoop(b, () -> b.channel(relayKey.channelId()).title())));
            assertDecodes(url(b, "/stream/" + relayKey.channelId().toHex()), 3);
        } finally {
            p.stop();
        }
        assertThatThrownBy(() -> Puller.start(url(a, "/nothing-here"), b, ChannelKey.generate(), "x", false))
                .hasMessageContaining("404").hasMessageContaining("not a stream");
    }

    private int curlStatus(Path body, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-m", "10", "-o", body.toString(), "-w",
                "%{http_code}"));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).start();
        processes.add(p);
        return Integer.parseInt(new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim());
    }
}
