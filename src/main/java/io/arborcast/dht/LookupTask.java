package io.arborcast.dht;

import io.arborcast.core.Cancellable;
import io.arborcast.core.ChannelRecord;
import io.arborcast.core.DhtMessage;
import io.arborcast.core.Environment;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.ProviderInfo;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An iterative lookup in progress for a {@link DhtNode}, with what FIND_VALUE gathered on the
 * way: up to alpha requests out, a request slower than the stall time counted as stalled (another
 * peer is asked), one slower than the give-up time as given up (the lookup may end without it).
 */
final class LookupTask {
    private final DhtNode node;
    private final Environment env;
    private final DhtConfig config;
    final Lookup lookup;
    private final boolean findValue;
    private final long started;
    private final Consumer<LookupTask> done;
    ChannelRecord record;
    final Map<NodeId, ProviderInfo> providers = new LinkedHashMap<>();
    /** When each request not yet answered was sent: those still counted against alpha, and stalled ones. */
    private final Map<PeerAddress, Long> sentAt = new HashMap<>();
    private final Map<PeerAddress, Long> stalledAt = new HashMap<>();
    private Cancellable stallTimer;
    private boolean finished;
    /** The bucket a refresh fills (see {@link #fill}), or -1 for a lookup. */
    private int fillBucket = -1;
    /** Contacts the refreshed bucket should hold. */
    private int fillTo;
    /** Peers a refresh pinged; {@link #pings} of them are waiting, {@link #deadPings} stalled. */
    private Set<PeerAddress> pinged;
    private int pings;
    private int deadPings;

    LookupTask(DhtNode node, NodeId target, boolean findValue, Consumer<LookupTask> done) {
        this.node = node;
        this.env = node.env();
        this.config = node.config();
        this.lookup = new Lookup(target, config.k(), config.alpha(), config.lookupMaxPerSubnet(), node.id(),
                node.routingTable().closest(target, config.k()));
        this.findValue = findValue;
        this.done = done;
        this.started = env.now();
        int bucket = node.id().bucketIndex(target);
        if (bucket >= 0) {
            node.routingTable().touch(bucket, env.now());
        }
    }

    void drive() {
        if (finished) {
            return;
        }
        PeerAddress p;
        while (!satisfied() && !willFill() && (p = lookup.next()) != null) {
            query(p);
        }
        if (lookup.finished() || satisfied()) {
            finished = true;
            if (stallTimer != null) {
                stallTimer.cancel();
            }
            done.accept(this);
        }
    }

    /**
     * Makes this lookup (of a random id in bucket {@code bucket}) a refresh that fills the
     * bucket to {@code contacts}. Whoever answers enters the table, so a peer it hears of in the
     * bucket that the table lacks gets a PING rather than a FIND_NODE (an answer of a few bytes,
     * not k contacts: the peers asked before named the bucket's members already); it asks no
     * one more while the PINGs awaited would fill the bucket (once one stalled, while fewer than
     * alpha are out: dead contacts are then tried alpha at a time), and ends once it is filled.
     */
    void fill(int bucket, int contacts) {
        fillBucket = bucket;
        fillTo = contacts;
        pinged = new HashSet<>();
    }

    /** A FIND_VALUE that has the record and enough providers, or a refresh whose bucket is filled. */
    private boolean satisfied() {
        return findValue ? record != null && providers.size() >= config.providerSample()
                : fillBucket >= 0 && node.routingTable().bucketSize(fillBucket) >= fillTo;
    }

    private boolean willFill() {
        return fillBucket >= 0 && node.routingTable().bucketSize(fillBucket) + pings >= fillTo
                && (deadPings == 0 || pings >= config.alpha());
    }

    private void query(PeerAddress p) {
        NodeId target = lookup.target();
        sentAt.put(p, env.now());
        if (stallTimer == null) {
            stallTimer = env.schedule(node.stalls().stallMillis(), this::checkStalls);
        }
        boolean ping = fillBucket >= 0 && node.id().bucketIndex(p.id()) == fillBucket
                && !node.routingTable().contains(p.id());
        if (ping) {
            pinged.add(p);
            pings++;
        }
        node.request(p, ping ? rid -> new DhtMessage.Ping(rid, node.client())
                : findValue ? rid -> new DhtMessage.FindValue(rid, target, node.client())
                : rid -> new DhtMessage.FindNode(rid, target, node.client()),
                r -> {
                    answered(p, ping);
                    if (r instanceof DhtMessage.Pong && ping) {
                        lookup.onSuccess(p, List.of());
                    } else if (r instanceof DhtMessage.Nodes n && !findValue && !ping) {
                        lookup.onSuccess(p, n.contacts());
                    } else if (r instanceof DhtMessage.Value v && findValue && !ping) {
                        absorb(v);
                        lookup.onSuccess(p, v.contacts());
                    } else {
                        lookup.onFailure(p);
                    }
                    drive();
                },
                () -> {
                    answered(p, ping);
                    lookup.onFailure(p);
                    drive();
                });
    }

    private void answered(PeerAddress p, boolean ping) {
        if (sentAt.remove(p) == null) {
            stalledAt.remove(p);
        } else if (ping) {
            pings--;
        }
    }

    /**
     * One timer per lookup: marks requests older than the stall time as stalled and
     * stalled ones older than the give-up time as given up; re-arms for the next due.
     */
    private void checkStalls() {
        stallTimer = null;
        if (finished) {
            return;
        }
        long now = env.now();
        long stall = node.stalls().stallMillis();
        long giveUp = node.stalls().giveUpMillis();
        long next = Long.MAX_VALUE;
        for (Iterator<Map.Entry<PeerAddress, Long>> it = sentAt.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<PeerAddress, Long> e = it.next();
            if (e.getValue() + stall <= now) {
                it.remove();
                stalledAt.put(e.getKey(), e.getValue());
                lookup.onStalled(e.getKey());
                if (pinged != null && pinged.contains(e.getKey())) {
                    pings--; // a dead peer no longer holds the refresh back
                    deadPings++;
                }
            } else {
                next = Math.min(next, e.getValue() + stall);
            }
        }
        for (Iterator<Map.Entry<PeerAddress, Long>> it = stalledAt.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<PeerAddress, Long> e = it.next();
            if (e.getValue() + giveUp <= now) {
                it.remove();
                lookup.onGaveUp(e.getKey());
            } else {
                next = Math.min(next, e.getValue() + giveUp);
            }
        }
        if (next != Long.MAX_VALUE) {
            stallTimer = env.schedule(next - now, this::checkStalls);
        }
        drive();
    }

    private void absorb(DhtMessage.Value v) {
        ChannelRecord r = v.record();
        if (r != null && r.channelId().equals(lookup.target())
                && (record == null || r.sequence() > record.sequence())) {
            if (ChannelRecords.problem(r) == null) {
                record = r;
            } else {
                node.stats().forgedRecordsSeen++;
            }
        }
        for (ProviderInfo p : v.providers()) {
            if (providers.size() < config.maxProvidersPerKey() && !p.address().id().equals(node.id())) {
                providers.putIfAbsent(p.address().id(), p);
            }
        }
    }

    long millis() {
        return env.now() - started;
    }
}
