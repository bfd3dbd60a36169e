package io.arborcast.dht;

import io.arborcast.core.Cancellable;
import io.arborcast.core.ChannelRecord;
import io.arborcast.core.DhtMessage;
import io.arborcast.core.Environment;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.ProviderInfo;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
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
    /** Ends the lookup early when true (a bucket refresh whose bucket is full); null = never. */
    BooleanSupplier enough;

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
        while ((p = lookup.next()) != null) {
            query(p);
        }
        boolean satisfied = findValue ? record != null && providers.size() >= config.providerSample()
                : enough != null && enough.getAsBoolean();
        if (lookup.finished() || satisfied) {
            finished = true;
            if (stallTimer != null) {
                stallTimer.cancel();
            }
            done.accept(this);
        }
    }

    private void query(PeerAddress p) {
        NodeId target = lookup.target();
        sentAt.put(p, env.now());
        if (stallTimer == null) {
            stallTimer = env.schedule(node.stalls().stallMillis(), this::checkStalls);
        }
        node.request(p, findValue ? rid -> new DhtMessage.FindValue(rid, target, node.client())
                : rid -> new DhtMessage.FindNode(rid, target, node.client()),
                r -> {
                    answered(p);
                    if (r instanceof DhtMessage.Nodes n && !findValue) {
                        lookup.onSuccess(p, n.contacts());
                    } else if (r instanceof DhtMessage.Value v && findValue) {
                        absorb(v);
                        lookup.onSuccess(p, v.contacts());
                    } else {
                        lookup.onFailure(p);
                    }
                    drive();
                },
                () -> {
                    answered(p);
                    lookup.onFailure(p);
                    drive();
                });
    }

    private void answered(PeerAddress p) {
        if (sentAt.remove(p) == null) {
            stalledAt.remove(p);
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
