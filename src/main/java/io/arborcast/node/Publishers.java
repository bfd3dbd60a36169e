package io.arborcast.node;

import io.arborcast.channel.ChannelPeer;
import io.arborcast.core.ChannelRecord;
import io.arborcast.core.Lru;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.PeerState;
import io.arborcast.core.ProviderInfo;
import io.arborcast.core.RateLimiter;
import io.arborcast.core.SourceMessage;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.dht.ChannelRecords;
import io.arborcast.dht.DhtNode;
import io.arborcast.net.NettyEnvironment;
import io.arborcast.net.NettyTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One publisher per key, at one node: before publishing, the depth-0 providers of the channel
 * are asked whether they publish it (a "yes" signed with the channel key counts); a node told to
 * take over asks the old publisher to hand the channel over; two that started at the same moment
 * settle it once their records are stored; and as the via of a publisher nobody can dial, a node
 * passes these messages on over its tree link (see {@link SourceMessage}). On the event loop.
 */
final class Publishers {
    private static final Logger log = LoggerFactory.getLogger(Node.class);
    /** How long a publisher taking a channel over waits for the old one's answer. */
    private static final long TAKEOVER_TIMEOUT_MILLIS = 5_000;
    /** How long a node asking whether a provider publishes a channel waits for its answer. */
    private static final long QUERY_TIMEOUT_MILLIS = 3_000;
    /** Source messages passed on for a publisher nobody can dial (see {@link #relay}), per sending host per minute. */
    private static final int RELAYED_PER_MINUTE = 20;

    private final Node node;
    private final NodeConfig config;
    private final NettyTransport transport;
    private final NettyEnvironment env;
    private final DhtNode dht;
    private final ChannelPeer.Directory directory;
    /** The node's channels (its map: this adds a channel it publishes and removes one it hands over). */
    private final Map<NodeId, LocalChannel> channels;
    /** Queries and takeovers we sent and wait on, by channel and peer: each gets the answer (or none). */
    private final Map<Awaited, Consumer<SourceMessage>> awaited = new HashMap<>();
    private final List<BiConsumer<NodeId, PeerAddress>> takenOver = new ArrayList<>();
    private final RateLimiter relayed = new RateLimiter(RELAYED_PER_MINUTE, 1024);
    /** What we passed on to a publisher lately, by channel and sender: the publisher, and where its answer goes. */
    private final Map<Awaited, PassedOn> passedOn = Lru.map(1024);
    /** Source messages we passed on as a via, either way. */
    private long sourceMessagesPassed;

    private record Awaited(NodeId channel, NodeId peer) {
    }

    private record PassedOn(NodeId publisher, PeerAddress sender, long at) {
    }

    Publishers(Node node, NodeConfig config, NettyTransport transport, DhtNode dht, ChannelPeer.Directory directory,
               Map<NodeId, LocalChannel> channels) {
        this.node = node;
        this.config = config;
        this.transport = transport;
        this.env = transport.environment();
        this.dht = dht;
        this.directory = directory;
        this.channels = channels;
    }

    /** On the loop: see {@link Node#publish(ChannelKey, String, String, int, boolean)}; completes {@code f}. */
    void publish(ChannelKey key, String name, String contentType, int bitrateKbps, boolean takeover,
                 CompletableFuture<LocalChannel> f) {
        NodeId id = key.channelId();
        LocalChannel existing = channels.get(id);
        if (existing != null) {
            complete(f, existing);
            return;
        }
        livePublishers(id, live -> {
            LocalChannel again = channels.get(id); // a second publish of ours got here first
            if (again != null) {
                complete(f, again);
            } else if (!live.isEmpty() && !takeover) {
                f.completeExceptionally(new ChannelInUseException(id, live.get(0).address()));
            } else {
                openSource(key, name, contentType, bitrateKbps, live, f);
            }
        });
    }

    private static void complete(CompletableFuture<LocalChannel> f, LocalChannel existing) {
        if (existing.isSource()) {
            f.complete(existing);
        } else {
            f.completeExceptionally(new IllegalStateException("this node already listens to channel "
                    + existing.record().channelId().shortHex()));
        }
    }

