package io.arborcast.sim.scenario;

import io.arborcast.sim.attack.Forgery;
import io.arborcast.sim.engine.Partitions;
import io.arborcast.sim.net.LatencyModel;
import io.arborcast.sim.net.NatClass;
import io.arborcast.sim.net.SimNetwork;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.arborcast.dht.DhtConfig;
import io.arborcast.gossip.GossipConfig;
import io.arborcast.tree.LatencyMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A simulation scenario: every parameter of a run, read from a HOCON file in
 * {@code config/sim/} over the defaults in {@code sim-defaults.conf}. Protocol settings fall
 * back to the node defaults in {@code config/arborcast.conf}.
 */
public record Scenario(String name, long seed, int nodes, long durationMillis, SimNetwork.Config network,
                       long uploadBytesPerSec, long bootstrapUploadBytesPerSec, Churn churn, Faults faults, Workload workload, DhtConfig dht, GossipConfig gossip, Stream stream,
                       Engine engine) {

    /**
     * The event engine: {@code partitions} event queues ({@link Partitions}), run on
     * {@code threads} threads (which never change the results).
     */
    public record Engine(int partitions, int threads) {
        public Engine {
            if (partitions < 1 || partitions > Partitions.MAX_PARTITIONS || threads < 1) {
                throw new IllegalArgumentException("engine.partitions must be 1.." + Partitions.MAX_PARTITIONS
                        + " and engine.threads at least 1 (0 in a scenario: one per partition)");
            }
        }
    }

    /** Churn after the initial joins. */
    public record Churn(boolean enabled, double arrivalsPerSecond, SessionModel session, double leaveShare) {
        /** Time to the next arrival of the Poisson process, in ms (at least 1). */
        public long nextArrivalGapMillis(java.util.Random r) {
            double gapSeconds = -Math.log(1.0 - r.nextDouble()) / arrivalsPerSecond;
            return Math.max(1, Math.round(gapSeconds * 1000));
        }
    }

    /** Scheduled faults; a negative time means never. */
    public record Faults(long massFailureAt, double massFailureFraction, long partitionAt, long partitionMillis,
                         double partitionFraction, Attack attack) {
    }

    /**
     * Hostile nodes in a stream workload. {@code forgers}: this share of the relays run the real
     * protocol but every chunk they forward is corrupted (payload altered, signature kept) or
     * forged (re-signed by another key), by {@code mode}. {@code attach-flood}: {@code nodes}
     * extra nodes that run no protocol send ATTACH (resume from seq 0) and PULL requests to random
     * members, {@code rate} of each per second. {@code sybil} (dht workload): {@code nodes} sybils
     * with ids closer to one channel's id than any honest node's, from one /24, that answer
     * FIND_VALUE and FIND_NODE with each other only and never return the record or a provider.
     * {@code none}: no attack.
     */
    public record Attack(AttackKind kind, double share, Forgery.Mode mode, int nodes, double rate) {
    }

    /** The attacks of {@link Attack}, as scenario files name them. */
    public enum AttackKind {
        NONE, FORGERS, ATTACH_FLOOD, SYBIL;

        /** The name in scenario files and summaries. */
        public String setting() {
            return Scenario.setting(this);
        }
    }

    /** What a workload's nodes do. */
    public enum WorkloadKind {
        DHT, GOSSIP, STREAM
    }

    /** How a DHT workload looks up: FIND_NODE for ids, FIND_VALUE for a channel's record, or the channel directory. */
    public enum Lookup {
        FIND_NODE, FIND_VALUE, DIRECTORY
    }

    /** An enum constant's name in scenario files: lower case, words joined by '-'. */
    private static String setting(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The constant of {@code type} that {@code key}'s {@code value} names, or a clear error listing them. */
    static <E extends Enum<E>> E setting(Class<E> type, String key, String value) {
        for (E e : type.getEnumConstants()) {
            if (setting(e).equals(value)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown " + key + " '" + value + "' ("
                + String.join(", ", java.util.Arrays.stream(type.getEnumConstants()).map(Scenario::setting).toList()) + ")");
    }

    /**
     * The live stream of a stream workload; {@code nat}: the listeners' reachability classes;
     * preroll, playout delay and gap pull from the latency mode unless set.
     */
    public record Stream(int bitrateKbps, long chunkMillis, LatencyMode latencyMode, long playoutDelayMillis,
                         long prerollMillis, long gapPullAfterMillis, long bufferMillis, int sourceSlots, int relaySlots,
                         double zeroSlotShare, long directoryLatencyMillis, NatShares nat,
                         List<UploadClass> uploadClasses, Player player) {
        public Stream {
            uploadClasses = List.copyOf(uploadClasses);
            double sum = uploadClasses.stream().mapToDouble(UploadClass::share).sum();
            if (!uploadClasses.isEmpty() && Math.abs(sum - 1) > 1e-9) {
                throw new IllegalArgumentException("stream.upload-classes: shares add up to " + sum + ", not 1");
            }
        }

        /** The upload class a listener falls in for a uniform draw {@code u} in [0, 1). */
        public UploadClass uploadClass(double u) {
            double acc = 0;
            for (UploadClass c : uploadClasses) {
                acc += c.share();
                if (u < acc) {
                    return c;
                }
            }
            return uploadClasses.get(uploadClasses.size() - 1);
        }
    }

    /** How the listeners' modelled players play what their nodes hand them. */
    public enum PlayerKind {
        /** One chunk interval per chunk: a stall's lag stays (an HTTP player such as VLC or ffplay). */
        KEEP_TIME,
        /** Faster than real time while it holds more than its target buffer (hls.js, dash.js, Shaka). */
        CATCH_UP
    }

    /**
     * The listeners' modelled player: what kind, how fast it catches up, and its target buffer
     * (where it starts, and the most stalls grow it to).
     */
    public record Player(PlayerKind kind, double catchUpRate, long targetBufferMillis, long maxTargetBufferMillis) {
        public Player {
            if (catchUpRate < 1 || targetBufferMillis < 0 || maxTargetBufferMillis < targetBufferMillis) {
                throw new IllegalArgumentException("stream.player: catch-up-rate " + catchUpRate
                        + " (at least 1), target-buffer " + targetBufferMillis + " ms, max-target-buffer "
                        + maxTargetBufferMillis + " ms (at least the target)");
            }
        }
    }

    /** A share of the listeners whose uplink carries {@code kbps}. */
    public record UploadClass(double share, int kbps) {
        public UploadClass {
            if (share < 0 || kbps <= 0) {
                throw new IllegalArgumentException("stream.upload-classes: share " + share + ", kbps " + kbps);
            }
        }
    }

    /**
     * What share of the listeners is in each {@link NatClass} (the source is public). The
     * classes a listener is drawn from are in this order; the shares add up to 1.
     */
    public record NatShares(double[] shares) {
        public NatShares {
            double sum = 0;
            for (double x : shares) {
                if (x < 0) {
                    throw new IllegalArgumentException("stream.nat: a negative share");
                }
                sum += x;
            }
            if (shares.length != NatClass.values().length || Math.abs(sum - 1) > 1e-6) {
                throw new IllegalArgumentException("stream.nat: the shares of public, port-mapped, cone and symmetric"
                        + " must add up to 1 (they add up to " + sum + ")");
            }
        }

        /** Whether any listener is behind a NAT nobody can dial through. */
        public boolean any() {
            return shares[NatClass.CONE.ordinal()] + shares[NatClass.SYMMETRIC.ordinal()] > 0;
        }

        /** The class for a uniform draw {@code u} in [0, 1). */
        public NatClass draw(double u) {
            double acc = 0;
            for (NatClass c : NatClass.values()) {
                acc += shares[c.ordinal()];
                if (u < acc) {
                    return c;
                }
            }
            return NatClass.PUBLIC;
        }
    }

    /**
     * What the nodes do. {@code lookup} (dht workload): {@code find-node} lookups of random ids,
     * or {@code find-value}: FIND_VALUEs of one published channel that has 20 providers, or
     * {@code directory}: asks of the channel directory ({@code directoryChannels} channels in
     * {@code directoryGenres} genres listed; {@code directoryFloodHosts} hosts each list
     * {@code directoryFloodListings} made-up channels in the first genre meanwhile).
     */
    public record Workload(WorkloadKind kind, long joinIntervalMillis, long settleMillis, int lookups,
                           long lookupWindowMillis, long measureAfterMillis, Lookup lookup, int directoryChannels,
                           int directoryGenres, int directoryFloodHosts, int directoryFloodListings) {
        public boolean findValue() {
            return lookup == Lookup.FIND_VALUE;
        }

        public boolean directory() {
            return lookup == Lookup.DIRECTORY;
        }
    }

    /** Reads a scenario file; clear errors for a missing file or a bad value. */
    public static Scenario load(Path file) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("scenario file " + file + " is not readable");
        }
        return parse(ConfigFactory.parseFile(file.toFile()));
    }

    /** A scenario from HOCON text (for tests). */
    public static Scenario parse(String hocon) {
        return parse(ConfigFactory.parseString(hocon));
    }

    private static Scenario parse(Config file) {
        ClassLoader cl = Scenario.class.getClassLoader();
        Config nodeDefaults = ConfigFactory.parseResources(cl, "arborcast.conf");
        Config c = file.withFallback(ConfigFactory.parseResources(cl, "sim-defaults.conf"))
                .withFallback(ConfigFactory.parseMap(java.util.Map.of(
                        "scenario.dht", nodeDefaults.getConfig("arborcast.dht").root().unwrapped(),
                        "scenario.gossip", nodeDefaults.getConfig("arborcast.gossip").root().unwrapped())))
                .resolve();
        try {
            Config s = c.getConfig("scenario");
            Config net = s.getConfig("network");
            Config lat = net.getConfig("latency");
            SimNetwork.Config network = new SimNetwork.Config(
                    new LatencyModel(lat.getDouble("space-ms"), lat.getDouble("access-median-ms"),
                            lat.getDouble("access-sigma"), lat.getDouble("jitter")),
                    net.getDouble("datagram-loss"), ms(net, "connect-timeout"), ms(net, "crash-detect"));
            Config ch = s.getConfig("churn");
            Config ses = ch.getConfig("session");
            Churn churn = new Churn(ch.getBoolean("enabled"), ch.getDouble("arrivals-per-second"),
                    new SessionModel(setting(SessionModel.Distribution.class, "churn.session.distribution",
                            ses.getString("distribution")), ms(ses, "mean"), ses.getDouble("shape")),
                    ch.getDouble("leave-share"));
            Config f = s.getConfig("faults");
            Config a = f.getConfig("attack");
            Attack attack = new Attack(setting(AttackKind.class, "faults.attack.kind", a.getString("kind")),
                    a.getDouble("share"), setting(Forgery.Mode.class, "faults.attack.mode", a.getString("mode")),
                    a.getInt("nodes"), a.getDouble("rate"));
            Faults faults = new Faults(ms(f, "mass-failure.at"), f.getDouble("mass-failure.fraction"),
                    ms(f, "partition.at"), ms(f, "partition.duration"), f.getDouble("partition.fraction"), attack);
            Config w = s.getConfig("workload");
            Workload workload = new Workload(setting(WorkloadKind.class, "workload.kind", w.getString("kind")),
                    ms(w, "join-interval"), ms(w, "settle"), w.getInt("lookups"), ms(w, "lookup-window"),
                    ms(w, "measure-after"), setting(Lookup.class, "workload.lookup", w.getString("lookup")),
                    w.getInt("directory-channels"), w.getInt("directory-genres"), w.getInt("directory-flood.hosts"),
                    w.getInt("directory-flood.listings-per-host"));
            Config st = s.getConfig("stream");
            Config pl = st.getConfig("player");
            LatencyMode.Timing timing = LatencyMode.timing(st);
            Stream stream = new Stream(st.getInt("bitrate-kbps"), timing.chunkMillis(),
                    LatencyMode.of(st.getString("latency-mode")), timing.playoutDelayMillis(), timing.prerollMillis(),
                    timing.gapPullAfterMillis(), ms(st, "buffer"), st.getInt("source-slots"), st.getInt("relay-slots"),
                    st.getDouble("zero-slot-share"), ms(st, "directory-latency"),
                    new NatShares(java.util.Arrays.stream(NatClass.values())
                            .mapToDouble(k -> st.getDouble("nat." + k.setting)).toArray()),
                    st.getConfigList("upload-classes").stream()
                            .map(u -> new UploadClass(u.getDouble("share"), u.getInt("kbps"))).toList(),
                    new Player(setting(PlayerKind.class, "stream.player.kind", pl.getString("kind")),
                            pl.getDouble("catch-up-rate"), ms(pl, "target-buffer"), ms(pl, "max-target-buffer")));
            Config e = s.getConfig("engine");
            int partitions = e.getInt("partitions");
            int threads = e.getInt("threads");
            Engine engine = new Engine(partitions, threads == 0
                    ? Math.min(partitions, Runtime.getRuntime().availableProcessors()) : threads);
            int nodes = s.getInt("nodes");
            if (nodes < 2) {
                throw new IllegalArgumentException("a scenario needs at least 2 nodes");
            }
            return new Scenario(s.getString("name"), s.getLong("seed"), nodes, ms(s, "duration"), network,
                    net.getLong("upload-kbps") * 1000 / 8, net.getLong("bootstrap-upload-kbps") * 1000 / 8, churn, faults, workload,
                    DhtConfig.from(s.getConfig("dht"), io.arborcast.wire.MessageCodec.DEFAULT_MAX_DATAGRAM),
                    GossipConfig.from(s.getConfig("gossip")), stream, engine);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad scenario: " + e.getMessage(), e);
        }
    }

    private static long ms(Config c, String path) {
        return c.getDuration(path, TimeUnit.MILLISECONDS);
    }

    public Scenario withNodes(int n) {
        return new Scenario(name, seed, n, durationMillis, network, uploadBytesPerSec, bootstrapUploadBytesPerSec, churn, faults, workload, dht, gossip, stream, engine);
    }

    public Scenario withSeed(long s) {
        return new Scenario(name, s, nodes, durationMillis, network, uploadBytesPerSec, bootstrapUploadBytesPerSec, churn, faults, workload, dht, gossip, stream, engine);
    }

    public Scenario withDuration(long millis) {
        return new Scenario(name, seed, nodes, millis, network, uploadBytesPerSec, bootstrapUploadBytesPerSec, churn, faults, workload, dht, gossip, stream, engine);
    }

    /** The same run on {@code n} threads (the results do not change). */
    public Scenario withThreads(int n) {
        return new Scenario(name, seed, nodes, durationMillis, network, uploadBytesPerSec, bootstrapUploadBytesPerSec, churn, faults, workload, dht, gossip, stream,
                new Engine(engine.partitions(), n));
    }

    /** The run on {@code p} partitions, one thread per partition up to the machine's cores (another run). */
    public Scenario withPartitions(int p) {
        return new Scenario(name, seed, nodes, durationMillis, network, uploadBytesPerSec, bootstrapUploadBytesPerSec, churn, faults, workload, dht, gossip, stream,
                new Engine(p, Math.min(p, Runtime.getRuntime().availableProcessors())));
    }

    public Scenario withLookups(int n) {
        return new Scenario(name, seed, nodes, durationMillis, network, uploadBytesPerSec, bootstrapUploadBytesPerSec, churn, faults,
                new Workload(workload.kind(), workload.joinIntervalMillis(), workload.settleMillis(), n,
                        workload.lookupWindowMillis(), workload.measureAfterMillis(), workload.lookup(),
                        workload.directoryChannels(), workload.directoryGenres(), workload.directoryFloodHosts(),
                        workload.directoryFloodListings()), dht, gossip, stream, engine);
    }
}
