package io.arborcast.dht;

import io.arborcast.core.AddressScope;
import io.arborcast.core.ChannelListing;
import io.arborcast.core.ChannelRecord;
import io.arborcast.core.DhtMessage;
import io.arborcast.core.Environment;
import io.arborcast.core.Limit;
import io.arborcast.core.MessageSizer;
import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.core.ProviderInfo;
import io.arborcast.core.RateLimiter;
import io.arborcast.core.Reachability;
import io.arborcast.core.RpcClient;
import io.arborcast.core.SelfAddress;
import io.arborcast.core.Transport;
import io.arborcast.dht.DhtResults.FindResult;
import io.arborcast.dht.DhtResults.JoinResult;
import io.arborcast.dht.DhtResults.LookupResult;
import io.arborcast.dht.DhtResults.StoreOutcome;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * One node's Kademlia: answers PING, FIND_NODE, FIND_VALUE, STORE and ANNOUNCE_PROVIDER,
 * and runs joins, lookups, publishing and provider announcements with their refresh timers.
 * Sans-IO: the owner passes in every incoming {@link DhtMessage}; all output goes through
 * the {@link Transport}, all time through the {@link Environment}. Callbacks run on the
 * protocol thread.
 */
public final class DhtNode {
    private static final int MAX_FAILURES = 3;
    private static final long MAINTENANCE_MILLIS = 60_000;

