package io.arborcast.node;

import io.arborcast.core.ChannelInfo;
import io.arborcast.core.ChannelListing;
import io.arborcast.core.ChannelRecord;
import io.arborcast.core.Environment;
import io.arborcast.core.NodeId;
import io.arborcast.dht.ChannelListings;
import io.arborcast.dht.DhtNode;
import io.arborcast.dht.DhtResults.StoreOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Keeps the channels this node publishes in the DHT's directory: each is listed once published,
 * with its audience (the nodes below the source, {@link io.arborcast.tree.ChannelTree#nodesBelow}),
 * listed again when that count changed (looked at every {@value #PERIOD_MILLIS} ms), and ended
 * (taken out of every answer at once) when the channel is left cleanly. A channel handed over to
 * another publisher is not ended: the new publisher's listing replaces this one. On the loop.
 */
final class ChannelLister {
    static final long PERIOD_MILLIS = 10_000;
    private static final Logger log = LoggerFactory.getLogger(Node.class);

    private final DhtNode dht;
    private final Environment env;
    private final Map<NodeId, LocalChannel> channels;
    /** The last listing of each channel we list, by channel id. */
    private final Map<NodeId, ChannelListing> listed = new HashMap<>();

    ChannelLister(DhtNode dht, Environment env, Map<NodeId, LocalChannel> channels) {
        this.dht = dht;
        this.env = env;
        this.channels = channels;
    }

    /** Lists {@code c}, a channel we now publish, with what it says of itself, and keeps its listing current. */
    void start(LocalChannel c) {
        NodeId id = c.record().channelId();
        if (!c.isSource() || listed.containsKey(id)) {
            return; // a source client that reconnected: listed already
        }
        tick(c);
    }

    /** {@code c}'s info changed: listed again now, not at the next look. */
    void changed(LocalChannel c) {
        if (listed.containsKey(c.record().channelId())) {
            list(c);
        }
    }

    private void tick(LocalChannel c) {
        if (list(c)) {
            env.schedule(PERIOD_MILLIS, () -> tick(c));
        }
    }

    /** Lists {@code c} again if its audience or info changed; false once it is no longer ours to list. */
    private boolean list(LocalChannel c) {
        NodeId id = c.record().channelId();
        if (channels.get(id) != c || !c.isSource()) {
            listed.remove(id);
            return false;
        }
        int listeners = c.peer().tree().nodesBelow();
        ChannelInfo info = c.info();
        ChannelListing last = listed.get(id);
        if (last == null || last.listeners() != listeners || !says(last, c.name(), info)) {
            ChannelRecord r = c.record();
            ChannelListing l = ChannelListings.create(c.key(), c.name(), info.genre(), info.description(), info.url(),
                    r.contentType(), r.bitrateKbps(), r.createdAtMillis(), listeners, nextSequence(last));
            try {
                dht.list(l, o -> log.debug("channel {} listed with {} listeners: {}/{} accepted", id.shortHex(),
                        listeners, o.accepted(), o.accepted() + o.refused() + o.unreachable()));
            } catch (IllegalArgumentException e) { // its words are too long for one datagram: said once, not listed
                log.warn("channel {} is not listed in the directory: {}", id.shortHex(), e.getMessage());
                return false;
            }
            listed.put(id, l);
        }
        return true;
    }

    /** Whether {@code l} shows {@code name} and {@code info} (all but its comment, which listings do not carry). */
    private static boolean says(ChannelListing l, String name, ChannelInfo info) {
        return l.name().equals(name) && l.genre().equals(info.genre()) && l.description().equals(info.description())
                && l.url().equals(info.url());
    }

    /** Ends {@code c}'s listing (it leaves the directory at once); {@code done} runs when the stores are answered. */
    void end(LocalChannel c, Consumer<StoreOutcome> done) {
        ChannelListing last = listed.remove(c.record().channelId());
        if (last == null || c.key() == null) {
            done.accept(new StoreOutcome(0, 0, 0, java.util.List.of()));
            return;
        }
        dht.unlist(ChannelListings.ended(c.key(), last, nextSequence(last)), done);
    }

    /** Wall-clock milliseconds, so a publisher restarted later (or one that took over) lists under a newer sequence. */
    private static long nextSequence(ChannelListing last) {
        return Math.max(System.currentTimeMillis(), last == null ? 0 : last.sequence() + 1);
    }
}
