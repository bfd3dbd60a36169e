package io.arborcast.cli;

import io.arborcast.core.ChannelRecord;
import io.arborcast.core.NodeId;
import io.arborcast.core.ProviderInfo;
import io.arborcast.dht.DhtResults.FindResult;
import io.arborcast.dht.DhtResults.ListingsResult;
import io.arborcast.gateway.DirectoryJson;
import io.arborcast.dht.DhtResults.JoinResult;
import io.arborcast.node.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code arborcast channels}: with no channel id, what is live (the directory the DHT keeps);
 * with one, its signed record and the peers that carry it.
 */
@Command(name = "channels", mixinStandardHelpOptions = true,
        description = "List the live channels (--genre, --search to filter), or look one up: its signed record and the peers "
                + "that carry it.")
final class ChannelsCommand implements Callable<Integer> {
    @Mixin
    NodeOptions options;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "any running node")
    String bootstrap;

    @Option(names = "--genre", paramLabel = "GENRE", description = "list only this genre's channels")
    String genre;

    @Option(names = "--search", paramLabel = "TEXT", defaultValue = "",
            description = "list only channels with a word of their name beginning with TEXT")
    String search;

    @Option(names = "--json", description = "the list as JSON, one object per channel")
    boolean json;

    @Parameters(paramLabel = "CHANNEL_ID", arity = "0..1", description = "40 hex characters; none: list what is live")
    String channelId;

    @Override
    public Integer call() throws Exception {
        NodeId channel = channelId == null ? null : NodeId.fromHex(channelId.trim().toLowerCase());
        if (search.length() > ChannelRecord.MAX_NAME) {
            throw new IllegalArgumentException("--search is longer than a channel name (" + ChannelRecord.MAX_NAME
                    + " characters)");
        }
        try (Node node = Node.start(options.load(0))) {
            JoinResult j = node.join(Node.resolve(bootstrap)).get(60, TimeUnit.SECONDS);
            if (!j.ok()) {
                System.err.println("arborcast: " + j.error());
                return 2;
            }
            if (channel == null) {
                ListingsResult r = node.findListings(genre, search).get(60, TimeUnit.SECONDS);
                System.out.print(json ? DirectoryJson.of(r.listings(), true)
                        : DirectoryTable.text(r.listings(), System.currentTimeMillis()));
                return 0;
            }
            FindResult f = node.find(channel).get(60, TimeUnit.SECONDS);
            if (!f.found()) {
                System.err.println("arborcast: channel " + channel.toHex() + " not found: no valid record is stored "
                        + "under it (" + f.queried() + " nodes asked)");
                return 3;
            }
            ChannelRecord r = f.record();
            System.out.println("channel   " + r.channelId().toHex());
            System.out.println("name      " + r.name());
            System.out.println("type      " + r.contentType() + ", " + r.bitrateKbps() + " kbit/s");
            System.out.println("sequence  " + r.sequence() + " (signature verified)");
            System.out.println("lookup    " + f.hops() + " hops, " + f.queried() + " nodes asked, " + f.millis() + " ms");
            System.out.println("providers " + f.providers().size());
            for (ProviderInfo p : f.providers()) {
                System.out.println("  " + p.address().endpoint() + "  id " + p.address().id().shortHex() + "  depth "
                        + p.depth() + "  free slots " + p.freeSlots());
            }
        }
        return 0;
    }
}
