package io.arborcast.sim.workload;

import io.arborcast.sim.engine.Simulation;
import io.arborcast.sim.net.SimNode;
import io.arborcast.sim.report.Stats;
import io.arborcast.sim.report.Summary;
import io.arborcast.sim.scenario.Scenario;

import io.arborcast.core.ChannelListing;
import io.arborcast.core.NodeId;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.dht.ChannelListings;
import io.arborcast.dht.DhtResults.ListingsResult;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The directory lookups of the dht workload ({@code lookup = directory}): random live nodes
 * list {@code directory-channels} channels over {@code directory-genres} genres, as publishers
 * do (signed listings under every channel's key and the genre's, each with a random audience);
 * then each lookup asks, from a random live node, for every channel (one lookup in four) or for
 * a random genre's, and counts what came back against what was listed under that key. The
 * load is the listing pages nodes served: in all, and on the busiest node, per second of the
 * lookup window. With {@code directory-flood.hosts}, that many random nodes each list
 * {@code directory-flood.listings-per-host} made-up channels in the first genre, from when the
 * real ones are listed until just before the lookups, every one claiming a million listeners
 * (the list of every channel gets them too): what the askers of that genre still
 * find of its real channels, and how many made-up ones come with them, are counted apart.
 */
final class DirectoryFinds {
    /** The workload's counters (lookups started and done), updated under its lock. */
    interface Counters {
        void started();

        void done(long millis, boolean complete);
    }

    private final Scenario s;
    private final Simulation sim;
    private final DhtPopulation pop;
    private final Random random;
    private final Object lock;
    private final Counters counters;
    /** The channels listed in each genre, and ("") in all. */
    private final Map<String, Set<NodeId>> expected = new HashMap<>();
    private final List<String> genres = new ArrayList<>();
    private int finds;
    private int complete;
    private long channelsExpected;
    private long channelsFound;
    private final Stats millis = new Stats();
    /** Asks of the flooded genre, the real channels listed in it they found, and the made-up ones. */
    private int floodedFinds;
    private long floodedRealFound;
    private long floodedRealExpected;
    private long fakesFound;
    /** What became of the real channels' first stores (each goes to the k closest of its two keys). */
    private long storesAccepted;
    private long storesRefused;
    private long storesUnreachable;
    /**
     * The flooding hosts: none of them lists a real channel or asks (its own flood would crowd
     * that out, and its uplink is full of it). In the order drawn: a node hashes by identity, so
     * a hash set's order (which host lists which made-up channels) would change from run to run.
     */
    private final Set<SimNode> flooders = new LinkedHashSet<>();

    DirectoryFinds(Scenario s, Simulation sim, DhtPopulation pop, Random random, Object lock, Counters counters) {
        this.s = s;
        this.sim = sim;
        this.pop = pop;
        this.random = random;
        this.lock = lock;
        this.counters = counters;
        for (int g = 0; g < s.workload().directoryGenres(); g++) {
            genres.add("Genre " + g);
        }
    }

    /** Random live nodes list the channels, one every 20 ms; the flood, if any, meanwhile. */
    void publish() {
        flood();
        for (int i = 0; i < s.workload().directoryChannels(); i++) {
            int n = i;
            sim.after(i * 20L, () -> {
                ChannelKey key = ChannelKey.fromSeed(s.seed() * 13 + n);
                String genre = genres.get(n % genres.size());
                ChannelListing l = ChannelListings.create(key, "Channel " + n, genre, "", "", "audio/mpeg", 128,
                        sim.now(), random.nextInt(1_000), 1);
                SimNode publisher = honest();
                pop.dht(publisher.index()).list(l, o -> {
                    synchronized (lock) {
                        storesAccepted += o.accepted();
                        storesRefused += o.refused();
                        storesUnreachable += o.unreachable();
                    }
                });
                synchronized (lock) {
                    expected.computeIfAbsent("", k -> new HashSet<>()).add(l.channelId());
                    expected.computeIfAbsent(genre, k -> new HashSet<>()).add(l.channelId());
                }
            });
        }
    }

