package io.arborcast.sim;

import io.arborcast.core.ChannelListing;
import io.arborcast.core.NodeId;
import io.arborcast.crypto.ChannelKey;
import io.arborcast.dht.ChannelListings;
import io.arborcast.dht.DhtResults.ListingsResult;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
 * lookup window.
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

    /** Random live nodes list the channels, one every 20 ms. */
    void publish() {
        for (int i = 0; i < s.workload().directoryChannels(); i++) {
            int n = i;
            sim.after(i * 20L, () -> {
                ChannelKey key = ChannelKey.fromSeed(s.seed() * 13 + n);
                String genre = genres.get(n % genres.size());
                ChannelListing l = ChannelListings.create(key, "Channel " + n, genre, "", "", "audio/mpeg", 128,
                        sim.now(), random.nextInt(1_000), 1);
                SimNode publisher = Workload.randomLive(pop.nodes(), random);
                pop.dht(publisher.index()).list(l, o -> { });
                synchronized (lock) {
                    expected.computeIfAbsent("", k -> new HashSet<>()).add(l.channelId());
                    expected.computeIfAbsent(genre, k -> new HashSet<>()).add(l.channelId());
                }
            });
        }
    }

    /** When the listing of every channel has started, in virtual ms after {@link #publish}. */
    long publishMillis() {
        return s.workload().directoryChannels() * 20L;
    }

    /** One lookup: every channel, or a random genre's. */
    void find() {
        String genre = random.nextInt(4) == 0 ? "" : genres.get(random.nextInt(genres.size()));
        SimNode asker = Workload.randomLive(pop.nodes(), random);
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
        counters.done(took, hit == want.size());
    }

    /** The directory part of the dht section of summary.json. */
    Map<String, Object> summary() {
        long served = 0;
        long busiest = 0;
        int serving = 0;
        for (int i = 0; i < pop.size(); i++) {
            long p = pop.dht(i).stats().listingPagesServed;
            served += p;
            busiest = Math.max(busiest, p);
            serving += p > 0 ? 1 : 0;
        }
        double window = Math.max(1, s.workload().lookupWindowMillis() / 1000.0);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lookup", "directory");
        m.put("channelsListed", s.workload().directoryChannels());
        m.put("genres", genres.size());
        m.put("finds", finds);
        m.put("channelsFound", channelsExpected == 0 ? Double.NaN : (double) channelsFound / channelsExpected);
        m.put("findsComplete", finds == 0 ? Double.NaN : (double) complete / finds);
        m.put("findMsMedian", millis.percentile(50));
        m.put("findMsP99", millis.percentile(99));
        m.put("listingPagesServed", served);
        m.put("busiestNodePagesPerSecond", busiest / window);
        m.put("nodesServingPages", serving);
        return m;
    }
}
