package io.arborcast.gossip;

import com.typesafe.config.Config;
import io.arborcast.core.Settings;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * Membership parameters, named as in HyParView (Leitão et al., DSN 2007) where it names them.
 *
 * @param activeSize         active view size (symmetric neighbours on links)
 * @param passiveSize        passive view size (known peers kept as backups)
 * @param activeWalk         ARWL: length of a join's random walk
 * @param passiveWalk        PRWL: at which step of the walk the joiner enters passive views
 * @param shuffleMillis      period of a passive-view shuffle
 * @param shuffleActive      active entries in a shuffle sample (ka)
 * @param shufflePassive     passive entries in a shuffle sample (kp)
 * @param stateMillis        how often a changed state of ours goes to the active neighbours
 * @param heartbeatMillis    the longest an active neighbour goes without a heartbeat from us
 * @param suspectMillis      silence after which an active peer is suspected
 * @param probeMillis        how long an indirect probe may take before the suspect is declared dead
 * @param neighborMillis     how long to wait for a NEIGHBOR answer before asking another passive peer
 */
public record GossipConfig(int activeSize, int passiveSize, int activeWalk, int passiveWalk, long shuffleMillis,
                           int shuffleActive, int shufflePassive, long stateMillis, long heartbeatMillis, long suspectMillis,
                           long probeMillis, long neighborMillis) {
    public GossipConfig {
        Settings.atLeast("gossip.active-view", activeSize, 1);
        Settings.atLeast("gossip.passive-view", passiveSize, 1);
        Settings.atLeast("gossip.active-walk", activeWalk, 1);
        Settings.within("gossip.passive-walk", passiveWalk, 0, activeWalk);
        Settings.check(shuffleActive + shufflePassive + 1 <= io.arborcast.core.GossipMessage.MAX_SAMPLE,
                "gossip.shuffle-active + shuffle-passive", shuffleActive + shufflePassive, "",
                "must be at most " + (io.arborcast.core.GossipMessage.MAX_SAMPLE - 1));
        Settings.atLeastMillis("gossip.state-interval", stateMillis, 1);
        Settings.check(heartbeatMillis >= stateMillis, "gossip.heartbeat-interval", heartbeatMillis, " ms",
                "must be at least gossip.state-interval (" + stateMillis + " ms)");
        // heartbeats go at state rounds: up to heartbeat-interval + state-interval apart
        Settings.check(suspectMillis > heartbeatMillis + stateMillis, "gossip.suspect-after", suspectMillis, " ms",
                "must be more than gossip.heartbeat-interval + state-interval (" + (heartbeatMillis + stateMillis)
                        + " ms)");
        Settings.atLeastMillis("gossip.probe-timeout", probeMillis, 1);
    }

    /** These settings with a different active view size. */
    public GossipConfig withActiveSize(int n) {
        return new GossipConfig(n, passiveSize, activeWalk, passiveWalk, shuffleMillis, shuffleActive, shufflePassive,
                stateMillis, heartbeatMillis, suspectMillis, probeMillis, neighborMillis);
    }

    /**
     * Defaults: a changed state reaches the neighbours within half a second; a silent crash is
     * detected within 8 s; a plain heartbeat every 4 s on each active link we sent nothing else.
     */
    public static GossipConfig defaults() {
        return new GossipConfig(5, 30, 6, 3, 30_000, 3, 4, 500, 4_000, 6_500, 500, 1_000);
    }

    /** Reads an {@code arborcast.gossip} block (see config/arborcast.conf). */
    public static GossipConfig from(Config g) {
        ToLongFunction<String> ms = k -> g.getDuration(k, TimeUnit.MILLISECONDS);
        return new GossipConfig(g.getInt("active-view"), g.getInt("passive-view"), g.getInt("active-walk"),
                g.getInt("passive-walk"), ms.applyAsLong("shuffle-interval"), g.getInt("shuffle-active"),
                g.getInt("shuffle-passive"), ms.applyAsLong("state-interval"), ms.applyAsLong("heartbeat-interval"), ms.applyAsLong("suspect-after"),
                ms.applyAsLong("probe-timeout"), ms.applyAsLong("neighbor-timeout"));
    }
}