    /**
     * Another node that publishes a channel (it proved it holds the key), its record, and the
     * node it is reached through if nobody can dial it (null: dialled).
     */
    record Publisher(PeerAddress address, PeerAddress via, ChannelRecord record) {
    }

    /** On the loop: the nodes other than this one that publish {@code channel} now. */
    void livePublishers(NodeId channel, Consumer<List<Publisher>> done) {
        dht.find(channel, r -> {
            List<ProviderInfo> roots = r.providers().stream().filter(p -> p.depth() == 0)
                    .filter(p -> p.address().id() != null && !p.address().id().equals(dht.id())).toList();
            List<Publisher> live = new ArrayList<>();
            int[] waiting = {roots.size()};
            if (roots.isEmpty()) {
                done.accept(live);
            }
            for (ProviderInfo root : roots) {
                PeerAddress a = root.address();
                long nonce = env.random().nextLong();
                ask(a, root.via(), new SourceMessage.Query(channel, nonce), QUERY_TIMEOUT_MILLIS, answer -> {
                    if (answer instanceof SourceMessage.Publishing p && p.yes()) {
                        ChannelRecord rec = p.record();
                        if (rec != null && rec.channelId().equals(channel) && ChannelRecords.problem(rec) == null
                                && ChannelKey.verify(rec.publicKey(),
                                SourceMessage.Publishing.signedBytes(channel, a.id(), dht.id(), nonce), p.proof())) {
                            live.add(new Publisher(a, root.via(), rec));
                        } else {
                            log.warn("channel {}: {} says it publishes it but did not sign that with the channel key: "
                                    + "not counted", channel.shortHex(), a.endpoint());
                        }
                    }
                    if (--waiting[0] == 0) {
                        done.accept(live);
                    }
                });
            }
        });
    }

    /** Becomes the channel's root; takes it over from {@code others} first, if any publish it. */
    private void openSource(ChannelKey key, String name, String contentType, int bitrateKbps, List<Publisher> others,
                            CompletableFuture<LocalChannel> done) {
        long now = System.currentTimeMillis();
        ChannelRecord record = ChannelRecords.create(key, name, contentType, bitrateKbps, now, now);
        int slots = Math.max(1, config.tree().slotsFor(bitrateKbps, config.sourceSlots())); // one, or nobody hears it
        ChannelPeer peer = ChannelPeer.source(key.channelId(), key.publicKey(),
                config.tree().withRelays(slots), config.gossip(), env, transport,
                directory, bitrateKbps * slots);
        peer.tree().setEvents(new TreeLog(dht.id(), key.channelId()));
        peer.setDialable(node.dialable());
        LocalChannel c = new LocalChannel(node, record, peer, key, null, env.now());
        channels.put(key.channelId(), c);
        peer.start(List.of()); // the tree is there before the old source sends its children here
        Runnable store = () -> dht.publish(record, o -> {
            log.info("channel {} '{}' published: record stored on {} nodes", key.channelId().shortHex(), name,
                    o.accepted());
            settleRace(key, c, done);
        });
        if (others.isEmpty()) {
            store.run();
            return;
        }
        SourceMessage.Takeover ask = new SourceMessage.Takeover(key.channelId(), record.sequence(),
                key.sign(SourceMessage.Takeover.signedBytes(key.channelId(), dht.id(), record.sequence())));
        int[] waiting = {others.size()};
        for (Publisher other : others) {
            PeerAddress old = other.address();
            log.info("taking channel {} over from {}", key.channelId().shortHex(), old.endpoint());
            ask(old, other.via(), ask, TAKEOVER_TIMEOUT_MILLIS, m -> {
                if (m instanceof SourceMessage.HandOver h && ChannelKey.verify(key.publicKey(),
                        SourceMessage.HandOver.signedBytes(key.channelId(), old.id(), dht.id(), h.nextSeq()), h.proof())) {
                    c.continueFrom(h.nextSeq());
                    log.info("channel {} handed over by {}: going on from seq {}", key.channelId().shortHex(),
                            old.endpoint(), h.nextSeq());
                } else {
                    log.warn("channel {}: {} did not hand it over: {}", key.channelId().shortHex(), old.endpoint(),
                            m instanceof SourceMessage.Declined d ? d.reason()
                                    : m instanceof SourceMessage.HandOver ? "its hand-over was not signed with the channel key"
                                    : "no answer");
                }
                if (--waiting[0] == 0) {
                    store.run();
                }
            });
        }
    }