    /**
     * The flooding hosts (distinct random live nodes) list their made-up channels, spread evenly
     * from now until 2 s before the lookups start (all of them listed before anyone asks).
     */
    private void flood() {
        int hosts = s.workload().directoryFloodHosts();
        int each = s.workload().directoryFloodListings();
        while (flooders.size() < Math.min(hosts, pop.size() / 2)) {
            flooders.add(Workload.randomLive(pop.nodes(), random));
        }
        long total = (long) flooders.size() * each;
        long spread = Math.max(publishMillis(), s.workload().settleMillis() - 3_000);
        long n = 0;
        for (SimNode host : flooders) {
            for (int i = 0; i < each; i++, n++) {
                long k = n;
                sim.after(k * spread / total, () -> {
                    ChannelKey key = ChannelKey.fromSeed(s.seed() * 17 + 1_000_000 + k);
                    ChannelListing fake = ChannelListings.create(key, "Fake " + k, genres.get(0), "", "",
                            "audio/mpeg", 128, sim.now(), 1_000_000, 1);
                    pop.dht(host.index()).list(fake, o -> { });
                });
            }
        }
    }

    /** A random live node that does not flood. */
    private SimNode honest() {
        SimNode n;
        do {
            n = Workload.randomLive(pop.nodes(), random);
        } while (flooders.contains(n));
        return n;
    }

    /** When the listing of every channel has started, in virtual ms after {@link #publish}. */
    long publishMillis() {
        return s.workload().directoryChannels() * 20L;
    }

    /** One lookup: every channel, or a random genre's. */
    void find() {
        String genre = random.nextInt(4) == 0 ? "" : genres.get(random.nextInt(genres.size()));
        SimNode asker = honest();
        long start = sim.now();
        synchronized (lock) {
            counters.started();
        }
        pop.dht(asker.index()).findListings(genre.isEmpty() ? null : genre, "", r -> {
            synchronized (lock) {
                found(genre, r, sim.now() - start);
            }
        });
    }

    private void found(String genre, ListingsResult r, long took) {
        finds++;
        millis.add(took);
        Set<NodeId> want = expected.getOrDefault(genre, Set.of());
        Set<NodeId> got = new HashSet<>();
        r.listings().forEach(l -> got.add(l.channelId()));
        long hit = want.stream().filter(got::contains).count();
        channelsExpected += want.size();
        channelsFound += hit;
        if (hit == want.size()) {
            complete++;
        }
        if (s.workload().directoryFloodHosts() > 0 && genre.equals(genres.get(0))) {
            floodedFinds++;
            floodedRealFound += hit;
            floodedRealExpected += want.size();
            fakesFound += got.size() - hit;
        }
        counters.done(took, hit == want.size());
    }

    /** The directory part of the dht section of summary.json. */
    Summary.Directory summary() {
        long served = 0;
        long lost = 0;
        long busiest = 0;
        int serving = 0;
        for (int i = 0; i < pop.size(); i++) {
            long p = pop.dht(i).stats().listingPagesServed;
            lost += pop.dht(i).stats().listingPagesLost;
            served += p;
            busiest = Math.max(busiest, p);
            serving += p > 0 ? 1 : 0;
        }
        double window = Math.max(1, s.workload().lookupWindowMillis() / 1000.0);
        int floodHosts = s.workload().directoryFloodHosts();
        Summary.Flood flood = floodHosts == 0 ? null : new Summary.Flood(floodHosts,
                (long) floodHosts * s.workload().directoryFloodListings(), floodedFinds,
                Stats.share(floodedRealFound, floodedRealExpected), Stats.share(fakesFound, floodedFinds));
        return new Summary.Directory(s.workload().directoryChannels(), genres.size(), finds,
                Stats.share(channelsFound, channelsExpected), Stats.share(complete, finds),
                millis.percentile(50), millis.percentile(99), served, lost, busiest / window, serving, storesAccepted,
                storesRefused, storesUnreachable, flood);
    }
}
