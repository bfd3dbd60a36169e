package io.arborcast.cli;

import io.arborcast.core.PeerAddress;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.gateway.Puller;
import io.arborcast.node.ChannelInUseException;
import io.arborcast.core.ChannelInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code arborcast publish}: runs a node that publishes a channel fed by a source client or a remote stream. */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Publish a channel: run a node that takes a source client's stream (Icecast SOURCE/PUT, "
                + "SHOUTcast v1, RTMP as OBS sends it) or pulls a remote HTTP/ICY stream (--from), and relays it into the tree.")
final class PublishCommand implements Callable<Integer> {
    /** Exit code when another node publishes the key and {@code --takeover} was not given. */
    static final int EXIT_IN_USE = 4;

    @Mixin
    NodeOptions options;

    @Option(names = "--key", paramLabel = "FILE", required = true, description = "the channel key (arborcast keygen)")
    Path key;

    @Option(names = "--name", paramLabel = "NAME", required = true, description = "the channel's name")
    String name;

    @Option(names = "--genre", paramLabel = "GENRE", description = "the genre the directory lists it under "
            + "(default: what the source client says, ice-genre)")
    String genre;

    @Option(names = "--description", paramLabel = "TEXT", description = "a line for the directory (default: ice-description)")
    String description;

    @Option(names = "--url", paramLabel = "URL", description = "the channel's web page, for the directory (default: ice-url)")
    String url;

    @Option(names = "--mount", paramLabel = "PATH", defaultValue = "/live", description = "where source clients push (default /live)")
    String mount;

    @Option(names = "--password", paramLabel = "PW", description = "source password (default: a random one, printed)")
    String password;

    @Option(names = "--from", paramLabel = "URL", description = "pull this http:// or https:// (ICY) stream instead of waiting for a source client")
    String from;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "any running node; omit to start a new network")
    String bootstrap;

    @Option(names = "--takeover", description = "if another node publishes this key, take the channel over when the "
            + "source connects (that node stops; listeners move here and skip nothing)")
    boolean takeover;

    @Mixin
    RunFor duration;

    @Override
    public Integer call() throws Exception {
        ChannelKey channelKey = ChannelKey.load(key);
        String pw = password != null ? password : HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        String path = mount.startsWith("/") ? mount : "/" + mount;
        try (RunningNode r = RunningNode.start(options)) {
            if (!r.join(bootstrap)) {
                return RunningNode.EXIT_BOOTSTRAP;
            }
            String id = channelKey.channelId().toHex();
            List<PeerAddress> live = r.node.livePublishers(channelKey.channelId()).get(30, TimeUnit.SECONDS);
            if (!live.isEmpty() && !takeover) {
                System.err.println("arborcast: " + new ChannelInUseException(channelKey.channelId(), live.get(0)).getMessage());
                return EXIT_IN_USE;
            }
            if (!live.isEmpty()) {
                System.out.println("takeover: " + live.get(0).endpoint() + " publishes channel " + id
                        + " now; it hands the channel over when the source connects here");
            }
            r.node.onTakenOver((channel, by) -> {
                if (channel.equals(channelKey.channelId())) {
                    System.out.println("channel " + id + " taken over by " + by.endpoint() + "; stopping");
                    duration.stop();
                }
            });
            ChannelInfo info = ChannelInfo.of(genre, description, url);
            Puller puller = from == null ? null : Puller.start(from, r.node, channelKey, name, takeover, info);
            r.gateway.addMount(path, channelKey, name, pw, takeover, info);
            System.out.println("channel " + id + " '" + name + "'");
            System.out.println("play:    http://" + r.httpBase() + "/stream/" + id);
            if (puller == null) {
                System.out.println("source:  icecast://source:" + pw + "@" + r.httpBase() + path
                        + "   (SHOUTcast v1: password " + pw + " on port " + r.gateway.shoutcastPort() + ")");
                System.out.println("rtmp:    rtmp://" + r.httpBase() + path + "/" + pw + "   (OBS: server rtmp://"
                        + r.httpBase() + path + ", stream key " + pw + ")");
            } else {
                System.out.println("pulling " + from + " (" + puller.contentType() + ")");
            }
            System.out.flush();
            duration.await();
        }
        return 0;
    }
}