    /**
     * Asks once more, now that our record is stored and we answer queries: another node that
     * started publishing the key at the same moment passed the first check too. The older record
     * (then the smaller node id) keeps the channel; the other publisher stops, sends its children
     * to the one that stays and stores that one's name and type again under a newer sequence
     * (its own record, newer, would otherwise be the one listeners find).
     */
    private void settleRace(ChannelKey key, LocalChannel c, CompletableFuture<LocalChannel> done) {
        NodeId id = key.channelId();
        ChannelRecord ours = c.record();
        livePublishers(id, live -> {
            Publisher older = live.stream().filter(p -> olderThan(p, ours)).findFirst().orElse(null);
            if (older == null || channels.get(id) != c) {
                done.complete(c);
                return;
            }
            ChannelRecord theirs = older.record();
            log.warn("channel {}: {} started publishing it at the same moment, with an older record: stopping here",
                    id.shortHex(), older.address().endpoint());
            passOn(c, older.address());
            long now = System.currentTimeMillis();
            dht.publish(ChannelRecords.create(key, theirs.name(), theirs.contentType(), theirs.bitrateKbps(),
                    theirs.createdAtMillis(), Math.max(now, ours.sequence() + 1)), o -> {
                    });
            done.completeExceptionally(new ChannelInUseException(id, older.address()));
        });
    }

    private boolean olderThan(Publisher p, ChannelRecord ours) {
        long theirs = p.record().sequence();
        return theirs < ours.sequence() || theirs == ours.sequence() && p.address().id().compareTo(dht.id()) < 0;
    }

    /**
     * Sends {@code m} to {@code peer}, through {@code via} if that is another node (see
     * {@link SourceMessage.Relayed}), and hands its answer to {@code answer}, or a
     * {@link SourceMessage.Declined} "no answer" after {@code timeoutMillis}.
     */
    private void ask(PeerAddress peer, PeerAddress via, SourceMessage m, long timeoutMillis,
                     Consumer<SourceMessage> answer) {
        Awaited k = new Awaited(m.channel(), peer.id());
        awaited.put(k, answer);
        env.schedule(timeoutMillis, () -> {
            Consumer<SourceMessage> pending = awaited.remove(k);
            if (pending != null) {
                pending.accept(new SourceMessage.Declined(m.channel(), "no answer"));
            }
        });
        // a node holding a link to the peer (a child it dialled) sends there itself
        boolean direct = via == null || via.id().equals(peer.id()) || via.id().equals(dht.id());
        transport.send(direct ? peer : via, direct ? m : new SourceMessage.Relayed(m.channel(), peer, null, m));
    }

    /** A source message from {@code from}, on the loop. */
    void onMessage(PeerAddress from, SourceMessage m) {
        if (from.id() == null) {
            return;
        }
        if (m instanceof SourceMessage.Relayed r) {
            relay(from, r);
        } else {
            onSourceMessage(from, m, answer -> transport.send(from, answer));
        }
    }

    /** A source message from {@code from} (directly, or through a via), answered by {@code reply}. */
    private void onSourceMessage(PeerAddress from, SourceMessage m, Consumer<SourceMessage> reply) {
        switch (m) {
            case SourceMessage.Query q -> {
                LocalChannel c = channels.get(q.channel());
                reply.accept(c == null || !c.isSource() ? SourceMessage.Publishing.no(q.channel())
                        : new SourceMessage.Publishing(q.channel(), true, c.record(), c.key().sign(
                                SourceMessage.Publishing.signedBytes(q.channel(), dht.id(), from.id(), q.nonce()))));
            }
            case SourceMessage.Takeover t -> handOver(from, t, reply);
            case SourceMessage.Publishing _, SourceMessage.HandOver _, SourceMessage.Declined _ -> {
                Consumer<SourceMessage> pending = awaited.remove(new Awaited(m.channel(), from.id()));
                if (pending != null) {
                    pending.accept(m);
                }
            }
            case SourceMessage.Relayed _ -> { } // never nested (see its constructor)
        }
    }