    private final DhtConfig config;
    private final Environment env;
    private final Transport transport;
    private final MessageSizer sizer;
    private final RoutingTable table;
    private final RpcClient rpc;
    /** What our RPCs' answers take: sets how long a lookup waits on one peer. */
    private final StallTimes stalls;
    private final RecordStore store;
    private final ChannelDirectory directory;
    private final RateLimiter storeLimiter;
    /** Dial-backs we make for one host: a node checks at start and now and then, never a flood. */
    private final RateLimiter dialBackLimiter;
    /** The reachability check running, if any (see {@link #checkReachability}). */
    private ReachabilityCheck reachabilityCheck;
    private final DhtStats stats = new DhtStats();
    private final Map<NodeId, ChannelRecord> published = new HashMap<>();
    private final Map<NodeId, ProviderInfo> announced = new HashMap<>();
    private boolean stopped;
    /** We cannot be reached from outside: our requests say so, and nobody takes us into a routing table. */
    private boolean client;
    /** Peers whose requests said they are clients: not taken into our table from their answers either. */
    private final Set<NodeId> clients = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeId, Boolean> eldest) {
            return size() > 4096;
        }
    });

    public DhtNode(DhtConfig config, Environment env, Transport transport, MessageSizer sizer) {
        this.config = config;
        this.env = env;
        this.transport = transport;
        this.sizer = sizer;
        this.table = new RoutingTable(transport.localAddress().id(), config.k(), config.maxPerIpPerBucket(),
                config.maxPerSubnet(), config.replacementCacheSize(), config.staleContactMillis());
        this.rpc = new RpcClient(env, transport, config.maxPendingRpcs());
        this.stalls = new StallTimes(config.stallMillis());
        this.store = new RecordStore(config, env.limits());
        this.directory = new ChannelDirectory(this, sizer);
        this.storeLimiter = new RateLimiter(config.maxStoresPerMinute(), 4096);
        this.dialBackLimiter = new RateLimiter(config.maxDialBacksPerMinute(), 4096);
        env.schedule(MAINTENANCE_MILLIS, this::maintain);
    }

    public NodeId id() {
        return table.self();
    }

    public RoutingTable routingTable() {
        return table;
    }

    public DhtStats stats() {
        return stats;
    }

    public DhtConfig config() {
        return config;
    }

    Environment env() {
        return env;
    }

    StallTimes stalls() {
        return stalls;
    }

    /**
     * Client mode, for a node peers cannot reach (its reachability check said so): it looks up,
     * publishes and announces as before, but says in every request that it is a client, so
     * peers answer it without taking it into their routing tables (where it would cost everyone
     * who is sent to it a timeout) and so it never holds others' records. Off again when a later
     * check finds it reachable (a port forward added, say).
     */
    public void setClient(boolean c) {
        client = c;
    }

    public boolean client() {
        return client;
    }

    /** Stops timers (republish, refresh); pending callbacks may still fire. */
    public void stop() {
        stopped = true;
        published.clear();
        announced.clear();
    }

    /**
     * Leaves cleanly: every contact in our table is told we are no longer a server (a PING
     * marked "client", which takes a peer out of the receiver's table at once), so lookups stop
     * trying us now rather than after a timeout each; then stops.
     */
    public void leave() {
        client = true;
        for (RoutingTable.Contact c : table.contacts()) {
            transport.send(c.address(), new DhtMessage.Ping(0, true));
        }
        stop();
    }

    // ---------------------------------------------------------------- incoming

    /** Handles one incoming DHT message from {@code from} (whose id the transport vouches for). */
    public void onMessage(PeerAddress from, DhtMessage m) {
        if (from.id() == null || from.id().equals(id())) {
            stats.malformed++;
            return;
        }
        switch (m) {
            case DhtMessage.Response r -> onResponse(from, r);
            case DhtMessage.Request q -> onRequest(from, q);
        }
    }

    private void onResponse(PeerAddress from, DhtMessage.Response r) {
        RpcClient.Callback callback = rpc.claim(from, r);
        if (callback == null) {
            stats.unsolicited++;
            return;
        }
        if (r instanceof DhtMessage.Pong pong) {
            transport.observed(from, pong.observed());
        }
        learn(from); // before the callback, which may start a lookup from the table
        callback.onResponse(from, r);
    }

    private void onRequest(PeerAddress from, DhtMessage.Request q) {
        if (q.client()) {
            if (clients.add(from.id()) && table.contains(from.id())) {
                table.onFailure(from.id(), 1); // it was a server when it joined: out now
            }
        } else {
            clients.remove(from.id());
            learn(from);
        }
        stats.requestsServed++;
        long now = env.now();
        DhtMessage reply = switch (q) {
            case DhtMessage.Ping p -> new DhtMessage.Pong(p.rpcId(), from.host());
            case DhtMessage.FindNode f -> fit(new DhtMessage.Nodes(f.rpcId(), table.closest(f.target(), config.k())));
            case DhtMessage.FindValue f -> fit(new DhtMessage.Value(f.rpcId(), store.record(f.key(), now),
                    store.sampleProviders(f.key(), config.providerSample(), env.random(), now),
                    table.closest(f.key(), config.k())));
            case DhtMessage.Store s -> storeResult(s.rpcId(), from, () -> store.putRecord(s.record(), now));
            case DhtMessage.DialBack d -> dialBack(from, d);
            case DhtMessage.StoreListing l -> storeResult(l.rpcId(), from, () -> directory.onStore(l, from, now));
            case DhtMessage.FindListings f -> directory.onFind(f, now);
            case DhtMessage.AnnounceProvider a -> storeResult(a.rpcId(), from, () -> {
                if (!a.provider().address().id().equals(from.id())) {
                    return "a peer may only announce itself";
                }
                // stored under the address we saw it from, not the one it claims (NAT, spoofing)
                return store.putProvider(a.channel(), a.provider().at(from), a.ttlSeconds() * 1000L, now);
            });
        };
        transport.send(from, reply);
    }

    /**
     * Dials {@code from} back for its reachability check: to the address its request came from,
     * never one it names (so no one can aim our probes at a third party), at most
     * {@code dht.max-dial-backs-per-minute} times a minute per host.
     */
    private DhtMessage dialBack(PeerAddress from, DhtMessage.DialBack d) {
        boolean allowed = dialBackLimiter.allow(from.host(), env.now());
        if (allowed) {
            transport.dialBack(from, d.nonce());
        } else {
            env.limits().hit(Limit.DIAL_BACK_RATE);
        }
        return new DhtMessage.DialingBack(d.rpcId(), allowed);
    }

    private DhtMessage storeResult(long rpcId, PeerAddress from, Supplier<String> attempt) {
        boolean allowed = storeLimiter.allow(from.host(), env.now());
        if (!allowed) {
            env.limits().hit(Limit.STORE_RATE);
        }
        String refusal = allowed ? attempt.get() : "rate limit: too many stores";
        if (refusal != null) {
            stats.refused(refusal);
        }
        return new DhtMessage.StoreResult(rpcId, refusal == null, refusal == null ? "" : refusal);
    }

    /** Shrinks a response until it fits one datagram: contacts go first, then providers. */
    private DhtMessage fit(DhtMessage m) {
        while (sizer.sizeOf(m) > config.maxDatagramPayload()) {
            if (m instanceof DhtMessage.Nodes n && !n.contacts().isEmpty()) {
                m = new DhtMessage.Nodes(n.rpcId(), n.contacts().subList(0, n.contacts().size() - 1));
            } else if (m instanceof DhtMessage.Value v && !v.contacts().isEmpty()) {
                m = new DhtMessage.Value(v.rpcId(), v.record(), v.providers(),
                        v.contacts().subList(0, v.contacts().size() - 1));
            } else if (m instanceof DhtMessage.Value v && !v.providers().isEmpty()) {
                m = new DhtMessage.Value(v.rpcId(), v.record(), v.providers().subList(0, v.providers().size() - 1),
                        v.contacts());
            } else {
                break;
            }
        }
        return m;
    }

    /** A peer proved it is alive: into the routing table, pinging whom it may replace. */
    private void learn(PeerAddress peer) {
        if (clients.contains(peer.id())) {
            return;
        }
        int before = table.size();
        PeerAddress toPing = table.observe(peer, env.now());
        if (toPing != null) {
            request(toPing, rid -> new DhtMessage.Ping(rid, client), r -> table.observe(toPing, env.now()),
                    () -> table.onFailure(toPing.id(), 1));
        }
        if (table.size() > before && (!published.isEmpty() || !announced.isEmpty() || directory.listsAny())) {
            replicateTo(peer);
        }
    }

    /**
     * A new contact that is among the k closest we know to a key we publish gets our record or
     * announcement at once (Kademlia's store-on-join), rather than at the next republish: a
     * record published while the network was small would otherwise stay where new joiners'
     * lookups do not look.
     */
    private void replicateTo(PeerAddress peer) {
        int ttlSeconds = config.providerTtlSeconds();
        for (ChannelRecord r : published.values()) {
            if (amongClosest(peer, r.channelId())) {
                request(peer, rid -> new DhtMessage.Store(rid, r, client), x -> { }, () -> { });
            }
        }
        for (Map.Entry<NodeId, ProviderInfo> e : announced.entrySet()) {
            if (amongClosest(peer, e.getKey())) {
                request(peer, rid -> new DhtMessage.AnnounceProvider(rid, e.getKey(), e.getValue(), ttlSeconds, client),
                        x -> { }, () -> { });
            }
        }
        directory.replicateTo(peer);
    }

    boolean amongClosest(PeerAddress peer, NodeId key) {
        return table.closest(key, config.k()).stream().anyMatch(p -> p.id().equals(peer.id()));
    }

    void request(PeerAddress to, LongFunction<? extends DhtMessage.Request> build,
                         Consumer<DhtMessage.Response> onResponse, Runnable onTimeout) {
        stats.rpcsSent++;
        long sent = env.now();
        rpc.request(to, build, config.rpcTimeoutMillis(), new RpcClient.Callback() {
            @Override
            public void onResponse(PeerAddress from, DhtMessage.Response response) {
                stalls.add(env.now() - sent);
                onResponse.accept(response);
            }

            @Override
            public void onTimeout(PeerAddress peer) {
                stats.rpcTimeouts++;
                if (peer.id() != null) {
                    table.onFailure(peer.id(), MAX_FAILURES);
                }
                onTimeout.run();
            }
        });
    }


    // ---------------------------------------------------------------- lookups


    /**
     * Fills bucket {@code bucket} to {@code contacts}: a lookup of a random id in it, ended as
     * soon as the bucket holds that many (converging on the k closest to a random id would add
     * nothing more); see {@link LookupTask#fill}.
     */
    private void refresh(int bucket, int contacts, Runnable done) {
        stats.lookups++;
        LookupTask t = new LookupTask(this, id().randomInBucket(bucket, env.random()), false, x -> done.run());
        t.fill(bucket, contacts);
        t.drive();
    }

    /** Iterative FIND_NODE for the k closest nodes to {@code target}. */
    public void lookup(NodeId target, Consumer<LookupResult> done) {
        stats.lookups++;
        new LookupTask(this, target, false, t -> done.accept(new LookupResult(target, t.lookup.closest(), t.lookup.hops(),
                t.lookup.queried(), t.millis()))).drive();
    }

    /** Finds the channel record and a sample of providers stored under {@code channel}. */
    public void find(NodeId channel, Consumer<FindResult> done) {
        stats.lookups++;
        long now = env.now();
        new LookupTask(this, channel, true, t -> {
            ChannelRecord r = t.record;
            ChannelRecord local = store.record(channel, now);
            if (local != null && (r == null || local.sequence() > r.sequence())) {
                r = local;
            }
            List<ProviderInfo> providers = new ArrayList<>(t.providers.values());
            for (ProviderInfo p : store.sampleProviders(channel, config.providerSample(), env.random(), env.now())) {
                if (!t.providers.containsKey(p.address().id()) && !p.address().id().equals(id())) {
                    providers.add(p);
                }
            }
            done.accept(new FindResult(channel, r, providers, t.lookup.hops(), t.lookup.queried(), t.millis()));
        }).drive();
    }

    // ---------------------------------------------------------------- join

    /**
     * Joins the network through one bootstrap address: pings it (twice at most), looks up our
     * own id, then gives every bucket further away than our closest neighbour
     * {@code dht.join-fill} contacts, except those the self-lookup already knows whole: every
     * node nearer to us than the k-th closest it found is among those k, so buckets below the
     * k-th closest's are complete (at 100k nodes that is about 4 of 17 buckets). The paper
     * fills each to k; a few are enough to start a lookup in any part of the id space (what
     * makes lookups exact is that our neighbourhood knows us, which the self-lookup does), and
     * the buckets fill as peers contact us: at 100,000 nodes the network then sends under a
     * third of the requests.
     */
    public void join(PeerAddress bootstrap, Consumer<JoinResult> done) {
        long start = env.now();
        pingBootstrap(bootstrap, 2, ok -> {
            if (!ok) {
                done.accept(new JoinResult("bootstrap " + bootstrap.endpoint() + " did not answer within "
                        + 2 * config.rpcTimeoutMillis() + " ms", 0, env.now() - start));
                return;
            }
            lookup(id(), self -> {
                askWhereWeAre(self.closest(), bootstrap);
                int from = Math.max(table.closestBucketIndex() + 1, 0);
                List<PeerAddress> near = self.closest();
                if (near.size() >= config.k()) {
                    from = Math.max(from, id().bucketIndex(near.get(near.size() - 1).id()));
                }
                int[] pending = {NodeId.BITS - from};
                if (pending[0] == 0 || table.size() == 0) {
                    done.accept(new JoinResult(null, table.size(), env.now() - start));
                    return;
                }
                for (int i = from; i < NodeId.BITS; i++) {
                    refresh(i, config.joinFill(), () -> {
                        if (--pending[0] == 0) {
                            done.accept(new JoinResult(null, table.size(), env.now() - start));
                        }
                    });
                }
            });
        });
    }

    private void pingBootstrap(PeerAddress bootstrap, int attempts, Consumer<Boolean> done) {
        request(bootstrap, rid -> new DhtMessage.Ping(rid, client), r -> done.accept(true),
                () -> {
                    if (attempts > 1) {
                        pingBootstrap(bootstrap, attempts - 1, done);
                    } else {
                        done.accept(false);
                    }
                });
    }

    /**
     * Pings a few of {@code near} in subnets other than the bootstrap's and each other's: their
     * pongs say where they see us, so a node learns its address from several peers at join
     * ({@link SelfAddress} needs agreement from two subnets or more).
     */
    private void askWhereWeAre(List<PeerAddress> near, PeerAddress bootstrap) {
        Set<Integer> subnets = new HashSet<>();
        subnets.add(bootstrap.subnet());
        int asked = 0;
        for (PeerAddress p : near) {
            if (asked < SelfAddress.AGREEMENT && subnets.add(p.subnet())) {
                asked++;
                request(p, rid -> new DhtMessage.Ping(rid, client), r -> { }, () -> { });
            }
        }
    }

    /**
     * Checks whether peers outside can reach us: up to {@link ReachabilityCheck#HELPERS} contacts
     * with public addresses, each in its own subnet and none in ours, are asked to dial us back
     * ({@link Transport#dialBack}); {@code done} hears what arrived. With no such contact the
     * result is unknown at once. A check asked for while one runs replaces it.
     */
    public void checkReachability(Consumer<Reachability> done) {
        PeerAddress me = transport.localAddress();
        Set<Integer> subnets = new HashSet<>();
        subnets.add(me.subnet());
        List<PeerAddress> helpers = new ArrayList<>();
        for (PeerAddress p : table.closest(id(), config.k() * 4)) {
            if (helpers.size() < ReachabilityCheck.HELPERS && p.scope() == AddressScope.PUBLIC
                    && subnets.add(p.subnet())) {
                helpers.add(p);
            }
        }
        reachabilityCheck = new ReachabilityCheck(env, helpers, (helper, nonce, answered) ->
                request(helper, rid -> new DhtMessage.DialBack(rid, nonce, client),
                        r -> answered.accept(r instanceof DhtMessage.DialingBack b && b.dialing()),
                        () -> answered.accept(false)), done);
    }

    /** A reachability probe arrived (the transport heard it); it counts for the check running, if its nonce is one of its. */
    public void onDialedBack(long nonce, boolean tcp) {
        if (reachabilityCheck == null || !reachabilityCheck.onDialedBack(nonce, tcp)) {
            stats.unsolicited++;
        }
    }

    /** Pings {@code peer}; on an answer it enters the routing table. For seeding from a known list. */
    public void ping(PeerAddress peer, Consumer<Boolean> done) {
        request(peer, rid -> new DhtMessage.Ping(rid, client), r -> done.accept(true), () -> done.accept(false));
    }

    // ---------------------------------------------------------------- publish and announce

    /** Stores {@code record} on the k closest nodes to its channel id, and republishes it periodically. */
    public void publish(ChannelRecord record, Consumer<StoreOutcome> done) {
        String problem = ChannelRecords.problem(record);
        if (problem != null) {
            throw new IllegalArgumentException("refusing to publish an invalid record: " + problem);
        }
        store.putRecord(record, env.now());
        boolean first = !published.containsKey(record.channelId());
        published.put(record.channelId(), record);
        storeOnClosest(record.channelId(), rid -> new DhtMessage.Store(rid, record, client), done);
        if (first) {
            scheduleRepeat(config.republishMillis(), () -> {
                ChannelRecord current = published.get(record.channelId());
                if (current != null) {
                    storeOnClosest(current.channelId(), rid -> new DhtMessage.Store(rid, current, client), o -> {
                    });
                }
                return current != null;
            });
        }
    }

    /**
     * Announces this node as a provider of {@code channel} with {@code info} (our own address,
     * depth, free slots), and keeps refreshing it until {@link #withdraw}. Calling it again
     * updates the info.
     */
    public void announce(NodeId channel, ProviderInfo info, Consumer<StoreOutcome> done) {
        if (!info.address().id().equals(id())) {
            throw new IllegalArgumentException("a node may only announce itself");
        }
        boolean first = !announced.containsKey(channel);
        announced.put(channel, info);
        store.putProvider(channel, info, config.providerTtlMillis(), env.now());
        int ttlSeconds = config.providerTtlSeconds();
        storeOnClosest(channel, rid -> new DhtMessage.AnnounceProvider(rid, channel, info, ttlSeconds, client), done);
        if (first) {
            scheduleRepeat(config.providerTtlMillis() / 2, () -> {
                ProviderInfo current = announced.get(channel);
                if (current != null) {
                    store.putProvider(channel, current, config.providerTtlMillis(), env.now());
                    storeOnClosest(channel, rid -> new DhtMessage.AnnounceProvider(rid, channel, current, ttlSeconds, client),
                            o -> {
                            });
                }
                return current != null;
            });
        }
    }

    /**
     * Lists our channel in the directory: stores {@code listing} (signed by its channel key) under
     * every channel's directory key and its genre's, on the k closest nodes to each, and keeps it
     * there until {@link #unlist}; listing the channel again (a new count or info, a newer
     * sequence) replaces it. Throws if it does not fit one datagram.
     */
    public void list(ChannelListing listing, Consumer<StoreOutcome> done) {
        directory.list(listing, done);
    }

    /** Takes our channel out of the directory at once: {@code ended} (not live, a newer sequence) replaces its listing. */
    public void unlist(ChannelListing ended, Consumer<StoreOutcome> done) {
        directory.unlist(ended, done);
    }

    /**
     * The live channels the directory lists in {@code genre}, or (null) every one, whose names
     * have a word beginning with {@code search} (empty: all; see {@link ChannelListings#nameMatches}).
     */
    public void findListings(String genre, String search, Consumer<DhtResults.ListingsResult> done) {
        directory.find(genre, search, done);
    }

    /** Channel listings stored here for others. */
    public int storedListings() {
        return directory.stored();
    }

    /** Stops refreshing our announcement for {@code channel}; it expires at the others within its TTL. */
    public void withdraw(NodeId channel) {
        announced.remove(channel);
    }

    void storeOnClosest(NodeId key, LongFunction<? extends DhtMessage.Request> build,
                                Consumer<StoreOutcome> done) {
        lookup(key, result -> {
            List<PeerAddress> targets = result.closest();
            if (targets.isEmpty()) {
                done.accept(new StoreOutcome(0, 0, 0, List.of("no DHT nodes known")));
                return;
            }
            int[] counts = new int[3];
            List<String> reasons = new ArrayList<>();
            for (PeerAddress t : targets) {
                request(t, build, r -> {
                    if (r instanceof DhtMessage.StoreResult s && s.accepted()) {
                        counts[0]++;
                    } else {
                        counts[1]++;
                        reasons.add(r instanceof DhtMessage.StoreResult s ? s.reason() : "unexpected answer");
                    }
                    finishStore(counts, targets.size(), reasons, done);
                }, () -> {
                    counts[2]++;
                    finishStore(counts, targets.size(), reasons, done);
                });
            }
        });
    }

    private static void finishStore(int[] counts, int total, List<String> reasons, Consumer<StoreOutcome> done) {
        if (counts[0] + counts[1] + counts[2] == total) {
            done.accept(new StoreOutcome(counts[0], counts[1], counts[2], List.copyOf(reasons)));
        }
    }

    /** Runs {@code task} every {@code period} ms for as long as it returns true and the node runs. */
    void scheduleRepeat(long period, BooleanSupplier task) {
        env.schedule(period, () -> {
            if (!stopped && task.getAsBoolean()) {
                scheduleRepeat(period, task);
            }
        });
    }

    // ---------------------------------------------------------------- maintenance

    private void maintain() {
        if (stopped) {
            return;
        }
        long now = env.now();
        store.expire(now);
        directory.expire(now);
        for (int bucket : table.staleBuckets(now - config.bucketRefreshMillis())) {
            stats.bucketRefreshes++;
            refresh(bucket, config.k(), () -> {
            });
        }
        env.schedule(MAINTENANCE_MILLIS, this::maintain);
    }

    /** Records stored here for others. */
    public int storedRecords() {
        return store.recordCount();
    }

    /** Provider announcements stored here for others. */
    public int storedProviders() {
        return store.providerCount();
    }
}