    /**
     * A source message through a via ({@link SourceMessage.Relayed}), from {@code link}: for us if
     * it names us and its sender; as the via, an answer from a publisher goes back to the sender
     * whose message we passed to it lately, and a message for our parent or child in the channel
     * is passed to it naming {@code link} as its sender (20 per sending host a minute). Anything
     * else is dropped: nobody can make us send to a node of their choosing.
     */
    private void relay(PeerAddress link, SourceMessage.Relayed r) {
        NodeId channel = r.channel();
        long now = env.now();
        if (r.from() != null) {
            if (r.to().id().equals(dht.id())) {
                PeerAddress sender = r.from();
                onSourceMessage(sender, r.message(), answer ->
                        transport.send(link, new SourceMessage.Relayed(channel, sender, null, answer)));
            }
            return;
        }
        PassedOn asked = passedOn.get(new Awaited(channel, r.to().id()));
        LocalChannel c = channels.get(channel);
        PeerAddress publisher = c == null ? null : c.peer().tree().treeLink(r.to().id());
        if (asked != null && asked.publisher().equals(link.id()) && now - asked.at() <= TAKEOVER_TIMEOUT_MILLIS) {
            passedOn.remove(new Awaited(channel, r.to().id()));
            sourceMessagesPassed++;
            transport.send(asked.sender(), new SourceMessage.Relayed(channel, asked.sender(), link, r.message()));
        } else if (publisher != null && !link.id().equals(publisher.id()) && relayed.allow(link.host(), now)) {
            sourceMessagesPassed++;
            passedOn.put(new Awaited(channel, link.id()), new PassedOn(publisher.id(), link, now));
            transport.send(publisher, new SourceMessage.Relayed(channel, publisher, link, r.message()));
        } else {
            log.debug("channel {}: dropped a {} from {} for {}", channel.shortHex(),
                    r.message().getClass().getSimpleName(), link.endpoint(), r.to().endpoint());
        }
    }

    /**
     * Another node holding the channel key takes the channel over: this one stops taking input,
     * tells it the next seq, sends its children there and leaves the channel. A takeover not
     * signed by the key, or older than this publisher's record, is declined.
     */
    private void handOver(PeerAddress to, SourceMessage.Takeover t, Consumer<SourceMessage> reply) {
        NodeId id = t.channel();
        LocalChannel c = channels.get(id);
        String why = c == null || !c.isSource() ? "not publishing this channel"
                : !ChannelKey.verify(c.record().publicKey(), SourceMessage.Takeover.signedBytes(id, to.id(), t.sequence()),
                        t.signature()) ? "not signed by the channel key"
                : t.sequence() <= c.record().sequence() ? "older than this publisher's record" : null;
        if (why != null) {
            if (c != null) {
                log.warn("declined a takeover of channel {} by {}: {}", id.shortHex(), to.endpoint(), why);
            }
            reply.accept(new SourceMessage.Declined(id, why));
            return;
        }
        long next = passOn(c, to);
        reply.accept(new SourceMessage.HandOver(id, next,
                c.key().sign(SourceMessage.HandOver.signedBytes(id, dht.id(), to.id(), next))));
        log.info("channel {} taken over by {}: it goes on there from seq {}", id.shortHex(), to.endpoint(), next);
        takenOver.forEach(l -> l.accept(id, to));
    }

    /**
     * Stops publishing {@code c} here for {@code to}, which publishes it too: no more input, the
     * children sent there, the channel left. Answers the seq this source would have cut next.
     */
    private long passOn(LocalChannel c, PeerAddress to) {
        long next = c.handOver();
        channels.remove(c.record().channelId());
        c.peer().handOver(PeerState.offering(to, 0, config.sourceSlots()));
        return next;
    }

    /** Calls {@code l} with the channel and the new publisher when a channel published here is taken over. */
    void onTakenOver(BiConsumer<NodeId, PeerAddress> l) {
        takenOver.add(l);
    }

    /** Source messages passed on as the via of a publisher nobody can dial, either way. */
    long passed() {
        return sourceMessagesPassed;
    }

}
